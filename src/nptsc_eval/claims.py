"""Claims audit: every checkable statement of the source report tested against the data.

The claims register (``data/raw/claims_register.yml``) holds one entry per statement: where
the source makes it, the statement in our own words, the kind of check, the value the source
states (``expected``) and the evidence to test it against (``evidence``): a fact that a
notebook computed (see :mod:`nptsc_eval.facts`), a sum or ratio of facts, a value from a
processed table, a survey finding, or a value the source states in another place.

Kinds of check:

* ``equals``: the evidence equals the stated value (text is compared after tidying spaces,
  dashes and quotation marks);
* ``within_tolerance``: the evidence is within ``tolerance`` of the stated value (rounding);
* ``within_range``: the evidence lies in a range, usually that of a phrase such as
  "approximately half", which the register's ``phrases`` section defines;
* ``greater_than`` / ``at_least``: the evidence is above (or reaches) a target;
* ``sums_to``: parts add up to the total the source states;
* ``consistency``: two statements of the source should agree; ``rule`` names one of the
  checks above to compare them.

A verdict is one of :data:`STATUSES`.  A check that holds is ``reproduced``.  A consistency
check that fails is ``inconsistent_in_source``: the report contradicts itself.  Any other
check that fails ``differs``: the data does not support the statement.  A claim whose evidence
is in no data the project holds is ``not_checkable``, and the register says what is missing.
A claim whose evidence refers to a fact or file that does not exist raises
:class:`~nptsc_eval.errors.PipelineError` naming the claim, so the register cannot rot.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from pathlib import Path
from typing import Any, Literal, Union

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nptsc_eval.errors import DataValidationError, PipelineError
from nptsc_eval.paths import PROCESSED_DIR, RAW_DIR
from nptsc_eval.yaml_text import read_yaml_mapping

#: Verdicts, in the order tables and charts show them.
STATUSES = ["reproduced", "differs", "inconsistent_in_source", "not_checkable"]
#: Plain-English labels of the verdicts.
STATUS_LABELS = {
    "reproduced": "reproduced",
    "differs": "differs from the data",
    "inconsistent_in_source": "inconsistent in the source",
    "not_checkable": "not checkable",
}
#: Rule kinds a claim may use; ``consistency`` compares two statements with one of the others.
RULES = ["equals", "within_tolerance", "within_range", "greater_than", "at_least", "sums_to"]
KINDS = RULES + ["consistency"]
#: Where in the source a claim is made: the book groups verdicts by these.
CHAPTERS = ["Executive summary"] + [f"Chapter {i}" for i in range(1, 8)] + [f"Appendix {i}" for i in range(1, 4)]
#: The survey findings file the survey notebook writes (statement, computed value, data kind).
SURVEY_FINDINGS = "survey_findings.csv"
#: The facts file (``facts_<name>.csv``) whose values rest on survey responses.
SURVEY_PRODUCER = "survey"
#: Columns of the audit table, in order.
AUDIT_COLUMNS = ["claim_id", "chapter", "source_location", "statement", "kind", "rule", "expected", "computed",
                 "status", "explanation", "other_location", "other_statement", "evidence", "data_kind"]

FACT_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_\-]+)+$")
Scalar = Union[bool, int, float, str, dt.date]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phrase(_Strict):
    """A quantified phrase of the source and the range of proportions (0 to 1) it allows."""

    id: str
    wording: str
    lower: float = Field(ge=0, le=1)
    upper: float = Field(ge=0, le=1)
    lower_inclusive: bool = True
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> "Phrase":
        if self.lower > self.upper:
            raise ValueError(f"lower ({self.lower}) is above upper ({self.upper})")
        return self

    def contains(self, value: float) -> bool:
        above = value >= self.lower if self.lower_inclusive else value > self.lower
        return above and value <= self.upper

    def label(self) -> str:
        low = f"{self.lower:.2f}" if self.lower_inclusive else f"more than {self.lower:.2f}"
        return f"{low} to {self.upper:.2f} ('{self.wording}')"


class Ratio(_Strict):
    """Sum of ``part`` facts divided by the sum of ``base`` facts."""

    part: list[str] = Field(min_length=1)
    base: list[str] = Field(min_length=1)


class TableQuery(_Strict):
    """A value from a processed CSV: rows filtered by ``where``, one column, aggregated."""

    file: str
    column: str
    where: dict[str, Scalar] = Field(default_factory=dict)
    aggregate: Literal["value", "sum", "count", "nunique", "max"] = "value"

    @field_validator("file")
    @classmethod
    def _csv_in_processed(cls, v: str) -> str:
        if "/" in v or not v.endswith(".csv"):
            raise ValueError("must be the name of a CSV file in data/processed/ (no folders)")
        return v


_OPERATIONS = ("fact", "sum", "max", "ratio", "table", "finding", "stated", "stated_sum", "days_between",
               "days_between_facts")


class Evidence(_Strict):
    """Where a value comes from: exactly one operation, optionally multiplied by ``scale``."""

    fact: str | None = None
    sum: list[str] | None = Field(default=None, min_length=1)
    max: list[str] | None = Field(default=None, min_length=1)
    ratio: Ratio | None = None
    table: TableQuery | None = None
    finding: str | None = None
    stated: Scalar | None = None
    stated_sum: list[float] | None = Field(default=None, min_length=1)
    days_between: list[dt.date] | None = Field(default=None, min_length=2, max_length=2)
    days_between_facts: list[str] | None = Field(default=None, min_length=2, max_length=2)
    scale: float = 1.0

    @model_validator(mode="after")
    def _one_operation(self) -> "Evidence":
        used = [op for op in _OPERATIONS if op in self.model_fields_set]
        if len(used) != 1:
            raise ValueError(f"give exactly one of {', '.join(_OPERATIONS)} (found {', '.join(used) or 'none'})")
        for fid in self.fact_ids():
            if not FACT_ID.match(fid):
                raise ValueError(f"{fid!r} is not a fact id (dot-separated lower-case words)")
        return self

    @property
    def operation(self) -> str:
        return next(op for op in _OPERATIONS if op in self.model_fields_set)

    def fact_ids(self) -> list[str]:
        ids = [self.fact] if self.fact else []
        ids += list(self.sum or []) + list(self.max or []) + list(self.days_between_facts or [])
        if self.ratio:
            ids += self.ratio.part + self.ratio.base
        return ids

    def describe(self) -> str:
        """Short text naming the evidence, for the audit table."""
        op = self.operation
        scale = f" × {self.scale:g}" if self.scale != 1 else ""
        if op == "fact":
            return f"fact {self.fact}{scale}"
        if op in ("sum", "max"):
            return f"{op} of facts {', '.join(getattr(self, op))}{scale}"
        if op == "ratio":
            return f"({' + '.join(self.ratio.part)}) / ({' + '.join(self.ratio.base)}){scale}"
        if op == "table":
            where = ", ".join(f"{k} = {v}" for k, v in self.table.where.items())
            return f"{self.table.aggregate} of {self.table.file}:{self.table.column}" + (f" where {where}" if where else "")
        if op == "finding":
            return f"survey finding {self.finding} ({SURVEY_FINDINGS}){scale}"
        if op == "days_between_facts":
            return f"days from fact {self.days_between_facts[0]} to fact {self.days_between_facts[1]}"
        if op == "days_between":
            return f"days from {self.days_between[0]} to {self.days_between[1]} (stated in the source)"
        return "stated in the source"


class Claim(_Strict):
    """One checkable statement of the source report and how to test it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    chapter: Literal[tuple(CHAPTERS)]  # type: ignore[valid-type]
    source_location: str = Field(min_length=3)
    statement: str = Field(min_length=10)
    kind: Literal[tuple(KINDS)]  # type: ignore[valid-type]
    rule: Literal[tuple(RULES)] | None = None  # type: ignore[valid-type]
    expected: Evidence | Scalar | None = None
    phrase: str | None = None
    range: tuple[float, float] | None = None
    tolerance: float | None = Field(default=None, ge=0)
    evidence: Evidence | None = None
    missing_evidence: str | None = None
    other_location: str | None = None
    other_statement: str | None = None
    explanation: str | None = None
    pending: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> "Claim":
        if self.missing_evidence is not None:
            if self.evidence is not None:
                raise ValueError("a claim has either evidence or missing_evidence, not both")
            return self
        if self.evidence is None:
            raise ValueError("evidence is required (or missing_evidence saying which evidence the project lacks)")
        if self.kind == "consistency":
            if self.rule is None:
                raise ValueError("a consistency check needs a rule (equals, within_tolerance, ...)")
            for name in ("other_location", "other_statement", "explanation"):
                if not getattr(self, name):
                    raise ValueError(f"a consistency check needs {name}")
        elif self.rule is not None and self.rule != self.kind:
            raise ValueError("rule is only for consistency checks")
        rule = self.check_rule
        if rule == "within_range":
            if (self.phrase is None) == (self.range is None):
                raise ValueError("within_range needs either a phrase (from the register's phrases) or a range [lower, upper]")
        elif self.expected is None:
            raise ValueError(f"{rule} needs expected: the value the source states")
        if rule == "within_tolerance" and self.tolerance is None:
            raise ValueError("within_tolerance needs a tolerance")
        if rule == "sums_to" and self.evidence.operation not in ("sum", "stated_sum"):
            raise ValueError("sums_to needs evidence that is a sum (sum or stated_sum)")
        return self

    @property
    def check_rule(self) -> str:
        return self.rule if self.kind == "consistency" else self.kind

    @property
    def is_survey(self) -> bool:
        return self.evidence is not None and self.evidence.operation == "finding"


class Register(_Strict):
    """The claims register: provenance, phrase ranges and claims."""

    title: str
    description: str
    source: dict[str, str]
    licence: str
    phrases: list[Phrase]
    claims: list[Claim] = Field(min_length=1)


# --------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------


def _where(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """'claim 'id', field 'a.b'' for a pydantic error location inside the register."""
    if len(loc) >= 2 and loc[0] in ("claims", "phrases") and isinstance(loc[1], int):
        items = data.get(loc[0]) or []
        item = items[loc[1]] if loc[1] < len(items) else {}
        ident = item.get("id") if isinstance(item, dict) else None
        name = "claim" if loc[0] == "claims" else "phrase"
        label = f"{name} {ident!r}" if ident else f"{name} number {loc[1] + 1}"
        rest = [str(p) for p in loc[2:] if not str(p).startswith(("function-", "union[", "tagged-union"))]
        # pydantic adds the union member it tried (e.g. 'Evidence', 'bool') to the location.
        rest = [p for p in rest if p not in {"Evidence", "bool", "int", "float", "str", "date"}]
        return f"{label}, field '{'.'.join(rest)}'" if rest else label
    return f"field '{'.'.join(str(p) for p in loc)}'"


def _problems(exc: ValidationError, data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for err in exc.errors():
        text = f"{_where(err['loc'], data)}: {err['msg'].removeprefix('Value error, ')}"
        if text not in problems:
            problems.append(text)
    return problems


def load_register(path: Path | None = None) -> Register:
    """Read and validate the claims register; problems name the claim and the field."""
    path = path or RAW_DIR / "claims_register.yml"
    data = read_yaml_mapping(path, "the register")
    try:
        register = Register.model_validate(data)
    except ValidationError as exc:
        raise DataValidationError(path, _problems(exc, data)) from None
    problems: list[str] = []
    seen: set[str] = set()
    for claim in register.claims:
        if claim.id in seen:
            problems.append(f"claim {claim.id!r}, field 'id': repeats an id that must be unique")
        seen.add(claim.id)
    phrase_ids = [p.id for p in register.phrases]
    for p in {p for p in phrase_ids if phrase_ids.count(p) > 1}:
        problems.append(f"phrase {p!r}, field 'id': repeats an id that must be unique")
    for claim in register.claims:
        if claim.phrase is not None and claim.phrase not in phrase_ids:
            problems.append(f"claim {claim.id!r}, field 'phrase': {claim.phrase!r} is not one of the register's phrases")
    if problems:
        raise DataValidationError(path, problems)
    return register


def validate_register_file(path: Path) -> None:
    """Validator for :data:`nptsc_eval.validate_raw.VALIDATORS`: raises DataValidationError."""
    load_register(path)


# --------------------------------------------------------------------------------------
# Evaluating evidence
# --------------------------------------------------------------------------------------


def fact_values(facts: pd.DataFrame) -> dict[str, Any]:
    """Facts as typed Python values keyed by id: numbers as float, booleans, text, None."""
    values: dict[str, Any] = {}
    for row in facts.itertuples(index=False):
        kind, text = row.value_type, row.value
        if kind == "number":
            values[row.fact_id] = float(text)
        elif kind == "boolean":
            values[row.fact_id] = str(text).lower() == "true"
        elif kind == "missing":
            values[row.fact_id] = None
        else:
            values[row.fact_id] = str(text)
    return values


class EvidenceContext:
    """What evidence is evaluated against: facts, processed tables and survey findings."""

    def __init__(self, facts: pd.DataFrame, processed_dir: Path | None = None,
                 findings: pd.DataFrame | None = None):
        self.values = fact_values(facts)
        self.producers = dict(zip(facts["fact_id"], facts["produced_by"]))
        self.processed_dir = processed_dir or PROCESSED_DIR
        self._findings = findings
        self._tables: dict[str, pd.DataFrame] = {}

    def findings(self, claim_id: str) -> pd.DataFrame:
        if self._findings is None:
            path = self.processed_dir / SURVEY_FINDINGS
            if not path.exists():
                raise PipelineError(f"claim {claim_id!r}: its evidence is a survey finding but {SURVEY_FINDINGS} does not exist in data/processed/")
            self._findings = pd.read_csv(path, dtype={"finding_id": str, "data_kind": str})
        return self._findings

    def survey_kind(self, claim_id: str) -> str:
        """Data kind (synthetic or export) of the survey the survey facts were computed from."""
        findings = self.findings(claim_id)
        kinds = sorted(set(findings["data_kind"].dropna().astype(str)))
        return kinds[0] if len(kinds) == 1 else "mixed"

    def table(self, claim_id: str, name: str) -> pd.DataFrame:
        if name not in self._tables:
            path = self.processed_dir / name
            if not path.exists():
                raise PipelineError(f"claim {claim_id!r}: processed table {name} does not exist in data/processed/")
            self._tables[name] = pd.read_csv(path)
        return self._tables[name]

    def number(self, claim_id: str, fact_id: str) -> float:
        value = self.fact(claim_id, fact_id)
        if value is None or isinstance(value, (str, bool)):
            raise PipelineError(f"claim {claim_id!r}: fact {fact_id!r} is {value!r}, not a number")
        return float(value)

    def fact(self, claim_id: str, fact_id: str) -> Any:
        if fact_id not in self.values:
            raise PipelineError(f"claim {claim_id!r}: fact {fact_id!r} does not exist in data/processed/facts_*.csv "
                                "(renamed or no longer produced?); fix the claims register")
        return self.values[fact_id]


def evaluate_evidence(claim_id: str, evidence: Evidence, context: EvidenceContext) -> tuple[Any, str]:
    """The value of ``evidence`` and the survey data kind it rests on ("" unless a survey finding)."""
    op = evidence.operation
    data_kind = ""
    if op == "fact":
        value = context.fact(claim_id, evidence.fact)
    elif op == "sum":
        value = math.fsum(context.number(claim_id, f) for f in evidence.sum)
    elif op == "max":
        value = max(context.number(claim_id, f) for f in evidence.max)
    elif op == "ratio":
        part = math.fsum(context.number(claim_id, f) for f in evidence.ratio.part)
        base = math.fsum(context.number(claim_id, f) for f in evidence.ratio.base)
        if base == 0:
            raise PipelineError(f"claim {claim_id!r}: the base of its ratio is zero")
        value = part / base
    elif op == "table":
        value = _table_value(claim_id, evidence.table, context)
    elif op == "finding":
        findings = context.findings(claim_id)
        rows = findings[findings["finding_id"] == evidence.finding]
        if rows.empty:
            raise PipelineError(f"claim {claim_id!r}: survey finding {evidence.finding!r} does not exist in {SURVEY_FINDINGS}")
        value = float(rows["computed"].iloc[0])
        data_kind = str(rows["data_kind"].iloc[0])
    elif op == "stated":
        value = evidence.stated
    elif op == "stated_sum":
        value = math.fsum(evidence.stated_sum)
    elif op == "days_between_facts":
        first, second = (_fact_date(claim_id, f, context) for f in evidence.days_between_facts)
        value = float((second - first).days)
    else:  # days_between
        first, second = evidence.days_between
        value = float((second - first).days)
    if any(context.producers.get(f) == SURVEY_PRODUCER for f in evidence.fact_ids()):
        data_kind = context.survey_kind(claim_id)
    if evidence.scale != 1:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise PipelineError(f"claim {claim_id!r}: scale applies to numbers, but the evidence is {value!r}")
        value = value * evidence.scale
    return value, data_kind


def _fact_date(claim_id: str, fact_id: str, context: EvidenceContext) -> dt.date:
    value = context.fact(claim_id, fact_id)
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise PipelineError(f"claim {claim_id!r}: fact {fact_id!r} is {value!r}, not a date (YYYY-MM-DD)") from None


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _table_value(claim_id: str, query: TableQuery, context: EvidenceContext) -> Any:
    frame = context.table(claim_id, query.file)
    for column in [query.column, *query.where]:
        if column not in frame.columns:
            raise PipelineError(f"claim {claim_id!r}: column {column!r} is not in {query.file}")
    rows = frame
    for column, wanted in query.where.items():
        rows = rows[rows[column].astype(str) == str(wanted)]
    series = rows[query.column]
    if query.aggregate == "count":
        return float(len(series))
    if query.aggregate == "nunique":
        return float(series.nunique())
    if query.aggregate == "sum":
        return float(pd.to_numeric(series).sum())
    if query.aggregate == "max":
        return float(pd.to_numeric(series).max())
    if len(series) != 1:
        raise PipelineError(f"claim {claim_id!r}: {query.file} has {len(series)} rows matching {query.where}, not one")
    value = series.iloc[0]
    return value.item() if hasattr(value, "item") else value


# --------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------


def tidy_text(text: str) -> str:
    """Text as compared: Unicode normalised, dashes and quotes plain, spaces collapsed.

    Examples:
        >>> tidy_text("very good – it was") == tidy_text("very good - it was")
        True
        >>> tidy_text("here ... we need") == tidy_text("here...we need")
        True
    """
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"[\u2018\u2019]", "'", text)
    text = re.sub(r"[\u201c\u201d]", '"', text)
    text = re.sub(r"\s*(\.\.\.|…)\s*", "...", text)
    return re.sub(r"\s+", " ", text).strip()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def rule_holds(rule: str, computed: Any, expected: Any = None, *, tolerance: float | None = None,
               bounds: tuple[float, float] | None = None, phrase: Phrase | None = None) -> bool:
    """Whether ``computed`` satisfies ``rule`` against ``expected``.

    Examples:
        >>> rule_holds("equals", 102.0, 102)
        True
        >>> rule_holds("within_tolerance", 83.6, 84, tolerance=0.5)
        True
        >>> rule_holds("greater_than", 880.0, 900)
        False
    """
    if rule == "within_range":
        if not _is_number(computed):
            raise TypeError(f"within_range needs a number, got {computed!r}")
        if phrase is not None:
            return phrase.contains(float(computed))
        low, high = bounds
        return low <= float(computed) <= high
    if rule in ("equals", "sums_to") and not (_is_number(computed) and _is_number(expected)):
        if isinstance(computed, dt.date) or isinstance(expected, dt.date):
            return str(computed) == str(expected)
        if isinstance(computed, bool) or isinstance(expected, bool):
            return computed is expected
        return tidy_text(str(computed)) == tidy_text(str(expected))
    if not (_is_number(computed) and _is_number(expected)):
        raise TypeError(f"{rule} compares numbers, got {computed!r} and {expected!r}")
    computed, expected = float(computed), float(expected)
    if rule in ("equals", "sums_to"):
        return math.isclose(computed, expected, rel_tol=0, abs_tol=(tolerance or 0) + 1e-9)
    if rule == "within_tolerance":
        return abs(computed - expected) <= tolerance + 1e-9
    if rule == "greater_than":
        return computed > expected
    if rule == "at_least":
        return computed >= expected - 1e-9
    raise ValueError(f"unknown rule {rule!r}")


# --------------------------------------------------------------------------------------
# The audit
# --------------------------------------------------------------------------------------


def show_value(value: Any) -> str:
    """A value as the audit table shows it.

    Examples:
        >>> show_value(102.0), show_value(0.35), show_value(83.6000001), show_value(3.5e-37), show_value("met")
        ('102', '0.35', '83.6', '3.5e-37', 'met')
    """
    if value is None:
        return ""
    if _is_number(value):
        if value != 0 and abs(value) < 0.001:
            return f"{float(value):.2g}"
        return f"{round(float(value), 4):g}"
    return str(value)


def _expected_text(claim: Claim, expected: Any, phrases: dict[str, Phrase]) -> str:
    rule = claim.check_rule
    if rule == "within_range":
        if claim.phrase:
            return phrases[claim.phrase].label()
        return f"{claim.range[0]:g} to {claim.range[1]:g}"
    prefix = {"greater_than": "more than ", "at_least": "at least "}.get(rule, "")
    suffix = f" ± {claim.tolerance:g}" if rule == "within_tolerance" else ""
    return f"{prefix}{show_value(expected)}{suffix}"


def audit_claim(claim: Claim, context: EvidenceContext, phrases: dict[str, Phrase]) -> dict[str, Any]:
    """The verdict on one claim, as a row of the audit table."""
    row = {"claim_id": claim.id, "chapter": claim.chapter, "source_location": claim.source_location,
           "statement": claim.statement, "kind": claim.kind, "rule": claim.check_rule if claim.kind == "consistency" else "",
           "other_location": claim.other_location or "", "other_statement": claim.other_statement or "",
           "data_kind": ""}
    if claim.evidence is None:
        if claim.phrase or claim.range:
            stated = _expected_text(claim, None, phrases)
        else:
            stated = show_value(claim.expected) if not isinstance(claim.expected, Evidence) else ""
        row.update(expected=stated,
                   computed="", status="not_checkable", evidence="",
                   explanation=f"Evidence missing: {claim.missing_evidence}")
        return row
    computed, data_kind = evaluate_evidence(claim.id, claim.evidence, context)
    expected = claim.expected
    if isinstance(expected, Evidence):
        expected, expected_kind = evaluate_evidence(claim.id, expected, context)
        data_kind = data_kind or expected_kind
    needs_expected = claim.check_rule != "within_range"
    if _is_missing(computed) or (needs_expected and _is_missing(expected)):
        row.update(expected=_expected_text(claim, expected, phrases) if not _is_missing(expected) else "",
                   computed="", status="not_checkable", evidence=claim.evidence.describe(), data_kind=data_kind,
                   explanation=f"Evidence missing: {claim.evidence.describe()} has no value in the data this build used.")
        return row
    try:
        holds = rule_holds(claim.check_rule, computed, expected, tolerance=claim.tolerance,
                           bounds=claim.range, phrase=phrases.get(claim.phrase) if claim.phrase else None)
    except TypeError as exc:
        raise PipelineError(f"claim {claim.id!r}: {exc}") from None
    explanation = claim.explanation or ""
    if holds:
        status = "reproduced"
    elif claim.kind == "consistency" and data_kind != "export":
        status = "inconsistent_in_source"
    else:
        # On a real survey export a failed comparison is a finding about the data, not the source.
        status = "differs"
        if data_kind == "export":
            explanation = ""
    if status == "differs" and not explanation:
        data = "the survey export" if data_kind == "export" else "the project's data"
        explanation = (f"The source states {_expected_text(claim, expected, phrases)}; "
                       f"{data} gives {show_value(computed)}.")
    if status == "reproduced" and claim.kind != "consistency":
        explanation = ""
    row.update(expected=_expected_text(claim, expected, phrases), computed=show_value(computed), status=status,
               explanation=explanation, evidence=claim.evidence.describe(), data_kind=data_kind)
    return row


def audit(register: Register | None = None, facts: pd.DataFrame | None = None,
          processed_dir: Path | None = None, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Evaluate every claim of the register; one row per claim with its verdict.

    ``facts`` defaults to every ``data/processed/facts_*.csv``; ``findings`` to
    ``data/processed/survey_findings.csv`` (read only when a claim needs it).  The inputs are
    not modified.
    """
    from nptsc_eval.facts import load_facts

    register = register or load_register()
    if facts is None:
        facts = load_facts(processed_dir)
    context = EvidenceContext(facts, processed_dir, findings)
    phrases = {p.id: p for p in register.phrases}
    rows = [audit_claim(c, context, phrases) for c in register.claims if c.pending is None]
    frame = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    frame["status"] = pd.Categorical(frame["status"], categories=STATUSES)
    frame["chapter"] = pd.Categorical(frame["chapter"], categories=CHAPTERS)
    return frame


def pending_claims(register: Register | None = None) -> pd.DataFrame:
    """Claims written down but not yet evaluated: the notebook that computes their evidence is
    not in the pipeline yet (``pending`` says which).  The appendix lists them."""
    register = register or load_register()
    rows = [{"claim_id": c.id, "chapter": c.chapter, "source_location": c.source_location,
             "statement": c.statement, "pending": c.pending} for c in register.claims if c.pending is not None]
    return pd.DataFrame(rows, columns=["claim_id", "chapter", "source_location", "statement", "pending"])


def status_counts(audit_table: pd.DataFrame) -> pd.Series:
    """Number of claims with each verdict, every verdict listed."""
    return audit_table["status"].value_counts().reindex(STATUSES, fill_value=0)


def counts_by_chapter(audit_table: pd.DataFrame) -> pd.DataFrame:
    """Claims by chapter (rows, chapters that have claims) and verdict (columns), with a total."""
    table = pd.crosstab(audit_table["chapter"], audit_table["status"]).reindex(columns=STATUSES, fill_value=0)
    table = table[table.sum(axis=1) > 0]
    table["total"] = table.sum(axis=1)
    table.index = table.index.astype(str)
    return table


def survey_data_kind(audit_table: pd.DataFrame) -> str:
    """'synthetic', 'export', 'mixed' or '' (no survey claims) for the survey verdicts."""
    kinds = set(audit_table.loc[audit_table["data_kind"] != "", "data_kind"])
    if not kinds:
        return ""
    return kinds.pop() if len(kinds) == 1 else "mixed"


def inconsistencies_table(audit_table: pd.DataFrame) -> pd.DataFrame:
    """Every place the source contradicts itself: the two places, what each says, why it matters."""
    rows = audit_table[audit_table["status"] == "inconsistent_in_source"]
    return pd.DataFrame({
        "Claim": rows["claim_id"],
        "Where": rows["source_location"],
        "The source says": rows["statement"],
        "Elsewhere": rows["other_location"],
        "It also says": rows["other_statement"],
        "Why they disagree": rows["explanation"],
    }).reset_index(drop=True)


def verdict_table(audit_table: pd.DataFrame) -> pd.DataFrame:
    """Every claim with its verdict, for the appendix."""
    return pd.DataFrame({
        "Claim": audit_table["claim_id"],
        "Where": audit_table["source_location"],
        "Statement": audit_table["statement"],
        "Stated": audit_table["expected"],
        "Found": audit_table["computed"],
        "Verdict": audit_table["status"].astype(str).map(STATUS_LABELS),
    }).reset_index(drop=True)


def chapter_chart(by_chapter: pd.DataFrame):
    """Stacked horizontal bars: claims in each chapter by verdict, each segment labelled."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from nptsc_eval.plots import PALETTE, TEXT_COLOUR, text_colour_on

    colours = dict(zip(STATUSES, PALETTE))
    data = by_chapter.iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(data) + 1.6))
    xmax = float(data["total"].max()) * 1.25
    # Roughly how many claims one character of a 9-point label spans, to name a verdict
    # inside its segment wherever the name fits (the legend names the rest).
    per_char = xmax / (9 * 0.75 / 0.075)
    left = pd.Series(0.0, index=data.index)
    for status in STATUSES:
        values = data[status].astype(float)
        ax.barh(data.index, values, left=left, color=colours[status], edgecolor="white", label=STATUS_LABELS[status])
        for y, (start, width) in enumerate(zip(left, values)):
            if width > 0:
                named = f"{width:g} {STATUS_LABELS[status]}"
                shown = named if width > (len(named) + 2) * per_char else f"{width:g}"
                ax.text(start + width / 2, y, shown, ha="center", va="center", fontsize=9,
                        color=text_colour_on(colours[status]))
        left = left + values
    for y, total in enumerate(data["total"]):
        ax.text(total + 0.3, y, f"{total:g} claim" + ("" if total == 1 else "s"), va="center", fontsize=9, color=TEXT_COLOUR)
    ax.set_xlim(0, xmax)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Number of claims")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / max(len(data), 1)), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def chapter_chart_alt(by_chapter: pd.DataFrame) -> str:
    """Alt text of :func:`chapter_chart` that states its numbers."""
    parts = []
    for chapter, row in by_chapter.iterrows():
        shown = ", ".join(f"{int(row[s])} {STATUS_LABELS[s]}" for s in STATUSES if row[s])
        total = int(row["total"])
        parts.append(f"{chapter}: {total} claim{'' if total == 1 else 's'} ({shown})")
    return "Bar chart of the source report's claims by chapter and verdict. " + "; ".join(parts) + "."
