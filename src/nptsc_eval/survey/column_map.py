"""A reviewed column mapping file (from ``nptsc-eval map``) read and checked against the codebook.

Kept apart from :mod:`nptsc_eval.survey.mapping`, which proposes mappings by reading exports,
so that reading an export (:mod:`nptsc_eval.survey.exports`) does not import the proposer.
Each entry is a :class:`ColumnMapEntry`; problems are reported as
:class:`~nptsc_eval.problems.Problem` (entry, field, what is wrong).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from nptsc_eval.errors import DataValidationError
from nptsc_eval.problems import Problem, RawRecord, entry_label, validate_records
from nptsc_eval.survey.codebook import Codebook, load_codebook
from nptsc_eval.yaml_text import read_yaml_mapping


class ColumnMapEntry(RawRecord):
    """One export column and the codebook column it answers (none: the column is not used).

    The other fields are what ``nptsc-eval map`` writes for the person who reviews the file.
    """

    export: str | int | float
    codebook_column: str | None = None
    column: str | None = None
    question: str | None = None
    confidence: float | None = None
    note: str | None = None
    role: str | None = None


def read_column_map(path: Path, cb: Codebook | None = None) -> dict[str, str | None]:
    """A reviewed mapping file as ``{export column: codebook column or None}``, checked against the codebook."""
    cb = cb or load_codebook()
    raw = read_yaml_mapping(path, "a column mapping")
    entries = raw.get("columns")
    if not isinstance(entries, list):
        raise DataValidationError(path, ["missing key 'columns' (a list of export columns and codebook columns)"])
    known = set(cb.column_ids)

    def targets(valid: list[tuple[int, ColumnMapEntry]]) -> Iterable[Problem]:
        seen: dict[str, int] = {}
        for index, entry in valid:
            target = entry.codebook_column
            where = entry_label(index, str(entry.export))
            if target is None:
                continue
            if target not in known:
                yield Problem(f"{target!r} is not a codebook column", where, "codebook_column", field="field")
            elif target in seen:
                yield Problem(f"{target!r} is already given by entry {seen[target]}", where, "codebook_column",
                              field="field")
            else:
                seen[target] = index + 1

    checked = validate_records(path, entries, ColumnMapEntry, key=lambda e: e.get("export"), checks=[targets])
    return {str(e.export): e.codebook_column for e in checked}
