"""The value of a claim's evidence, and what its verdict rests on (its evidence basis)."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd

from nptsc_eval.claims.register import SURVEY_FINDINGS, Claim, Evidence, TableQuery
from nptsc_eval.errors import PipelineError
from nptsc_eval.paths import PROCESSED_DIR

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
COMPUTING_OPERATIONS = ("sum", "max", "ratio", "table", "stated_sum", "stated_ratio", "days_between",
                        "days_between_facts")
#: Explanation of a survey claim judged on synthetic data.
SURVEY_PRODUCER = "survey"
#: Columns of the audit table, in order.

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


def is_missing(value: Any) -> bool:
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
