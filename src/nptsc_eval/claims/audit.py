"""Running the claims audit over the register, and summarising its verdicts for the appendix."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from nptsc_eval.claims.evidence import BASES, BASIS_LABELS, EvidenceContext
from nptsc_eval.claims.register import CHAPTERS, Register, load_register
from nptsc_eval.claims.rules import STATUS_LABELS, STATUSES, audit_claim, one_verdict_per_statement

#: Columns of the audit table, in order.
AUDIT_COLUMNS = ["claim_id", "chapter", "source_location", "statement", "kind", "rule", "expected", "computed",
                 "status", "evidence_basis", "explanation", "other_location", "other_statement", "evidence",
                 "data_kind", "quote", "other_quote"]


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
    from nptsc_eval import wording
    from nptsc_eval.claims.rules import EXPLANATIONS
    from nptsc_eval.templating import passage

    parts = [{"count": wording.number(int(row["total"])), "total": int(row["total"]), "basis": basis,
              "verdicts": [f"{wording.number(int(row[s]))} {_verb_agrees(STATUS_LABELS[s], int(row[s]))}"
                           for s in STATUSES if row[s]]}
             for basis, row in by_basis.iterrows()]
    return passage(EXPLANATIONS, "basis_sentence", parts=parts)
