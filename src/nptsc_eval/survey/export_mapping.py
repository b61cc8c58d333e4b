"""The export mapping (``data/raw/survey_export_mapping.yml``): how each survey tool lays out its export.

For each layout (SurveyMonkey, Qualtrics) the file lists which export column answers which
codebook column; it also lists the columns that identify people (dropped on reading) and
aliases of answers.  :func:`validate_mapping` checks it against :class:`MappingFile` and the
codebook; every problem names the layout, the column entry and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


from nptsc_eval.caching import cached_by_file
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.problems import Checked, Problem, RawDocument, RawRecord, RegexPattern, entry_label, validate_document
from nptsc_eval.survey.codebook import load_codebook
from nptsc_eval.yaml_text import read_yaml_mapping

MAPPING_FILE = "survey_export_mapping.yml"


class LayoutColumn(RawRecord):
    """One export column of a layout and the codebook column it answers.

    SurveyMonkey columns are found by ``question`` and ``sub`` (the two header rows),
    Qualtrics columns by ``import_id`` (CSV) or ``name`` (SPSS).
    """

    column: str
    question: str | None = None
    sub: str | None = None
    import_id: str | None = None
    name: str | None = None


class Layout(RawRecord):
    """How one survey tool lays out its export."""

    columns: list[LayoutColumn]
    respondent_id: str
    header_rows: int | None = None
    metadata_columns: list[str] = []


class MappingFile(RawDocument):
    """The whole export mapping file."""

    layouts: dict[str, Layout]
    identifying_columns: list[str]
    identifying_pattern: RegexPattern = ""
    answer_aliases: dict[str, str] = {}


def _against_codebook(known: set[str]) -> Callable[[Checked[MappingFile]], Iterable[Problem]]:
    """A check that each layout maps only codebook columns, and maps every one (but the respondent id)."""

    def check(checked: Checked[MappingFile]) -> Iterable[Problem]:
        for name, layout in checked.document.layouts.items():
            for index, entry in enumerate(layout.columns):
                if entry.column not in known:
                    yield Problem(f"{entry.column!r} is not a codebook column",
                                  f"layout {name!r}, {entry_label(index, noun='column entry')}", "column", field="field")
            for missing in sorted(known - {e.column for e in layout.columns} - {"respondent_id"}):
                yield Problem(f"codebook column {missing!r} has no mapping", f"layout {name!r}", "columns", field="field")

    return check


def validate_mapping(path: Path) -> dict[str, Any]:
    """Validate the export mapping file against the codebook."""
    raw = read_yaml_mapping(path, "the export mapping")
    validate_document(path, raw, MappingFile, nouns={"layouts": "layout", "columns": "column entry"},
                      checks=[_against_codebook(set(load_codebook().column_ids))])
    return raw


@cached_by_file(maxsize=4)
def _mapping_cached(path: Path) -> dict[str, Any]:
    return validate_mapping(path)


def load_mapping(path: Path | None = None) -> dict[str, Any]:
    """The export mapping (``data/raw/survey_export_mapping.yml``), validated."""
    return _mapping_cached(Path(path or RAW_DIR / MAPPING_FILE))
