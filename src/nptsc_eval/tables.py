"""Loading and validating the raw tables.

Every table in ``data/raw/`` is a CSV file with a metadata file beside it
(``name.csv`` + ``name.meta.yml``).  The metadata records where the table comes from in the
source report (its provenance), what each column means (the data dictionary) and the rules
the data must follow: types, allowed values, required columns, unique keys and published
totals.  :func:`load_table` turns those rules into a :mod:`pandera` schema, validates the
file, and raises :class:`DataValidationError` with one line per problem, each naming the
file, row and column.

Rows are counted as a spreadsheet shows them: the header is row 1, so the first record is
row 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import ConfigDict, ValidationError

from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR, relative
from nptsc_eval.caching import cached_by_file, copy_frame
from nptsc_eval.problems import RawRecord, problems_from, validate_records
from nptsc_eval.yaml_text import read_yaml_mapping

#: Column types a metadata file may declare, and the pandas dtype each becomes.
FIELD_TYPES = {
    "string": "string",
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
}

#: Text that means "true" or "false" in a boolean column.
BOOLEAN_TEXT = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


@dataclass(frozen=True)
class FieldSpec:
    """One column of a table as its metadata describes it."""

    name: str
    type: str = "string"
    description: str = ""
    required: bool = True
    nullable: bool = False
    unique: bool = False
    enum: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FieldSpec:
        if d.get("type", "string") not in FIELD_TYPES:
            raise ValueError(f"field {d.get('name')!r} has unknown type {d.get('type')!r}")
        return cls(
            name=d["name"],
            type=d.get("type", "string"),
            description=d.get("description", ""),
            required=d.get("required", True),
            nullable=d.get("nullable", False),
            unique=d.get("unique", False),
            enum=tuple(d["enum"]) if "enum" in d else None,
            minimum=d.get("minimum"),
            maximum=d.get("maximum"),
        )


@dataclass(frozen=True)
class TableMeta:
    """Provenance, data dictionary and rules of one raw table."""

    name: str
    path: Path
    title: str
    source: dict[str, Any]
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...] = ()
    totals: tuple[dict[str, Any], ...] = ()
    notes: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def meta_path(self) -> Path:
        return self.path.with_suffix(".meta.yml")


def meta_path_for(csv_path: Path) -> Path:
    return csv_path.with_suffix(".meta.yml")


class FieldEntry(RawRecord):
    """One entry of a metadata file's ``fields``: a column of the table."""

    name: str
    type: Literal["string", "integer", "number", "boolean"] = "string"
    description: str = ""
    required: bool = True
    nullable: bool = False
    unique: bool = False
    enum: list[Any] | None = None
    minimum: float | None = None
    maximum: float | None = None


class MetaFile(RawRecord):
    """A table's metadata file (``name.meta.yml``): provenance, data dictionary and rules.

    Keys other than these are kept (in :attr:`TableMeta.raw`) for the checks that read them.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    title: str
    source: dict[str, Any]
    fields: list[Any]
    primary_key: list[str] = []
    totals: list[dict[str, Any]] = []
    notes: list[str] = []


def read_meta(csv_path: Path) -> TableMeta:
    """Read the metadata file that sits beside ``csv_path``; every problem names its key or entry and field.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     csv = Path(folder) / "t.csv"
    ...     _ = csv.with_suffix(".meta.yml").write_text("title: T\\nsource: {}\\nfields:\\n  - {name: a, type: text}\\n")
    ...     try:
    ...         read_meta(csv)
    ...     except DataValidationError as exc:
    ...         print(exc.problems)
    ["entry 1 ('a'), field 'type': input should be 'string', 'integer', 'number' or 'boolean' (found 'text')"]
    """
    mpath = meta_path_for(csv_path)
    if not mpath.exists():
        raise DataValidationError(csv_path, [f"no metadata file: expected {relative(mpath)} beside it"])
    d = read_yaml_mapping(mpath, "a metadata file")
    try:
        meta = MetaFile.model_validate(d)
    except ValidationError as exc:
        raise DataValidationError(mpath, [str(p) for p in problems_from(exc, field="key")]) from None
    entries = validate_records(mpath, meta.fields, FieldEntry, key=lambda f: f.get("name"))
    fields = tuple(FieldSpec(name=f.name, type=f.type, description=f.description, required=f.required,
                             nullable=f.nullable, unique=f.unique, enum=tuple(f.enum) if f.enum is not None else None,
                             minimum=f.minimum, maximum=f.maximum) for f in entries)
    return TableMeta(
        name=csv_path.stem,
        path=csv_path,
        title=meta.title,
        source=meta.source,
        fields=fields,
        primary_key=tuple(meta.primary_key),
        totals=tuple(meta.totals),
        notes=tuple(meta.notes),
        raw=d,
    )


def _schema(meta: TableMeta):
    import pandera.pandas as pa

    columns = {}
    for f in meta.fields:
        checks = []
        if f.enum is not None:
            cast = {"integer": int, "number": float}.get(f.type, str)
            checks.append(pa.Check.isin([cast(v) for v in f.enum]))
        if f.minimum is not None:
            checks.append(pa.Check.ge(f.minimum))
        if f.maximum is not None:
            checks.append(pa.Check.le(f.maximum))
        columns[f.name] = pa.Column(
            FIELD_TYPES[f.type] if f.type != "boolean" else "boolean",
            checks=checks,
            nullable=f.nullable,
            unique=f.unique,
            required=f.required,
            coerce=f.type != "boolean",
        )
    return pa.DataFrameSchema(
        columns,
        strict=True,
        unique=list(meta.primary_key) or None,
        report_duplicates="all",
    )


def _describe_failure(row: pd.Series, frame: pd.DataFrame) -> tuple[str, str]:
    """Turn one pandera failure case into (location, message)."""
    column = row["column"]
    check = str(row["check"])
    value = row["failure_case"]
    index = row["index"]
    where = []
    if index is not None and not (isinstance(index, float) and pd.isna(index)):
        where.append(f"row {int(index) + 2}")
    if isinstance(column, str):
        where.append(f"column '{column}'")
    location = ", ".join(where)
    if check == "column_in_schema":
        return "", f"column '{value}' is not in the data dictionary"
    if check == "column_in_dataframe":
        return "", f"required column '{value}' is missing"
    if check.startswith("coerce_dtype") or check.startswith("dtype"):
        return location, f"value {value!r} is not of the declared type ({check})"
    if check == "not_nullable":
        return location, "value is empty but the column is required"
    if check in ("field_uniqueness", "multiple_fields_uniqueness"):
        return location, f"value {value!r} repeats a key that must be unique"
    if check.startswith("isin"):
        return location, f"value {value!r} is not one of the allowed values"
    return location, f"value {value!r} fails {check}"


def _failures_to_messages(failure_cases: pd.DataFrame, frame: pd.DataFrame) -> list[str]:
    coerce_failed = set(
        failure_cases.loc[failure_cases["check"].astype(str).str.startswith("coerce_dtype"), "column"]
    )
    seen: set[str] = set()
    messages: list[tuple[int, str]] = []
    for _, row in failure_cases.iterrows():
        check = str(row["check"])
        if row["column"] in coerce_failed and not check.startswith("coerce_dtype"):
            # A value that could not be converted also fails the type and range checks:
            # report the conversion once and nothing else for that column.
            if check.startswith("dtype") or row["index"] is None or "TypeError" in str(row["failure_case"]):
                continue
        location, message = _describe_failure(row, frame)
        text = f"{location}: {message}" if location else message
        if text in seen:
            continue
        seen.add(text)
        index = row["index"]
        order = int(index) if isinstance(index, (int, float)) and not pd.isna(index) else -1
        messages.append((order, text))
    return [m for _, m in sorted(messages, key=lambda t: t[0])]


def _convert_booleans(frame: pd.DataFrame, meta: TableMeta) -> tuple[pd.DataFrame, list[str]]:
    problems = []
    out = frame.copy()
    for f in meta.fields:
        if f.type != "boolean" or f.name not in out.columns:
            continue
        values = []
        for i, v in enumerate(out[f.name]):
            if pd.isna(v):
                values.append(pd.NA)
            elif str(v).strip().lower() in BOOLEAN_TEXT:
                values.append(BOOLEAN_TEXT[str(v).strip().lower()])
            else:
                problems.append(f"row {i + 2}, column '{f.name}': value {v!r} is not true or false")
                values.append(pd.NA)
        out[f.name] = pd.array(values, dtype="boolean")
    return out, problems


def row_ranges(rows: list[int]) -> str:
    """Spreadsheet row numbers as short ranges: [2, 3, 4, 6] → "rows 2–4 and 6"."""
    rows = sorted(set(rows))
    spans: list[list[int]] = []
    for r in rows:
        if spans and r == spans[-1][1] + 1:
            spans[-1][1] = r
        else:
            spans.append([r, r])
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in spans]
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return ("row " if len(rows) == 1 else "rows ") + text


def _check_totals(frame: pd.DataFrame, meta: TableMeta) -> list[str]:
    """Check each published total of the metadata against the sum of its column.

    ``totals: [{column, expected, label, source, where}]``: the rows selected by ``where``
    (all rows without it) must add up to ``expected``, the total the source prints.  A
    mismatch names the rows and the column that make up the total, so the typo is among them.
    """
    problems = []
    for total in meta.totals:
        column, expected = total["column"], total["expected"]
        subset = frame
        for key, value in (total.get("where") or {}).items():
            subset = subset[subset[key].astype(str) == str(value)]
        label = total.get("label", f"total of '{column}'")
        source = total.get("source", meta.source.get("location", "source"))
        if subset.empty:
            where = ", ".join(f"{k} = {v!r}" for k, v in (total.get("where") or {}).items())
            problems.append(f"column '{column}': no row has {where}, so {label} cannot be checked against"
                            f" the {expected:g} the source publishes ({source})")
            continue
        computed = pd.to_numeric(subset[column], errors="coerce").sum()
        if computed != expected:
            rows = row_ranges([int(i) + 2 for i in subset.index])
            problems.append(
                f"{rows}, column '{column}': {label} is {computed:g} but the source publishes {expected:g}"
                f" ({source}); one of these cells differs from the source"
                if len(subset) > 1 else
                f"{rows}, column '{column}': {label} is {computed:g} but the source publishes {expected:g} ({source})"
            )
    return problems


def _check_row_rules(frame: pd.DataFrame, meta: TableMeta) -> list[str]:
    """Row rules of the metadata: a column that must be filled, or left empty, given another's value.

    ``rules: [{column: value, required_when: {value_status: [reported]}}]`` says ``value``
    must be filled in rows whose ``value_status`` is ``reported``; ``empty_when`` the reverse.
    """
    problems = []
    for rule in meta.raw.get("rules", []) or []:
        column = rule["column"]
        for kind in ("required_when", "empty_when"):
            for other, allowed in (rule.get(kind) or {}).items():
                allowed = [str(a) for a in (allowed if isinstance(allowed, list) else [allowed])]
                hit = frame[other].astype(str).isin(allowed)
                bad = hit & (frame[column].isna() if kind == "required_when" else frame[column].notna())
                for i in frame.index[bad]:
                    need = "must be filled" if kind == "required_when" else "must be empty"
                    problems.append(f"row {i + 2}, column '{column}': {need} when '{other}' is {frame.at[i, other]!r}")
    return problems


def validate_frame(frame: pd.DataFrame, meta: TableMeta) -> pd.DataFrame:
    """Validate ``frame`` (read as text) against ``meta``; return it with declared types."""
    import pandera.pandas as pa

    frame, problems = _convert_booleans(frame, meta)
    if frame.empty:
        raise DataValidationError(meta.path, ["the file has no data rows"])
    try:
        typed = _schema(meta).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems = problems + _failures_to_messages(exc.failure_cases, frame)
        raise DataValidationError(meta.path, problems) from None
    if problems:
        raise DataValidationError(meta.path, problems)
    total_problems = _check_row_rules(typed, meta) + _check_totals(typed, meta)
    if total_problems:
        raise DataValidationError(meta.path, total_problems)
    return typed


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a CSV with every cell as text; only an empty cell is missing ("n/a" stays text)."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except FileNotFoundError:
        raise DataValidationError(path, ["file not found"]) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataValidationError(path, [f"cannot be read as UTF-8 CSV: {exc}"]) from None
    except pd.errors.EmptyDataError:
        raise DataValidationError(path, ["the file is empty"]) from None


def load_table(name: str, raw_dir: Path | None = None) -> pd.DataFrame:
    """Load ``data/raw/<name>.csv`` validated against ``<name>.meta.yml``.

    The result is a fresh copy with the declared column types; the file is never modified.

    Examples:
        >>> outputs = load_table("table_2_1_programme_outputs")
        >>> int(outputs.query("project_id == 'london_councils_pilot' and measure == 'participants'")["value"].iloc[0])
        28
    """
    path = (raw_dir or RAW_DIR) / f"{name}.csv"
    return _load_cached(path)


@cached_by_file(maxsize=64, copy=copy_frame)
def _load_cached(path: Path) -> pd.DataFrame:
    meta = read_meta(path)
    return validate_frame(read_csv_text(path), meta)


def table_meta(name: str, raw_dir: Path | None = None) -> TableMeta:
    """The metadata (provenance and data dictionary) of a raw table."""
    return read_meta((raw_dir or RAW_DIR) / f"{name}.csv")


def raw_tables(raw_dir: Path | None = None) -> list[str]:
    """Names of every CSV table in ``data/raw/`` that has a metadata file."""
    folder = raw_dir or RAW_DIR
    return sorted(p.stem for p in folder.glob("*.csv") if meta_path_for(p).exists())


def validate_all(raw_dir: Path | None = None) -> list[DataValidationError]:
    """Validate every raw table; return the errors (empty when all is well)."""
    folder = raw_dir or RAW_DIR
    errors = []
    for csv in sorted(folder.glob("*.csv")):
        try:
            _load_cached(csv)
        except DataValidationError as exc:
            errors.append(exc)
    return errors


def data_dictionary(raw_dir: Path | None = None) -> pd.DataFrame:
    """One row per column of every raw table: table, column, type, description, source."""
    rows = []
    for name in raw_tables(raw_dir):
        meta = table_meta(name, raw_dir)
        for f in meta.fields:
            rows.append(
                {
                    "table": f"{name}.csv",
                    "column": f.name,
                    "type": f.type,
                    "description": f.description,
                    "source": meta.source.get("location", ""),
                }
            )
    return pd.DataFrame(rows)
