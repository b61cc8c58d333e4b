"""Glued values: numbers and text for the book's prose, formatted for readers, each with its evidence class."""

from __future__ import annotations

import decimal
import os
import re
from typing import Any



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
