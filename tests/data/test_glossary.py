"""The glossary: kept as data, every abbreviation the book uses is in it, first uses are expanded."""

from __future__ import annotations

import importlib.util
import re

import pytest
from bs4 import BeautifulSoup
from docutils import nodes

from nptsc_eval import paths
from nptsc_eval.validate_raw import validate_raw_data

_spec = importlib.util.spec_from_file_location("nptsc_glossary", paths.BOOK_DIR / "_ext" / "nptsc_glossary.py")
nptsc_glossary = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nptsc_glossary)

#: A token that looks like an abbreviation: two to six letters, at least two of them capitals
#: (TSO, KPIs, IDeA, MoU, PwC). Longer words in capitals are shouting, not abbreviations.
ABBREVIATION = re.compile(r"(?<![\w-])([A-Za-z]{2,6})(?![\w-])")
#: Elements whose text is not prose: code and the page furniture of the theme.
NOT_PROSE = ["script", "style", "code", "pre", "kbd", "samp"]
#: Names with two capitals that are not abbreviations: a product and a file name.
NOT_ABBREVIATIONS = {"macOS", "README"}


def looks_like_abbreviation(token: str) -> bool:
    return sum(c.isupper() for c in token) >= 2 and token not in NOT_ABBREVIATIONS


def _prose(html_path) -> BeautifulSoup:
    soup = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main") or soup
    for element in main.find_all(NOT_PROSE):
        element.decompose()
    return main


def test_the_glossary_names_the_report_bodies_and_terms():
    glossary = nptsc_glossary.load_glossary()
    for term in ["TSO", "CVS", "PCT", "PQQ", "SROI", "KPI", "OCS", "DMBC", "CIPFA", "ACEVO", "bassac", "NAVCA",
                 "IVAR", "SEC", "NHS", "MoU", "TNA", "CPD", "ERDF", "LG", "IDeA", "NCVO"]:
        assert glossary.get(term), term
    assert glossary["IVAR"] == "Institute for Voluntary Action Research"
    assert glossary["DMBC"] == "Doncaster Metropolitan Borough Council"


def test_a_glossary_row_without_an_expansion_is_refused(raw_copy):
    path = raw_copy / "glossary.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Institute for Voluntary Action Research", ""),
                    encoding="utf-8")
    problems = "\n".join(str(e) for e in validate_raw_data(raw_copy))
    assert "glossary.csv" in problems and "expansion" in problems


def test_only_the_first_use_on_a_page_is_marked_and_plurals_count():
    para = nodes.paragraph("", "")
    para += nodes.Text("Two TSOs met the PCT. The TSO and the PCT agreed; ")
    para += nodes.literal("KPI", "KPI")
    para += nodes.Text(" then a KPI. CASEWORK and NPTSCs are not PCTX.")
    doc = nodes.section("", para)
    marked = nptsc_glossary.mark_first_uses(doc, {"TSO": "third sector organisation", "PCT": "primary care trust",
                                                  "KPI": "key performance indicator", "NPTSC": "national programme"})
    abbrs = list(doc.findall(nodes.abbreviation))
    assert [a.astext() for a in abbrs] == ["TSOs", "PCT", "KPI", "NPTSCs"]
    assert abbrs[0]["explanation"] == "third sector organisation"
    assert marked == ["TSO", "PCT", "KPI", "NPTSC"]
    # The literal keeps its text; the text reads exactly as before.
    assert doc.astext() == ("Two TSOs met the PCT. The TSO and the PCT agreed; KPI then a KPI. "
                            "CASEWORK and NPTSCs are not PCTX.")


@pytest.mark.build
def test_every_abbreviation_in_the_book_is_in_the_glossary(built_book):
    glossary = nptsc_glossary.load_glossary()
    missing: dict[str, set[str]] = {}
    pages = [p for p in built_book.rglob("*.html") if p.name not in ("genindex.html", "search.html", "index.html")
             or p.parent != built_book]
    assert len(pages) > 20
    for page in pages:
        for token in ABBREVIATION.findall(_prose(page).get_text(" ")):
            if not looks_like_abbreviation(token):
                continue
            if token not in glossary and not (token.endswith("s") and token[:-1] in glossary):
                missing.setdefault(token, set()).add(page.relative_to(built_book).as_posix())
    assert not missing, f"abbreviations missing from data/raw/glossary.csv: {missing}"


@pytest.mark.build
def test_the_glossary_page_lists_every_term(built_book):
    page = _prose(built_book / "book" / "appendices" / "glossary.html")
    shown = {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True) for dt in page.find_all("dt")}
    assert shown == nptsc_glossary.load_glossary()


@pytest.mark.build
def test_each_narrative_page_expands_an_abbreviation_at_its_first_use(built_book):
    glossary = nptsc_glossary.load_glossary()
    checked = 0
    for source in sorted(paths.BOOK_DIR.glob("*.md")):
        page = _prose(built_book / "book" / f"{source.stem}.html")
        for unmarked in page.find_all([re.compile("^h[1-6]$"), "a"]):  # headings and links are left alone
            unmarked.decompose()
        pattern = nptsc_glossary.term_pattern(glossary)
        for paragraph in page.find_all(["p", "li", "td"]):
            text = paragraph.get_text(" ")
            match = pattern.search(text)
            if not match:
                continue
            term = match.group(1)
            first = page.find("abbr", string=re.compile(rf"^{re.escape(term)}s?$"))
            assert first is not None and first["title"] == glossary[term], (source.name, term)
            checked += 1
    assert checked >= 5


def test_a_build_reads_the_glossary_of_the_project_it_builds(tmp_path):
    # A process that builds two projects (the tests, a benchmark) imports the extension once, from
    # the first project: each build must still read its own project's glossary, not that one's.
    from types import SimpleNamespace

    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "glossary.csv").write_text("term,expansion\nXYZ,Another project's term\n", encoding="utf-8")
    app = SimpleNamespace(srcdir=str(tmp_path))
    assert nptsc_glossary.glossary_csv(app) == raw / "glossary.csv"
    assert nptsc_glossary.load_glossary(nptsc_glossary.glossary_csv(app)) == {"XYZ": "Another project's term"}
    assert nptsc_glossary.GLOSSARY_CSV != raw / "glossary.csv"
