"""What the browser tests record about each page of the built book, and how.

Every page is visited once in light mode and once in dark mode.  While a page loads, the
audit records its console errors, its requests and those that failed; then its links, ids
and images; then axe-core's results.  Requests made by axe itself (it re-reads style sheets)
are not the page's doing and are not recorded.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
#: The WCAG 2.2 A and AA rule sets of axe-core.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
#: Folders of the HTML output that hold assets and template fragments, not pages.
NOT_PAGES = {"_static", "_sources", "_images"}


def book_pages(html_dir: Path) -> list[str]:
    """Every HTML page of the built book, as paths relative to its root."""
    return sorted(p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*.html")
                  if not NOT_PAGES & set(p.relative_to(html_dir).parts))


@dataclass
class PageAudit:
    """What one page did in the browser."""

    path: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    images: list[dict[str, Any]] = field(default_factory=list)
    axe: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class SiteAudit:
    """The audit of every page, and where the book was served from."""

    base_url: str
    html_dir: Path
    pages: dict[str, PageAudit]

    def rules_run(self) -> set[str]:
        """Ids of the axe rules that ran (passed, failed, needed review or did not apply)."""
        return {rule["id"] for page in self.pages.values() for result in page.axe.values()
                for kind in ("passes", "violations", "incomplete", "inapplicable") for rule in result[kind]}


def redirect_target(html_file: Path) -> str | None:
    """Where a page that only redirects (``<meta http-equiv="refresh">``) sends the reader."""
    match = re.search(r'http-equiv="refresh"\s+content="\d+;\s*url=([^"]+)"',
                      html_file.read_text(encoding="utf-8", errors="replace"), re.IGNORECASE)
    return match.group(1) if match else None


def open_page(browser: Any, url: str, audit: PageAudit, *, dark: bool = False, lands_on: str | None = None) -> Any:
    """Open ``url`` in a fresh context, recording console errors and requests into ``audit``.

    ``dark`` opens it with the theme in dark mode; ``lands_on`` is the address a redirecting
    page must arrive at before the page counts as loaded.
    """
    context = browser.new_context(color_scheme="dark" if dark else "light")
    if dark:
        context.add_init_script("localStorage.setItem('mode', 'dark')")
    page = context.new_page()
    page.on("console", lambda m: audit.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: audit.console_errors.append(f"uncaught: {e}"))
    page.on("request", lambda r: audit.requests.append(r.url))
    page.on("requestfailed", lambda r: audit.failed_requests.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: audit.failed_requests.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    if lands_on:
        page.wait_for_url(lands_on, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page


_PAGE_FACTS = """() => ({
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  ids: Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.getAttribute('name')),
  images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, alt: i.getAttribute('alt'),
                                                   complete: i.complete, width: i.naturalWidth})),
})"""


def run_axe(page: Any) -> dict[str, Any]:
    """axe-core's results for the page, limited to the WCAG 2.2 A and AA rules."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options=AXE_OPTIONS).response


def audit_page(browser: Any, base_url: str, html_dir: Path, path: str) -> PageAudit:
    """Visit one page in light mode, then in dark mode.

    A page that only redirects is audited where it lands; its own markup is checked by
    ``test_the_front_door_is_accessible``.
    """
    recording = PageAudit(path)
    target = redirect_target(html_dir / path)
    lands_on = urljoin(base_url + path, target) if target else None
    page = open_page(browser, base_url + path, recording, lands_on=lands_on)
    facts = page.evaluate(_PAGE_FACTS)
    # The load is done: keep what it recorded, before axe makes requests of its own.
    audit = PageAudit(path, list(recording.console_errors), list(recording.failed_requests),
                      list(recording.requests), facts["links"], set(facts["ids"]), facts["images"])
    audit.axe["light"] = run_axe(page)
    page.context.close()

    dark = open_page(browser, base_url + path, PageAudit(path), dark=True, lands_on=lands_on)
    audit.axe["dark"] = run_axe(dark)
    audit.axe["dark"]["theme"] = dark.evaluate("() => document.documentElement.dataset.theme")
    dark.context.close()
    return audit


def audit_site(browser: Any, base_url: str, html_dir: Path) -> SiteAudit:
    return SiteAudit(base_url, html_dir, {p: audit_page(browser, base_url, html_dir, p) for p in book_pages(html_dir)})


def local_target(audit: SiteAudit, url: str) -> tuple[Path, str] | None:
    """The file and fragment an internal link points to; None for a link to another host."""
    if urlparse(url).scheme not in ("http", "https") or not url.startswith(audit.base_url):
        return None
    address, fragment = urldefrag(url)
    target = audit.html_dir / urlparse(address).path.lstrip("/")
    if target.is_dir() or address.endswith("/"):
        target = target / "index.html"
    return target, fragment
