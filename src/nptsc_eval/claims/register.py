"""The claims register (``data/raw/claims_register.yml``): its model, loading and validation.

A paraphrase keeps the hedges of the source's own words (:func:`missing_hedges`); ids are
unique; every problem names the claim and the field.  See :mod:`nptsc_eval.claims` for the
kinds of check and the verdicts.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.yaml_text import read_yaml_mapping

DECLARABLE_BASES = ("independent", "transcription")
RULES = ["equals", "within_tolerance", "within_range", "greater_than", "at_least", "sums_to"]
KINDS = RULES + ["consistency"]
#: Where in the source a claim is made: the book groups verdicts by these.
CHAPTERS = ["Executive summary"] + [f"Chapter {i}" for i in range(1, 8)] + [f"Appendix {i}" for i in range(1, 4)]
#: The survey findings file the survey notebook writes (statement, computed value, data kind).
SURVEY_FINDINGS = "survey_findings.csv"
#: The facts file (``facts_<name>.csv``) whose values rest on survey responses.

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
    """Validator for :func:`nptsc_eval.validate_raw.validators`: raises DataValidationError."""
    load_register(path)
