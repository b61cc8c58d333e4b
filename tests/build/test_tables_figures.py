"""Tables and figures as a published evaluation shows them: numbered, titled, sourced, downloadable,
with numbers formatted for readers; and the data shipped with the book (zip, datapackage.json).

The first tests drive ``nptsc_eval.report`` directly; the rest read the book the real pipeline
builds (the ``built_book`` fixture).
"""

from __future__ import annotations

import importlib.util
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from nptsc_eval import paths, report

_spec = importlib.util.spec_from_file_location("nptsc_html", paths.BOOK_DIR / "_ext" / "nptsc_html.py")
nptsc_html = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nptsc_html)

NUMBERED = re.compile(r"^(Table|Figure) ([0-9]+|[A-Z])\.([0-9]+): \S")


# --- The package -------------------------------------------------------------------------------

def test_chapters_are_numbered_and_appendices_lettered_from_the_table_of_contents():
    toc = {"parts": [
        {"caption": "About", "chapters": [{"file": "book/executive-summary"}, {"file": "book/introduction"}]},
        {"caption": "Findings", "chapters": [{"file": "book/executed/01-x"}, {"glob": "book/executed/cases/*"}]},
        {"caption": "Appendices", "chapters": [{"file": "book/appendices/a"}, {"file": "book/executed/05-y"}]},
    ]}
    assert report.chapter_labels(toc) == {"book/introduction": "1", "book/executed/01-x": "2",
                                          "book/appendices/a": "A", "book/executed/05-y": "B"}


def test_the_real_table_of_contents_numbers_every_notebook_page():
    labels = report.chapter_labels()
    assert labels["book/executed/01-programme-outputs"].isdigit()
    assert labels["book/executed/05-claims-audit"].isalpha()
    assert "book/executive-summary" not in labels


@pytest.fixture
def chapter(tmp_path, monkeypatch):
    """A chapter to show tables in, with its downloads in a private folder."""
    monkeypatch.setattr(report, "downloads_dir", lambda: tmp_path)
    report.set_chapter("02-survey")
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: shown.append(obj))
    return shown


def _html(obj) -> str:
    return obj.data if hasattr(obj, "data") else repr(obj)


def test_tables_are_numbered_in_turn_with_a_source_line_and_a_download(chapter, tmp_path):
    label = report.chapter_labels()["book/executed/02-survey"]
    frame = pd.DataFrame({"Area": ["York", "Devon"], "Attendees": [11, 20]})
    report.show_table(frame, "First", "t-first", source=report.source("Table 4.2 in the original report", "An interview", "data/raw/x.csv"))
    report.show_table(frame, "Second", "t-second", source="Our own count, data/raw/y.csv")
    first, second = _html(chapter[0]), _html(chapter[1])
    assert f"<caption>Table {label}.1: First</caption>" in first
    assert f"<caption>Table {label}.2: Second</caption>" in second
    assert ('<p class="table-source">Source: Table 4.2 in the original report; primary source: An interview. '
            'Data: data/raw/x.csv.</p>') in first
    assert '<a href="../../_data/downloads/02-survey-table-1.csv" download>Download the data (CSV)</a>' in first
    written = pd.read_csv(tmp_path / "02-survey-table-1.csv")
    assert written.to_dict("list") == {"Area": ["York", "Devon"], "Attendees": [11, 20]}
    index = json.loads((tmp_path / "02-survey-index.json").read_text())
    assert index["02-survey-table-2.csv"]["caption"] == f"Table {label}.2: Second"


def test_a_table_without_a_source_or_a_chapter_is_refused(chapter, monkeypatch):
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(ValueError, match="source"):
        report.show_table(frame, "No source", "t-none")
    monkeypatch.setattr(report._chapter, "label", "")
    with pytest.raises(ValueError, match="set_chapter"):
        report.show_table(frame, "No chapter", "t-none", source="Table 1 in the original report")


def test_the_source_line_and_a_downloaded_cell_cannot_run(chapter, tmp_path):
    frame = pd.DataFrame({"Answer": ["=HYPERLINK(\"http://x\")"]})
    report.show_table(frame, "Answers", "t-answers", source="the survey export <img src=x onerror=alert(1)>.csv")
    shown = _html(chapter[0])
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert not pd.read_csv(tmp_path / "02-survey-table-1.csv")["Answer"][0].startswith("=")


def test_a_figure_is_numbered_titled_sourced_and_its_download_can_be_replaced(chapter, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    label = report.chapter_labels()["book/executed/02-survey"]
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [3, 4])
    secret = pd.DataFrame({"count": [3, 4]})
    report.show_figure(fig, alt="Bar chart of two counts, three and four.", data=secret, title="Four beats three",
                       source="Appendix 2 of the original report", download=pd.DataFrame({"count": ["[c]", "4"]}))
    assert re.fullmatch(rf'<p class="figure-title" id="figure-{label.lower()}-1" data-min-font-px="[\d.]+" '
                        rf'data-text-outside="0"><strong>Figure {label}.1:</strong> Four beats three</p>', _html(chapter[0]))
    assert "Source: Appendix 2 of the original report" in _html(chapter[2])
    assert pd.read_csv(tmp_path / "02-survey-figure-1.csv", dtype=str)["count"].tolist() == ["[c]", "4"]


def test_data_package_types_and_units_are_read_from_the_values_and_names():
    from nptsc_eval.build.datapackage import column_unit, field_type

    assert field_type(pd.Series(["1", "", "-3"])) == "integer"
    assert field_type(pd.Series(["1.5", "2"])) == "number"
    assert field_type(pd.Series(["1.5", "n/a"])) == "string"
    assert column_unit("Per cent of respondents") == "%"
    assert column_unit("Attendees") == "people"


# --- The built book ----------------------------------------------------------------------------

class _Page(HTMLParser):
    """Captions, figure titles, source lines, download links and table cells of a page, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, str]] = []
        self.cells: list[str] = []
        self._open: list[str] = []
        self._text: list[str] = []
        self._kind = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        cls = attrs.get("class") or ""
        if tag == "caption":
            self._start("caption")
        elif tag == "p" and cls in ("figure-title", "table-source"):
            self._start(cls)
        elif tag in ("td", "th") and self._kind == "":
            self._start("cell")
        elif tag == "img" and "_images/" in (attrs.get("src") or ""):
            self.events.append(("img", attrs.get("src") or ""))
        elif tag == "div" and cls == "diagram-body":
            self.events.append(("diagram", attrs.get("aria-labelledby") or ""))
        elif tag == "a" and "_data/" in (attrs.get("href") or ""):
            self.events.append(("download", attrs.get("href") or ""))
        elif tag == "table":
            self.events.append(("table", cls))

    def _start(self, kind):
        self._kind, self._text = kind, []

    def handle_data(self, data):
        if self._kind:
            self._text.append(data)

    def handle_endtag(self, tag):
        ends = {"caption": "caption", "p": ("figure-title", "table-source"), "td": "cell", "th": "cell"}
        want = ends.get(tag)
        if self._kind and (self._kind == want or (isinstance(want, tuple) and self._kind in want)):
            text = " ".join("".join(self._text).split())
            if self._kind == "cell":
                self.cells.append(text)
            else:
                self.events.append((self._kind, text))
            self._kind = ""


def _pages(html_dir: Path) -> dict[str, _Page]:
    pages = {}
    for path in sorted((html_dir / "book").rglob("*.html")):
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(html_dir).as_posix()] = page
    return pages


@pytest.fixture(scope="module")
def pages(built_book):
    return _pages(built_book)


def test_every_table_and_figure_in_the_book_has_its_number_a_source_line_and_a_download(pages):
    seen: dict[str, str] = {}
    checked = 0
    for name, page in pages.items():
        events = page.events
        for i, (kind, text) in enumerate(events):
            if kind not in ("caption", "figure-title", "table"):
                continue
            if kind == "table":
                if text and "data-table" not in text:
                    continue  # layout tables of the theme
                following = [k for k, _ in events[i + 1:i + 2]]
                assert following == ["caption"], f"{name}: a table without a caption"
                continue
            assert NUMBERED.match(text), f"{name}: {kind} without a number: {text!r}"
            number = text.split(":")[0]
            assert number not in seen, f"{number} is used twice: {seen.get(number)} and {name}"
            seen[number] = name
            rest = [k for k, _ in events[i + 1:i + 8]]
            upto = rest.index("caption") if "caption" in rest else len(rest)
            upto = min(upto, rest.index("figure-title") if "figure-title" in rest else len(rest))
            assert "table-source" in rest[:upto], f"{name}: {number} has no Source line"
            source = next(t for k, t in events[i + 1:] if k == "table-source")
            assert source.startswith("Source: ") and "data" in source.lower(), f"{name}: {number}: {source!r}"
            assert "download" in rest[:upto], f"{name}: {number} has no download link"
            if kind == "figure-title":
                assert rest[0] in ("img", "diagram"), f"{name}: {number}'s title is not followed by its image or diagram"
            checked += 1
    figures = [n for n in seen if n.startswith("Figure")]
    assert checked > 60 and len(figures) >= 15, (checked, figures)


def test_every_chart_image_in_a_notebook_chapter_has_a_numbered_title(pages):
    for name, page in pages.items():
        if "/executed/" not in name or "/cases/" in name:
            continue
        events = page.events
        for i, (kind, src) in enumerate(events):
            if kind == "img":
                assert i > 0 and events[i - 1][0] == "figure-title", f"{name}: image {src} has no numbered title"


def test_every_data_link_in_the_book_resolves_to_a_shipped_file(built_book, pages):
    assert nptsc_html.broken_data_links(built_book) == []
    links = [(name, href) for name, page in pages.items() for kind, href in page.events if kind == "download"]
    assert len(links) > 60
    for name, href in links:
        assert not href.startswith("/") and "://" not in href, f"{name}: {href} is not relative (breaks file://)"
        assert ((built_book / name).parent / href).resolve().is_file(), f"{name}: {href}"


def test_a_link_to_a_missing_data_file_is_found(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "_data").mkdir()
    (tmp_path / "_data" / "here.csv").write_text("a\n1\n")
    (tmp_path / "book" / "p.html").write_text('<a href="../_data/here.csv">ok</a> <a href="../_data/gone.csv">x</a>')
    assert nptsc_html.broken_data_links(tmp_path) == ["book/p.html: ../_data/gone.csv"]


def test_the_data_sources_page_offers_all_the_data_as_a_zip(built_book, pages):
    links = [href for kind, href in pages["book/executed/06-data-sources.html"].events if kind == "download"]
    zipped = [h for h in links if h.endswith(".zip")]
    assert zipped, links
    archive = (built_book / "book/executed" / zipped[0]).resolve()
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
    assert "data/raw/table_2_1_programme_outputs.csv" in names
    assert "data/processed/kpi_attainment.csv" in names
    assert "data/processed/datapackage.json" in names


def test_the_datapackage_describes_every_processed_file_and_validates(built_book):
    from frictionless import Package, system

    folder = paths.PROCESSED_DIR
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["path"] for r in descriptor["resources"]}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*.csv")}
    assert described == on_disk
    for resource in descriptor["resources"]:
        assert resource["title"] and resource["description"] and resource["sources"], resource["path"]
        for field in resource["schema"]["fields"]:
            assert field["type"] in ("integer", "number", "boolean", "string") and field["description"], (resource["path"], field)
    shares = [f for r in descriptor["resources"] for f in r["schema"]["fields"] if f.get("unit") == "%"]
    assert shares
    with system.use_context(trusted=True):
        result = Package(str(folder / "datapackage.json")).validate()
    assert result.valid, result.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


#: A cell that shows a number as a machine prints it: more than two decimals, or scientific notation.
RAW_FLOAT = re.compile(r"(?<![\w.,/:-])(?<!< )-?\d+\.\d{3,}(?![\w.])|\b\d(?:\.\d+)?e[+-]?\d+\b", re.I)


@pytest.mark.parametrize("text, raw", [("11.0599", True), ("0.5217", True), ("1.2e-05", True), ("3E+04", True),
                                       ("< 0.001", False), ("56%", False), ("1,460", False), ("0.05", False),
                                       ("Figure 3.1", False), ("2.5", False)])
def test_the_raw_float_pattern(text, raw):
    assert bool(RAW_FLOAT.search(text)) is raw


def test_no_table_in_the_book_shows_a_raw_float_or_scientific_notation(pages):
    found = [(name, cell) for name, page in pages.items() for cell in page.cells if RAW_FLOAT.search(cell)]
    assert found == []


def test_the_text_refers_to_tables_and_figures_by_number_with_working_links(built_book):
    refs = 0
    for path in sorted((built_book / "book" / "executed").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        for anchor, number in re.findall(r'<a class="numref" href="#([^"]+)">([^<]+)</a>', text):
            refs += 1
            target = re.search(rf'id="{re.escape(anchor)}"[^>]*>(.*?)(?:</caption>|</p>)', text, re.S)
            assert target, f"{path.name}: {number} links to #{anchor}, which is not on the page"
            assert number in re.sub(r"<[^>]+>", "", target.group(1)) or number in text[target.start():target.start() + 3000]
    assert refs >= 10


def test_the_kpi_chart_shows_whole_labels_and_percent_ticks_inside_the_figure():
    """Tick labels carry %, no target's name is cut short, and every tick label lies inside the saved image."""
    from nptsc_eval import kpi
    from nptsc_eval.charts import style as plots

    plots.setup()
    attainment = kpi.load_kpi_attainment()
    fig = plots.kpi_chart(attainment)
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    low, high = ax.get_xlim()
    ticks = [t for t, at in zip(ax.get_xticklabels(), ax.get_xticks()) if t.get_text() and low <= at <= high]  # drawn ticks
    assert ticks and all(t.get_text().endswith("%") for t in ticks), [t.get_text() for t in ticks]
    shown = [" ".join(t.get_text().split()) for t in ax.get_yticklabels()]
    measured = attainment[attainment["percent_of_target"].notna()]
    for partner, name in zip(measured["delivery_partner"], measured["kpi"]):
        assert f"{partner}: {' '.join(name.split())}" in shown
    saved = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)  # what bbox_inches="tight" keeps
    for label in ticks + list(ax.get_yticklabels()):
        box = label.get_window_extent(renderer)
        assert saved.x0 - 1 <= box.x0 and box.x1 <= saved.x1 + 1 and saved.y0 - 1 <= box.y0 and box.y1 <= saved.y1 + 1
