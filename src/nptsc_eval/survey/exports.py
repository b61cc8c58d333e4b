"""Loading and validating survey files: the codebook's own layout and real exports.

:func:`load_survey` reads a respondent-level survey file and returns it in the codebook's
layout (one row per respondent, one categorical column per codebook column).  It reads

* the codebook's own layout (one header row of codebook column ids) as CSV, XLSX or
  Parquet: the synthetic data and anything written by :func:`~nptsc_eval.survey.synth.write_survey`;
* SurveyMonkey exports (two header rows: the question, carried across the blank cells of
  its sub-questions, then the sub-question or "Response");
* Qualtrics exports (three header rows: column name, question text, ``{"ImportId": ...}``);
* SPSS ``.sav`` files as both tools export them, with value labels used as the answers,

as CSV (UTF-8, UTF-8 with BOM, UTF-16 or Windows-1252; comma, semicolon or tab separated,
with or without a ``sep=`` first line) or XLSX (any sheet), mapping export columns to the
codebook with ``data/raw/survey_export_mapping.yml`` or with a reviewed mapping file written
by ``nptsc-eval map`` (:mod:`nptsc_eval.survey.mapping`).

What is left out, and counted:

* survey previews and test responses (Qualtrics ``Status`` / ``DistributionChannel``);
* incomplete responses: a required question asked of the respondent left unanswered, or
  Qualtrics ``Finished`` = 0 / ``Progress`` under 100.  ``keep_incomplete=True`` keeps them
  (as long as they answered the profile questions), and every percentage then has its own
  base of the people who answered that question.

Columns that identify people (email, IP address, names, collector ids, location) are dropped
as soon as the file is read, and email addresses, phone numbers and postcodes typed into
free-text answers are redacted (:mod:`nptsc_eval.redact`).  The file itself is never modified.

Every problem is collected and raised together as one :class:`SurveyValidationError`: one
line per kind of problem and column, with the rows as ranges (at most
:data:`MAX_SUMMARY_LINES` lines; ``all_problems=True`` lists every cell).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from nptsc_eval.errors import DataValidationError
from nptsc_eval.sources import is_synthetic_file
from nptsc_eval.survey.codebook import Codebook, load_codebook

# Reading a file into a grid, then checking and converting it, are modules of their own; their names
# that other modules and the tests use are kept importable from here.
from nptsc_eval.survey.export_checks import (  # noqa: F401
    MAX_PROBLEMS, MAX_SUMMARY_LINES, MIN_RESPONSES, Problem, _check_and_convert, _Raw, row_ranges, summarise_problems)
from nptsc_eval.survey.export_files import (  # noqa: F401
    MAX_BYTES, SUFFIXES, SurveyValidationError, _column_letter, _detect_layout, _duplicates, _norm, _quote, _read_grid,
    check_file, file_sha256, workbook_sheets)

# The export mapping file is read and checked in a module of its own.
from nptsc_eval.survey.export_mapping import MAPPING_FILE, load_mapping, validate_mapping  # noqa: F401
#: Most lines in a grouped problem summary; ``all_problems=True`` lists every cell.

@dataclass
class SurveyData:
    """A loaded survey file in the codebook's layout, with where it came from."""

    frame: pd.DataFrame
    path: Path
    layout: str
    data_kind: str
    dropped_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    #: Responses left out, by reason: "incomplete", "preview", "test".
    left_out: dict[str, int] = field(default_factory=dict)
    #: Responses kept although incomplete (``keep_incomplete``).
    incomplete_kept: int = 0
    #: Things the reader of the file should know (which sheet, which encoding...).
    notes: list[str] = field(default_factory=list)
    #: Redactions made in free-text answers, by kind ("email", "phone", "postcode").
    redactions: dict[str, int] = field(default_factory=dict)
    sha256: str = ""

    @property
    def is_synthetic(self) -> bool:
        return self.data_kind == "synthetic"

    @property
    def name(self) -> str:
        """The file's name, never its folder (which can name a person)."""
        return self.path.name

    def response_summary(self) -> str:
        """One sentence: responses used and left out, e.g. "180 complete responses; 12 incomplete responses left out"."""
        n = len(self.frame)
        complete = n - self.incomplete_kept
        parts = [f"{complete:,} complete {'response' if complete == 1 else 'responses'}"]
        if self.incomplete_kept:
            parts.append(f"{self.incomplete_kept:,} incomplete {'response' if self.incomplete_kept == 1 else 'responses'} "
                         "kept (each percentage has its own base)")
        for reason, label in (("incomplete", "incomplete"), ("preview", "survey preview"), ("test", "test")):
            k = self.left_out.get(reason, 0)
            if k:
                parts.append(f"{k:,} {label} {'response' if k == 1 else 'responses'} left out")
        return "; ".join(parts)

    def redaction_summary(self) -> str:
        """What redaction did to the free-text answers, in a sentence."""
        from nptsc_eval.redact import summary

        return summary(self.redactions)


def _identifying(name: str, mapping: dict[str, Any]) -> bool:
    n = _norm(name)
    if n in {_norm(c) for c in mapping["identifying_columns"]}:
        return True
    pattern = mapping.get("identifying_pattern")
    return bool(pattern and re.search(pattern, n))


STATUS_COLUMNS = {"status": "status", "distributionchannel": "channel", "finished": "finished", "progress": "progress"}


def export_headers(grid: pd.DataFrame, layout: str) -> tuple[int, list[str], list[str]]:
    """(header rows, each column's name, each column's full question text) of an export grid."""
    if layout == "surveymonkey":
        names = grid.iloc[0].tolist()
        questions = pd.Series(names).ffill().tolist()
        subs = grid.iloc[1].tolist()
        keys = [str(q) if not isinstance(s, str) or _norm(s) in ("response", "open-ended response", "")
                else f"{q} - {s}" for q, s in zip(questions, subs)]
        return 2, [str(n) if isinstance(n, str) else "" for n in names], keys
    if layout in ("qualtrics", "qualtrics_sav"):
        names = [str(n) if isinstance(n, str) else "" for n in grid.iloc[0].tolist()]
        texts = [str(t) if isinstance(t, str) else n for t, n in zip(grid.iloc[1].tolist(), names)]
        return (3 if layout == "qualtrics" else 2), names, texts
    names = [str(n) if isinstance(n, str) else "" for n in grid.iloc[0].tolist()]
    return 1, names, names


def _from_export(grid: pd.DataFrame, layout: str, path: Path, mapping: dict[str, Any],
                 column_map: dict[str, str | None] | None = None) -> _Raw:
    spec = mapping["layouts"].get("qualtrics" if layout == "qualtrics_sav" else layout)  # None for the codebook layout
    header_rows, names, texts = export_headers(grid, layout)
    if len(grid) < header_rows:
        raise DataValidationError(path, [f"wrong format: a {layout} export needs {header_rows} header rows"])
    heads = grid.iloc[:header_rows]
    body = grid.iloc[header_rows:].reset_index(drop=True)
    if layout != "surveymonkey":
        dups = _duplicates(names)
        if dups:
            raise DataValidationError(path, dups)
    if column_map is not None:
        keys = [_norm(n) for n in names] if layout != "surveymonkey" else [_norm(t) for t in texts]
        lookup = {_norm(k): v for k, v in column_map.items() if v}
    elif layout == "surveymonkey":
        questions = pd.Series(heads.iloc[0].tolist()).ffill().tolist()
        subs = heads.iloc[1].tolist()
        lookup = {(_norm(e["question"]), _norm(e["sub"])): e["column"] for e in spec["columns"]}
        keys = [(_norm(q), _norm(s) if isinstance(s, str) else "") for q, s in zip(questions, subs)]
    elif layout == "qualtrics":
        lookup = {_norm(e["import_id"]): e["column"] for e in spec["columns"]}
        keys = []
        for v in heads.iloc[2].tolist():
            try:
                keys.append(_norm(json.loads(v).get("ImportId", "")) if isinstance(v, str) else "")
            except (ValueError, AttributeError):
                keys.append("")
    else:  # Qualtrics SPSS: variable names as in the CSV export's first row
        lookup = {_norm(e["name"]): e["column"] for e in spec["columns"]}
        keys = [_norm(n) for n in names]
    columns: dict[str, pd.Series] = {}
    labels: dict[str, str] = {}
    status: dict[str, pd.Series] = {}
    dropped, ignored = [], []
    rid = _norm(spec["respondent_id"]) if spec else "respondent_id"
    metadata = {_norm(m) for m in (spec or {}).get("metadata_columns", [])}
    for j, (name, key) in enumerate(zip(names, keys)):
        shown = name or f"column {_column_letter(j)}"
        if name and _identifying(name, mapping):
            dropped.append(shown)
            continue
        if _norm(name).replace(" ", "") in STATUS_COLUMNS:
            status[STATUS_COLUMNS[_norm(name).replace(" ", "")]] = body.iloc[:, j]
            continue
        if name and _norm(name) in (rid, "respondent_id", "respondent id", "responseid"):
            target = "respondent_id"
        else:
            target = lookup.get(key)
        if target is None:
            if _norm(name) not in metadata:
                ignored.append(shown)
            continue
        if target in columns:
            raise DataValidationError(path, [f"column {_column_letter(j)}: maps to codebook column '{target}', which an earlier column already gives"])
        columns[target] = body.iloc[:, j]
        if layout == "surveymonkey":
            label_text, sub = pd.Series(heads.iloc[0].tolist()).ffill().iloc[j], heads.iloc[1, j]
        else:
            label_text, sub = name, None
        short = str(label_text) if len(str(label_text)) <= 60 else str(label_text)[:57] + "..."
        detail = f"{short} – {sub}" if isinstance(sub, str) and _norm(sub) not in ("response", "") else short
        labels[target] = f"column {_column_letter(j)} ('{detail}')"
    frame = pd.DataFrame(columns) if columns else pd.DataFrame(index=body.index)
    return _Raw(frame, labels, header_rows, "qualtrics" if layout == "qualtrics_sav" else layout, dropped, ignored, status)


def _from_codebook_layout(path: Path, grid: pd.DataFrame | None, mapping: dict[str, Any]) -> _Raw:
    """Read the codebook's own layout; a UTF-8 comma-separated CSV and Parquet are read column-wise by Arrow (fast)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several kinds of error for a broken file
            raise DataValidationError(path, [f"wrong format: cannot be read as Parquet ({type(exc).__name__}: {exc})"]) from None
    elif grid is None:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        with path.open("rb") as fh:
            first = fh.readline().decode("utf-8-sig", errors="replace").rstrip("\r\n")
        header = next(csv.reader([first]), [])
        dups = _duplicates(header)
        if dups:
            raise DataValidationError(path, dups)
        try:
            table = pacsv.read_csv(
                path, read_options=pacsv.ReadOptions(encoding="utf8"),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.dictionary(pa.int32(), pa.string()) for c in header if c != "respondent_id"}
                    | {"respondent_id": pa.string()},
                    strings_can_be_null=True, null_values=[""], quoted_strings_can_be_null=True))
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise DataValidationError(path, [f"wrong format: cannot be read as CSV ({exc})"]) from None
        frame = table.to_pandas()
        frame.columns = [c.lstrip("\ufeff") for c in frame.columns]
    else:
        dups = _duplicates(grid.iloc[0].tolist())
        if dups:
            raise DataValidationError(path, dups)
        frame = grid.iloc[1:].reset_index(drop=True)
        frame.columns = [str(c) for c in grid.iloc[0]]
    dropped = [c for c in frame.columns if c != "respondent_id" and _identifying(c, mapping)]
    frame = frame.drop(columns=dropped)
    known = set(load_codebook().column_ids)
    ignored = [c for c in frame.columns if c not in known]
    frame = frame.drop(columns=ignored)
    labels = {c: f"column '{c}'" for c in frame.columns}
    return _Raw(frame, labels, 1, "codebook", dropped, ignored)


def _data_kind(path: Path) -> str:
    return "synthetic" if "synthetic" in path.name.lower() or is_synthetic_file(path) else "export"


def load_survey(path: Path | str, codebook: Codebook | None = None, mapping: dict[str, Any] | None = None, *,
                keep_incomplete: bool = False, sheet: str | None = None, column_map: Path | str | dict | None = None,
                all_problems: bool = False, redact: bool = True) -> SurveyData:
    """Load and validate a survey file (codebook layout, SurveyMonkey or Qualtrics; CSV, XLSX, SAV or Parquet).

    ``keep_incomplete`` keeps incomplete responses (they are left out by default and
    counted); ``sheet`` chooses a workbook's sheet (by name or number); ``column_map`` is a
    reviewed mapping file from ``nptsc-eval map`` (or its ``{export column: codebook
    column}`` dict); ``all_problems`` lists every problem cell instead of one line per kind.

    Raises :class:`DataValidationError` naming file, row and column.
    """
    path = Path(path)
    check_file(path)
    cb = codebook or load_codebook()
    mapping = mapping or load_mapping()
    if column_map is not None and not isinstance(column_map, dict):
        from nptsc_eval.survey.column_map import read_column_map

        column_map = read_column_map(Path(column_map), cb)
    notes: list[str] = []
    options = dict(keep_incomplete=keep_incomplete, all_problems=all_problems)
    min_responses = 1 if _data_kind(path) == "synthetic" else MIN_RESPONSES
    suffix = path.suffix.lower()
    raw: _Raw | None = None
    if suffix == ".parquet":
        raw = _from_codebook_layout(path, None, mapping)
    elif suffix == ".csv" and path.stat().st_size > 0 and column_map is None:
        with path.open("rb") as fh:
            head = fh.read(4096)
        try:
            first_line = head.decode("utf-8-sig").splitlines()[0] if head.strip() else ""
        except (UnicodeDecodeError, IndexError):
            first_line = ""
        if "respondent_id" in [_norm(x) for x in next(csv.reader([first_line]), [])]:
            try:
                raw = _from_codebook_layout(path, None, mapping)
            except DataValidationError as exc:
                if not any("cannot be read as CSV" in p for p in exc.problems):
                    raise
                raw = None  # not plain UTF-8: read it as text below
    if raw is None:
        grid, source = _read_grid(path, sheet, notes)
        if column_map is not None:
            raw = _from_export(grid, mapped_layout(grid, path, source), path, mapping, column_map)
        else:
            layout = _detect_layout(grid, path, source)
            raw = _from_codebook_layout(path, grid, mapping) if layout == "codebook" else _from_export(grid, layout, path, mapping)
    frame, left_out, kept = _check_and_convert(raw, cb, mapping, path, min_responses=min_responses, **options)
    redactions: dict[str, int] = {}
    if redact:
        from nptsc_eval.redact import redact_series

        for c in cb.columns:
            if c.kind == "text":
                frame[c.id], counts = redact_series(frame[c.id])
                for k, v in counts.items():
                    redactions[k] = redactions.get(k, 0) + v
    return SurveyData(frame, path, raw.layout, _data_kind(path), raw.dropped, raw.ignored, left_out, kept, notes,
                      redactions, file_sha256(path))


def mapped_layout(grid: pd.DataFrame, path: Path, source: str) -> str:
    """The layout of a file read with a column mapping: a known export layout, else one header row (two for SPSS)."""
    try:
        return _detect_layout(grid, path, source)
    except DataValidationError:
        return "qualtrics_sav" if source == "sav" else "codebook"


def validate_survey(path: Path | str, **options: Any) -> list[str]:
    """Every problem of a survey file (empty when it is valid)."""
    try:
        load_survey(path, **options)
    except DataValidationError as exc:
        return exc.problems
    return []


def survey_options(text: str | dict | None) -> dict[str, Any]:
    """The keyword arguments of :func:`load_survey` from the build's ``survey_options`` parameter (JSON).

    Examples:
        >>> survey_options('{"keep_incomplete": true, "mapping_sha256": "ab"}')
        {'keep_incomplete': True}
    """
    raw = json.loads(text) if isinstance(text, str) and text.strip() else dict(text or {})
    out: dict[str, Any] = {}
    if raw.get("keep_incomplete"):
        out["keep_incomplete"] = True
    if raw.get("sheet"):
        out["sheet"] = str(raw["sheet"])
    if raw.get("mapping"):
        from nptsc_eval.paths import PROJECT_ROOT

        m = Path(raw["mapping"])
        out["column_map"] = m if m.is_absolute() else PROJECT_ROOT / m
    return out
