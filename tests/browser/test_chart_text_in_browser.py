"""Every chart of the book in chromium at 1280 and 390 px wide: no text smaller than 12 CSS px as shown.

Each chart page is loaded at phone width (390 px), where axe-core checks it too, then its
window is widened to 1280 px and its charts measured again.

A chart image's smallest text, as displayed, is its smallest font in image pixels (which
``report.show_figure`` writes on the figure's title as ``data-min-font-px``) times the width
it is shown at over its natural width.  A diagram drawn as HTML (the logic models) has real
text: each of its text elements is measured with ``getComputedStyle``.  The table of sizes is
printed at the end of the run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import CHART_TEXT_SIZES

MIN_PX = 12.0
WIDTHS = (1280, 390)

_MEASURE = """() => Array.from(document.querySelectorAll('p.figure-title')).map(title => {
  const out = {id: title.id, title: title.textContent.trim()};
  const diagram = title.closest('.nptsc-diagram');
  if (diagram) {
    const body = diagram.querySelector('.diagram-body');
    let smallest = Infinity, texts = 0;
    for (const el of body.querySelectorAll('*')) {
      const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
      const box = el.getBoundingClientRect();
      if (!own || box.width <= 1 || box.height <= 1) continue;  // the summary kept for screen readers
      texts += 1;
      smallest = Math.min(smallest, parseFloat(getComputedStyle(el).fontSize));
    }
    return Object.assign(out, {kind: 'diagram', px: smallest, texts: texts,
                               overflows: body.scrollWidth > body.clientWidth + 1});
  }
  const img = title.closest('.cell_output') && title.closest('.cell_output').querySelector(':scope > img');
  if (!img) return Object.assign(out, {kind: 'none'});
  const minFont = parseFloat(title.dataset.minFontPx);
  const shown = img.getBoundingClientRect().width;
  return Object.assign(out, {kind: 'image', px: minFont * shown / img.naturalWidth, natural: img.naturalWidth,
                             shown: shown, minFont: minFont});
})"""


def _chart_pages(book_copy: Path) -> list[str]:
    return sorted(p.relative_to(book_copy).as_posix() for p in (book_copy / "book").rglob("*.html")
                  if 'class="figure-title"' in p.read_text(encoding="utf-8"))


async def _measure(page: Any) -> dict[str, Any]:
    await page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
    sideways = await page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
    return {"sideways": sideways, "rows": await page.evaluate(_MEASURE)}


async def _visit_chart_page(browser: Any, url: str) -> dict[int, dict[str, Any]]:
    """One chart page, loaded at phone width: its charts measured and axe-core's violations; then
    the window widened to each other width and the charts measured again."""
    from book_audit import PageAudit, open_page_async, run_axe_async

    phone, *wider = sorted(WIDTHS)
    page = await open_page_async(browser, url, PageAudit(url), viewport={"width": phone, "height": 900})
    visits = {phone: await _measure(page)}
    visits[phone]["violations"] = (await run_axe_async(page))["violations"]
    for width in wider:
        await page.set_viewport_size({"width": width, "height": 900})
        await page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        visits[width] = await _measure(page)
        visits[width]["violations"] = []
    await page.context.close()
    return visits


@pytest.fixture(scope="module")
def chart_visits(browser: Any, chromium: str, book_server: str, book_copy: Path) -> dict[tuple[str, int], dict[str, Any]]:
    """Every chart page (several at once), by page and width."""
    from book_audit import run_in_browser

    pages = _chart_pages(book_copy)
    results = run_in_browser(chromium, [lambda b, path=path: _visit_chart_page(b, book_server + path) for path in pages])
    return {(path, width): visits[width] for width in WIDTHS for path, visits in zip(pages, results)}


@pytest.fixture(scope="module")
def chart_sizes(chart_visits: dict[tuple[str, int], dict[str, Any]]) -> list[dict[str, Any]]:
    """Every chart of every page, measured at each width (and whether the page scrolls sideways)."""
    measured = []
    for (path, width), visit in chart_visits.items():
        for row in visit["rows"]:
            row.update(page=path, width=width, page_scrolls_sideways=visit["sideways"])
            measured.append(row)
            entry = CHART_TEXT_SIZES.setdefault((path, row["id"]), {"title": row["title"], "kind": row["kind"]})
            if row["kind"] != "none":
                entry[width] = row["px"]
    return measured


def test_every_chart_was_measured(chart_sizes):
    kinds = {(r["page"], r["id"]): r["kind"] for r in chart_sizes}
    assert "none" not in kinds.values(), [k for k, v in kinds.items() if v == "none"]
    assert sum(k == "diagram" for k in kinds.values()) == 3  # a logic model in each strand chapter
    assert sum(k == "image" for k in kinds.values()) >= 15
    assert all(r["kind"] != "diagram" or r["texts"] > 10 for r in chart_sizes)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_chart_text_is_smaller_than_12_px_as_displayed(chart_sizes, width):
    small = [f"{r['page']} {r['id']} ({r['kind']}): {r['px']:.1f} px" for r in chart_sizes
             if r["width"] == width and not r["px"] >= MIN_PX]
    assert not small, f"chart text under {MIN_PX:g} px at {width} px wide:\n" + "\n".join(small)


def test_on_a_phone_charts_scroll_in_their_own_block_not_the_page(chart_sizes):
    phone = [r for r in chart_sizes if r["width"] == 390]
    assert phone and not any(r["page_scrolls_sideways"] for r in phone), sorted({r["page"] for r in phone if r["page_scrolls_sideways"]})
    assert not any(r.get("overflows") for r in phone if r["kind"] == "diagram")


def test_chart_pages_pass_axe_at_phone_width(chart_visits: dict[tuple[str, int], dict[str, Any]], book_copy: Path):
    """A chart that scrolls sideways on a phone must still be reachable by keyboard (axe checks it)."""
    phone = {path: visit for (path, width), visit in chart_visits.items() if width == 390}
    assert sorted(phone) == _chart_pages(book_copy)
    problems = [f"{path}: {v['id']} ({len(v['nodes'])})" for path, visit in phone.items() for v in visit["violations"]]
    assert not problems, problems
