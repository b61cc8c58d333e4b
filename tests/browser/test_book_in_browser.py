"""Every page of the built book in chromium: clean loads, no other hosts, links, images, axe-core."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from nptsc_eval import paths

from book_audit import AXE_TAGS, COLOUR_RULES, SiteAudit, book_pages, local_target

pytestmark = pytest.mark.browser


def _toc_files() -> list[str]:
    """Every document the table of contents names, as a path without suffix."""
    toc = yaml.safe_load((paths.PROJECT_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                found.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return found


def _report(problems: list[str], what: str) -> str:
    return f"{len(problems)} {what}:\n  " + "\n  ".join(problems)


def test_every_page_of_the_table_of_contents_was_visited(site_audit: SiteAudit):
    visited = set(site_audit.pages)
    missing = [f"{name}.html" for name in _toc_files() if f"{name}.html" not in visited]
    assert not missing, _report(missing, "pages of _toc.yml were not built or not visited")
    assert {"index.html", "search.html", "genindex.html"} <= visited
    assert len(visited) == len(book_pages(site_audit.html_dir))


def test_pages_load_without_console_errors(site_audit: SiteAudit):
    problems = [f"{p.path}: {e}" for p in site_audit.pages.values() for e in p.console_errors]
    assert not problems, _report(problems, "console errors")


def test_pages_make_no_failed_requests(site_audit: SiteAudit):
    problems = [f"{p.path}: {r}" for p in site_audit.pages.values() for r in p.failed_requests]
    assert not problems, _report(problems, "failed requests")


def test_no_request_leaves_localhost(site_audit: SiteAudit):
    problems = [f"{p.path}: {url}" for p in site_audit.pages.values() for url in p.requests
                if not (url.startswith(site_audit.base_url) or url.startswith(("data:", "blob:")))]
    assert not problems, _report(problems, "requests to other hosts")
    # The audit did see the page's own requests: its style sheets and scripts.
    assert all(any(u.endswith(".css") or ".css?" in u for u in p.requests) for p in site_audit.pages.values())


def _ids_of(site_audit: SiteAudit, target: Path) -> set[str]:
    relative = target.relative_to(site_audit.html_dir).as_posix()
    if relative in site_audit.pages:
        return site_audit.pages[relative].ids
    text = target.read_text(encoding="utf-8", errors="replace")
    return set(re.findall(r'\bid="([^"]+)"', text)) | set(re.findall(r'\bname="([^"]+)"', text))


def test_every_internal_link_resolves(site_audit: SiteAudit):
    problems, checked = [], 0
    for audit in site_audit.pages.values():
        for url in audit.links:
            target = local_target(site_audit, url)
            if target is None:
                continue
            file, fragment = target
            checked += 1
            if not file.is_file():
                problems.append(f"{audit.path}: {url} → no file {file.relative_to(site_audit.html_dir)}")
            elif fragment and file.suffix == ".html" and fragment not in _ids_of(site_audit, file):
                problems.append(f"{audit.path}: {url} → no element with id '{fragment}'")
    assert not problems, _report(problems, "broken internal links")
    assert checked > len(site_audit.pages), "the audit found too few internal links to be credible"


def _expected_figures() -> int:
    """Figures (PNG outputs) in the executed notebooks that the book shows."""
    count = 0
    for name in _toc_files():
        path = paths.PROJECT_ROOT / f"{name}.ipynb"
        if not path.exists():
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if "remove-output" in cell.get("metadata", {}).get("tags", []) or "remove-cell" in cell.get("metadata", {}).get("tags", []):
                continue
            count += sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []) or [])
    return count


def test_every_image_loaded_and_has_alt_text(site_audit: SiteAudit):
    problems, images = [], 0
    for audit in site_audit.pages.values():
        for image in audit.images:
            images += 1
            if not image["complete"] or image["width"] <= 0:
                problems.append(f"{audit.path}: {image['src']} did not load")
            if not (image["alt"] or "").strip():
                problems.append(f"{audit.path}: {image['src']} has no alt text")
    assert not problems, _report(problems, "image problems")
    assert images >= _expected_figures() > 0


def _violations(site_audit: SiteAudit, mode: str) -> list[str]:
    problems = []
    for audit in site_audit.pages.values():
        for rule in audit.axe[mode]["violations"]:
            for node in rule["nodes"]:
                problems.append(f"{audit.path} [{rule['id']}, {rule['impact']}] {rule['help']}: {node['html'][:160]}")
    return problems


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_axe_finds_no_wcag_22_aa_violation(site_audit: SiteAudit, mode: str):
    rules = f"{', '.join(AXE_TAGS)}" if mode == "light" else f"{', '.join(COLOUR_RULES)}"
    problems = _violations(site_audit, mode)
    assert not problems, _report(problems, f"axe-core violations of {rules} ({mode} mode)")
    # The rules did run on every page: in light mode colour contrast, alt text and document
    # language among them; in dark mode, where only the colours change, the colour rules.
    for audit in site_audit.pages.values():
        ran = {rule["id"] for kind in ("passes", "violations", "incomplete", "inapplicable")
               for rule in audit.axe[mode][kind]}
        if mode == "light":
            assert {"color-contrast", "image-alt", "html-has-lang", "document-title"} <= ran, audit.path
        else:
            assert ran == set(COLOUR_RULES), audit.path
    assert all(audit.axe[mode]["passes"] for audit in site_audit.pages.values())


def test_dark_mode_was_really_dark(site_audit: SiteAudit):
    assert {audit.axe["dark"]["theme"] for audit in site_audit.pages.values()} == {"dark"}


def test_the_book_works_from_disk(site_audit: SiteAudit):
    """Opened from file://, every page loads its styles, scripts and images, and asks no host."""
    assert set(site_audit.from_disk) == set(site_audit.pages)
    problems = []
    for path, visit in sorted(site_audit.from_disk.items()):
        problems += [f"{path}: console error {e}" for e in visit.console_errors]
        problems += [f"{path}: failed {r}" for r in visit.failed_requests]
        problems += [f"{path}: request to {u}" for u in visit.requests if not u.startswith(("file://", "data:", "blob:"))]
        problems += [f"{path}: image {src} did not load" for src in visit.broken_images]
        if visit.style_sheets < 3:
            problems.append(f"{path}: only {visit.style_sheets} style sheets loaded")
    assert not problems, _report(problems, "problems reading the book from disk")
    # The visits did load the pages' own files from disk.
    assert all(any(u.startswith("file://") and ".css" in u for u in v.requests) for v in site_audit.from_disk.values())
