"""Showing figures, diagrams, tables and notices in a chapter, each numbered, titled and sourced."""

from __future__ import annotations

import html as html_module
import io
import re
from typing import Any

import pandas as pd

from nptsc_eval.report.numbering import (
    DOWNLOAD_HREF,
    _glue_number,
    _next_number,
    _source_html,
    _write_download,
)
from nptsc_eval.report.values import format_number, readable_cell

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

    from nptsc_eval.charts.style import figure_legibility

    _require_alt_and_title("a figure", "alt text", alt, title)

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


def _require_alt_and_title(what: str, alt_name: str, alt: str, title: str) -> None:
    """Refuse a figure or diagram without a description of at least 20 characters or without a title."""
    if not alt or len(alt) < 20:
        raise ValueError(f"{what} needs {alt_name} that says what it shows (at least 20 characters)")
    if not title:
        raise ValueError(f"{what} needs a title that states its main message")


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

    _require_alt_and_title("a diagram", "a summary", alt, title)
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
            frame[column] = frame[column].astype(object).map(_cell_html)
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


def _cell_html(value: Any) -> Any:
    """A cell of a text column as escaped HTML: text made readable, any other object as its text.

    Numbers and missing values stay as they are, for the table's number formats; anything else
    (a list, a dict from an export) is escaped here, since pandas' Styler prints it unescaped.
    """
    from numbers import Number

    from nptsc_eval.safe_text import html_content

    if isinstance(value, str):
        return html_content(readable_cell(value))
    if value is None or isinstance(value, Number) or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return value
    return html_content(str(value))


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
