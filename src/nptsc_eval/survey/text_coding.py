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
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import field_validator

from nptsc_eval.paths import RAW_DIR
from nptsc_eval.problems import Problem, RawRecord, entry_label, validate_records

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


class CodedAnswer(RawRecord):
    """One row of the hand coding: a printed answer, its themes (space-separated codes) and the coder's note."""

    quote_id: str
    answer: str
    themes: list[str]
    coder_note: str

    @field_validator("themes", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return str(value).split() if isinstance(value, str) else value

    @field_validator("themes")
    @classmethod
    def _well_formed(cls, codes: list[str]) -> list[str]:
        wrong = []
        if not codes:
            wrong.append("no code given")
        if len(set(codes)) != len(codes):
            wrong.append("a code is given twice")
        if "other" in codes and len(codes) > 1:
            wrong.append("'other' is used only when no other theme fits")
        if wrong:
            raise ValueError("; ".join(wrong))
        return codes


def _against(quotes: pd.DataFrame, themes: set[str],
             coded: set[str]) -> Callable[[list[tuple[int, CodedAnswer]]], Iterable[Problem]]:
    """A check of the coded rows against the printed quotations and the coding frame's themes.

    ``coded`` is every quote id of the table, so that a row with a problem of its own still counts as coded.
    """

    def check(rows: list[tuple[int, CodedAnswer]]) -> Iterable[Problem]:
        for index, row in rows:
            where = entry_label(index + 1, noun="row")
            if row.quote_id not in quotes.index:
                yield Problem(f"{row.quote_id!r} is not a quotation of survey_free_text_quotations.csv", where, "quote_id")
            elif normalise(row.answer) != normalise(quotes.at[row.quote_id, "text"]):
                yield Problem(f"differs from the quotation {row.quote_id!r}", where, "answer")
            for code in row.themes:
                if code not in themes:
                    yield Problem(f"{code!r} is not a theme of survey_text_coding_frame.csv", where, "themes")
        missing = sorted(set(quotes.index) - coded)
        if missing:
            yield Problem(f"printed answers not coded: {', '.join(missing)}", column="quote_id")

    return check


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
    records = coding.astype(object).where(coding.notna(), None).to_dict("records")
    validate_records(raw_dir / "survey_free_text_coding.csv", records, CodedAnswer, noun="row", start=1,
                     field="column", checks=[_against(quotes, themes, set(coding["quote_id"]))])
    return coding


def validate_coding_file(path: Path) -> None:
    """Validator for :func:`nptsc_eval.validate_raw.validators`: the hand coding, cross-checked."""
    load_coding(Path(path).parent)


def codes_for(answers: pd.Series, coding: pd.DataFrame) -> list[list[str]]:
    """The hand-coded themes of each answer; an empty list for an answer the table does not hold."""
    lookup = {normalise(a): str(t).split() for a, t in zip(coding["answer"], coding["themes"])}
    return [lookup.get(normalise(a), []) for a in answers]
