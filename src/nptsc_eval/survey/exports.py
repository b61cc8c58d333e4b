"""Loading and validating survey files: the codebook's own layout and real exports.

:func:`load_survey` reads a respondent-level survey file and returns it in the codebook's
layout (one row per respondent, one categorical column per codebook column).  It reads

* the codebook's own layout (one header row of codebook column ids) as CSV, XLSX or
  Parquet: the synthetic data and anything written by :func:`~nptsc_eval.survey.synth.write_survey`;
* SurveyMonkey exports (two header rows: the question, carried across the blank cells of
  its sub-questions, then the sub-question or "Response");
* Qualtrics exports (three header rows: column name, question text, ``{"ImportId": ...}``),

as CSV (UTF-8, UTF-8 with BOM or Windows-1252) or XLSX, mapping export columns to the
codebook with ``data/raw/survey_export_mapping.yml``.  Columns that identify people (email,
IP address, names, collector ids) are dropped as soon as the file is read.  The file itself
is never modified.

Every problem is collected and raised together as one :class:`DataValidationError`, each
naming the row (as a spreadsheet shows it) and the column.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.sources import is_synthetic_file
from nptsc_eval.survey.codebook import SECTOR_LABELS, Codebook, load_codebook
from nptsc_eval.yaml_text import read_yaml_mapping

MAPPING_FILE = "survey_export_mapping.yml"
#: Most problems listed in one error; the rest are counted.
MAX_PROBLEMS = 500
TRUE_TEXT = {"true", "yes", "1", "selected", "checked"}
FALSE_TEXT = {"false", "no", "0", "not selected", "unchecked"}


@dataclass
class SurveyData:
    """A loaded survey file in the codebook's layout, with where it came from."""

    frame: pd.DataFrame
    path: Path
    layout: str
    data_kind: str
    dropped_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def is_synthetic(self) -> bool:
        return self.data_kind == "synthetic"


def validate_mapping(path: Path) -> dict[str, Any]:
    """Validate the export mapping file against the codebook."""
    raw = read_yaml_mapping(path, "the export mapping")
    problems = [f"missing key '{k}'" for k in ("title", "source", "layouts", "identifying_columns") if k not in raw]
    if problems:
        raise DataValidationError(path, problems)
    known = set(load_codebook().column_ids)
    for name, layout in raw["layouts"].items():
        for i, entry in enumerate(layout.get("columns", []), start=1):
            if entry.get("column") not in known:
                problems.append(f"layout '{name}', column entry {i}: field 'column' is {entry.get('column')!r}, not a codebook column")
        mapped = {e.get("column") for e in layout.get("columns", [])}
        for missing in sorted(known - mapped - {"respondent_id"}):
            problems.append(f"layout '{name}': codebook column '{missing}' has no mapping")
    try:
        re.compile(raw.get("identifying_pattern", ""))
    except re.error as exc:
        problems.append(f"field 'identifying_pattern' is not a valid pattern ({exc})")
    if problems:
        raise DataValidationError(path, problems)
    return raw


@lru_cache(maxsize=4)
def _mapping_cached(path: Path, _mtime: int) -> dict[str, Any]:
    return validate_mapping(path)


def load_mapping(path: Path | None = None) -> dict[str, Any]:
    path = Path(path or RAW_DIR / MAPPING_FILE)
    return _mapping_cached(path, path.stat().st_mtime_ns if path.exists() else 0)


def _norm(text: Any) -> str:
    """Text compared loosely: case, spacing and curly apostrophes do not matter."""
    return re.sub(r"\s+", " ", str(text).replace("\u2019", "'").replace("\u2018", "'").replace("\xa0", " ")).strip().casefold()


# --------------------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------------------


def _decode(data: bytes, path: Path) -> str:
    if b"\x00" in data[:4096]:
        raise DataValidationError(path, ["wrong format: the file is binary, not a CSV text file (is it a spreadsheet saved with the wrong name?)"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_grid(path: Path) -> tuple[pd.DataFrame | None, Any]:
    """Read a CSV or XLSX with no header interpretation: every cell text, empty cells missing."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = path.read_bytes()
        if not data.strip():
            raise DataValidationError(path, ["the file is empty"])
        text = _decode(data, path)
        try:
            grid = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_values=[""],
                               skip_blank_lines=True)
        except pd.errors.EmptyDataError:
            raise DataValidationError(path, ["the file is empty"]) from None
        except pd.errors.ParserError as exc:
            raise DataValidationError(path, [f"wrong format: cannot be read as CSV ({exc})"]) from None
        return grid, text
    if suffix in (".xlsx", ".xlsm"):
        try:
            grid = pd.read_excel(path, header=None, dtype=str, keep_default_na=False, na_values=[""])
        except Exception as exc:  # openpyxl raises many kinds of error for a broken workbook
            raise DataValidationError(path, [f"wrong format: cannot be read as an Excel workbook ({type(exc).__name__}: {exc})"]) from None
        if grid.empty:
            raise DataValidationError(path, ["the file is empty"])
        return grid, None
    raise DataValidationError(path, [f"wrong format: '{path.suffix or path.name}' files are not survey exports; use CSV, XLSX or Parquet"])


def _detect_layout(grid: pd.DataFrame, path: Path) -> str:
    first = {_norm(v) for v in grid.iloc[0].dropna()}
    if "respondent_id" in first:
        return "codebook"
    if len(grid) >= 3 and grid.iloc[2].dropna().astype(str).str.contains('"ImportId"', regex=False).any():
        return "qualtrics"
    if "respondent id" in first:
        return "surveymonkey"
    raise DataValidationError(path, [
        "wrong format: not a recognised survey file. Expected a SurveyMonkey export (two header rows, "
        "'Respondent ID' first), a Qualtrics export (three header rows, the third with ImportId) or the "
        "codebook's own layout (a 'respondent_id' column)"])


def _column_letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


@dataclass
class _Raw:
    """A file's answers keyed by codebook column, before checking."""

    frame: pd.DataFrame                # codebook column id -> categorical / text
    labels: dict[str, str]             # codebook column id -> how to name the column in messages
    header_rows: int
    layout: str
    dropped: list[str]
    ignored: list[str]


def _identifying(name: str, mapping: dict[str, Any]) -> bool:
    n = _norm(name)
    if n in {_norm(c) for c in mapping["identifying_columns"]}:
        return True
    pattern = mapping.get("identifying_pattern")
    return bool(pattern and re.search(pattern, n))


def _from_export(grid: pd.DataFrame, layout: str, path: Path, mapping: dict[str, Any]) -> _Raw:
    spec = mapping["layouts"][layout]
    header_rows = int(spec["header_rows"])
    if len(grid) < header_rows:
        raise DataValidationError(path, [f"wrong format: a {layout} export needs {header_rows} header rows"])
    heads = grid.iloc[:header_rows]
    body = grid.iloc[header_rows:].reset_index(drop=True)
    names = heads.iloc[0].tolist()
    if layout == "surveymonkey":
        questions = pd.Series(names).ffill().tolist()
        subs = heads.iloc[1].tolist()
        lookup = {(_norm(e["question"]), _norm(e["sub"])): e["column"] for e in spec["columns"]}
        keys = [(_norm(q), _norm(s) if isinstance(s, str) else "") for q, s in zip(questions, subs)]
    else:
        lookup = {_norm(e["import_id"]): e["column"] for e in spec["columns"]}
        keys = []
        for v in heads.iloc[2].tolist():
            try:
                keys.append(_norm(json.loads(v).get("ImportId", "")) if isinstance(v, str) else "")
            except (ValueError, AttributeError):
                keys.append("")
        questions = heads.iloc[1].tolist()
    columns: dict[str, pd.Series] = {}
    labels: dict[str, str] = {}
    dropped, ignored = [], []
    rid = _norm(spec["respondent_id"])
    for j, (name, key) in enumerate(zip(names, keys)):
        shown = str(name) if isinstance(name, str) else f"column {_column_letter(j)}"
        if isinstance(name, str) and _identifying(name, mapping):
            dropped.append(shown)
            continue
        if isinstance(name, str) and _norm(name) == rid:
            target = "respondent_id"
        else:
            target = lookup.get(key)
        if target is None:
            ignored.append(shown)
            continue
        if target in columns:
            raise DataValidationError(path, [f"column {_column_letter(j)}: maps to codebook column '{target}', which an earlier column already gives"])
        columns[target] = body.iloc[:, j]
        label_text = questions[j] if layout == "surveymonkey" else name
        sub = heads.iloc[1, j] if layout == "surveymonkey" else None
        short = str(label_text) if len(str(label_text)) <= 60 else str(label_text)[:57] + "..."
        detail = f"{short} – {sub}" if isinstance(sub, str) and _norm(sub) not in ("response", "") else short
        labels[target] = f"column {_column_letter(j)} ('{detail}')"
    frame = pd.DataFrame(columns) if columns else pd.DataFrame(index=body.index)
    return _Raw(frame, labels, header_rows, layout, dropped, ignored)


def _from_codebook_layout(path: Path, grid: pd.DataFrame | None, mapping: dict[str, Any]) -> _Raw:
    """Read the codebook's own layout; CSV and Parquet are read column-wise by Arrow (fast, memory-light)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several kinds of error for a broken file
            raise DataValidationError(path, [f"wrong format: cannot be read as Parquet ({type(exc).__name__}: {exc})"]) from None
    elif suffix == ".csv":
        import pyarrow as pa
        import pyarrow.csv as pacsv

        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns.tolist()
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
        frame = grid.iloc[1:].reset_index(drop=True)
        frame.columns = [str(c) for c in grid.iloc[0]]
    dropped = [c for c in frame.columns if c != "respondent_id" and _identifying(c, mapping)]
    frame = frame.drop(columns=dropped)
    known = set(load_codebook().column_ids)
    ignored = [c for c in frame.columns if c not in known]
    frame = frame.drop(columns=ignored)
    labels = {c: f"column '{c}'" for c in frame.columns}
    return _Raw(frame, labels, 1, "codebook", dropped, ignored)


# --------------------------------------------------------------------------------------
# Checking and converting
# --------------------------------------------------------------------------------------


def _as_category(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s
    if pd.api.types.is_bool_dtype(s.dtype) or isinstance(s.dtype, pd.BooleanDtype):
        return s.astype("string").str.lower().astype("category")
    return s.astype("string").astype("category")


def _recode(s: pd.Series, allowed: list[str], aliases: dict[str, str]) -> tuple[pd.Series, list[str]]:
    """Map a column's values onto ``allowed`` labels, loosely; return it and the values not recognised."""
    cat = _as_category(s)
    lookup = {_norm(a): a for a in allowed} | {_norm(k): v for k, v in aliases.items() if v in allowed}
    new, unknown = [], []
    for value in cat.cat.categories:
        target = lookup.get(_norm(value))
        if target is None and _norm(value) != "":
            unknown.append(value)
        new.append(target)
    codes = cat.cat.codes.to_numpy()
    mapped = np.array([allowed.index(t) if t is not None else -1 for t in new] + [-1], dtype=np.int16)
    out = pd.Series(pd.Categorical.from_codes(mapped[codes], categories=allowed), index=s.index)
    return out, unknown


def _rows_with(s: pd.Series, values: list[Any]) -> np.ndarray:
    cat = _as_category(s)
    return np.flatnonzero(cat.isin(values).to_numpy())


def _check_and_convert(raw: _Raw, cb: Codebook, mapping: dict[str, Any], path: Path) -> pd.DataFrame:
    problems: list[str] = []
    frame, labels, offset = raw.frame, raw.labels, raw.header_rows + 1
    aliases = mapping.get("answer_aliases", {}) or {}
    n = len(frame)
    if n == 0:
        raise DataValidationError(path, ["the file is empty: it has header rows but no responses"])

    def where(i: int, col: str) -> str:
        return f"row {i + offset}, {labels.get(col, col)}"

    # Required columns.
    for p in cb.profile:
        if p["id"] not in frame.columns:
            problems.append(f"required question '{p['text']}' (codebook column '{p['id']}') is missing from the file")
    for c in cb.columns:
        if c.required and c.id not in frame.columns:
            detail = c.text if c.sub_label == "Response" else f"{c.text} – {c.sub_label}"
            problems.append(f"required question '{detail}' (codebook column '{c.id}') is missing from the file")
    if problems:
        raise DataValidationError(path, problems)

    out: dict[str, Any] = {}
    ids = frame["respondent_id"].astype("string").str.strip()
    for i in np.flatnonzero(ids.isna().to_numpy()):
        problems.append(f"{where(i, 'respondent_id')}: respondent id is empty")
    dup = ids.duplicated(keep="first").to_numpy() & ids.notna().to_numpy()
    if dup.any():
        first_row = pd.Series(np.arange(n), index=ids.to_numpy()).groupby(level=0).min()
        for i in np.flatnonzero(dup):
            problems.append(f"{where(i, 'respondent_id')}: respondent id '{ids.iloc[i]}' repeats row {int(first_row[ids.iloc[i]]) + offset}")
    out["respondent_id"] = ids.reset_index(drop=True)

    for p in cb.profile[1:]:
        series, unknown = _recode(frame[p["id"]], list(p["values"]), aliases)
        for i in _rows_with(frame[p["id"]], unknown):
            problems.append(f"{where(i, p['id'])}: answer '{frame[p['id']].iloc[i]}' is not one of: {', '.join(p['values'])}")
        blank = np.flatnonzero(frame[p["id"]].isna().to_numpy())
        for i in blank:
            problems.append(f"{where(i, p['id'])}: no answer to a required question")
        out[p["id"]] = series.reset_index(drop=True)
    # Sectors as small integer codes (index in SECTOR_LABELS, -1 when missing): vectorised checks.
    sector_names = list(SECTOR_LABELS)
    sector_labels = [SECTOR_LABELS[k] for k in sector_names]
    sector = out["sector"]
    sector_code = np.array([sector_labels.index(c) for c in sector.cat.categories] + [-1])[sector.cat.codes.to_numpy()]
    org_sector = cb.raw["profile"][2].get("sector_of_value", {})
    org = out["organisation_type"]
    org_code = np.array([sector_names.index(org_sector[c]) if c in org_sector else -1 for c in org.cat.categories]
                        + [-1])[org.cat.codes.to_numpy()]
    for i in np.flatnonzero((org_code >= 0) & (sector_code >= 0) & (org_code != sector_code))[:MAX_PROBLEMS]:
        problems.append(f"{where(i, 'organisation_type')}: organisation type '{org.iloc[i]}' is not in the {str(sector.iloc[i]).lower()}")
    for c in cb.columns:
        if c.id not in frame.columns:
            continue
        s = frame[c.id]
        present = s.notna().to_numpy()
        if c.kind == "text":
            out[c.id] = s.astype("string").reset_index(drop=True)
        elif c.kind == "multi":
            cat = _as_category(s)
            truthy = {v for v in cat.cat.categories if _norm(v) in TRUE_TEXT or _norm(v) == _norm(c.sub_label)}
            falsy = {v for v in cat.cat.categories if _norm(v) in FALSE_TEXT}
            unknown = [v for v in cat.cat.categories if v not in truthy and v not in falsy]
            for i in _rows_with(s, unknown)[:MAX_PROBLEMS]:
                problems.append(f"{where(i, c.id)}: answer '{s.iloc[i]}' is not the option '{c.sub_label}' (leave it empty when not chosen)")
            out[c.id] = cat.isin(list(truthy)).to_numpy()
            present = cat.isin(list(truthy)).to_numpy()
        else:
            labels_ = cb.labels(c.scale)
            series, unknown = _recode(s, labels_, aliases)
            bad = _rows_with(s, unknown)
            for i in bad[:MAX_PROBLEMS]:
                problems.append(f"{where(i, c.id)}: answer '{s.iloc[i]}' is not on the question's scale ({', '.join(labels_)})")
            out[c.id] = series.reset_index(drop=True)
        if c.asked != "all":
            wrong = np.flatnonzero(present & (sector_code != sector_names.index(c.asked)) & (sector_code >= 0))
            for i in wrong[:MAX_PROBLEMS]:
                problems.append(f"{where(i, c.id)}: answers a question asked only of {SECTOR_LABELS[c.asked].lower()} "
                                f"respondents, but the respondent is {str(sector.iloc[i]).lower()}")
        if c.required and c.kind not in ("text", "multi"):
            asked = np.ones(n, dtype=bool) if c.asked == "all" else (sector_code == sector_names.index(c.asked))
            for i in np.flatnonzero(asked & ~s.notna().to_numpy())[:MAX_PROBLEMS]:
                problems.append(f"{where(i, c.id)}: no answer to a required question")
    if problems:
        def row_of(message: str) -> int:
            m = re.match(r"row (\d+)", message)
            return int(m.group(1)) if m else 0

        problems.sort(key=row_of)
        if len(problems) > MAX_PROBLEMS:
            problems = problems[:MAX_PROBLEMS] + [f"... and {len(problems) - MAX_PROBLEMS} more problems"]
        raise DataValidationError(path, problems)
    result = pd.DataFrame(out)
    result["respondent_id"] = result["respondent_id"].astype("string")
    for p in cb.profile[1:]:
        if list(result[p["id"]].cat.categories) != list(p["values"]):
            result[p["id"]] = result[p["id"]].cat.set_categories(list(p["values"]))
    for c in cb.columns:
        if c.id not in result.columns:
            result[c.id] = pd.array([pd.NA] * n, dtype="boolean" if c.kind == "multi" else "string") if c.kind in ("multi", "text") \
                else pd.Categorical([None] * n, categories=cb.labels(c.scale))
        elif c.kind == "multi":
            result[c.id] = pd.array(result[c.id].to_numpy(dtype=bool), dtype="boolean")
        elif c.kind == "text":
            result[c.id] = result[c.id].astype("string")
        elif list(result[c.id].cat.categories) != cb.labels(c.scale):
            result[c.id] = result[c.id].cat.set_categories(cb.labels(c.scale))
    return result[cb.column_ids]


def _data_kind(path: Path) -> str:
    return "synthetic" if "synthetic" in path.name.lower() or is_synthetic_file(path) else "export"


def load_survey(path: Path | str, codebook: Codebook | None = None, mapping: dict[str, Any] | None = None) -> SurveyData:
    """Load and validate a survey file (codebook layout, SurveyMonkey or Qualtrics; CSV, XLSX or Parquet).

    Raises :class:`DataValidationError` listing every problem with row and column.
    """
    path = Path(path)
    if not path.exists():
        raise DataValidationError(path, ["file not found"])
    if path.is_dir():
        raise DataValidationError(path, ["wrong format: this is a folder, not a survey file"])
    cb = codebook or load_codebook()
    mapping = mapping or load_mapping()
    if path.suffix.lower() == ".parquet":
        raw = _from_codebook_layout(path, None, mapping)
    else:
        if path.suffix.lower() == ".csv" and path.stat().st_size > 0:
            with path.open("rb") as fh:
                head = fh.read(4096)
            first_line = _decode(head, path).splitlines()[0] if head.strip() else ""
            import csv

            if "respondent_id" in [_norm(x) for x in next(csv.reader([first_line]), [])]:
                return SurveyData(_check_and_convert(_from_codebook_layout(path, None, mapping), cb, mapping, path),
                                  path, "codebook", _data_kind(path))
        grid, _ = _read_grid(path)
        layout = _detect_layout(grid, path)
        raw = _from_codebook_layout(path, grid, mapping) if layout == "codebook" else _from_export(grid, layout, path, mapping)
    frame = _check_and_convert(raw, cb, mapping, path)
    return SurveyData(frame, path, raw.layout, _data_kind(path), raw.dropped, raw.ignored)


def validate_survey(path: Path | str) -> list[str]:
    """Every problem of a survey file (empty when it is valid)."""
    try:
        load_survey(path)
    except DataValidationError as exc:
        return exc.problems
    return []


# --------------------------------------------------------------------------------------
# Writing export layouts (fixtures and round-trip checks)
# --------------------------------------------------------------------------------------


def _answers_as_text(frame: pd.DataFrame, cb: Codebook) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for cid in cb.column_ids:
        s = frame[cid]
        if isinstance(s.dtype, pd.BooleanDtype):
            c = cb.column(cid)
            out[cid] = [c.sub_label if v is True else None for v in s.astype(object)]
        else:
            out[cid] = [None if pd.isna(v) else str(v) for v in s.astype(object)]
    return out


def to_surveymonkey(frame: pd.DataFrame, people: pd.DataFrame | None = None) -> pd.DataFrame:
    """The responses as a SurveyMonkey export grid (two header rows), optionally with identifying columns."""
    cb, mapping = load_codebook(), load_mapping()
    values = _answers_as_text(frame, cb)
    head1, head2, cols = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
                          "First Name", "Last Name"], [None] * 8, []
    people = people if people is not None else pd.DataFrame(index=frame.index)
    meta = [frame["respondent_id"].tolist()] + [people.get(k, pd.Series([None] * len(frame))).tolist()
                                                 for k in ("collector", "start", "end", "ip", "email", "first", "last")]
    cols.extend(meta)
    previous = None
    for entry in mapping["layouts"]["surveymonkey"]["columns"]:
        head1.append(entry["question"] if entry["question"] != previous else None)
        head2.append(entry["sub"])
        previous = entry["question"]
        cols.append(values[entry["column"]])
    grid = pd.DataFrame([head1, head2] + [list(r) for r in zip(*cols)])
    return grid


def to_qualtrics(frame: pd.DataFrame, people: pd.DataFrame | None = None) -> pd.DataFrame:
    """The responses as a Qualtrics export grid (three header rows with ImportId)."""
    cb, mapping = load_codebook(), load_mapping()
    values = _answers_as_text(frame, cb)
    people = people if people is not None else pd.DataFrame(index=frame.index)
    fixed = [("StartDate", "Start Date", "startDate", people.get("start")), ("EndDate", "End Date", "endDate", people.get("end")),
             ("IPAddress", "IP Address", "ipAddress", people.get("ip")),
             ("ResponseId", "Response ID", "_recordId", frame["respondent_id"]),
             ("RecipientLastName", "Recipient Last Name", "recipientLastName", people.get("last")),
             ("RecipientFirstName", "Recipient First Name", "recipientFirstName", people.get("first")),
             ("RecipientEmail", "Recipient Email", "recipientEmail", people.get("email"))]
    h1, h2, h3, cols = [], [], [], []
    for name, text, import_id, series in fixed:
        h1.append(name); h2.append(text); h3.append(json.dumps({"ImportId": import_id}))
        cols.append(series.tolist() if series is not None else [None] * len(frame))
    for entry in mapping["layouts"]["qualtrics"]["columns"]:
        c = cb.column(entry["column"]) if entry["column"] in [x.id for x in cb.columns] else None
        text = next(p["text"] for p in cb.profile if p["id"] == entry["column"]) if c is None else (
            c.text if c.sub_label in ("Response", "Open-Ended Response") else f"{c.text} - {c.sub_label}")
        h1.append(entry["name"]); h2.append(text); h3.append(json.dumps({"ImportId": entry["import_id"]}))
        cols.append(values[entry["column"]])
    return pd.DataFrame([h1, h2, h3] + [list(r) for r in zip(*cols)])


def write_grid(grid: pd.DataFrame, path: Path | str, encoding: str = "utf-8") -> Path:
    """Write an export grid as CSV (in ``encoding``) or XLSX, without pandas' own header."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        grid.to_excel(path, header=False, index=False)
    else:
        grid.to_csv(path, header=False, index=False, encoding=encoding, lineterminator="\r\n")
    return path
