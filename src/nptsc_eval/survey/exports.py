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

import codecs
import csv
import hashlib
import io
import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from collections.abc import Iterable

import numpy as np
import pandas as pd

from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR, relative
from nptsc_eval.sources import is_synthetic_file
from nptsc_eval.survey.codebook import SECTOR_LABELS, Codebook, load_codebook
from nptsc_eval.yaml_text import read_yaml_mapping

MAPPING_FILE = "survey_export_mapping.yml"
#: Most lines in a grouped problem summary; ``all_problems=True`` lists every cell.
MAX_SUMMARY_LINES = 30
#: Kept for callers that used it: most problems listed cell by cell.
MAX_PROBLEMS = MAX_SUMMARY_LINES
#: Largest survey file read, in bytes (a real export of the survey is a few megabytes).
MAX_BYTES = 500 * 1024 * 1024
#: Fewest complete responses an export needs before it can be analysed (at least one in each sector).
MIN_RESPONSES = 10
TRUE_TEXT = {"true", "yes", "1", "selected", "checked"}
FALSE_TEXT = {"false", "no", "0", "not selected", "unchecked"}
#: Qualtrics ``Status`` / ``DistributionChannel`` values of responses that are not real ones.
PREVIEW_STATUS = {"survey preview": "preview", "1": "preview", "preview": "preview",
                  "survey test": "test", "2": "test", "test": "test"}
SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet", ".sav")


class SurveyValidationError(DataValidationError):
    """A survey file's problems, grouped; ``count`` is the true number of problem cells."""

    def __init__(self, path: Path | str, problems: Iterable[str], count: int | None = None):
        problems = list(problems)
        super().__init__(path, problems)
        self.count = len(problems) if count is None else count
        lines = "\n".join(f"  - {p}" for p in self.problems)
        noun = "problem" if self.count == 1 else "problems"
        self.args = (f"{relative(self.path)} is not valid ({self.count:,} {noun}):\n{lines}",)

    def __str__(self) -> str:
        return str(self.args[0])


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


def _quote(value: Any, limit: int = 60) -> str:
    """A value for a message: one line, cut to ``limit`` characters, quoted."""
    text = " ".join(str(value).split())
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


# --------------------------------------------------------------------------------------
# What the file is
# --------------------------------------------------------------------------------------


def check_file(path: Path) -> int:
    """Refuse at once anything that is not a regular file of sensible size; return its size in bytes.

    A folder, a named pipe, a device or a socket is named as what it is, without reading it
    (reading a pipe or a device could wait for ever or never end).
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataValidationError(path, ["file not found"]) from None
    except OSError as exc:
        raise DataValidationError(path, [f"cannot be read ({exc.strerror or exc})"]) from None
    mode = st.st_mode
    what = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a device file" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
            else None if stat.S_ISREG(mode) else "not a regular file")
    if what:
        raise DataValidationError(path, [f"wrong format: this is {what}, not a survey file; give the export file itself"])
    if st.st_size > MAX_BYTES:
        raise DataValidationError(path, [f"the file is {st.st_size / 1024**2:,.0f} MB, over the limit of "
                                         f"{MAX_BYTES // 1024**2:,} MB for a survey file"])
    return st.st_size


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _decode(data: bytes, path: Path, notes: list[str] | None = None) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), UTF-16 (with a BOM, or plainly UTF-16), else Windows-1252."""
    notes = notes if notes is not None else []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        notes.append("read as UTF-16 text")
        return data.decode("utf-16")
    head = data[:4096]
    if b"\x00" in head:
        # UTF-16 without a byte-order mark: every other byte of plain text is zero.
        if head[1::2].count(0) > 0.9 * len(head[1::2]) and len(head) > 1:
            notes.append("read as UTF-16 text")
            return data.decode("utf-16-le", errors="replace")
        if head[0::2].count(0) > 0.9 * len(head[0::2]):
            notes.append("read as UTF-16 text")
            return data.decode("utf-16-be", errors="replace")
        raise DataValidationError(path, ["wrong format: the file is binary, not a CSV text file (is it a spreadsheet saved with the wrong name?)"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        notes.append("not UTF-8: read as Windows-1252 (Excel's 'CSV' on Windows)")
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> tuple[str, str]:
    """(delimiter, text without any ``sep=`` line): a ``sep=`` first line wins, else the one that splits the header most."""
    first, _, rest = text.partition("\n")
    m = re.fullmatch(r'"?sep=(.)"?\r?', first.strip("\ufeff"))
    if m:
        return m.group(1), rest
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best, text


def _duplicates(names: list[Any]) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for j, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            continue
        key = name.strip()
        if key in seen:
            problems.append(f"columns {_column_letter(seen[key])} and {_column_letter(j)} have the same name {_quote(key)}: "
                            "rename or delete one")
        else:
            seen[key] = j
    return problems


def _read_csv_text(text: str, path: Path, notes: list[str]) -> pd.DataFrame:
    sep, text = _delimiter(text)
    if sep != ",":
        notes.append(f"columns separated by {'semicolons' if sep == ';' else 'tabs' if sep == chr(9) else repr(sep)}")
    try:
        return pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_values=[""],
                           skip_blank_lines=True, sep=sep, engine="c")
    except pd.errors.EmptyDataError:
        raise DataValidationError(path, ["the file is empty"]) from None
    except pd.errors.ParserError as exc:
        raise DataValidationError(path, [f"wrong format: cannot be read as CSV ({exc})"]) from None


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def workbook_sheets(path: Path) -> list[str]:
    """The sheet names of an XLSX workbook, or a clear error for anything that is not one."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE2_MAGIC:
        data = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptedPackage" in data:
            raise DataValidationError(path, ["the workbook is password-protected (encrypted): open it in Excel, "
                                             "remove the password and save a copy, or export the survey again as CSV"])
        raise DataValidationError(path, ["wrong format: this is an old-style Excel (.xls) file with an .xlsx name; "
                                         "save it as .xlsx or CSV"])
    if not zipfile.is_zipfile(path):
        raise DataValidationError(path, ["wrong format: not an Excel workbook (an .xlsx file is a zip archive, and this "
                                         "is not one)"])
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataValidationError(path, [f"wrong format: a damaged zip archive, not a readable workbook ({exc})"]) from None
    if "xl/workbook.xml" not in names:
        shown = ", ".join(_quote(n, 40) for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise DataValidationError(path, [f"wrong format: a zip archive but not an Excel workbook (it holds {shown or 'nothing'})"])
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        sheets = list(wb.sheetnames)
        wb.close()
    except Exception as exc:  # openpyxl raises many kinds of error for a broken workbook
        raise DataValidationError(path, [f"wrong format: cannot be read as an Excel workbook ({type(exc).__name__}: {exc})"]) from None
    return sheets


def _read_workbook(path: Path, sheet: str | None, notes: list[str]) -> pd.DataFrame:
    sheets = workbook_sheets(path)
    if sheet is not None:
        chosen = sheet if sheet in sheets else sheets[int(sheet) - 1] if sheet.isdigit() and 0 < int(sheet) <= len(sheets) else None
        if chosen is None:
            raise DataValidationError(path, [f"the workbook has no sheet {_quote(sheet)}; its sheets are "
                                             + ", ".join(_quote(s) for s in sheets)])
    else:
        chosen = sheets[0]
        if len(sheets) > 1:
            notes.append(f"the workbook has {len(sheets)} sheets ({', '.join(_quote(s) for s in sheets)}): read the first, "
                         f"{_quote(chosen)}; choose another with --sheet")
    if sheet is not None:
        notes.append(f"read sheet {_quote(chosen)}")
    try:
        grid = pd.read_excel(path, sheet_name=chosen, header=None, dtype=str, keep_default_na=False, na_values=[""])
    except Exception as exc:  # openpyxl raises many kinds of error for a broken workbook
        raise DataValidationError(path, [f"wrong format: cannot be read as an Excel workbook ({type(exc).__name__}: {exc})"]) from None
    if grid.empty:
        raise DataValidationError(path, [f"the file is empty (sheet {_quote(chosen)} has no cells)"])
    return grid


def _read_sav(path: Path) -> pd.DataFrame:
    """An SPSS file as a one-header-row grid: variable names, then answers as their value labels."""
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=True, formats_as_category=False)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and others for a broken file
        raise DataValidationError(path, [f"wrong format: cannot be read as an SPSS .sav file ({type(exc).__name__}: {exc})"]) from None

    def text(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        s = str(v)
        return s if s.strip() else None

    body = [[text(v) for v in row] for row in frame.itertuples(index=False)]
    labels = [meta.column_names_to_labels.get(c) or c for c in frame.columns]
    return pd.DataFrame([list(frame.columns), labels] + body)


def _read_grid(path: Path, sheet: str | None = None, notes: list[str] | None = None) -> tuple[pd.DataFrame, str]:
    """Read a CSV, XLSX or SAV with no header interpretation: every cell text, empty cells missing.

    Returns the grid and what it came from ("csv", "xlsx", "sav").
    """
    notes = notes if notes is not None else []
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = path.read_bytes()
        if not data.strip():
            raise DataValidationError(path, ["the file is empty"])
        if data.startswith(b"PK\x03\x04"):
            raise DataValidationError(path, ["wrong format: a zip archive or workbook saved with a .csv name; "
                                             "give it its real name (.xlsx) or export CSV"])
        return _read_csv_text(_decode(data, path, notes), path, notes), "csv"
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook(path, sheet, notes), "xlsx"
    if suffix == ".sav":
        return _read_sav(path), "sav"
    raise DataValidationError(path, [f"wrong format: '{path.suffix or path.name}' files are not survey exports; "
                                     "use CSV, XLSX, SPSS (.sav) or Parquet"])


def _detect_layout(grid: pd.DataFrame, path: Path, source: str = "csv") -> str:
    first = {_norm(v) for v in grid.iloc[0].dropna()}
    if "respondent_id" in first:
        return "codebook"
    if len(grid) >= 3 and grid.iloc[2].dropna().astype(str).str.contains('"ImportId"', regex=False).any():
        return "qualtrics"
    if "respondent id" in first:
        return "surveymonkey"
    if source == "sav" and "responseid" in first:
        return "qualtrics_sav"
    raise DataValidationError(path, [
        "wrong format: not a recognised survey file. Expected a SurveyMonkey export (two header rows, "
        "'Respondent ID' first), a Qualtrics export (three header rows, the third with ImportId) or the "
        "codebook's own layout (a 'respondent_id' column); for other column names, write a mapping with "
        "'nptsc-eval map' and give it with --mapping"])


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
    status: dict[str, pd.Series] = field(default_factory=dict)   # Qualtrics Status, Finished, Progress...


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


# --------------------------------------------------------------------------------------
# Problems, grouped
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem cell: its kind (a short plural phrase), column label, row as a spreadsheet shows it, value."""

    kind: str
    column: str
    row: int
    message: str
    value: str = ""


def row_ranges(rows: Iterable[int], limit: int = 8) -> str:
    """Rows as ranges: ``[3, 4, 5, 9]`` → ``'rows 3–5, 9'``; more than ``limit`` ranges are counted.

    Examples:
        >>> row_ranges([3, 4, 5, 9])
        'rows 3–5, 9'
        >>> row_ranges([7])
        'row 7'
    """
    rows = sorted(set(rows))
    spans: list[tuple[int, int]] = []
    for r in rows:
        if spans and r == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], r)
        else:
            spans.append((r, r))
    shown = [f"{a}" if a == b else f"{a}–{b}" for a, b in spans[:limit]]
    more = f" and {len(spans) - limit:,} more ranges" if len(spans) > limit else ""
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(shown) + more


def summarise_problems(problems: list[Problem], all_problems: bool = False, limit: int = MAX_SUMMARY_LINES) -> list[str]:
    """One line per kind of problem and column (or every cell with ``all_problems``), at most ``limit`` lines."""
    if all_problems:
        return [p.message for p in sorted(problems, key=lambda p: p.row)]
    groups: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.kind, p.column), []).append(p)
    ordered = sorted(groups.values(), key=lambda g: min(p.row for p in g))
    lines = []
    for g in ordered:
        if len(g) == 1:
            lines.append(g[0].message)
            continue
        values = list(dict.fromkeys(p.value for p in g if p.value))
        shown = ", ".join(_quote(v, 40) for v in values[:3]) + (f" and {len(values) - 3:,} other values" if len(values) > 3 else "")
        lines.append(f"{g[0].column}: {len(g):,} {g[0].kind}{f' ({shown})' if shown else ''}, {row_ranges(p.row for p in g)}")
    if len(lines) > limit:
        rest = ordered[limit - 1:]
        lines = lines[: limit - 1] + [f"... and {len(rest):,} more kinds of problem ({sum(len(g) for g in rest):,} cells); "
                                      "run 'nptsc-eval validate --all' to list every one"]
    return lines


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


def _not_real(raw: _Raw) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(preview, test, unfinished) masks from Qualtrics Status, DistributionChannel, Finished and Progress."""
    n = len(raw.frame)
    kinds = np.array([""] * n, dtype=object)
    for key in ("status", "channel"):
        if key in raw.status:
            found = raw.status[key].map(lambda v: PREVIEW_STATUS.get(_norm(v), "") if isinstance(v, str) else "").to_numpy()
            kinds = np.where(kinds == "", found, kinds)
    unfinished = np.zeros(n, dtype=bool)
    if "finished" in raw.status:
        unfinished |= raw.status["finished"].map(lambda v: isinstance(v, str) and _norm(v) in FALSE_TEXT).to_numpy()
    if "progress" in raw.status:
        progress = pd.to_numeric(raw.status["progress"], errors="coerce").to_numpy()
        unfinished |= np.nan_to_num(progress, nan=100.0) < 100
    return kinds == "preview", kinds == "test", unfinished


def _check_and_convert(raw: _Raw, cb: Codebook, mapping: dict[str, Any], path: Path, *,
                       keep_incomplete: bool = False, all_problems: bool = False,
                       min_responses: int = MIN_RESPONSES) -> tuple[pd.DataFrame, dict[str, int], int]:
    """Check every cell and convert to the codebook layout; return (frame, left out by reason, incomplete kept)."""
    problems: list[Problem] = []
    frame, labels, offset = raw.frame, raw.labels, raw.header_rows + 1
    aliases = mapping.get("answer_aliases", {}) or {}
    n = len(frame)
    if n == 0:
        raise DataValidationError(path, ["the file is empty: it has header rows but no responses"])

    def label(col: str) -> str:
        return labels.get(col, col)

    def add(kind: str, i: int, col: str, message: str, value: Any = "") -> None:
        problems.append(Problem(kind, label(col), int(i) + offset, f"row {int(i) + offset}, {label(col)}: {message}",
                                "" if value is None or value is pd.NA else str(value)))

    # Required columns.
    missing_cols: list[str] = []
    for p in cb.profile:
        if p["id"] not in frame.columns:
            missing_cols.append(f"required question '{p['text']}' (codebook column '{p['id']}') is missing from the file")
    for c in cb.columns:
        if c.required and c.id not in frame.columns:
            detail = c.text if c.sub_label == "Response" else f"{c.text} – {c.sub_label}"
            missing_cols.append(f"required question '{detail}' (codebook column '{c.id}') is missing from the file")
    if missing_cols:
        raise SurveyValidationError(path, summarise_problems(
            [Problem(m, "", 0, m) for m in missing_cols], all_problems), len(missing_cols))

    preview, test, unfinished = _not_real(raw)
    out: dict[str, Any] = {}
    ids = frame["respondent_id"].astype("string").str.strip()
    for i in np.flatnonzero(ids.isna().to_numpy() & ~preview & ~test):
        add("empty respondent ids", i, "respondent_id", "respondent id is empty")
    dup = ids.duplicated(keep="first").to_numpy() & ids.notna().to_numpy()
    if dup.any():
        first_row = pd.Series(np.arange(n), index=ids.to_numpy()).groupby(level=0).min()
        for i in np.flatnonzero(dup):
            add("repeated respondent ids", i, "respondent_id",
                f"respondent id '{ids.iloc[i]}' repeats row {int(first_row[ids.iloc[i]]) + offset}", ids.iloc[i])
    out["respondent_id"] = ids.reset_index(drop=True)

    # A response is incomplete when a required question asked of it has no answer.
    unanswered = np.zeros(n, dtype=bool)
    for p in cb.profile[1:]:
        series, unknown = _recode(frame[p["id"]], list(p["values"]), aliases)
        for i in _rows_with(frame[p["id"]], unknown):
            add("answers not among the choices", i, p["id"],
                f"answer {_quote(frame[p['id']].iloc[i])} is not one of: {', '.join(p['values'])}", frame[p["id"]].iloc[i])
        unanswered |= frame[p["id"]].isna().to_numpy()
        out[p["id"]] = series.reset_index(drop=True)
    profile_missing = unanswered.copy()
    # Sectors as small integer codes (index in SECTOR_LABELS, -1 when missing): vectorised checks.
    sector_names = list(SECTOR_LABELS)
    sector_labels = [SECTOR_LABELS[k] for k in sector_names]
    sector = out["sector"]
    sector_code = np.array([sector_labels.index(c) for c in sector.cat.categories] + [-1])[sector.cat.codes.to_numpy()]
    org_sector = cb.raw["profile"][2].get("sector_of_value", {})
    org = out["organisation_type"]
    org_code = np.array([sector_names.index(org_sector[c]) if c in org_sector else -1 for c in org.cat.categories]
                        + [-1])[org.cat.codes.to_numpy()]
    for i in np.flatnonzero((org_code >= 0) & (sector_code >= 0) & (org_code != sector_code)):
        add("organisation types outside the respondent's sector", i, "organisation_type",
            f"organisation type '{org.iloc[i]}' is not in the {str(sector.iloc[i]).lower()}", org.iloc[i])
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
            for i in _rows_with(s, unknown):
                add(f"answers that are not the option '{c.sub_label}'", i, c.id,
                    f"answer {_quote(s.iloc[i])} is not the option '{c.sub_label}' (leave it empty when not chosen)", s.iloc[i])
            out[c.id] = cat.isin(list(truthy)).to_numpy()
            present = cat.isin(list(truthy)).to_numpy()
        else:
            labels_ = cb.labels(c.scale)
            series, unknown = _recode(s, labels_, aliases)
            for i in _rows_with(s, unknown):
                add(f"answers not on the question's scale ({', '.join(labels_)})", i, c.id,
                    f"answer {_quote(s.iloc[i])} is not on the question's scale ({', '.join(labels_)})", s.iloc[i])
            out[c.id] = series.reset_index(drop=True)
        if c.asked != "all":
            wrong = np.flatnonzero(present & (sector_code != sector_names.index(c.asked)) & (sector_code >= 0))
            for i in wrong:
                add(f"answers to a question asked only of {SECTOR_LABELS[c.asked].lower()} respondents", i, c.id,
                    f"answers a question asked only of {SECTOR_LABELS[c.asked].lower()} respondents, "
                    f"but the respondent is {str(sector.iloc[i]).lower()}")
        if c.required and c.kind not in ("text", "multi"):
            asked = np.ones(n, dtype=bool) if c.asked == "all" else (sector_code == sector_names.index(c.asked))
            unanswered |= asked & ~s.notna().to_numpy()
    not_real = preview | test
    incomplete = (unanswered | unfinished) & ~not_real
    # Preview, test and (unless kept) incomplete rows are left out before their cells are judged.
    dropped_rows = not_real | (incomplete & ((not keep_incomplete) | profile_missing))
    kept_rows = np.flatnonzero(~dropped_rows)
    real = [p for p in problems if not dropped_rows[p.row - offset]]
    if real:
        raise SurveyValidationError(path, summarise_problems(real, all_problems), len(real))
    left_out = {"incomplete": int((incomplete & dropped_rows).sum()), "preview": int(preview.sum()),
                "test": int((test & ~preview).sum())}
    kept_incomplete = int((incomplete & ~dropped_rows).sum())
    result = pd.DataFrame(out).iloc[kept_rows].reset_index(drop=True)
    sector_kept = sector_code[kept_rows]
    if len(result) < min_responses or not all((sector_kept == k).any() for k in range(len(sector_names))):
        counts = ", ".join(f"{(sector_kept == k).sum():,} {SECTOR_LABELS[s].lower()}" for k, s in enumerate(sector_names))
        raise SurveyValidationError(path, [
            f"too few responses to analyse: {len(result):,} usable ({counts}); the analysis needs at least "
            f"{min_responses:,} complete responses, with at least one from each sector"
            + (f" ({sum(left_out.values()):,} left out as incomplete, preview or test)" if sum(left_out.values()) else "")])
    result["respondent_id"] = result["respondent_id"].astype("string")
    # An incomplete response kept that chose no option of a multi-select question (SurveyMonkey and
    # Qualtrics leave unchosen options blank) did not answer it: its options are missing, not "not chosen".
    kept_incomplete_rows = (incomplete & ~dropped_rows)[kept_rows]
    multi_missing: dict[str, np.ndarray] = {}
    if kept_incomplete_rows.any():
        for q in cb.questions:
            if q["kind"] != "multi":
                continue
            ids = [c.id for c in cb.question_columns(q["id"]) if c.id in result.columns]
            if ids:
                none = ~np.column_stack([np.asarray(result[i], dtype=bool) for i in ids]).any(axis=1)
                for i in ids:
                    multi_missing[i] = none & kept_incomplete_rows
    n = len(result)
    for p in cb.profile[1:]:
        if list(result[p["id"]].cat.categories) != list(p["values"]):
            result[p["id"]] = result[p["id"]].cat.set_categories(list(p["values"]))
    for c in cb.columns:
        if c.id not in result.columns:
            result[c.id] = pd.array([pd.NA] * n, dtype="boolean" if c.kind == "multi" else "string") if c.kind in ("multi", "text") \
                else pd.Categorical([None] * n, categories=cb.labels(c.scale))
        elif c.kind == "multi":
            values = pd.array(result[c.id].to_numpy(dtype=bool), dtype="boolean")
            if c.id in multi_missing:
                values[multi_missing[c.id]] = pd.NA
            result[c.id] = values
        elif c.kind == "text":
            result[c.id] = result[c.id].astype("string")
        elif list(result[c.id].cat.categories) != cb.labels(c.scale):
            result[c.id] = result[c.id].cat.set_categories(cb.labels(c.scale))
    return result[cb.column_ids], left_out, kept_incomplete


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
