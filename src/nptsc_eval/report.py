"""What a notebook shows in the book: glued values, figures with alt text, tables, notices.

Notebooks call these instead of printing, so that every number in the book's prose comes from
computation (``glue``), every figure has alt text, and every table has header cells and a
caption.
"""

from __future__ import annotations

import decimal
import io
import os
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


def format_percent(value: Any, digits: int = 0) -> str:
    """A percentage (already ×100) for prose: ``format_percent(55.5)`` → ``'56%'``."""
    return f"{format_number(value, digits)}%"


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

    ``kind`` is ``number`` (thousands separated), ``percent`` (value already ×100, shown with
    %), or ``text``.  The prose refers to it as ``{glue}`NN-notebook.ipynb::key```.  The value
    is glued as formatted text whose repr is itself, so "1,460" shows as written.  Use the
    ``{glue}`` role, not ``{glue:text}`` (which would read "1,460" as a tuple).

    ``evidence`` is the value's evidence class (:data:`EVIDENCE_CLASSES`; by default the
    notebook's, from :func:`set_evidence`).  It is kept in the output's metadata
    (``nptsc.evidence``), and a synthetic value carries :data:`SYNTHETIC_MARKER` in its text, so
    no page can show it without saying so.
    """
    import IPython
    from IPython.display import display as ipy_display
    from myst_nb.ext.glue import GLUE_PREFIX

    evidence = evidence or _default_evidence
    if evidence not in EVIDENCE_CLASSES:
        raise ValueError(f"glued value {key!r} needs an evidence class (report.set_evidence or evidence=): "
                         f"one of {', '.join(EVIDENCE_CLASSES)}")
    if kind == "number":
        text = format_number(value, digits)
    elif kind == "percent":
        text = format_percent(value, digits)
    elif kind == "text":
        text = str(value)
    else:
        raise ValueError(f"unknown kind {kind!r}: use number, percent or text")
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


def show_figure(fig: Any, alt: str, data: Any, dpi: int = 110) -> None:
    """Show a matplotlib figure as a PNG that carries its alt text.

    ``data`` is what the figure plots; its digest goes into the figure's text form.  The
    pipeline copies the alt text into the cell's metadata, where the book reads it, so show
    one figure per cell.  The PNG is written without a timestamp.
    """
    from IPython.display import display
    import matplotlib.pyplot as plt

    if not alt or len(alt) < 20:
        raise ValueError("a figure needs alt text that says what it shows (at least 20 characters)")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    output = FigureOutput(buffer.getvalue(), alt, data_digest(data))
    display(output)


#: Most rows a table shows in the book; a longer one shows its first rows and says how many more there are.
MAX_TABLE_ROWS = 500


def show_table(frame: pd.DataFrame, caption: str, name: str, formats: dict[str, str] | None = None,
               notes: str | None = None, max_rows: int = MAX_TABLE_ROWS, full_data: str | None = None) -> None:
    """Show a table with a caption and header cells, without the index.

    ``name`` makes the HTML ids stable, so the stored output does not change between runs.
    Every cell, header, the caption and the notes are shown as text: HTML in them (from a
    survey export, say) is escaped, never run.  A table longer than ``max_rows`` shows its
    first rows and a note of how many are left out, naming ``full_data`` (the file that holds
    them all) when given, so that a large export cannot make a huge page.
    """
    from IPython.display import HTML, display

    from nptsc_eval.safe_text import html_content

    total = len(frame)
    frame = frame.iloc[:max_rows].copy()
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            digits = 1
            frame[column] = [("" if pd.isna(v) else format_number(v, digits)) for v in frame[column]]
        elif pd.api.types.is_integer_dtype(frame[column]):
            frame[column] = [("" if pd.isna(v) else format_number(v)) for v in frame[column]]
    # Every text cell, header and the caption as text, not HTML.
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column].dtype):
            frame[column] = frame[column].astype(object).map(lambda v: html_content(v) if isinstance(v, str) else v)
    frame.columns = [html_content(c) if isinstance(c, str) else c for c in frame.columns]
    if formats:
        formats = {html_content(k): v for k, v in formats.items()}
    styler = frame.style.hide(axis="index").set_caption(html_content(caption)).set_uuid(name)
    if formats:
        styler = styler.format(formats)
    html = styler.to_html(table_attributes='class="data-table"')
    if total > len(frame):
        left = (f"The table shows the first {len(frame):,} of {total:,} rows; the other {total - len(frame):,} are not "
                "shown here" + (f" but are in the file {full_data}." if full_data else "."))
        html += f'<p class="table-note">{html_content(left)}</p>'
    if notes:
        html += f'<p class="table-note">{html_content(notes)}</p>'
    display(HTML(html))


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
