"""Reader-facing text: no build log, no empty sections, no template artefacts in the built book."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.build

#: Sentences about how the data was transcribed or checked: they belong in the metadata files
#: and the provenance appendix, not in a chapter.
BUILD_LOG = [
    r"text extraction", r"garbled", r"whenever the data is loaded", r"printed the same way earlier",
    r"\bA further 0\b", r"\bThere are 0\b", r"\b0 (?:statements|files|cases|impacts)\b",
]
#: The pages where how the data was transcribed belongs: the corrections page and the appendices
#: on provenance and data sources.
TRANSCRIPTION_PAGES = {"corrections.html", "provenance.html", "06-data-sources.html"}
#: Counts that read like a template: "1 impacts", "5 of the 5 areas".
ARTEFACTS = [r"(?<![\d.,])1 (?!in\b)[a-z]+s\b", r"(?<![\d.,])(\d+) of (?:the |these |its )?\1\b"]


def _pages(built_book):
    pages = [p for p in (built_book / "book").rglob("*.html")]
    assert len(pages) > 20
    return pages


def _main(page):
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main") or soup
    for element in main.find_all(["script", "style", "code", "pre"]):
        element.decompose()
    return main


def test_no_page_tells_the_reader_how_the_data_was_transcribed_or_checked(built_book):
    found = []
    for page in _pages(built_book):
        if page.name in TRANSCRIPTION_PAGES:
            continue
        text = " ".join(_main(page).get_text(" ").split())
        found += [(page.name, m.group(0)) for pattern in BUILD_LOG for m in re.finditer(pattern, text, re.I)]
    assert not found


def test_no_count_reads_like_a_template(built_book):
    found = []
    for page in _pages(built_book):
        main = _main(page)
        for table in main.find_all("table"):  # table cells hold figures by design
            table.decompose()
        for block in main.find_all(["p", "li"]):
            text = " ".join(block.get_text(" ").split())
            found += [(page.name, m.group(0)) for pattern in ARTEFACTS for m in re.finditer(pattern, text)]
    assert not found


def test_no_section_is_empty(built_book):
    empty = []
    for page in _pages(built_book):
        for section in _main(page).find_all("section"):
            if section.find("section"):
                continue
            body = [child for child in section.children if getattr(child, "name", None) not in
                    (None, "h1", "h2", "h3", "h4", "h5", "h6", "span")]
            if not any(child.get_text(strip=True) or child.find(["img", "svg", "table"]) for child in body):
                empty.append((page.name, section.get("id")))
    assert not empty


def test_appendices_are_lettered_in_order(built_book):
    import string

    import yaml

    from nptsc_eval import paths

    toc = yaml.safe_load((paths.PROJECT_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    part = next(p for p in toc["parts"] if p["caption"] == "Appendices")
    titles = []
    for chapter in part["chapters"]:
        page = built_book / f"{chapter['file'].removesuffix('.md')}.html"
        titles.append(" ".join(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("h1").get_text(" ").split()))
    assert len(titles) >= 8
    for letter, title in zip(string.ascii_uppercase, titles):
        assert title.startswith(f"Appendix {letter}: "), titles
