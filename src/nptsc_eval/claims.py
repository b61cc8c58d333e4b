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
check that fails is ``inconsistent_in_source`` (the report contradicts itself) only when our
data holds exactly what the source prints in both places (the register's ``printed`` values,
or values the register states itself); otherwise the failure may be a slip in our own
transcription, and the verdict is ``differs`` ("differs from our data").  Two printings that
differ in wording but not in meaning (the register says ``wording_only``) are
``wording_differs``, not a contradiction.  Any other check that fails ``differs``: the data
does not support the statement.  A claim whose evidence is in no data the project holds is
``not_checkable``, and the register says what is missing.  A claim whose evidence refers to a
fact or file that does not exist raises :class:`~nptsc_eval.errors.PipelineError` naming the
claim, so the register cannot rot.

Every verdict says what it rests on, its ``evidence_basis`` (:data:`BASES`), computed from
what the check compares (:func:`evidence_basis`):

* ``synthetic`` / ``real_survey``: the evidence depends on survey responses, and the survey
  file the build used is synthetic (or a real export).  A check on synthetic data is circular
  (the data was made to match the report), so it is never ``reproduced``: it is
  ``not_checkable``, saying whether the synthetic demonstration passes or fails;
* ``source_text``: a consistency check, two printings in the source compared;
* ``independent``: the statement against a computation (a total, a ratio, a count, another
  table or a target printed elsewhere);
* ``transcription``: the statement against our transcription of the same table or sentence
  (a single fact recorded from the place the claim is made);
* ``none``: no evidence is held (the claim is ``not_checkable``).

Where the computation cannot tell (a fact whose recorded location does not show that it was
transcribed from the claim's own sentence), the register declares ``evidence_basis``; the
audit rejects a declaration that it would compute anyway, or that contradicts the survey.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nptsc_eval.errors import DataValidationError, PipelineError
from nptsc_eval.paths import PROCESSED_DIR, RAW_DIR
from nptsc_eval.yaml_text import read_yaml_mapping

#: Verdicts, in the order tables and charts show them.
STATUSES = ["reproduced", "wording_differs", "differs", "inconsistent_in_source", "not_checkable"]
#: Plain-English labels of the verdicts.
STATUS_LABELS = {
    "reproduced": "reproduced",
    "wording_differs": "differ only in wording",
    "differs": "differs from our data",
    "inconsistent_in_source": "inconsistent in the source",
    "not_checkable": "not checkable",
}
#: What a verdict rests on, in the order tables and charts show them (see the module docstring).
BASES = ["independent", "transcription", "source_text", "real_survey", "synthetic", "none"]
#: Plain-English labels of the evidence bases.
BASIS_LABELS = {
    "independent": "independent check",
    "transcription": "against our transcription",
    "source_text": "two printings compared",
    "real_survey": "real survey export",
    "synthetic": "synthetic survey data",
    "none": "no evidence held",
}
#: Bases the register may declare, where the audit cannot compute them.
DECLARABLE_BASES = ("independent", "transcription")
#: Evidence operations that compute a value (a total, ratio, count or interval) from others.
COMPUTING_OPERATIONS = ("sum", "max", "ratio", "table", "stated_sum", "stated_ratio", "days_between",
                        "days_between_facts")
#: Explanation of a survey claim judged on synthetic data.
SYNTHETIC_EXPLANATION = "Needs the survey microdata; the synthetic demonstration {result}."
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
                 "status", "evidence_basis", "explanation", "other_location", "other_statement", "evidence",
                 "data_kind", "quote", "other_quote"]

FACT_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_\-]+)+$")
Scalar = bool | int | float | str | dt.date


#: Hedges of the source (a word stem, matched at the start of a word) and the words a paraphrase
#: may use to keep each.  A paraphrase that drops a hedge changes what the source claims.
HEDGES: dict[str, tuple[str, ...]] = {
    "approximately": ("approximately", "about", "around", "roughly"),
    "anecdotal": ("anecdotal",),
    "suggest": ("suggest",),
    "may": ("may", "might", "perhaps", "possibly"),
    "might": ("may", "might", "perhaps", "possibly"),
    "seem": ("seem", "appear"),
    "appear": ("appear", "seem"),
    "likely": ("likely", "probabl"),
    "anticipat": ("anticipat", "expect", "envisag"),
    "expected": ("expect", "anticipat", "envisag"),
    "envisag": ("envisag", "expect", "anticipat", "plan"),
    "perceiv": ("perceiv", "perception", "seen as", "view"),
    "perception": ("perceiv", "perception", "view"),
    "thought": ("thought", "believ", "consider"),
    "felt": ("felt", "feel", "say", "said", "view", "perceiv", "think", "thought", "rate"),
    "generally": ("generally", "broadly", "on the whole"),
    "broadly": ("broadly", "generally"),
    "on balance": ("on balance", "overall"),
    "almost": ("almost", "nearly"),
    "just under": ("just under",),
    "virtually": ("virtually", "almost", "practically"),
    "reported": ("report", "say", "said", "told"),
    "reporting": ("report", "say", "said", "told"),
    "indicat": ("indicat", "suggest"),
    "at least": ("at least",),
    "initially": ("initial", "at first", "first"),
}


def missing_hedges(quote: str, paraphrase: str) -> list[str]:
    """Hedges of ``quote`` that ``paraphrase`` drops (none of the hedge's kept forms appears).

    Examples:
        >>> missing_hedges("anecdotal evidence suggests that approximately half", "About half, as the survey shows.")
        ['anecdotal', 'suggest']
        >>> missing_hedges("The courses seemed to be successful", "The courses seem to have succeeded.")
        []
    """
    def has(text: str, stem: str) -> bool:
        return re.search(r"\b" + re.escape(stem), text) is not None

    quote, paraphrase = tidy_text(quote).lower(), tidy_text(paraphrase).lower()
    return [hedge for hedge, kept in HEDGES.items()
            if has(quote, hedge) and not any(has(paraphrase, k) for k in kept)]


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
    def _ordered(self) -> Phrase:
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


class StatedRatio(_Strict):
    """Sum of ``part`` divided by the sum of ``base``: numbers the source prints."""

    part: list[float] = Field(min_length=1)
    base: list[float] = Field(min_length=1)


_OPERATIONS = ("fact", "sum", "max", "ratio", "table", "finding", "stated", "stated_sum", "stated_ratio",
               "days_between", "days_between_facts")


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
    stated_ratio: StatedRatio | None = None
    days_between: list[dt.date] | None = Field(default=None, min_length=2, max_length=2)
    days_between_facts: list[str] | None = Field(default=None, min_length=2, max_length=2)
    scale: float = 1.0

    @model_validator(mode="after")
    def _one_operation(self) -> Evidence:
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
        if op == "stated_ratio":
            part = " + ".join(f"{v:g}" for v in self.stated_ratio.part)
            base = " + ".join(f"{v:g}" for v in self.stated_ratio.base)
            return f"({part}) / ({base}){scale}, as the source prints them"
        if op == "stated_sum":
            return f"{' + '.join(f'{v:g}' for v in self.stated_sum)}, as the source prints them"
        if op == "days_between_facts":
            return f"days from fact {self.days_between_facts[0]} to fact {self.days_between_facts[1]}"
        if op == "days_between":
            return f"days from {self.days_between[0]} to {self.days_between[1]} (stated in the source)"
        return "stated in the source"


class Printed(_Strict):
    """What the source prints at the two places a consistency check compares.

    ``expected`` is the value the check's expected side should have (when the register's
    ``expected`` is a fact of ours), ``computed`` the value its evidence should give, when our
    data holds exactly what the source prints: a printed value, or one that follows from
    printed values by the check's own arithmetic.  The audit calls a failed check a
    contradiction in the source only when our data matches these; otherwise it is a
    difference in our data.
    """

    expected: Scalar | None = None
    computed: Scalar | None = None


class Claim(_Strict):
    """One checkable statement of the source report and how to test it.

    ``statement`` is the register's paraphrase; ``quote`` the source's own words at
    ``source_location`` (verbatim), and for a consistency check ``other_quote`` its words at
    ``other_location``.  A paraphrase keeps the quote's hedges (see :func:`missing_hedges`).
    """

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
    quote: str | None = Field(default=None, min_length=3)
    other_quote: str | None = Field(default=None, min_length=3)
    evidence_basis: Literal[DECLARABLE_BASES] | None = None  # type: ignore[valid-type]
    wording_only: bool = False
    printed: Printed | None = None

    @model_validator(mode="after")
    def _complete(self) -> Claim:
        if self.wording_only and not (self.kind == "consistency" and self.rule == "equals"):
            raise ValueError("wording_only is for a consistency check with rule equals (two printings of the same words)")
        if self.other_quote is not None and self.kind != "consistency":
            raise ValueError("other_quote is for a consistency check (the source's words at other_location)")
        if self.printed is not None and self.kind != "consistency":
            raise ValueError("printed is for a consistency check (what the source prints in its two places)")
        if self.missing_evidence is not None:
            if self.evidence is not None:
                raise ValueError("a claim has either evidence or missing_evidence, not both")
            if self.evidence_basis is not None:
                raise ValueError("a claim without evidence has no evidence_basis to declare")
            return self
        if self.evidence_basis == "transcription" and (
                self.kind == "consistency" or self.evidence is None or self.evidence.operation != "fact"
                or (isinstance(self.expected, Evidence) and self.expected.operation != "fact")):
            raise ValueError("evidence_basis transcription needs one fact compared with a value the source states "
                             "or another fact (not a consistency check, not a computation)")
        if self.evidence_basis is not None and self.kind == "consistency":
            raise ValueError("a consistency check compares two printings (basis source_text); do not declare evidence_basis")
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
        for quote, field in ((claim.quote, "quote"), (claim.other_quote, "other_quote")):
            dropped = missing_hedges(quote, claim.statement if field == "quote" else (claim.other_statement or "")) \
                if quote else []
            if dropped:
                target = "statement" if field == "quote" else "other_statement"
                problems.append(f"claim {claim.id!r}, field '{target}': drops the hedge "
                                f"{', '.join(repr(h) for h in dropped)} of the source's words in '{field}'")
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
                 findings: pd.DataFrame | None = None, survey_file: Path | None = None):
        self.values = fact_values(facts)
        self.producers = dict(zip(facts["fact_id"], facts["produced_by"]))
        self.locations = dict(zip(facts["fact_id"], facts["source_location"]))
        self.processed_dir = processed_dir or PROCESSED_DIR
        self._findings = findings
        self._tables: dict[str, pd.DataFrame] = {}
        self.survey_file = Path(survey_file) if survey_file is not None else None
        self._survey_basis: str | None = None

    def survey_basis(self, claim_id: str) -> str:
        """``synthetic`` or ``real_survey``: what the survey facts and findings were computed from.

        With ``survey_file`` (the survey the build used) the answer is the file's own metadata
        (:func:`nptsc_eval.sources.is_synthetic_file`), and the facts must agree with it: facts
        computed from a synthetic survey while the build was given a real export (or the
        reverse) stop the audit.  Without it, the survey facts' and findings' own record of
        their data decides.
        """
        if self._survey_basis is not None:
            return self._survey_basis
        recorded = set()
        if "survey.data_kind" in self.values:
            recorded.add(str(self.values["survey.data_kind"]))
        findings_file = self.processed_dir / SURVEY_FINDINGS
        if self._findings is not None or findings_file.exists():
            recorded |= set(self.findings(claim_id)["data_kind"].dropna().astype(str))
        recorded_basis = {"synthetic" if kind == "synthetic" else "real_survey" for kind in recorded}
        if len(recorded_basis) > 1:
            raise PipelineError(f"claim {claim_id!r}: the survey facts and findings were computed from different "
                                f"survey data ({', '.join(sorted(recorded))}); run the survey notebook again")
        if self.survey_file is not None:
            from nptsc_eval.sources import is_synthetic_file

            basis = "synthetic" if is_synthetic_file(self.survey_file) else "real_survey"
            if recorded_basis and recorded_basis != {basis}:
                raise PipelineError(
                    f"claim {claim_id!r}: the survey facts were computed from {recorded_basis.pop().replace('_', ' ')} "
                    f"data, but this build's survey file {self.survey_file.name} is {basis.replace('_', ' ')}; "
                    "run the survey notebook again")
        elif recorded_basis:
            basis = recorded_basis.pop()
        else:
            raise PipelineError(f"claim {claim_id!r}: its evidence rests on the survey, but neither the survey file "
                                "nor the survey facts say whether the survey data is synthetic")
        self._survey_basis = basis
        return basis

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
    elif op == "stated_ratio":
        base = math.fsum(evidence.stated_ratio.base)
        if base == 0:
            raise PipelineError(f"claim {claim_id!r}: the base of its ratio is zero")
        value = math.fsum(evidence.stated_ratio.part) / base
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


def _place_words(location: str) -> set[str]:
    """The words and numbers of a source location, lower case ("Table 2.1" → {"table", "2", "1"})."""
    return set(re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", str(location)).lower()))


def computed_basis(claim: Claim, context: EvidenceContext) -> str:
    """The evidence basis of a claim, from what its check compares (before any declaration)."""
    if claim.evidence is None:
        return "none"
    sides = [claim.evidence] + ([claim.expected] if isinstance(claim.expected, Evidence) else [])
    fact_ids = [f for side in sides for f in side.fact_ids()]
    if any(side.operation == "finding" for side in sides) or any(
            context.producers.get(f) == SURVEY_PRODUCER for f in fact_ids):
        return context.survey_basis(claim.id)
    if claim.kind == "consistency":
        return "source_text"
    if any(side.operation in COMPUTING_OPERATIONS for side in sides):
        return "independent"
    if claim.evidence.operation == "stated":
        return "source_text"
    # Single facts (against a value the statement gives, or against each other): our
    # transcription of the same place, or values recorded from other places (a table against
    # the text, an outcome against a target).
    claim_place = _place_words(claim.source_location)
    places = [_place_words(context.locations.get(f, "")) for f in fact_ids]
    if places and all(place and place <= claim_place for place in places):
        return "transcription"
    return "independent"


def evidence_basis(claim: Claim, context: EvidenceContext) -> str:
    """What the claim's verdict rests on (:data:`BASES`): computed, or declared where it cannot be.

    A declaration is checked: it may not stand in for a survey basis, and it may not repeat
    what the audit computes anyway (a declaration must be needed).
    """
    basis = computed_basis(claim, context)
    if claim.evidence_basis is None:
        return basis
    if basis in ("synthetic", "real_survey"):
        raise PipelineError(f"claim {claim.id!r}: declares evidence_basis {claim.evidence_basis!r}, but its evidence "
                            f"rests on the survey ({basis.replace('_', ' ')}); remove the declaration")
    if basis == claim.evidence_basis:
        raise PipelineError(f"claim {claim.id!r}: declares evidence_basis {claim.evidence_basis!r}, which the audit "
                            "computes anyway; remove the declaration")
    return claim.evidence_basis


def _same(ours: Any, printed: Any) -> bool:
    """Whether a value of our data is the value the source prints (numbers to 4 decimals)."""
    if _is_number(ours) and _is_number(printed):
        return math.isclose(float(ours), float(printed), rel_tol=0, abs_tol=5e-5)
    return tidy_text(str(ours)) == tidy_text(str(printed))


def _our_data_matches_print(claim: Claim, expected: Any, computed: Any) -> tuple[bool, str]:
    """Whether a failed consistency check compares what the source prints, or our own data.

    Returns (matches, why not).  Values the register states itself are the source's print;
    a value from our facts must equal the register's ``printed`` value for that side.
    """
    ours_expected = isinstance(claim.expected, Evidence) and claim.expected.operation not in (
        "stated", "stated_sum", "stated_ratio", "days_between")
    ours_computed = claim.evidence.operation not in ("stated", "stated_sum", "stated_ratio", "days_between")
    if not (ours_expected or ours_computed):
        return True, ""
    printed = claim.printed
    if printed is None:
        ours = [show_value(v) for v, mine in ((expected, ours_expected), (computed, ours_computed)) if mine]
        return False, (f"Differs from our data: our data gives {' and '.join(ours)}, and the register does not record "
                       "what the source prints, so the difference cannot be told apart from a slip in our transcription.")
    problems = []
    if ours_expected and (printed.expected is None or not _same(expected, printed.expected)):
        problems.append(f"our data gives {show_value(expected)} at {claim.source_location}, where the source prints "
                        f"{show_value(printed.expected)}")
    if ours_computed and (printed.computed is None or not _same(computed, printed.computed)):
        problems.append(f"our data gives {show_value(computed)} from {claim.other_location}, where the source gives "
                        f"{show_value(printed.computed)}")
    if problems:
        return False, "Differs from our data: " + "; ".join(problems) + ". Check the transcription."
    return True, ""


def audit_claim(claim: Claim, context: EvidenceContext, phrases: dict[str, Phrase]) -> dict[str, Any]:
    """The verdict on one claim, as a row of the audit table."""
    row = {"claim_id": claim.id, "chapter": claim.chapter, "source_location": claim.source_location,
           "statement": claim.statement, "kind": claim.kind, "rule": claim.check_rule if claim.kind == "consistency" else "",
           "other_location": claim.other_location or "", "other_statement": claim.other_statement or "",
           "data_kind": "", "quote": claim.quote or ""}
    basis = evidence_basis(claim, context)
    row["evidence_basis"] = basis
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
    if basis == "synthetic":
        # Synthetic data was made to match the report: a check on it is circular, never a reproduction.
        status = "not_checkable"
        explanation = SYNTHETIC_EXPLANATION.format(result="passes" if holds else "fails")
    elif holds:
        if claim.wording_only:
            raise PipelineError(f"claim {claim.id!r}: says the two printings differ in wording, but they agree; "
                                "remove wording_only")
        status = "reproduced"
    elif claim.kind == "consistency" and basis != "real_survey":
        matches, why_not = _our_data_matches_print(claim, expected, computed)
        if not matches:
            status, explanation = "differs", why_not
        elif claim.wording_only:
            status = "wording_differs"
        else:
            status = "inconsistent_in_source"
    else:
        # On a real survey export a failed comparison is a finding about the data, not the source.
        status = "differs"
        if basis == "real_survey":
            explanation = ""
    if status == "differs" and not explanation:
        data = "the survey export" if basis == "real_survey" else "the project's data"
        explanation = (f"The source states {_expected_text(claim, expected, phrases)}; "
                       f"{data} gives {show_value(computed)}.")
    if status == "reproduced" and claim.kind != "consistency":
        explanation = ""
    row.update(expected=_expected_text(claim, expected, phrases), computed=show_value(computed), status=status,
               explanation=explanation, evidence=claim.evidence.describe(), data_kind=data_kind)
    return row


#: Which verdict a statement gets when its parts (claims quoting the same words) disagree.
STATEMENT_PRECEDENCE = ["inconsistent_in_source", "differs", "not_checkable", "wording_differs", "reproduced"]


def one_verdict_per_statement(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every claim that quotes the same words of the source the same verdict.

    A sentence such as "approximately half ... at each of the four stages" is registered as
    one claim per stage; the sentence holds only if every part does.  When the parts disagree,
    each takes the first verdict of :data:`STATEMENT_PRECEDENCE` among them, and a claim whose
    verdict changes says which part decided it.  Claims are grouped by ``quote`` and
    ``other_quote`` (tidied); claims without a quote stand alone.

    Examples:
        >>> rows = [{"claim_id": "a", "quote": "At each stage.", "other_quote": "", "status": "reproduced", "explanation": ""},
        ...         {"claim_id": "b", "quote": "At each  stage.", "other_quote": "", "status": "differs", "explanation": "Too low."}]
        >>> [(r["status"], r["explanation"]) for r in one_verdict_per_statement(rows)]
        [('differs', 'One statement, one verdict: the same words of the source are also checked as b (differs from our data), so the statement takes that verdict.'), ('differs', 'Too low.')]
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("quote"):
            groups.setdefault((tidy_text(row["quote"]), tidy_text(row.get("other_quote") or "")), []).append(row)
    for members in groups.values():
        verdicts = {m["status"] for m in members}
        if len(verdicts) < 2:
            continue
        verdict = next(v for v in STATEMENT_PRECEDENCE if v in verdicts)
        deciding = [m["claim_id"] for m in members if m["status"] == verdict]
        for m in members:
            if m["status"] != verdict:
                note = (f"One statement, one verdict: the same words of the source are also checked as "
                        f"{', '.join(deciding)} ({STATUS_LABELS[verdict]}), so the statement takes that verdict.")
                m["status"] = verdict
                m["explanation"] = " ".join(t for t in (note, m.get("explanation", "")) if t)
    return rows


def audit(register: Register | None = None, facts: pd.DataFrame | None = None,
          processed_dir: Path | None = None, findings: pd.DataFrame | None = None,
          survey_file: Path | None = None) -> pd.DataFrame:
    """Evaluate every claim of the register; one row per claim with its verdict and basis.

    ``facts`` defaults to every ``data/processed/facts_*.csv``; ``findings`` to
    ``data/processed/survey_findings.csv`` (read only when a claim needs it).
    ``survey_file`` is the survey the build used: whether it is synthetic decides the basis
    of every survey claim (see :meth:`EvidenceContext.survey_basis`).  The inputs are not
    modified.
    """
    from nptsc_eval.facts import load_facts

    register = register or load_register()
    if facts is None:
        facts = load_facts(processed_dir)
    context = EvidenceContext(facts, processed_dir, findings, survey_file)
    phrases = {p.id: p for p in register.phrases}
    claims_by_id = {c.id: c for c in register.claims}
    rows = [audit_claim(c, context, phrases) for c in register.claims if c.pending is None]
    for row in rows:
        row["other_quote"] = claims_by_id[row["claim_id"]].other_quote or ""
    rows = one_verdict_per_statement(rows)
    frame = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    frame["status"] = pd.Categorical(frame["status"], categories=STATUSES)
    frame["evidence_basis"] = pd.Categorical(frame["evidence_basis"], categories=BASES)
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


def _two_printings(audit_table: pd.DataFrame, status: str, why: str) -> pd.DataFrame:
    """The claims of one status that compare two places of the source, side by side."""
    rows = audit_table[audit_table["status"] == status]
    return pd.DataFrame({
        "Claim": rows["claim_id"],
        "Where": rows["source_location"],
        "The source says": rows["statement"],
        "Elsewhere": rows["other_location"],
        "It also says": rows["other_statement"],
        why: rows["explanation"],
    }).reset_index(drop=True)


def inconsistencies_table(audit_table: pd.DataFrame) -> pd.DataFrame:
    """Every place the source contradicts itself: the two places, what each says, why it matters."""
    return _two_printings(audit_table, "inconsistent_in_source", "Why they disagree")


def wording_table(audit_table: pd.DataFrame) -> pd.DataFrame:
    """Two printings that differ in wording but not in meaning, with why they mean the same."""
    return _two_printings(audit_table, "wording_differs", "Why the meaning is the same")


def anchor(claim_id: str) -> str:
    """The HTML id of a claim's row in the claims audit's table of every verdict.

    Other pages (the corrections page) link to ``05-claims-audit.html#<anchor>``.

    Examples:
        >>> anchor("table_2_1.total_participants"), anchor("Survey Q4 / half")
        ('claim-table-2-1-total-participants', 'claim-survey-q4-half')
    """
    return "claim-" + re.sub(r"[^a-z0-9]+", "-", str(claim_id).lower()).strip("-")


def verdict_table(audit_table: pd.DataFrame) -> pd.DataFrame:
    """Every claim with its verdict and what the verdict rests on, for the appendix."""
    return pd.DataFrame({
        "Claim": audit_table["claim_id"],
        "Where": audit_table["source_location"],
        "Statement": audit_table["statement"],
        "Stated": audit_table["expected"],
        "Found (in the unit stated)": audit_table["computed"],
        "Verdict": audit_table["status"].astype(str).map(STATUS_LABELS),
        "Evidence": audit_table["evidence_basis"].astype(str).map(BASIS_LABELS),
    }).reset_index(drop=True)


def counts_by_basis(audit_table: pd.DataFrame) -> pd.DataFrame:
    """Claims by evidence basis (rows, bases that have claims) and verdict (columns), with a total."""
    table = pd.crosstab(audit_table["evidence_basis"].astype(str), audit_table["status"].astype(str))
    table = table.reindex(index=[b for b in BASES if b in set(audit_table["evidence_basis"].astype(str))],
                          columns=STATUSES, fill_value=0)
    table["total"] = table.sum(axis=1)
    table.index.name = "evidence_basis"
    return table


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _verb_agrees(label: str, n: int) -> str:
    """A verdict label after a count: "one differs from our data", "two differ from our data".

    Examples:
        >>> _verb_agrees("differ only in wording", 1), _verb_agrees("differs from our data", 2)
        ('differs only in wording', 'differ from our data')
    """
    if n == 1 and label.startswith("differ "):
        return "differs" + label[len("differ"):]
    if n != 1 and label.startswith("differs "):
        return "differ" + label[len("differs"):]
    return label


def basis_sentence(by_basis: pd.DataFrame) -> str:
    """One sentence giving the claims by basis and, within each, by verdict.

    Examples:
        >>> frame = pd.DataFrame({"evidence_basis": ["independent", "independent", "synthetic"],
        ...                       "status": ["reproduced", "inconsistent_in_source", "not_checkable"]})
        >>> basis_sentence(counts_by_basis(frame))
        'two rest on an independent check (one reproduced, one inconsistent in the source) and one on synthetic survey data (one not checkable)'
    """
    phrases = {
        "independent": "an independent check",
        "transcription": "a comparison with our transcription of the same place",
        "source_text": "two printings in the source compared",
        "real_survey": "the real survey export",
        "synthetic": "synthetic survey data",
        "none": "no evidence the project holds",
    }
    from nptsc_eval import wording

    texts = []
    for i, (basis, row) in enumerate(by_basis.iterrows()):
        n = int(row["total"])
        verdicts = ", ".join(f"{wording.number(int(row[s]))} {_verb_agrees(STATUS_LABELS[s], int(row[s]))}"
                             for s in STATUSES if row[s])
        verb = ("rests on" if n == 1 else "rest on") if i == 0 else "on"
        texts.append(f"{wording.number(n)} {verb} {phrases[basis]} ({verdicts})")
    if len(texts) == 1:
        return texts[0]
    return ", ".join(texts[:-1]) + " and " + texts[-1]


def basis_chart(by_basis: pd.DataFrame):
    """Stacked horizontal bars: claims on each evidence basis by verdict, each segment labelled."""
    frame = by_basis.rename(index=BASIS_LABELS)
    return chapter_chart(frame)


def basis_chart_alt(by_basis: pd.DataFrame) -> str:
    """Alt text of :func:`basis_chart` that states its numbers."""
    parts = []
    for basis, row in by_basis.iterrows():
        shown = ", ".join(f"{int(row[s])} {STATUS_LABELS[s]}" for s in STATUSES if row[s])
        parts.append(f"{BASIS_LABELS[basis]}: {_count(int(row['total']), 'claim')} ({shown})")
    return ("Bar chart of the source report's claims by what the verdict rests on, and by verdict. "
            + "; ".join(parts) + ".")


def chapter_chart(by_chapter: pd.DataFrame):
    """Stacked horizontal bars: claims in each chapter by verdict, each segment labelled."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    import textwrap

    from nptsc_eval.charts.colours import CLAIM_STATUS as colours
    from nptsc_eval.charts.style import CHART_WIDTH_IN, TEXT_COLOUR, text_colour_on

    data = by_chapter.iloc[::-1]
    data.index = [textwrap.fill(str(i), 22) for i in data.index]
    fig, ax = plt.subplots(figsize=(CHART_WIDTH_IN, 0.6 * len(data) + 1.8))
    xmax = float(data["total"].max()) * 1.25
    # Roughly how many claims one character of a 9-point label spans, to name a verdict
    # inside its segment wherever the name fits (the legend names the rest).
    per_char = xmax / (CHART_WIDTH_IN * 0.6 / 0.075)
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
    ax.set_xlabel("Number of claims", fontsize=10)
    ax.tick_params(labelsize=9.5)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / max(len(data), 1)), ncol=2, frameon=False, fontsize=9.5)
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
