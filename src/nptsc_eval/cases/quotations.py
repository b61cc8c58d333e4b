"""The quotation bank: respondents' words verbatim, each with the figure or appendix that prints it.

:func:`load_quotations` reads ``quotations.csv`` and checks it against the case records and
the coding frame; :func:`quotation_printings` puts each quotation once with every place the
report prints it; :func:`quotation_bank_html` renders the bank as an accessible HTML table
with a theme filter, from the template ``templates/cases/quotation_bank.html.j2``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nptsc_eval.cases.records import CASES_FOLDER, CaseRecord, _known_themes, case_files
from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.problems import Problem
from nptsc_eval.tables import load_table
from nptsc_eval.templating import render

def load_quotations(raw_dir: Path | None = None) -> pd.DataFrame:
    """The quotation bank, validated against its metadata and cross-checked.

    Each ``case_id`` must name a case record, each theme code a theme of the coding frame, and
    each ``same_as`` another quotation of the same case.
    """
    raw_dir = raw_dir or RAW_DIR
    quotes = load_table("quotations", raw_dir)
    cases = {p.stem for p in case_files(raw_dir)}
    themes = _known_themes(raw_dir) or set()
    ids = dict(zip(quotes["quote_id"], quotes["case_id"]))
    problems: list[Problem] = []
    for i, row in enumerate(quotes.itertuples(index=False)):
        where = f"row {i + 2}"
        if row.case_id not in cases:
            problems.append(Problem(f"{row.case_id!r} has no record in {CASES_FOLDER}/", where, "case_id"))
        for code in str(row.themes).split():
            if code not in themes:
                problems.append(Problem(f"{code!r} is not a theme of coding_frame.csv", where, "themes"))
        if pd.notna(row.same_as):
            if row.same_as not in ids:
                problems.append(Problem(f"{row.same_as!r} is not a quote_id of this file", where, "same_as"))
            elif ids[row.same_as] != row.case_id:
                problems.append(Problem(f"{row.same_as!r} belongs to another case", where, "same_as"))
            if pd.isna(row.difference):
                problems.append(Problem("must be filled when 'same_as' is", where, "difference"))
        elif pd.notna(row.difference):
            problems.append(Problem("must be empty when 'same_as' is", where, "difference"))
    if problems:
        raise DataValidationError(raw_dir / "quotations.csv", [str(p) for p in problems])
    return quotes


def validate_quotations(path: Path) -> None:
    """Validator for :func:`nptsc_eval.validate_raw.validators`: the quotation bank's cross-references."""
    load_quotations(Path(path).parent)


def quotation_variants(quotes: pd.DataFrame) -> pd.DataFrame:
    """Each quotation printed twice: both forms side by side, with how they differ."""
    second = quotes[quotes["same_as"].notna()]
    first = quotes.set_index("quote_id")
    rows = []
    for row in second.itertuples(index=False):
        original = first.loc[row.same_as]
        rows.append({"quote_id": row.same_as, "case_id": row.case_id,
                     "first_location": original["source_location"], "first_text": original["text"],
                     "second_location": row.source_location, "second_text": row.text,
                     "difference": row.difference,
                     "note": "" if pd.isna(row.difference_note) else row.difference_note})
    return pd.DataFrame(rows, columns=["quote_id", "case_id", "first_location", "first_text", "second_location",
                                       "second_text", "difference", "note"])


def quotation_printings(quotes: pd.DataFrame) -> pd.DataFrame:
    """Each quotation once, with every place the report prints it and how the printings differ.

    One row per quotation (a row of ``quotations.csv`` with no ``same_as``), in file order:
    ``quote_id``, ``case_id``, ``speaker``, ``text`` (the first printing), ``places`` (every
    printing's ``source_location``, first printing first), ``themes`` (every theme of any
    printing, in order, no repeats) and ``differences`` (one entry per later printing that
    differs from the first: its place, its text, the kind of difference and the note).
    """
    rows = []
    for first in quotes[quotes["same_as"].isna()].itertuples(index=False):
        later = quotes[quotes["same_as"] == first.quote_id]
        themes = []
        for codes in [first.themes, *later["themes"]]:
            themes += [t for t in str(codes).split() if t not in themes]
        differences = [{"place": r.source_location, "text": r.text, "kind": r.difference,
                        "note": "" if pd.isna(r.difference_note) else r.difference_note}
                       for r in later.itertuples(index=False) if r.difference != "none"]
        rows.append({"quote_id": first.quote_id, "case_id": first.case_id, "speaker": first.speaker, "text": first.text,
                     "places": [first.source_location, *later["source_location"]], "themes": themes,
                     "differences": differences})
    return pd.DataFrame(rows, columns=["quote_id", "case_id", "speaker", "text", "places", "themes", "differences"])


def quotation_bank_data(quotes: pd.DataFrame, themes: pd.DataFrame, cases: list[CaseRecord]) -> pd.DataFrame:
    """The quotation bank as a flat table for its CSV download: one row per quotation."""
    names = {c.case_id: c.name for c in cases}
    theme_names = dict(zip(themes["theme_id"], themes["theme"]))
    bank = quotation_printings(quotes)
    return pd.DataFrame({
        "Quotation": bank["text"],
        "Case": bank["case_id"].map(lambda c: names.get(c, c)),
        "Speaker": bank["speaker"],
        "Printed in": bank["places"].map("; ".join),
        "Themes": bank["themes"].map(lambda ts: "; ".join(theme_names.get(t, t) for t in ts)),
        "Differences between printings": bank["differences"].map(
            lambda ds: "; ".join(f"{d['place']} ({d['kind']}): {d['text']}" for d in ds)),
    })


def quotation_bank_html(quotes: pd.DataFrame, themes: pd.DataFrame, cases: list[CaseRecord],
                        element_id: str = "quotation-bank") -> str:
    """The quotation bank as an accessible HTML table: each quotation once, with a theme filter.

    A quotation the report prints twice is one row: its "Printed in" cell names every place,
    and any printing that differs from the first is listed under the quotation with its
    wording and what differs.  Each row carries its themes (``data-themes``); the filter is a
    labelled ``<select>``, and a short inline script (no external files) hides the rows
    without the chosen theme and announces how many quotations are shown.  Without scripts
    every row stays visible.
    """
    names = {c.case_id: c.name for c in cases}
    theme_names = dict(zip(themes["theme_id"], themes["theme"]))
    bank = quotation_printings(quotes)
    options = []
    for theme in themes.itertuples(index=False):
        tagged = int(bank["themes"].map(lambda ts: theme.theme_id in ts).sum())  # noqa: B023 (used at once)
        if tagged:
            options.append({"theme_id": theme.theme_id, "theme": theme.theme, "tagged": tagged})
    rows = [{**q._asdict(), "case": names.get(q.case_id, q.case_id), "theme_names": [theme_names.get(t, t) for t in q.themes]}
            for q in bank.itertuples(index=False)]
    return render("cases/quotation_bank.html.j2", element_id=element_id, options=options, rows=rows, total=len(bank))
