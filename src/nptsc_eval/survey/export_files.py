"""Reading a survey file into a grid of text cells: CSV in any common encoding and separator, XLSX, SPSS ``.sav``.

The first step of :func:`nptsc_eval.survey.exports.load_survey`: it checks the file (size, kind), decodes it,
finds its separator and its layout (codebook, SurveyMonkey or Qualtrics), and raises
:class:`SurveyValidationError` with the file and what is wrong when it cannot.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import stat
import zipfile
from pathlib import Path
from typing import Any
from collections.abc import Iterable

import numpy as np
import pandas as pd

from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import relative

MAX_BYTES = 500 * 1024 * 1024
#: Fewest complete responses an export needs before it can be analysed (at least one in each sector).
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
