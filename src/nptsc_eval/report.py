"""What a notebook shows in the book: glued values, figures with alt text, tables, notices.

Notebooks call these instead of printing, so that every number in the book's prose comes from
computation (``glue``), every figure has alt text, and every table has header cells and a
caption.
"""

from __future__ import annotations

import decimal
import html as html_module
import io
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd


class Plain(str):
    """Glued text that the ``{glue}`` role shows as written, in running prose.

    Its repr is itself ("1,460", not '1,460'), and its HTML is a plain span, which MyST-NB
    prefers to text/plain both within a page and across pages (text/plain would show as
    code).
    """

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        import html

        return f'<span class="glued">{html.escape(str(self))}</span>'

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def round_half_up(value: float, digits: int = 0) -> decimal.Decimal:
    """Round as UK official statistics do: halves go up (2.5 → 3), not to even.

    Examples:
        >>> str(round_half_up(2.5)), str(round_half_up(0.125, 2)), str(round_half_up(83.55, 1))
        ('3', '0.13', '83.6')
    """
    quantum = decimal.Decimal(1).scaleb(-digits)
    return decimal.Decimal(repr(float(value))).quantize(quantum, rounding=decimal.ROUND_HALF_UP)


def format_number(value: Any, digits: int = 0) -> str:
    """A number for prose: thousands separated, halves rounded up.

    Examples:
        >>> format_number(1234), format_number(97.75, 1)
        ('1,234', '97.8')
    """
    return f"{round_half_up(float(value), digits):,.{digits}f}"


def count_text(value: Any, digits: int = 0) -> str:
    """A number for running text: a whole number from one to nine in words, any other in figures.

    Zero stays a figure: the right words for it depend on the sentence ("no projects", "none of
    them"), so a sentence that can hold a zero is made with :func:`nptsc_eval.wording.count` or
    :func:`nptsc_eval.wording.share` and glued as text.

    Examples:
        >>> count_text(3), count_text(9.0), count_text(0), count_text(10), count_text(1460), count_text(2.5, 1)
        ('three', 'nine', '0', '10', '1,460', '2.5')
    """
    from nptsc_eval import wording

    number = float(value)
    if digits == 0 and number.is_integer() and 0 < number < 10:
        return wording.number(int(number))
    return format_number(value, digits)


def format_percent(value: Any, digits: int = 0) -> str:
    """A percentage (already ×100) for prose: ``format_percent(55.5)`` → ``'56%'``."""
    return f"{format_number(value, digits)}%"


#: A number as a machine prints it: three or more decimals, or scientific notation.
_RAW_NUMBER = re.compile(r"-?\d+\.\d{3,}(?:[eE][+-]?\d+)?|-?\d+(?:\.\d+)?[eE][+-]?\d+")
#: A cell that holds only numbers: one, or a range ("86.5 to 87.4999"), either end possibly missing.
_NUMERIC_CELL = re.compile(r"^\s*(?:-?[\d.]+(?:[eE][+-]?\d+)?)?(?:\s*(?:to|–)\s*(?:-?[\d.]+(?:[eE][+-]?\d+)?)?)?\s*%?\s*$")


def reader_number(value: float) -> str:
    """A computed number for a table: "< 0.001" when it is that small, else at most two decimals.

    Examples:
        >>> reader_number(11.0599), reader_number(0.5217), reader_number(3.55e-37), reader_number(87.4999), reader_number(2.0)
        ('11.06', '0.52', '< 0.001', '87.5', '2')
    """
    if value != 0 and abs(value) < 0.001:
        return "< 0.001"
    text = format_number(value, 2)
    return text.rstrip("0").rstrip(".") if "." in text else text


def readable_cell(text: str) -> str:
    """A table cell with its raw numbers (11.0599, 3.5e-37) made readable; other text is left as it is.

    Only a cell that holds nothing but numbers (one, or a range) is changed, so quotations and
    labels are shown as written.

    Examples:
        >>> readable_cell("86.5 to 87.4999"), readable_cell("3.5e-37"), readable_cell("Version 1.2345 of the form")
        ('86.5 to 87.5', '< 0.001', 'Version 1.2345 of the form')
    """
    if not _NUMERIC_CELL.match(text) or not _RAW_NUMBER.search(text):
        return text
    return _RAW_NUMBER.sub(lambda m: reader_number(float(m.group(0))), text)


#: The kinds of evidence a glued value can rest on, and what each means for a reader.
EVIDENCE_CLASSES = {
    "published": "printed in the original report",
    "derived": "computed from figures the original report printed (totals, shares, differences)",
    "synthetic": "depends on the synthetic respondent data: illustrative, not evidence",
    "real_survey": "computed from the real survey export given to the build",
    "descriptive": "describes this edition (a title, a label, a count of its own checks), not the programme",
}
#: The marker shown with every value that rests on synthetic data, wherever it appears.
SYNTHETIC_MARKER = "(synthetic)"

_default_evidence: str | None = None
#: MyST-NB's glue prefix (``myst_nb.ext.glue.GLUE_PREFIX``), written out so that a notebook need not import
#: myst_nb, whose import (nbformat, jsonschema) takes seconds in every fresh kernel; a test keeps them equal.
GLUE_PREFIX = "application/papermill.record/"


def set_evidence(evidence: str) -> None:
    """Set the evidence class of the values a notebook glues from here on (see :data:`EVIDENCE_CLASSES`).

    A call to :func:`glue` can still name another class for one value.
    """
    global _default_evidence
    if evidence not in EVIDENCE_CLASSES:
        raise ValueError(f"unknown evidence class {evidence!r}: use one of {', '.join(EVIDENCE_CLASSES)}")
    _default_evidence = evidence


def glue(key: str, value: Any, kind: str = "number", digits: int = 0, evidence: str | None = None) -> Plain:
    """Glue a value for the book's prose and return the text shown.

    ``kind`` is ``number`` (a count for running text: a whole number from one to nine in
    words, as GOV.UK style asks, larger ones in figures with thousands separated), ``figure``
    (always in figures: a chapter's number, a base "n = 5"), ``percent`` (value already ×100,
    shown with %), or ``text``.  The prose refers to it as ``{glue}`NN-notebook.ipynb::key```.  The value
    is glued as formatted text whose repr is itself, so "1,460" shows as written.  Use the
    ``{glue}`` role, not ``{glue:text}`` (which would read "1,460" as a tuple).

    ``evidence`` is the value's evidence class (:data:`EVIDENCE_CLASSES`; by default the
    notebook's, from :func:`set_evidence`).  It is kept in the output's metadata
    (``nptsc.evidence``), and a synthetic value carries :data:`SYNTHETIC_MARKER` in its text, so
    no page can show it without saying so.
    """
    import IPython
    from IPython.display import display as ipy_display

    evidence = evidence or _default_evidence
    if evidence not in EVIDENCE_CLASSES:
        raise ValueError(f"glued value {key!r} needs an evidence class (report.set_evidence or evidence=): "
                         f"one of {', '.join(EVIDENCE_CLASSES)}")
    if kind == "number":
        text = count_text(value, digits)
    elif kind == "figure":
        text = format_number(value, digits)
    elif kind == "percent":
        text = format_percent(value, digits)
    elif kind == "text":
        text = str(value)
    else:
        raise ValueError(f"unknown kind {kind!r}: use number, figure, percent or text")
    if evidence == "synthetic" and not text.endswith(SYNTHETIC_MARKER):
        text = f"{text} {SYNTHETIC_MARKER}"
    shown = Plain(text)
    mimebundle, metadata = IPython.core.formatters.format_display_data(shown)
    metadata["scrapbook"] = {"name": key, "mime_prefix": GLUE_PREFIX}
    metadata["nptsc"] = {"evidence": evidence}
    ipy_display({GLUE_PREFIX + k: v for k, v in mimebundle.items()}, raw=True, metadata=metadata)
    return shown


def glued_evidence(output: dict[str, Any]) -> str:
    """The evidence class an executed notebook's glue output carries ("" when it has none)."""
    return str((output.get("metadata") or {}).get("nptsc", {}).get("evidence", ""))


def in_pipeline() -> bool:
    """True when the notebook is being executed by ``nptsc-eval build``."""
    return os.environ.get("NPTSC_EVAL_PIPELINE") == "1"


# --- Numbered tables and figures -------------------------------------------------------------

#: Pages of the book that carry no chapter number (the landing page and the executive summary).
UNNUMBERED_PAGES = ("book/index", "book/executive-summary")
#: Where a page's downloads live, from the page of an executed notebook (``book/executed/``).
DOWNLOAD_HREF = "../../_data/downloads/"
#: The link text under every table and chart.
DOWNLOAD_TEXT = "Download the data (CSV)"


def chapter_labels(toc: dict[str, Any] | None = None) -> dict[str, str]:
    """The number of every chapter and the letter of every appendix, from the table of contents.

    Pages in the part captioned "Appendices" get letters (A, B, ...); every other page of the
    table of contents, except :data:`UNNUMBERED_PAGES` and globbed pages, gets the next number.
    Keys are page paths as ``_toc.yml`` writes them (``book/executed/01-programme-outputs``).
    """
    import yaml

    from nptsc_eval import paths

    if toc is None:
        # A project folder made for a test may hold no table of contents: use the package's own.
        path = paths.PROJECT_ROOT / "_toc.yml"
        if not path.is_file():
            path = paths.PACKAGE_DIR.parents[1] / "_toc.yml"
        toc = yaml.safe_load(path.read_text(encoding="utf-8"))
    labels: dict[str, str] = {}
    number = letter = 0
    for part in toc.get("parts", []):
        appendix = str(part.get("caption", "")).lower().startswith("appendi")
        for entry in part.get("chapters", []) or []:
            page = entry.get("file")
            if not page or page in UNNUMBERED_PAGES:
                continue
            if appendix:
                labels[page] = chr(ord("A") + letter)
                letter += 1
            else:
                number += 1
                labels[page] = str(number)
    return labels


class _Chapter:
    """The chapter a notebook is showing tables and figures for, and how many it has shown."""

    def __init__(self) -> None:
        self.page_id = ""
        self.label = ""
        self.tables = 0
        self.figures = 0


_chapter = _Chapter()


def set_chapter(page_id: str) -> str:
    """Start numbering tables and figures for the book page ``book/executed/<page_id>``.

    Call it once near a notebook's imports, with the pipeline run's id (``"03-strand-2"``).
    The chapter's number comes from ``_toc.yml`` (:func:`chapter_labels`), so tables are
    numbered Table 3.1, 3.2, ... in chapter 3 and Table B.1 in Appendix B.  The page's
    earlier download files are removed, so none is left from a table that has gone.
    """
    labels = chapter_labels()
    page = f"book/executed/{page_id}"
    if page not in labels:
        raise ValueError(f"{page} is not a numbered page of _toc.yml, so its tables cannot be numbered")
    _chapter.page_id, _chapter.label, _chapter.tables, _chapter.figures = page_id, labels[page], 0, 0
    for old in [*downloads_dir().glob(f"{page_id}-*.csv"), downloads_dir() / f"{page_id}-index.json"]:
        old.unlink(missing_ok=True)
    return labels[page]


def downloads_dir() -> Path:
    """``data/processed/downloads/``: the data behind every table and chart, one CSV each."""
    from nptsc_eval import paths

    folder = paths.PROCESSED_DIR / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _next_number(kind: str) -> tuple[str, str]:
    """("Table 3.2", "table-3-2") for the next table (or figure) of the chapter."""
    if not _chapter.label:
        raise ValueError(f"call report.set_chapter(page_id) before showing a {kind}, so it gets its number")
    if kind == "table":
        _chapter.tables += 1
        n = _chapter.tables
    else:
        _chapter.figures += 1
        n = _chapter.figures
    # The label comes from _toc.yml; escape it once here, so every place that writes the number
    # or the anchor into HTML may use them as they are.
    import html as html_module

    label = html_module.escape(str(_chapter.label), quote=True)
    return f"{kind.capitalize()} {label}.{n}", f"{kind}-{label.lower()}-{n}"


def _write_download(frame: Any, anchor: str, caption: str, source: str) -> str:
    """Write the data behind a table or chart as CSV; return its link, in HTML."""
    import html as html_module

    from nptsc_eval.safe_text import spreadsheet_safe

    kind, _, number = anchor.partition("-")
    name = f"{_chapter.page_id}-{kind}-{number.split('-')[-1]}.csv"
    data = frame.to_frame() if isinstance(frame, pd.Series) else pd.DataFrame(frame)
    if not isinstance(data.index, pd.RangeIndex):
        data = data.reset_index()
    data = spreadsheet_safe(data)
    data.to_csv(downloads_dir() / name, index=False, lineterminator="\n")
    _downloads_index_add(name, caption, source)
    href = html_module.escape(DOWNLOAD_HREF + name, quote=True)
    return f'<p class="data-download"><a href="{href}" download>{DOWNLOAD_TEXT}</a></p>'


def _downloads_index_add(name: str, caption: str, source: str) -> None:
    """Record a download's caption and source in ``downloads/<page>-index.json`` (read for datapackage.json)."""
    import json

    index = downloads_dir() / f"{_chapter.page_id}-index.json"
    entries = json.loads(index.read_text(encoding="utf-8")) if index.exists() else {}
    entries[name] = {"caption": caption, "source": source}
    index.write_text(json.dumps(entries, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


class NumberRef(Plain):
    """A table's or figure's number glued for the text ("Table 3.2"), shown as a link to it on its page."""

    anchor = ""

    def _repr_html_(self) -> str:
        import html

        return f'<a class="numref" href="#{html.escape(self.anchor, quote=True)}">{html.escape(str(self))}</a>'


def _glue_number(key: str | None, number: str, anchor: str) -> None:
    """Glue ``number`` under ``key`` as a link to the table or figure (its ``anchor``) on the same page."""
    import IPython
    from IPython.display import display as ipy_display

    if not key:
        return
    ref = NumberRef(number)
    ref.anchor = anchor
    mimebundle, metadata = IPython.core.formatters.format_display_data(ref)
    metadata["scrapbook"] = {"name": key, "mime_prefix": GLUE_PREFIX}
    metadata["nptsc"] = {"evidence": "descriptive"}
    ipy_display({GLUE_PREFIX + k: v for k, v in mimebundle.items()}, raw=True, metadata=metadata)


def _source_html(source: str) -> str:
    from nptsc_eval.safe_text import html_content

    if not source or len(source.strip()) < 10:
        raise ValueError("every table and figure needs a source (the original report's table, figure or page, "
                         "the primary source it names, and our data file)")
    text = source.strip()
    if not text.lower().startswith("source:"):
        text = "Source: " + text
    return f'<p class="table-source">{html_content(text)}</p>'


def source(original: str, primary: str | None = None, files: str | list[str] | None = None) -> str:
    """A source line: the original report's table, figure or page, its primary source, our data file(s).

    Examples:
        >>> source("Table 2.1 in the original report", "Phase two participant spreadsheet", "data/raw/t.csv")
        'Table 2.1 in the original report; primary source: Phase two participant spreadsheet. Data: data/raw/t.csv.'
    """
    text = original
    if primary:
        text += f"; primary source: {primary}"
    if files:
        files = [files] if isinstance(files, str) else list(files)
        text += ". Data: " + ", ".join(files)
    return text.rstrip(".") + "."


class FigureOutput:
    """A rendered figure: PNG for the book (carrying its alt text), text for tests.

    Its text form names the figure's alt text and a digest of the data it plots, so nbval,
    which does not compare images, still fails when a figure's data changes.
    """

    def __init__(self, png: bytes, alt: str, data_digest: str):
        self.png, self.alt, self.data_digest = png, alt, data_digest

    def _repr_png_(self) -> tuple[bytes, dict[str, str]]:
        return self.png, {"alt": self.alt}

    def __repr__(self) -> str:
        return f"Figure (data {self.data_digest}): {self.alt}"


def data_digest(data: Any) -> str:
    """Short digest of the data behind a figure (a DataFrame, Series or anything printable)."""
    import hashlib

    if isinstance(data, (pd.DataFrame, pd.Series)):
        text = data.to_csv()
    else:
        text = repr(data)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def show_figure(fig: Any, alt: str, data: Any, title: str = "", source: str = "", dpi: int = 110,
                number_key: str | None = None, download: pd.DataFrame | None = None) -> None:
    """Show a matplotlib figure, numbered and titled, with its source line and a download of its data.

    The figure gets the chapter's next number (``Figure 3.1``, see :func:`set_chapter`), shown
    with ``title`` above it (a title that states the main message); ``source`` is the line
    under it (see :func:`source`).  ``data`` is what the figure plots: it is written as the
    chart's CSV download, and its digest goes into the figure's text form.  The PNG carries its
    alt text (the pipeline copies it into the cell's metadata, where the book reads it, so show
    one figure per cell) and is written without a timestamp.  With ``number_key``, the figure's
    number ("Figure 3.1") is glued under that key, so the text can refer to it.  ``download``
    replaces ``data`` as the published CSV when ``data`` holds more than may be published (cells
    a table suppresses, say).
    """
    from IPython.display import HTML, display
    import matplotlib.pyplot as plt


    if not alt or len(alt) < 20:
        raise ValueError("a figure needs alt text that says what it shows (at least 20 characters)")
    if not title:
        raise ValueError("a figure needs a title that states its main message")
    from nptsc_eval.charts.style import figure_legibility

    source_html = _source_html(source)
    number, anchor = _next_number("figure")
    legibility = figure_legibility(fig, dpi)
    if legibility.outside:
        raise ValueError(f"{number} ({title}): text lies outside the saved image, so it would be cut off: "
                         + "; ".join(legibility.outside))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    display(HTML(_figure_title_html(anchor, number, title, f' data-min-font-px="{legibility.min_font_px:.1f}" '
                                    f'data-text-outside="{len(legibility.outside)}"')))
    display(FigureOutput(buffer.getvalue(), alt, data_digest(data)))
    frame = download if download is not None else data
    frame = frame if isinstance(frame, (pd.DataFrame, pd.Series)) else pd.DataFrame(frame)
    display(HTML(source_html + _write_download(frame, anchor, f"{number}: {title}", source)))
    _glue_number(number_key, number, anchor)


def _figure_title_html(anchor: str, number: str, title: str, attributes: str = "") -> str:
    """A figure's numbered title line; ``anchor`` and ``number`` are escaped where they are made
    (:func:`_next_number`), ``title`` is escaped here, ``attributes`` are the package's own."""
    from nptsc_eval.safe_text import html_content

    return f'<p class="figure-title" id="{anchor}"{attributes}><strong>{number}:</strong> {html_content(title)}</p>'


def show_diagram(diagram_html: str, alt: str, data: Any, title: str, source: str, number_key: str | None = None) -> None:
    """Show a diagram drawn as HTML with real text (a logic model, say), numbered, sourced, downloadable.

    It is numbered and titled as :func:`show_figure` numbers a chart, with the same source line
    and data download.  ``diagram_html`` is trusted HTML made by the package (its values already
    escaped).  ``alt`` is its summary: screen readers hear it as the diagram's description
    before they read its boxes, and the page keeps it out of sight.
    """
    from IPython.display import HTML, display

    from nptsc_eval.safe_text import html_content

    if not alt or len(alt) < 20:
        raise ValueError("a diagram needs a summary that says what it shows (at least 20 characters)")
    if not title:
        raise ValueError("a diagram needs a title that states its main message")
    source_html = _source_html(source)
    number, anchor = _next_number("figure")
    frame = data if isinstance(data, (pd.DataFrame, pd.Series)) else pd.DataFrame(data)
    display(HTML(
        '<div class="nptsc-diagram">' + _figure_title_html(anchor, number, title) +
        f'<div class="diagram-body" role="group" aria-labelledby="{anchor}" aria-describedby="{anchor}-summary">'
        f'<p class="nptsc-visually-hidden" id="{anchor}-summary">{html_content(alt)}</p>{diagram_html}</div>'
        + source_html + _write_download(frame, anchor, f"{number}: {title}", source) + "</div>"))
    _glue_number(number_key, number, anchor)


#: Most rows a table shows in the book; a longer one shows its first rows and says how many more there are.
MAX_TABLE_ROWS = 500


def show_table(frame: pd.DataFrame, caption: str, name: str, formats: dict[str, str] | None = None,
               notes: str | None = None, max_rows: int = MAX_TABLE_ROWS, full_data: str | None = None,
               source: str = "", number_key: str | None = None, row_ids: list[str] | None = None) -> None:
    """Show a numbered table with a caption, header cells, a source line and a download of its data.

    The table gets the chapter's next number (``Table 3.2``, see :func:`set_chapter`), put
    before ``caption``; ``source`` is the line under it (see :func:`source`), and the table's
    data is written as its CSV download, linked under it.  ``name`` makes the HTML ids stable,
    so the stored output does not change between runs.  Every cell, header, the caption, the
    source and the notes are shown as text: HTML in them (from a survey export, say) is
    escaped, never run.  A table longer than ``max_rows`` shows its first rows and a note of
    how many are left out, naming ``full_data`` (the file that holds them all) when given, so
    that a large export cannot make a huge page; the download holds every row.  With
    ``number_key``, the table's number ("Table 3.2") is glued under that key, so the text can
    refer to it.  ``row_ids`` gives each shown row an HTML id (one per row, in order), so that
    another page can link to that row (a claim of the claims audit, say).
    """
    from IPython.display import HTML, display

    from nptsc_eval.safe_text import html_content

    source_html = _source_html(source)
    number, anchor = _next_number("table")
    caption = f"{number}: {caption}"
    download = _write_download(frame, anchor, caption, source)
    total = len(frame)
    frame = frame.iloc[:max_rows].copy()
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            digits = 1
            frame[column] = [("" if pd.isna(v) else format_number(v, digits)) for v in frame[column]]
        elif pd.api.types.is_integer_dtype(frame[column]):
            frame[column] = [("" if pd.isna(v) else format_number(v)) for v in frame[column]]
    # Every text cell, header and the caption as text, not HTML; raw numbers made readable.
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column].dtype):
            frame[column] = frame[column].astype(object).map(
                lambda v: html_content(readable_cell(v)) if isinstance(v, str) else v)
    frame.columns = [html_content(c) if isinstance(c, str) else c for c in frame.columns]
    if formats:
        formats = {html_content(k): v for k, v in formats.items()}
    styler = frame.style.hide(axis="index").set_caption(html_content(caption)).set_uuid(name)
    if formats:
        styler = styler.format(formats)
    table_html = styler.to_html(table_attributes='class="data-table"')
    if row_ids is not None:
        table_html = with_row_ids(table_html, list(row_ids)[:len(frame)])
    html = f'<div class="numbered-table" id="{anchor}">' + table_html
    html += source_html
    if total > len(frame):
        left = (f"The table shows the first {len(frame):,} of {total:,} rows; the other {total - len(frame):,} are not "
                "shown here" + (f" but are in the file {full_data}." if full_data else "."))
        html += f'<p class="table-note">{html_content(left)}</p>'
    if notes:
        html += f'<p class="table-note">{html_content(notes)}</p>'
    html += download + "</div>"
    display(HTML(html))
    _glue_number(number_key, number, anchor)


def with_row_ids(table_html: str, row_ids: list[str]) -> str:
    """The table with an ``id`` on each row of its body, in order (ids are escaped).

    Examples:
        >>> with_row_ids("<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr><tr><td>2</td></tr></tbody></table>", ["x", "y"])
        '<table><thead><tr><th>a</th></tr></thead><tbody><tr id="x"><td>1</td></tr><tr id="y"><td>2</td></tr></tbody></table>'
    """
    head, tbody, body = table_html.partition("<tbody>")
    if not tbody:
        raise ValueError("with_row_ids: the table has no <tbody>")
    ids = iter(row_ids)
    body = re.sub(r"<tr(?=[\s>])", lambda m: f'<tr id="{html_module.escape(next(ids), quote=True)}"', body,
                  count=len(row_ids))
    return head + tbody + body


def show_html_table(table_html: str, data: pd.DataFrame, source: str = "", number_key: str | None = None) -> None:
    """Show a table the package built as HTML itself (the quotation bank, say), numbered, sourced, downloadable.

    ``table_html`` is trusted HTML made by the package (its values already escaped) with one
    ``<caption>``; the chapter's next table number is put at the caption's start.  ``data`` is
    written as the table's download, and ``source`` is shown under it, as :func:`show_table` does.
    """
    import re as re_module

    from IPython.display import HTML, display

    source_html = _source_html(source)
    match = re_module.search(r"<caption>(.*?)</caption>", table_html, flags=re_module.S)
    if not match:
        raise ValueError("show_html_table needs a table with a <caption>")
    number, anchor = _next_number("table")
    caption = f"{number}: {match.group(1)}"
    table_html = table_html[:match.start(1)] + f"{number}: " + table_html[match.start(1):]
    download = _write_download(data, anchor, caption, source)
    display(HTML(f'<div class="numbered-table" id="{anchor}">{table_html}{source_html}{download}</div>'))
    _glue_number(number_key, number, anchor)


def show_data_downloads() -> None:
    """Links to the zip of ``data/raw/`` and ``data/processed/`` and to the data package description.

    The book's build (``book/_ext/nptsc_html.py``) writes the zip beside the table downloads;
    ``datapackage.json`` is in ``data/processed/`` and so in the zip, and is copied beside it.
    """
    from IPython.display import HTML, display

    display(HTML(
        '<ul class="data-download">'
        f'<li><a href="{DOWNLOAD_HREF}../nptsc-eval-data.zip" download>Download all the data: data/raw and data/processed (zip)</a></li>'
        f'<li><a href="{DOWNLOAD_HREF}../datapackage.json" download>Download the description of the processed data '
        '(datapackage.json, a Frictionless Data Package)</a></li></ul>'))


def show_notice(text: str, kind: str = "warning", values: dict[str, Any] | None = None) -> None:
    """A notice box at the top of a chapter (for example, that its data is synthetic).

    ``text`` is the notebook's own Markdown.  Anything from outside (a file name, a value
    from an export) goes in ``values`` and is referred to as ``{name}`` in ``text``: each is
    shown literally as code, whatever backticks, HTML or Markdown it holds.
    """
    from IPython.display import Markdown, display

    from nptsc_eval.safe_text import markdown_code

    if values:
        text = text.format(**{k: markdown_code(v) for k, v in values.items()})
    display(Markdown(f":::{{{'important' if kind == 'important' else 'warning'}}}\n{text}\n:::\n"))
