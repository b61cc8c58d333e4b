"""The built book read as a reader would: counts in words, one name for each thing, chapters that
read as chapters, one quotation bank entry per quotation, readable tables and working links.

These tests read the HTML in ``_build/html`` (the ``built_book`` fixture builds it).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from nptsc_eval import paths, report
from nptsc_eval.cases import quotations
from nptsc_eval.claims.audit import anchor
from nptsc_eval.tables import load_table

pytestmark = pytest.mark.build

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December")
NUMBER = r"\d+(?:\.\d+)*"
#: A number that labels something rather than counting it: "Table 2.1", "chapters 3 to 5",
#: "level 1 and 2", "Objective 1", "Appendix 2", and dates ("1 February 2011").
LABELS = re.compile(
    rf"\b(?:chapters?|tables?|figures?|appendix|appendices|strands?|levels?|phases?|sections?|parts?|objective|"
    rf"questions?|year|version|WCAG)\s+{NUMBER}(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s+to\s+|\s*[–-]\s*){NUMBER})*"
    rf"|\b\d{{1,2}}\s+(?:{MONTHS})\b",
    re.IGNORECASE)
#: A number from one to nine in figures that counts something: "3 projects", "5 of the 8".
COUNT_IN_FIGURES = re.compile(r"(?<![\w.,£$/:+\-–])[1-9](?![\w.,%:/°\-–])\s+(?!per cent\b)(?:of\b|[a-z]{2,})")
NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine"
#: A number word starting a sentence in lower case: a glued count placed first in a sentence.
LOWER_CASE_START = re.compile(rf"(?:^|[.!?]\s+)(?:{NUMBER_WORDS})\b(?![^.:;]{{0,40}}:)")
#: Template artefacts and sentences from the build log that the issue names.
ARTEFACTS = [
    r"(?<![\d.,])1 (?!in\b)[a-z]+s\b",                                        # "1 impacts"
    r"\b1 weeks\b",
    rf"(?<![\d.,])(\d+|{NUMBER_WORDS}) of (?:the |these |its )?\1\b",         # "5 of the 5 areas"
    r"\bA further 0\b", r"\b0 (?:statements|files|cases|impacts|projects)\b",
    r"text extraction", r"\bgarbled\b", r"\bWe check it against\b", r"printed the same way earlier",
]


def _pages(built_book: Path) -> list[Path]:
    pages = sorted((built_book / "book").rglob("*.html"))
    assert len(pages) > 20
    return pages


def _main(page: Path) -> BeautifulSoup:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main") or soup
    for element in main.find_all(["script", "style", "code", "pre"]):
        element.decompose()
    for element in main.select(".prev-next-area, nav, .bd-toc"):
        element.decompose()
    return main


def prose_blocks(page: Path) -> list[str]:
    """The text of every paragraph and list item of the page's running text.

    Tables, figures (charts, and diagrams drawn in HTML such as the logic models), chart titles,
    source lines and table notes are left out: they keep figures by design.
    """
    main = _main(page)
    for element in main.find_all(["table", "figure"]):
        element.decompose()
    for element in main.select(".nptsc-diagram, .figure-title, .table-source, .table-note, .data-download"):
        element.decompose()
    blocks = []
    for block in main.find_all(["p", "li"]):
        if block.find(["p", "li"]):
            continue  # its paragraphs are read on their own
        blocks.append(" ".join(block.get_text(" ").split()))
    return blocks


def counts_in_figures(text: str) -> list[str]:
    """Every number from one to nine written as a figure that counts something, with its noun.

    Examples:
        >>> counts_in_figures("It ran 3 projects; 5 of the 8 targets were met.")
        ['3 projects', '5 of']
        >>> counts_in_figures("Table 2.1, chapters 3 to 5, level 1 and 2, 1 February 2011, 5% and 12 areas.")
        []
    """
    return [m.group(0) for m in COUNT_IN_FIGURES.finditer(LABELS.sub(" ", text))]


# -- 1. Numbers one to nine in words ----------------------------------------------------------


def test_counts_from_one_to_nine_are_words_in_running_text(built_book: Path):
    found = [(page.name, hit, text[:120]) for page in _pages(built_book) for text in prose_blocks(page)
             for hit in counts_in_figures(text)]
    assert not found, "\n".join(map(str, found))


def test_no_sentence_starts_with_a_number_word_in_lower_case(built_book: Path):
    found = [(page.name, text[:120]) for page in _pages(built_book) for text in prose_blocks(page)
             if LOWER_CASE_START.search(text)]
    assert not found, "\n".join(map(str, found))


def test_no_template_artefact_or_build_log_in_running_text(built_book: Path):
    found = [(page.name, m.group(0)) for page in _pages(built_book) for text in prose_blocks(page)
             for pattern in ARTEFACTS for m in re.finditer(pattern, LABELS.sub(" ", text), re.IGNORECASE)]
    assert not found, found


# -- 2. Strand chapters that read as chapters --------------------------------------------------


def _introduction(built_book: Path, strand: int) -> str:
    """The text of a strand chapter before its first section heading."""
    main = _main(built_book / "book" / "executed" / f"03-strand-{strand}.html")
    first = main.find("section")
    parts = []
    for child in first.children:
        if getattr(child, "name", None) == "section":
            break
        if getattr(child, "name", None) not in (None, "h1"):
            parts.append(child.get_text(" "))
    return " ".join(" ".join(parts).split())


def _plain(markdown: str) -> list[str]:
    """The sentences of a Markdown introduction with its glue roles and list markers taken out."""
    text = re.sub(r"\{glue\}`[^`]+`", " ", markdown)
    text = " ".join(re.sub(r"^\s*[-*]\s+", "", text, flags=re.M).split())
    return [s.strip() for s in re.split(r"(?<=[.;:])\s+", text) if len(s.strip()) > 30 and "  " not in s]


def test_each_strand_chapter_opens_with_its_own_introduction(built_book: Path):
    projects = load_table("projects")
    intros = {}
    for strand in (1, 2, 3):
        intro = _introduction(built_book, strand)
        source = (paths.NOTEBOOKS_DIR / "strands" / f"strand-{strand}.md").read_text(encoding="utf-8")
        sentences = _plain(source)
        assert sentences, f"notebooks/strands/strand-{strand}.md has no sentence to check"
        for sentence in sentences:
            words = [w for w in re.split(r"\s+", sentence) if w]
            # Glued numbers are removed from the Markdown; compare the words around them.
            pattern = r"\s+(?:\S+\s+)?".join(re.escape(w) for w in words)
            assert re.search(pattern, intro.replace("’", "'")), (strand, sentence, intro[:300])
        partners = projects.loc[projects["strand"] == strand, "delivery_partner"].unique()
        named = [p for p in partners if p.split()[0] in intro or p.lower() in intro.lower()]
        assert len(named) == len(partners), (strand, sorted(set(partners) - set(named)))
        intros[strand] = intro
    # Not one form filled three times: no sentence is shared between two strands' openings.
    sentences = Counter(s for intro in intros.values() for s in set(re.split(r"(?<=[.:])\s+", intro)) if len(s) > 40)
    assert [s for s, n in sentences.items() if n > 1] == []


# -- 3. One name for each thing ----------------------------------------------------------------


def _page_text(page: Path) -> str:
    return " ".join(_main(page).get_text(" ").split())


def test_the_programme_total_is_always_participant_places(built_book: Path):
    table = load_table("table_2_1_programme_outputs")
    total = f"{int(table.loc[(table['measure'] == 'participants') & (table['value_status'] == 'reported'), 'value'].sum()):,}"
    seen = 0
    for page in _pages(built_book):
        for text in prose_blocks(page):
            for m in re.finditer(rf"(?<![\d,]){re.escape(total)}(?![\d,])(\s+\S+){{0,2}}", text):
                seen += 1
                assert re.match(rf"{re.escape(total)} participant places\b", m.group(0)), (page.name, text[:200])
    assert seen >= 3


BANNED = [
    (r"\bgoals?\b", "KPI targets are 'targets', never 'goals'"),
    (r"\baims?\b(?:\s+\w+){0,3}\s+\d", "a figure to reach is a 'target', not an 'aim'"),
    (r"\b(?:KPI|output)\s+aims?\b", "KPI targets are 'targets', never 'aims'"),
    (r"\b1,460 (?:people|participants)\b", "the 1,460 are 'participant places'"),
    (r"\be-learning (?:course|tool)\b", "the project is the 'e-learning package' (projects.csv)"),
]


def test_no_banned_variant_of_a_name(built_book: Path):
    found = [(page.name, why, m.group(0)) for page in _pages(built_book)
             for pattern, why in BANNED for m in re.finditer(pattern, _page_text(page), re.IGNORECASE)]
    assert not found, found


def test_every_project_column_names_projects_as_projects_csv_does(built_book: Path):
    projects = load_table("projects")
    names = set(projects["project"])
    with_partner = {f"{p.project} ({p.delivery_partner})" for p in projects.itertuples()}
    found = checked = 0
    wrong = []
    for page in _pages(built_book):
        for table in _main(page).find_all("table"):
            headers = [" ".join(th.get_text(" ").split()) for th in table.select("thead th")]
            if "Project" not in headers:
                continue
            found += 1
            column = headers.index("Project")
            for row in table.select("tbody tr"):
                cells = row.find_all(["td", "th"])
                if len(cells) == len(headers):
                    value = " ".join(cells[column].get_text(" ").split())
                    if value and value.lower() not in ("total", "all projects"):
                        checked += 1
                        if value not in names and value not in with_partner and value != "Whole strand":
                            wrong.append((page.name, value))
    assert found and checked
    assert not wrong, wrong


# -- 4. The quotation bank ---------------------------------------------------------------------


def test_quotation_bank_lists_each_quotation_once_with_every_place_it_was_printed(built_book: Path):
    main = _main(built_book / "book" / "executed" / "04-case-studies.html")
    bank = main.find(id="quotation-bank")
    shown = [" ".join(q.get_text(" ").split()) for q in main.select("q.qb-quote")]
    assert shown and len(shown) == len(set(shown)), [t for t, n in Counter(shown).items() if n > 1]
    quotes = quotations.load_quotations()
    assert len(shown) == quotes["same_as"].isna().sum()
    for later in quotes[quotes["same_as"].notna()].itertuples():
        first = quotes.set_index("quote_id").loc[later.same_as]
        row = bank.find(id=f"quotation-bank-{later.same_as.replace('.', '-')}")
        places = " ".join(row.find_all("td")[3].get_text(" ").split())
        assert first["source_location"] in places and later.source_location in places, (later.quote_id, places)
        if later.difference != "none":
            assert " ".join(later.text.split()) in " ".join(row.get_text(" ").split()).replace("’", "'")


# -- 5. Units in every table header; numbers formatted for readers ------------------------------

#: Words that say what a numeric column counts or measures.
UNITS = re.compile(
    r"%|per cent|percentage|£|\b(?:days?|weeks?|months?|years?|people|places|participants|respondents|attendees|"
    r"organisations|cases?|case studies|targets|sessions|statements|boxes|bids|courses|institutions|trainees|"
    r"answers|responses|listings|plans|sets|projects|partners|individuals|quotations|files|rows|themes|figures|"
    r"mentions|count|number|n|p|pairs|share|chance|probability|unit)\b", re.IGNORECASE)
#: Columns that hold an identifier, not a measure: "Strand 2" is a name, not an amount.
IDENTIFIERS = {"Strand", "Phase", "Level", "Order"}
RAW_FLOAT = re.compile(r"(?<![\w.])(?<!< )-?\d+\.\d{3,}(?!\w)|\b\d+(?:\.\d+)?[eE][+-]?\d+\b")
NUMERIC_CELL = re.compile(r"^[<>≤≥~]?\s*[-–]?[£]?\d[\d,]*(?:\.\d+)?\s*%?\*?(?:\s*\([\d,.]+\))?$")


def _numeric_columns(table) -> list[str]:
    headers = [" ".join(th.get_text(" ").split()) for th in table.select("thead tr:last-child th")]
    rows = [[" ".join(c.get_text(" ").split()) for c in tr.find_all(["td", "th"])] for tr in table.select("tbody tr")]
    rows = [r for r in rows if len(r) == len(headers)]
    numeric = []
    for i, header in enumerate(headers):
        values = [r[i] for r in rows if r[i] not in ("", "–", "-", "n/a", "not available")]
        if values and sum(bool(NUMERIC_CELL.match(v)) for v in values) >= 0.8 * len(values):
            numeric.append(header)
    return numeric


def test_every_numeric_column_header_carries_its_unit(built_book: Path):
    missing = []
    for page in _pages(built_book):
        for table in _main(page).find_all("table"):
            caption = table.find("caption")
            caption = " ".join(caption.get_text(" ").split()) if caption else ""
            headers = {" ".join(th.get_text(" ").split()) for th in table.select("thead th")}
            if "Unit" in headers:
                continue  # the unit is given row by row
            for header in _numeric_columns(table):
                if header not in IDENTIFIERS and not UNITS.search(header):
                    missing.append((page.name, caption[:60], header))
    assert not missing, "\n".join(map(str, missing))


def test_no_table_cell_holds_a_raw_float_or_scientific_notation(built_book: Path):
    found = []
    for page in _pages(built_book):
        for cell in _main(page).select("table td, table th"):
            text = " ".join(cell.get_text(" ").split())
            if RAW_FLOAT.search(text):
                found.append((page.name, text[:80]))
    assert not found, found


# -- 6. Each correction links to its own claims-audit entry --------------------------------------


def test_each_correction_links_to_its_own_claim_and_the_link_resolves(built_book: Path):
    corrections = built_book / "book" / "corrections.html"
    main = _main(corrections)
    entries = main.select("ul.nptsc-contradictions > li")
    assert entries
    fragments = []
    for entry in entries:
        claim_id = entry["id"].removeprefix("correction-")
        links = [a["href"] for a in entry.find_all("a", href=True) if "05-claims-audit" in a["href"]]
        assert links, claim_id
        page, _, fragment = links[0].partition("#")
        assert fragment == anchor(claim_id), (claim_id, links[0])
        target = BeautifulSoup((corrections.parent / page).read_text(encoding="utf-8"), "html.parser")
        row = target.find(id=fragment)
        assert row is not None, f"{links[0]} does not resolve"
        assert claim_id in row.get_text(" "), (claim_id, row.get_text(" ")[:80])
        fragments.append(fragment)
    assert len(set(fragments)) == len(fragments)
    for a in main.find_all("a", href=True):  # every other link of the page resolves too
        page, _, fragment = a["href"].partition("#")
        if page.startswith(("http", "mailto")) or not page:
            continue
        target = (corrections.parent / page)
        assert target.is_file(), a["href"]
        if fragment:
            assert BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser").find(id=fragment), a["href"]


def test_every_claim_of_the_audit_has_its_own_anchor(built_book: Path):
    audit = BeautifulSoup((built_book / "book" / "executed" / "05-claims-audit.html").read_text(encoding="utf-8"),
                          "html.parser")
    register = yaml.safe_load((paths.RAW_DIR / "claims_register.yml").read_text(encoding="utf-8"))
    ids = [c["id"] for c in register["claims"]]
    missing = [i for i in ids if audit.find(id=anchor(i)) is None]
    assert ids and not missing, missing
    assert len({anchor(i) for i in ids}) == len(ids)


# -- 7. Chapter headings numbered as their tables are -------------------------------------------


def test_chapter_headings_carry_the_number_their_tables_and_figures_use(built_book: Path):
    toc = yaml.safe_load((paths.PROJECT_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    # Sphinx's own numbering (numbered: true) restarts in every part, so it would disagree.
    assert "numbered" not in yaml.safe_dump(toc)
    labels = report.chapter_labels(toc)
    numbered = {page: label for page, label in labels.items() if label.isdigit()}
    assert len(numbered) >= 10
    for page, label in numbered.items():
        soup = BeautifulSoup((built_book / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        heading = " ".join(soup.find("h1").get_text(" ").split())
        assert heading.startswith(f"{label}. "), (page, heading)
        for caption in soup.select("caption, .figure-title"):
            number = re.match(r"\s*(?:Table|Figure) (\w+)\.\d+", caption.get_text(" "))
            if number:
                assert number.group(1) == label, (page, caption.get_text(" ")[:60])
    for page, label in labels.items():
        if not label.isdigit():
            soup = BeautifulSoup((built_book / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
            assert soup.find("h1").get_text(" ").strip().startswith(f"Appendix {label}: "), page
