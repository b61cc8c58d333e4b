"""The claims audit appendix (``notebooks/05-claims-audit.ipynb``): its values, notices and tables.

:func:`run_audit` runs the register's checks once and keeps what every section needs in an
:class:`Audit`; :func:`glue_facts` records the appendix's values; each ``show_*`` function
displays one section's table, chart or notice. The checks themselves are in :mod:`nptsc_eval.claims`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import Markdown, display

from nptsc_eval import report, wording
from nptsc_eval.charts.claims import basis_chart, basis_chart_alt
from nptsc_eval.claims import audit as claims_audit
from nptsc_eval.claims.evidence import BASES, BASIS_LABELS
from nptsc_eval.claims.register import load_register
from nptsc_eval.claims.rules import STATUS_LABELS
from nptsc_eval.paths import PROJECT_ROOT, RAW_DIR, processed
from nptsc_eval.templating import passage

#: The appendix's passages that depend on the build (see :func:`nptsc_eval.templating.passage`).
PASSAGES = "claims_audit.md.j2"


@dataclass
class Audit:
    """One run of the claims register's checks, with the counts the appendix shows."""

    register: Any
    table: pd.DataFrame
    counts: pd.Series
    by_basis: pd.DataFrame
    by_chapter: pd.DataFrame
    pending: pd.DataFrame
    survey_rows: pd.DataFrame
    survey_basis: str


def audit_source() -> str:
    """The source line under every table and chart of the appendix."""
    return report.source("statements throughout the original report, each located in the table", "our own audit",
                         ["data/raw/claims_register.yml", "data/processed/claims_audit.csv"])


def survey_basis(survey_rows: pd.DataFrame) -> str:
    """What the survey verdicts rest on: ``synthetic``, ``real_survey``, ``mixed`` or "" when none ran.

    >>> survey_basis(pd.DataFrame({"evidence_basis": ["synthetic", "synthetic"]}))
    'synthetic'
    >>> survey_basis(pd.DataFrame({"evidence_basis": ["synthetic", "real_survey"]}))
    'mixed'
    >>> survey_basis(pd.DataFrame({"evidence_basis": []}))
    ''
    """
    if survey_rows["evidence_basis"].nunique() > 1:
        return "mixed"
    return str(survey_rows["evidence_basis"].astype(str).iloc[0]) if len(survey_rows) else ""


def run_audit(register_name: str, survey_path: str) -> Audit:
    """Check every statement of ``data/raw/<register_name>`` and write ``claims_audit.csv``.

    ``survey_path`` is the survey file of this build, relative to the project unless absolute.
    """
    register = load_register(RAW_DIR / register_name)
    survey_file = Path(survey_path) if Path(survey_path).is_absolute() else PROJECT_ROOT / survey_path
    table = claims_audit.audit(register, survey_file=survey_file)
    table.to_csv(processed("claims_audit.csv"), index=False)
    survey_rows = table[table["evidence_basis"].isin(["synthetic", "real_survey"])]
    return Audit(register, table, claims_audit.status_counts(table), claims_audit.counts_by_basis(table), claims_audit.counts_by_chapter(table),
                 claims_audit.pending_claims(register), survey_rows, survey_basis(survey_rows))


def differs_sentence(differs: int) -> str:
    """How many statements differ from the data in this build.

    >>> differs_sentence(0), differs_sentence(1), differs_sentence(3)
    ('None does in this build.', 'One statement in this build does.', 'Three statements in this build do.')
    """
    return passage(PASSAGES, "differs_sentence", differs=differs,
                   counted=wording.capitalise(wording.count(differs, "statement")))


def glue_facts(audit: Audit) -> None:
    """Glue the appendix's counts and sentences."""
    table, counts, survey_rows = audit.table, audit.counts, audit.survey_rows
    report.glue("claims_total", len(table))
    for status, n in counts.items():
        report.glue(f"claims_{status}", int(n))
    for basis in BASES:
        report.glue(f"claims_basis_{basis}", int(audit.by_basis["total"].get(basis, 0)))
    report.glue("claims_basis_sentence", claims_audit.basis_sentence(audit.by_basis), kind="text")
    report.glue("claims_differs_sentence", differs_sentence(int(counts.get("differs", 0))), kind="text")
    report.glue("claims_consistency_checks", int((table["kind"] == "consistency").sum()))
    report.glue("claims_chapters", len(audit.by_chapter))
    report.glue("claims_pending", len(audit.pending))
    report.glue("claims_survey", len(survey_rows))
    report.glue("claims_phrases", len(audit.register.phrases))
    report.glue("claims_survey_reproduced", int((survey_rows["status"] == "reproduced").sum()))
    report.glue("survey_verdict_note", passage(PASSAGES, "survey_verdict_note", basis=audit.survey_basis), kind="text")


def show_survey_notice(audit: Audit) -> None:
    """Say at the top of the appendix whether the survey verdicts rest on synthetic or real data."""
    text = passage(PASSAGES, "survey_notice", basis=audit.survey_basis)
    if text:
        report.show_notice(text, kind="important" if audit.survey_basis == "real_survey" else "warning")


def _capitalised(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c)[:1].upper() + str(c)[1:] for c in frame.columns]
    return frame


def show_basis_table(audit: Audit) -> None:
    """Show the statements by what their verdict rests on, and by verdict."""
    frame = audit.by_basis.reset_index()
    frame["evidence_basis"] = frame["evidence_basis"].map(BASIS_LABELS)
    frame = frame.rename(columns={"evidence_basis": "What the verdict rests on", "total": "Total statements",
                                  **{k: f"{v} (statements)" for k, v in STATUS_LABELS.items()}})
    report.show_table(_capitalised(frame), "Statements of the report by what the verdict rests on, and by verdict",
                      "claims-by-basis", source=audit_source())


def show_basis_chart(audit: Audit) -> None:
    """Show what the verdicts rest on, as a chart."""
    report.show_figure(basis_chart(audit.by_basis), alt=basis_chart_alt(audit.by_basis), data=audit.by_basis,
                       title="What the verdict on each statement of the report rests on", source=audit_source())


def show_chapter_table(audit: Audit) -> None:
    """Show the statements by part of the report and verdict."""
    frame = audit.by_chapter.reset_index().rename(columns={"chapter": "Part of the report", "total": "Total statements",
                                                           **{k: f"{v} (statements)" for k, v in STATUS_LABELS.items()}})
    report.show_table(_capitalised(frame), "Statements by part of the report and verdict", "claims-by-chapter", source=audit_source())


def show_inconsistencies(audit: Audit) -> None:
    """Show the places where the report contradicts itself."""
    report.show_table(claims_audit.inconsistencies_table(audit.table), "Places where the report contradicts itself", "claims-inconsistent",
                      source=audit_source())


def show_wording(audit: Audit) -> None:
    """Show the places where two printings differ only in wording."""
    report.show_table(claims_audit.wording_table(audit.table), "Places where two printings differ only in wording", "claims-wording",
                      source=audit_source())


def show_differs(audit: Audit) -> None:
    """Show the statements that differ from the data (a one-row table saying so when none does)."""
    differs = audit.table[audit.table["status"] == "differs"]
    if differs.empty:
        shown = pd.DataFrame({"Statement": [passage(PASSAGES, "nothing_differs")]})
    else:
        shown = differs[["claim_id", "source_location", "statement", "expected", "computed", "explanation"]].set_axis(
            ["Claim", "Where", "Statement", "Stated", "Found (in the unit stated)", "Why"], axis=1)
    report.show_table(shown, "Statements that differ from our data", "claims-differs", source=audit_source())


def show_not_checkable(audit: Audit) -> None:
    """Show the statements the data cannot test, survey findings apart."""
    table = audit.table
    missing = table[(table["status"] == "not_checkable") & (table["evidence_basis"] != "synthetic")]
    report.show_table(missing[["claim_id", "source_location", "statement", "explanation"]]
                      .set_axis(["Claim", "Where", "Statement", "What is missing"], axis=1),
                      "Statements the project's data cannot test (survey findings apart)", "claims-not-checkable", source=audit_source())


def show_survey_table(audit: Audit) -> None:
    """Show the survey statements and the data they were run on."""
    if audit.survey_rows.empty:
        report.show_table(pd.DataFrame({"Statement": [passage(PASSAGES, "no_survey_statement")]}),
                          "Survey statements and the data they were run on", "claims-survey", source=audit_source())
        return
    shown = audit.survey_rows[["claim_id", "statement", "expected", "computed", "status", "evidence_basis", "explanation"]].copy()
    shown["status"] = shown["status"].astype(str).map(STATUS_LABELS)
    shown["evidence_basis"] = shown["evidence_basis"].astype(str).map(BASIS_LABELS)
    report.show_table(shown.set_axis(["Claim", "Statement", "Allowed", "Found (in the unit allowed)", "Verdict", "Survey data", "Note"], axis=1),
                      "Survey statements and the data they were run on", "claims-survey", source=audit_source())


def pending_heading(pending: int) -> str:
    """The heading and opening of the section on statements still waiting for their evidence."""
    return passage(PASSAGES, "pending_heading", pending=pending,
                   counted=wording.capitalise(wording.count(pending, "further statement")))


def show_pending_heading(audit: Audit) -> None:
    """Open a section only when some statements still wait for their evidence."""
    if not audit.pending.empty:
        display(Markdown(pending_heading(len(audit.pending))))


def show_pending_table(audit: Audit) -> None:
    """List the statements still waiting for their evidence (nothing when none does)."""
    if not audit.pending.empty:
        report.show_table(audit.pending[["claim_id", "source_location", "statement", "pending"]]
                          .set_axis(["Claim", "Where", "Statement", "Waiting for"], axis=1),
                          "Statements awaiting evidence", "claims-pending", source=audit_source())


def show_every_verdict(audit: Audit) -> None:
    """Show every statement tested, each row with its own anchor."""
    report.show_table(claims_audit.verdict_table(audit.table), "Every statement tested, with its verdict", "claims-every", source=audit_source(),
                      row_ids=[claims_audit.anchor(c) for c in audit.table["claim_id"]])


def phrases_table(register: Any) -> pd.DataFrame:
    """The ranges the register sets for the report's quantified phrases, as shown."""
    return pd.DataFrame([{"Phrase": p.wording, "From (share of the whole)": f"{p.lower:.2f}", "To (share of the whole)": f"{p.upper:.2f}",
                          "Lower end": "included" if p.lower_inclusive else "excluded", "Reading": p.note}
                         for p in register.phrases])


def show_phrases(audit: Audit) -> None:
    """Show the ranges the register sets for the report's phrases."""
    report.show_table(phrases_table(audit.register), "Ranges the register sets for the report's phrases", "claims-phrases",
                      source=report.source("our own reading of the phrases of the original report", None, "data/raw/claims_register.yml"))
