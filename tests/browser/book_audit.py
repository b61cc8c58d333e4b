"""What the browser tests record about each page of the built book, and how.

Every page is visited once over HTTP, checked in light mode and then switched to dark mode, and
once from disk (``file://``).
While a page loads, the audit records its console errors, its requests and those that failed;
then its links, ids and images; then axe-core's results: every WCAG 2.2 A and AA rule in light
mode, and the rules that depend on colour in dark mode (the markup is the same in both modes;
only the colours change).  Requests made by axe itself (it re-reads style sheets) are not the
page's doing and are not recorded.

The visits run concurrently, several pages at once in one chromium (most of a visit is spent
waiting for the page to go quiet), driven by Playwright's asyncio API in a thread of its own so
that it can run beside the synchronous ``browser`` fixture.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import Awaitable, Callable, Sequence
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
#: The rules of those sets whose outcome depends on the colours shown: text contrast, and links
#: told apart from the text around them by colour alone.  Dark mode changes colours only.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
DARK_AXE_OPTIONS = {"runOnly": {"type": "rule", "values": COLOUR_RULES}, "resultTypes": ["violations"]}
#: How many pages the audit has open at once.
CONCURRENT_PAGES = int(os.environ.get("NPTSC_BROWSER_PAGES", "6"))
#: Folders of the HTML output that hold assets and template fragments, not pages.
NOT_PAGES = {"_static", "_sources", "_images"}


def book_pages(html_dir: Path) -> list[str]:
    """Every HTML page of the built book, as paths relative to its root."""
    return sorted(p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*.html")
                  if not NOT_PAGES & set(p.relative_to(html_dir).parts))


@dataclass
class Visit:
    """What loading one page did: its errors and the requests it made."""

    path: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@dataclass
class PageAudit(Visit):
    """What one page did in the browser."""

    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    images: list[dict[str, Any]] = field(default_factory=list)
    axe: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class DiskVisit(Visit):
    """What one page did when opened from disk (``file://``)."""

    broken_images: list[str] = field(default_factory=list)
    style_sheets: int = 0


@dataclass
class SiteAudit:
    """The audit of every page, and where the book was served from."""

    base_url: str
    html_dir: Path
    pages: dict[str, PageAudit]
    from_disk: dict[str, DiskVisit] = field(default_factory=dict)

    def rules_run(self) -> set[str]:
        """Ids of the axe rules that ran (passed, failed, needed review or did not apply)."""
        return {rule["id"] for page in self.pages.values() for result in page.axe.values()
                for kind in ("passes", "violations", "incomplete", "inapplicable") for rule in result[kind]}


def redirect_target(html_file: Path) -> str | None:
    """Where a page that only redirects (``<meta http-equiv="refresh">``) sends the reader."""
    match = re.search(r'http-equiv="refresh"\s+content="\d+;\s*url=([^"]+)"',
                      html_file.read_text(encoding="utf-8", errors="replace"), re.IGNORECASE)
    return match.group(1) if match else None


def _record(page: Any, audit: Visit) -> None:
    page.on("console", lambda m: audit.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: audit.console_errors.append(f"uncaught: {e}"))
    page.on("request", lambda r: audit.requests.append(r.url))
    page.on("requestfailed", lambda r: audit.failed_requests.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: audit.failed_requests.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)


def open_page(browser: Any, url: str, audit: PageAudit, *, dark: bool = False, lands_on: str | None = None) -> Any:
    """Open ``url`` in a fresh context, recording console errors and requests into ``audit``.

    ``dark`` opens it with the theme in dark mode; ``lands_on`` is the address a redirecting
    page must arrive at before the page counts as loaded.
    """
    context = browser.new_context(color_scheme="dark" if dark else "light")
    if dark:
        context.add_init_script("localStorage.setItem('mode', 'dark')")
    page = context.new_page()
    _record(page, audit)
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


async def open_page_async(browser: Any, url: str, audit: Visit, *, dark: bool = False,
                          lands_on: str | None = None, viewport: dict[str, int] | None = None) -> Any:
    """:func:`open_page` for Playwright's asyncio API (``viewport`` sets the window's size)."""
    options: dict[str, Any] = {"color_scheme": "dark" if dark else "light"}
    if viewport:
        options["viewport"] = viewport
    context = await browser.new_context(**options)
    if dark:
        await context.add_init_script("localStorage.setItem('mode', 'dark')")
    page = await context.new_page()
    _record(page, audit)
    await page.goto(url, wait_until="load")
    if lands_on:
        await page.wait_for_url(lands_on, wait_until="load")
    await page.wait_for_load_state("networkidle")
    return page


async def run_axe_async(page: Any, options: dict[str, Any] = AXE_OPTIONS) -> dict[str, Any]:
    """axe-core's results for the page (by default the WCAG 2.2 A and AA rules).

    axe-core (from axe-playwright-python) is put into the page once: a second run on the same
    page, in dark mode say, uses the copy already there instead of parsing its 570 kB again.
    """
    from axe_playwright_python.base import AXE_SCRIPT

    if not await page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        await page.evaluate(AXE_SCRIPT)
    return await page.evaluate("options => axe.run(document, options)", options)


def run_in_browser(chromium: str, jobs: Sequence[Callable[[Any], Awaitable[Any]]],
                   concurrency: int = CONCURRENT_PAGES) -> list[Any]:
    """Run ``jobs`` (each given the browser) in one headless chromium, ``concurrency`` at a time.

    Returns their results in order.  The browser runs under asyncio in a thread of its own, so
    this works whether or not the calling thread drives a synchronous Playwright.
    """
    async def main() -> list[Any]:
        from playwright.async_api import async_playwright

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            gate = asyncio.Semaphore(concurrency)

            async def one(job: Callable[[Any], Awaitable[Any]]) -> Any:
                async with gate:
                    return await job(browser)

            try:
                return list(await asyncio.gather(*(one(job) for job in jobs)))
            finally:
                await browser.close()

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="browser-audit")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


#: Switch the page to dark mode with the theme's own button, as a reader does: each click moves
#: to the next mode (automatic, light, dark), and the theme sets ``data-theme`` on the page.
_SWITCH_TO_DARK = """() => {
  const button = document.querySelector('.theme-switch-button');
  for (let i = 0; button && i < 3 && document.documentElement.dataset.theme !== 'dark'; i++) button.click();
  return document.documentElement.dataset.theme;
}"""
#: True once no colour is still changing (the theme's styles may fade between modes).
_COLOURS_SETTLED = """() => document.getAnimations().every(a => !(a instanceof CSSTransition) || a.playState !== 'running')"""


async def switch_to_dark(page: Any) -> str:
    """Switch a loaded page to dark mode with the theme's button; returns the theme it shows."""
    theme = await page.evaluate(_SWITCH_TO_DARK)
    await page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    await page.wait_for_function(_COLOURS_SETTLED)
    return str(theme)


async def audit_page(browser: Any, base_url: str, html_dir: Path, path: str) -> PageAudit:
    """Visit one page in light mode (every rule), then switch it to dark mode (the colour rules).

    The page is loaded once: after the light-mode checks, the theme's own switch turns it to
    dark mode, which changes only its colours.  A page that only redirects is audited where it
    lands; its own markup is checked by ``test_the_front_door_is_accessible``.
    """
    recording = PageAudit(path)
    target = redirect_target(html_dir / path)
    lands_on = urljoin(base_url + path, target) if target else None
    page = await open_page_async(browser, base_url + path, recording, lands_on=lands_on)
    facts = await page.evaluate(_PAGE_FACTS)
    # The load is done: keep what it recorded, before axe makes requests of its own.
    audit = PageAudit(path, list(recording.console_errors), list(recording.failed_requests),
                      list(recording.requests), facts["links"], set(facts["ids"]), facts["images"])
    audit.axe["light"] = await run_axe_async(page)
    theme = await switch_to_dark(page)
    audit.axe["dark"] = await run_axe_async(page, DARK_AXE_OPTIONS)
    audit.axe["dark"]["theme"] = theme
    await page.context.close()
    return audit


_BROKEN_IMAGES = "() => Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"


async def visit_from_disk(browser: Any, html_dir: Path, path: str) -> DiskVisit:
    """Open one page from ``file://``: what it asked for, what failed, its images and style sheets."""
    visit = DiskVisit(path)
    target = redirect_target(html_dir / path)
    lands_on = (html_dir / path).parent.joinpath(target).resolve().as_uri() if target else None
    page = await open_page_async(browser, (html_dir / path).as_uri(), visit, lands_on=lands_on)
    visit.broken_images = await page.evaluate(_BROKEN_IMAGES)
    visit.style_sheets = await page.evaluate("() => document.styleSheets.length")
    await page.context.close()
    return visit


def audit_site(chromium: str, base_url: str, html_dir: Path) -> SiteAudit:
    """Every page served over HTTP (light and dark mode) and opened from disk, several at a time."""
    # The biggest pages take longest: start them first.
    pages = sorted(book_pages(html_dir), key=lambda path: -(html_dir / path).stat().st_size)
    jobs: list[Callable[[Any], Awaitable[Any]]] = []
    for path in pages:
        jobs.append(lambda browser, path=path: audit_page(browser, base_url, html_dir, path))
        jobs.append(lambda browser, path=path: visit_from_disk(browser, html_dir, path))
    results = run_in_browser(chromium, jobs)
    return SiteAudit(base_url, html_dir, {r.path: r for r in results if isinstance(r, PageAudit)},
                     {r.path: r for r in results if isinstance(r, DiskVisit)})


def local_target(audit: SiteAudit, url: str) -> tuple[Path, str] | None:
    """The file and fragment an internal link points to; None for a link to another host."""
    if urlparse(url).scheme not in ("http", "https") or not url.startswith(audit.base_url):
        return None
    address, fragment = urldefrag(url)
    target = audit.html_dir / urlparse(address).path.lstrip("/")
    if target.is_dir() or address.endswith("/"):
        target = target / "index.html"
    return target, fragment
