"""Verdict rules: whether a claim's check holds, and which verdict the claim gets."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from nptsc_eval.claims.evidence import EvidenceContext, evaluate_evidence, evidence_basis, is_missing
from nptsc_eval.claims.register import Claim, Evidence, Phrase, tidy_text
from nptsc_eval.errors import PipelineError
from nptsc_eval.templating import passage

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
#: The explanations of the verdicts (see :func:`nptsc_eval.templating.passage`).
EXPLANATIONS = "claims_verdicts.md.j2"
#: Rule kinds a claim may use; ``consistency`` compares two statements with one of the others.

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
        return False, passage(EXPLANATIONS, "print_not_recorded", ours=ours)
    at_source = at_other = None
    if ours_expected and (printed.expected is None or not _same(expected, printed.expected)):
        at_source = {"ours": show_value(expected), "place": claim.source_location, "printed": show_value(printed.expected)}
    if ours_computed and (printed.computed is None or not _same(computed, printed.computed)):
        at_other = {"ours": show_value(computed), "place": claim.other_location, "printed": show_value(printed.computed)}
    if at_source or at_other:
        return False, passage(EXPLANATIONS, "not_as_printed", at_source=at_source, at_other=at_other)
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
                   explanation=passage(EXPLANATIONS, "evidence_missing", missing=claim.missing_evidence))
        return row
    computed, data_kind = evaluate_evidence(claim.id, claim.evidence, context)
    expected = claim.expected
    if isinstance(expected, Evidence):
        expected, expected_kind = evaluate_evidence(claim.id, expected, context)
        data_kind = data_kind or expected_kind
    needs_expected = claim.check_rule != "within_range"
    if is_missing(computed) or (needs_expected and is_missing(expected)):
        row.update(expected=_expected_text(claim, expected, phrases) if not is_missing(expected) else "",
                   computed="", status="not_checkable", evidence=claim.evidence.describe(), data_kind=data_kind,
                   explanation=passage(EXPLANATIONS, "no_value", evidence=claim.evidence.describe()))
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
        explanation = passage(EXPLANATIONS, "synthetic", result="passes" if holds else "fails")
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
        explanation = passage(EXPLANATIONS, "differs", stated=_expected_text(claim, expected, phrases),
                              found=show_value(computed), real_survey=basis == "real_survey")
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
                note = passage(EXPLANATIONS, "one_verdict", deciding=deciding, verdict=STATUS_LABELS[verdict])
                m["status"] = verdict
                m["explanation"] = " ".join(t for t in (note, m.get("explanation", "")) if t)
    return rows
