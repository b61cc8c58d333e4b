"""Browser tests: the built book in a real browser (Playwright driving Debian's chromium).

The book is copied from ``_build/html`` once per session (so a build running in the same
folder cannot swap it out mid-test) and served over HTTP on 127.0.0.1 by a threaded
``http.server`` on a free port.  ``site_audit`` visits every page once (see
``book_audit.py``); the tests check what it recorded.

Chromium is ``/usr/bin/chromium`` (``CHROMIUM`` in the environment names another).  When it
is missing the tests are skipped with the reason, except under CI (``CI=true``), where they
fail: a browser test that silently does not run is worth nothing.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import pytest

from book_audit import AXE_TAGS, CHROMIUM, COLOUR_RULES, CHROMIUM_ARGS, SiteAudit, audit_site

_SUMMARY: dict[str, Any] = {}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def book_copy(built_book: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the built book, taken while no build is running."""
    from nptsc_eval import paths
    from nptsc_eval.build.state import build_lock

    target = tmp_path_factory.mktemp("book") / "html"
    with build_lock(paths.PROJECT_ROOT):
        shutil.copytree(built_book, target)
    return target


@pytest.fixture(scope="session")
def book_server(book_copy: Path) -> Iterator[str]:
    """The book served over HTTP on 127.0.0.1 (a free port); yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(book_copy))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of chromium, or a skip (a failure under CI) saying why it is not there."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        _unavailable(f"playwright is not installed: {exc}")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    """Headless chromium, or a skip (a failure under CI) saying why it cannot start."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        except Exception as exc:  # noqa: BLE001 - any launch failure means no browser
            _unavailable(f"chromium at {chromium} did not start: {exc}")
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def site_audit(browser: Any, chromium: str, book_server: str, book_copy: Path) -> SiteAudit:
    """Every page of the book visited in light and dark mode, with axe-core run on each, and from disk.

    (``browser`` is asked for so that a chromium that cannot start skips the tests, or fails
    them under CI, with the reason.)
    """
    audit = audit_site(chromium, book_server, book_copy)
    _SUMMARY.update(pages=len(audit.pages), rules=len(audit.rules_run()),
                    violations=sum(len(p.axe[m]["violations"]) for p in audit.pages.values() for m in p.axe))
    return audit


#: Smallest text of every chart as displayed, by page and figure (filled by test_chart_text_in_browser.py).
CHART_TEXT_SIZES: dict[tuple[str, str], dict[str, Any]] = {}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if CHART_TEXT_SIZES:
        terminalreporter.write_line("smallest chart text as displayed (CSS px), at 1280 and 390 px wide:")
        terminalreporter.write_line(f"{'page':<32} {'figure':<12} {'kind':<8} {'1280 px':>8} {'390 px':>8}  title")
        for (page, figure), row in CHART_TEXT_SIZES.items():  # in reading order
            sizes = [f"{row[w]:8.1f}" if w in row else f"{'-':>8}" for w in (1280, 390)]
            terminalreporter.write_line(f"{page:<32} {figure:<12} {row['kind']:<8} {sizes[0]} {sizes[1]}  {row['title'][:70]}")
    if _SUMMARY:
        terminalreporter.write_line(
            f"browser audit: {_SUMMARY['pages']} pages, {_SUMMARY['rules']} axe-core rules run "
            f"({', '.join(AXE_TAGS)} in light mode; {', '.join(COLOUR_RULES)} in dark mode), "
            f"{_SUMMARY['violations']} violations")
