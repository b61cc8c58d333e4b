"""A reviewed column mapping file (from ``nptsc-eval map``) read and checked against the codebook.

Kept apart from :mod:`nptsc_eval.survey.mapping`, which proposes mappings by reading exports,
so that reading an export (:mod:`nptsc_eval.survey.exports`) does not import the proposer.
"""

from __future__ import annotations

from pathlib import Path

from nptsc_eval.errors import DataValidationError
from nptsc_eval.survey.codebook import Codebook, load_codebook
from nptsc_eval.yaml_text import read_yaml_mapping


def read_column_map(path: Path, cb: Codebook | None = None) -> dict[str, str | None]:
    """A reviewed mapping file as ``{export column: codebook column or None}``, checked against the codebook."""
    cb = cb or load_codebook()
    raw = read_yaml_mapping(path, "a column mapping")
    entries = raw.get("columns")
    if not isinstance(entries, list):
        raise DataValidationError(path, ["missing key 'columns' (a list of export columns and codebook columns)"])
    known = set(cb.column_ids)
    problems: list[str] = []
    out: dict[str, str | None] = {}
    seen: dict[str, int] = {}
    for i, e in enumerate(entries, start=1):
        if not isinstance(e, dict) or "export" not in e:
            problems.append(f"entry {i}: needs 'export' (the export's column) and 'codebook_column'")
            continue
        target = e.get("codebook_column")
        if target is not None and target not in known:
            problems.append(f"entry {i} ({e['export']!r}): codebook_column {target!r} is not a codebook column")
            continue
        if target is not None and target in seen:
            problems.append(f"entry {i} ({e['export']!r}): codebook_column {target!r} is already given by entry {seen[target]}")
            continue
        if target is not None:
            seen[target] = i
        out[str(e["export"])] = target
    if problems:
        raise DataValidationError(path, problems)
    return out
