"""The book's pages one at a time in chromium: search, the front door, and a page with contrast faults.

The audit of every page (``test_book_in_browser.py``) keeps a test file and a process of its
own; these tests open a page or two each.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from book_audit import PageAudit, open_page, redirect_target, run_axe

pytestmark = pytest.mark.browser


def test_search_finds_pages_offline(browser, book_server: str):
    audit = PageAudit("search.html")
    page = open_page(browser, book_server + "search.html?q=commissioning", audit)
    page.wait_for_selector("#search-results ul.search li", timeout=15_000)
    results = page.locator("#search-results ul.search li").count()
    page.context.close()
    assert results > 0
    assert not audit.console_errors and not audit.failed_requests
    assert all(u.startswith(book_server) for u in audit.requests)


def test_the_front_door_is_accessible(browser, book_copy: Path):
    """The site's index.html leads to the book's first page and is itself accessible."""
    front = book_copy / "index.html"
    target = redirect_target(front)
    assert target and (book_copy / target).is_file()
    markup = front.read_text(encoding="utf-8")
    assert f'<a href="{target}">' in markup
    page = browser.new_context().new_page()
    # The page as a reader without automatic redirects sees it.
    page.set_content(re.sub(r"<meta http-equiv=\"refresh\"[^>]*>", "", markup, flags=re.IGNORECASE))
    result = run_axe(page)
    page.context.close()
    assert not result["violations"], [v["id"] for v in result["violations"]]
    assert {"html-has-lang", "document-title"} <= {r["id"] for r in result["passes"]}


def test_the_audit_finds_a_contrast_fault_in_each_mode(book_copy: Path, chromium: str, tmp_path: Path):
    """A page of the book with text hard to read in light mode, and other text hard to read only
    in dark mode: the audit's light-mode check finds the first, its dark-mode check the second."""
    import functools
    import http.server
    import threading

    from book_audit import audit_page, run_in_browser
    from conftest import _QuietHandler

    # The book's own files, and one chapter with the two faults added, under a folder of its own.
    for entry in book_copy.iterdir():
        if entry.name != "book":
            (tmp_path / entry.name).symlink_to(entry)
    chapter = "book/executed/01-programme-outputs.html"
    faulty = tmp_path / chapter
    faulty.parent.mkdir(parents=True)
    faults = ('<style>html[data-theme="dark"] .fault-dark { color: #333 !important; }</style>'
              '<p class="fault-light" style="color: #eeeeee">Pale text on a white page.</p>'
              '<p class="fault-dark">Dark grey text, readable only on a light page.</p>')
    markup = (book_copy / chapter).read_text(encoding="utf-8")
    assert '<article class="bd-article">' in markup
    faulty.write_text(markup.replace('<article class="bd-article">', '<article class="bd-article">' + faults, 1), encoding="utf-8")
    for folder in (book_copy / "book").iterdir():
        if folder.name != "executed":
            (tmp_path / "book" / folder.name).symlink_to(folder)
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        [audit] = run_in_browser(chromium, [lambda browser: audit_page(browser, base, tmp_path, chapter)])
    finally:
        server.shutdown()
        server.server_close()

    def contrast_faults(mode: str) -> set[str]:
        return {node["html"].split('"')[1] for rule in audit.axe[mode]["violations"] if rule["id"] == "color-contrast"
                for node in rule["nodes"] if node["html"].startswith('<p class="fault-')}

    assert audit.axe["dark"]["theme"] == "dark"
    assert contrast_faults("light") == {"fault-light"}
    assert contrast_faults("dark") == {"fault-dark"}


#: Each icon of the page's header and buttons: its class, what its ``::before`` shows, in which
#: font, and how wide it is drawn.
_ICONS = """() => Array.from(document.querySelectorAll('i.fa-solid, i.fas'))
  .filter(icon => icon.getClientRects().length)
  .map(icon => {
    const before = getComputedStyle(icon, '::before');
    return {icon: icon.className, glyph: before.content, font: before.fontFamily,
            width: icon.getBoundingClientRect().width};
  })"""


def test_the_theme_icons_show_from_its_web_font_without_the_script(browser, book_server: str):
    """The theme's icons (search, menu, colour mode, download) come from its Font Awesome web font.

    The theme's 1.5 MB Font Awesome script is left out of every page: it would only redraw the
    same icons as inline SVG.  The icons stay as ``<i>`` elements, each drawn from the font.
    """
    audit = PageAudit("book/introduction.html")
    page = open_page(browser, book_server + "book/introduction.html", audit)
    page.evaluate("() => document.fonts.ready")
    icons = page.evaluate(_ICONS)
    svg_icons = page.evaluate("() => document.querySelectorAll('svg.svg-inline--fa').length")
    font_loaded = page.evaluate("() => document.fonts.check('900 16px \"Font Awesome 6 Free\"')")
    page.context.close()
    assert not [u for u in audit.requests if "fontawesome.js" in u]
    assert svg_icons == 0
    assert font_loaded
    assert len(icons) >= 4, icons
    assert {"fa-magnifying-glass", "fa-download", "fa-sun"} <= {name for icon in icons for name in icon["icon"].split()}
    for icon in icons:
        assert re.fullmatch(r'"[\ue000-\uf8ff]"', icon["glyph"]), icon  # one of the font's own glyphs
        assert "Font Awesome 6 Free" in icon["font"], icon
        assert icon["width"] > 0, icon
    assert not audit.console_errors and not audit.failed_requests
