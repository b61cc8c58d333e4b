"""Hand coding of the survey's free-text answers.

The survey's free-text answers are coded by a person, not by matching words: each answer the
report prints is a row of ``data/raw/survey_free_text_coding.csv`` with its themes and the
coder's note, and the themes come from ``data/raw/survey_text_coding_frame.csv``.
:func:`load_coding` reads both and checks that every printed answer is coded once, word for
word, with codes of the frame; :func:`codes_for` looks an answer up.  An answer that is not in
the table (from a real export) has no codes: it is reported as not coded, never guessed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR

#: Label of answers the hand-coded table does not hold.
NOT_CODED = "Not coded"


def normalise(text: str) -> str:
    """An answer reduced for looking up: spaces collapsed, ends trimmed.

    Examples:
        >>> normalise("  Big Society   remains opaque. ")
        'Big Society remains opaque.'
    """
    return re.sub(r"\s+", " ", str(text)).strip()


def coding_frame(raw_dir: Path | None = None) -> pd.DataFrame:
    """The themes answers may be coded to, in the order of the file."""
    from nptsc_eval.tables import load_table

    return load_table("survey_text_coding_frame", raw_dir)


def load_coding(raw_dir: Path | None = None) -> pd.DataFrame:
    """The hand-coded table, checked against the printed answers and the coding frame.

    Every quotation of ``survey_free_text_quotations.csv`` must be coded exactly once, with
    the same words; every code must be a theme of the frame; "other" stands alone. Raises
    :class:`DataValidationError` naming row and column.
    """
    from nptsc_eval.tables import load_table

    raw_dir = raw_dir or RAW_DIR
    coding = load_table("survey_free_text_coding", raw_dir)
    quotes = load_table("survey_free_text_quotations", raw_dir).set_index("quote_id")
    themes = set(coding_frame(raw_dir)["theme_id"])
    problems = []
    for i, row in coding.iterrows():
        where = f"row {i + 2}"
        if row["quote_id"] not in quotes.index:
            problems.append(f"{where}, column 'quote_id': {row['quote_id']!r} is not a quotation of survey_free_text_quotations.csv")
        elif normalise(row["answer"]) != normalise(quotes.at[row["quote_id"], "text"]):
            problems.append(f"{where}, column 'answer': differs from the quotation {row['quote_id']!r}")
        codes = str(row["themes"]).split()
        if not codes:
            problems.append(f"{where}, column 'themes': no code given")
        for code in codes:
            if code not in themes:
                problems.append(f"{where}, column 'themes': {code!r} is not a theme of survey_text_coding_frame.csv")
        if len(set(codes)) != len(codes):
            problems.append(f"{where}, column 'themes': a code is given twice")
        if "other" in codes and len(codes) > 1:
            problems.append(f"{where}, column 'themes': 'other' is used only when no other theme fits")
    missing = sorted(set(quotes.index) - set(coding["quote_id"]))
    if missing:
        problems.append(f"column 'quote_id': printed answers not coded: {', '.join(missing)}")
    if problems:
        raise DataValidationError(raw_dir / "survey_free_text_coding.csv", problems)
    return coding


def validate_coding_file(path: Path) -> None:
    """Validator for :func:`nptsc_eval.validate_raw.validators`: the hand coding, cross-checked."""
    load_coding(Path(path).parent)


def codes_for(answers: pd.Series, coding: pd.DataFrame) -> list[list[str]]:
    """The hand-coded themes of each answer; an empty list for an answer the table does not hold."""
    lookup = {normalise(a): str(t).split() for a, t in zip(coding["answer"], coding["themes"])}
    return [lookup.get(normalise(a), []) for a in answers]
