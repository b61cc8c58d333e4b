"""Tests for the claims audit: rules, register validation, missing evidence, the real audit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from nptsc_eval import paths
from nptsc_eval.claims.audit import anchor, audit as run_audit, basis_sentence, counts_by_basis, inconsistencies_table, pending_claims, survey_data_kind, wording_table
from nptsc_eval.charts.claims import basis_chart_alt
from nptsc_eval.claims.evidence import BASES
from nptsc_eval.claims.register import Evidence, Register, SURVEY_FINDINGS, load_register, missing_hedges, tidy_text
from nptsc_eval.claims.rules import STATUSES, STATUS_LABELS
from nptsc_eval.errors import DataValidationError, PipelineError
from nptsc_eval.facts import Facts

PHRASES = [
    {"id": "approximately_half", "wording": "approximately half", "lower": 0.40, "upper": 0.60},
    {"id": "over_half", "wording": "over half", "lower": 0.5, "upper": 1.0, "lower_inclusive": False},
]


def make_register(*entries: dict) -> Register:
    return Register.model_validate({
        "title": "t", "description": "d", "source": {"document": "x"}, "licence": "l",
        "phrases": PHRASES, "claims": list(entries),
    })


def claim(id: str, **fields) -> dict:
    base = {"id": id, "chapter": "Chapter 2", "source_location": "Table 2.1", "statement": f"Statement {id} of the report."}
    return {**base, **fields}


@pytest.fixture
def facts() -> pd.DataFrame:
    f = Facts("test")
    f.add("t.a", 102)
    f.add("t.b", 33)
    f.add("t.c", 69)
    f.add("t.share", 0.35)
    f.add("t.status", "met")
    f.add("t.none", None)
    return f.frame()


def verdicts(register: Register, facts: pd.DataFrame, **kwargs) -> dict[str, str]:
    table = run_audit(register, facts, **kwargs)
    return dict(zip(table["claim_id"], table["status"].astype(str)))


# --- each rule kind --------------------------------------------------------------------


def test_equals_numbers_and_text(facts):
    register = make_register(
        claim("n-ok", kind="equals", expected=102, evidence={"fact": "t.a"}),
        claim("n-bad", kind="equals", expected=103, evidence={"fact": "t.a"}),
        claim("text-ok", kind="equals", expected="met", evidence={"fact": "t.status"}),
        claim("text-bad", kind="equals", expected="not met", evidence={"fact": "t.status"}),
    )
    assert verdicts(register, facts) == {"n-ok": "reproduced", "n-bad": "differs",
                                         "text-ok": "reproduced", "text-bad": "differs"}


def test_within_tolerance_is_rounding(facts):
    register = make_register(
        claim("pct-ok", kind="within_tolerance", expected=13, tolerance=0.5,
              evidence={"ratio": {"part": ["t.b"], "base": ["t.a", "t.c", "t.b"]}, "scale": 100}),
        claim("pct-bad", kind="within_tolerance", expected=20, tolerance=0.5,
              evidence={"ratio": {"part": ["t.b"], "base": ["t.a", "t.c", "t.b"]}, "scale": 100}),
    )
    table = run_audit(register, facts)
    assert table["computed"].tolist() == ["16.1765", "16.1765"]  # 33 / 204
    assert table["status"].astype(str).tolist() == ["differs", "differs"]
    register = make_register(claim("pct", kind="within_tolerance", expected=16, tolerance=0.5,
                                   evidence={"ratio": {"part": ["t.b"], "base": ["t.a", "t.c", "t.b"]}, "scale": 100}))
    assert verdicts(register, facts) == {"pct": "reproduced"}


def test_within_range_uses_the_registers_phrases(facts):
    register = make_register(
        claim("half", kind="within_range", phrase="approximately_half", evidence={"fact": "t.share"}),
        claim("bounds", kind="within_range", range=[0.3, 0.4], evidence={"fact": "t.share"}),
        claim("over-half-edge", kind="within_range", phrase="over_half", evidence={"stated": 0.5}),
    )
    table = run_audit(register, facts)
    assert dict(zip(table["claim_id"], table["status"].astype(str))) == {
        "half": "differs", "bounds": "reproduced", "over-half-edge": "differs"}
    assert table["expected"].iloc[0] == "0.40 to 0.60 ('approximately half')"


def test_greater_than_and_at_least_a_target(facts):
    register = make_register(
        claim("gt-equal", kind="greater_than", expected=102, evidence={"fact": "t.a"}),
        claim("al-equal", kind="at_least", expected=102, evidence={"fact": "t.a"}),
        claim("gt-target-fact", kind="greater_than", expected={"fact": "t.c"}, evidence={"fact": "t.a"}),
    )
    assert verdicts(register, facts) == {"gt-equal": "differs", "al-equal": "reproduced", "gt-target-fact": "reproduced"}


def test_sums_to_a_stated_total(facts):
    register = make_register(
        claim("sum-ok", kind="sums_to", expected=204, evidence={"sum": ["t.a", "t.b", "t.c"]}),
        claim("sum-bad", kind="sums_to", expected=200, evidence={"sum": ["t.a", "t.b", "t.c"]}),
        claim("stated", kind="sums_to", expected=8, evidence={"stated_sum": [4, 4]}),
    )
    assert verdicts(register, facts) == {"sum-ok": "reproduced", "sum-bad": "differs", "stated": "reproduced"}


def test_consistency_failure_is_the_sources_not_the_datas(facts):
    both = {"kind": "consistency", "rule": "equals", "other_location": "Appendix 3",
            "other_statement": "The appendix says otherwise.", "explanation": "One word differs."}
    register = make_register(
        claim("quote", expected="I can't overstate it.", evidence={"stated": "I can’t understate it."}, **both),
        claim("dash", expected="very good - it was", evidence={"stated": "very good – it was"}, **both),
    )
    table = run_audit(register, facts)
    assert table["status"].astype(str).tolist() == ["inconsistent_in_source", "reproduced"]
    listed = inconsistencies_table(table)
    assert listed["Claim"].tolist() == ["quote"]
    assert listed[["Where", "Elsewhere", "Why they disagree"]].iloc[0].tolist() == ["Table 2.1", "Appendix 3", "One word differs."]


def test_days_between_dates_in_a_range(facts):
    register = make_register(claim(
        "dates", kind="consistency", rule="within_range", range=[0, 60], other_location="Appendix 3",
        other_statement="Sessions on two dates.", explanation="A year apart.",
        evidence={"days_between": ["2010-01-14", "2011-02-01"]}))
    table = run_audit(register, facts)
    assert table[["computed", "status"]].iloc[0].tolist() == ["383", "inconsistent_in_source"]


def test_not_checkable_says_what_is_missing(facts):
    register = make_register(claim("nc", kind="greater_than", missing_evidence="No split of trainees by level."))
    table = run_audit(register, facts)
    assert table["status"].astype(str).tolist() == ["not_checkable"]
    assert table["explanation"].iloc[0] == "Evidence missing: No split of trainees by level."


def test_table_evidence_reads_a_processed_csv(tmp_path, facts):
    pd.DataFrame({"strand": [1, 1, 2], "partner": ["A", "B", "A"]}).to_csv(tmp_path / "outputs.csv", index=False)
    register = make_register(
        claim("partners", kind="equals", expected=2, evidence={"table": {"file": "outputs.csv", "column": "partner", "aggregate": "nunique"}}),
        claim("strand-1", kind="equals", expected=2, evidence={"table": {"file": "outputs.csv", "column": "partner",
                                                                          "where": {"strand": 1}, "aggregate": "count"}}),
    )
    assert verdicts(register, facts, processed_dir=tmp_path) == {"partners": "reproduced", "strand-1": "reproduced"}


def test_survey_finding_carries_its_data_kind(facts):
    findings = pd.DataFrame({"finding_id": ["third_positive"], "computed": [0.62], "data_kind": ["synthetic"]})
    register = make_register(claim("survey", kind="within_range", phrase="approximately_half",
                                   evidence={"finding": "third_positive"}))
    table = run_audit(register, facts, findings=findings)
    assert table[["status", "data_kind", "evidence_basis"]].astype(str).iloc[0].tolist() == [
        "not_checkable", "synthetic", "synthetic"]
    assert table["explanation"].iloc[0] == "Needs the survey microdata; the synthetic demonstration fails."
    assert survey_data_kind(table) == "synthetic"


def test_survey_facts_carry_the_surveys_data_kind(facts):
    survey = Facts("survey")
    survey.add("survey.partner.cipfa", 209)
    survey.add("survey.responses.total", 250)
    both = pd.concat([facts, survey.frame()], ignore_index=True)
    register = make_register(
        claim("share", kind="within_tolerance", expected=84, tolerance=0.5,
              evidence={"ratio": {"part": ["survey.partner.cipfa"], "base": ["survey.responses.total"]}, "scale": 100}),
        claim("not-survey", kind="equals", expected=102, evidence={"fact": "t.a"}),
    )
    export = pd.DataFrame({"finding_id": ["x"], "computed": [1.0], "data_kind": ["export"]})
    table = run_audit(register, both, findings=export)
    assert table[["computed", "status", "data_kind", "evidence_basis"]].astype(str).values.tolist() == [
        ["83.6", "reproduced", "export", "real_survey"], ["102", "reproduced", "", "independent"]]


def test_on_a_survey_export_a_failed_check_is_a_finding_about_the_data(facts):
    survey = Facts("survey")
    survey.add("survey.partner.cipfa", 100)
    survey.add("survey.responses.total", 140)
    both = pd.concat([facts, survey.frame()], ignore_index=True)
    findings = pd.DataFrame({"finding_id": ["third_involvement", "unanswered"], "computed": [0.45, float("nan")],
                             "data_kind": ["export", "export"]})
    register = make_register(
        claim("total", kind="equals", expected=250, evidence={"fact": "survey.responses.total"}),
        claim("share", kind="consistency", rule="within_tolerance", tolerance=0.5, expected=84,
              evidence={"ratio": {"part": ["survey.partner.cipfa"], "base": ["survey.responses.total"]}, "scale": 100},
              other_location="Table 1.1", other_statement="209 of 250.", explanation="Rounding."),
        claim("phrase", kind="within_range", phrase="over_half", evidence={"finding": "third_involvement"}),
        claim("empty", kind="within_range", phrase="over_half", evidence={"finding": "unanswered"}),
    )
    table = run_audit(register, both, findings=findings).set_index("claim_id")
    assert table["status"].astype(str).to_dict() == {"total": "differs", "share": "differs", "phrase": "differs",
                                                     "empty": "not_checkable"}
    assert table.loc["share", "explanation"] == "The source states 84 ± 0.5; the survey export gives 71.4286."
    assert table.loc["empty", "explanation"].startswith("Evidence missing: survey finding unanswered")
    assert set(table["data_kind"]) == {"export"}


def test_audit_leaves_its_input_unchanged(facts):
    before = facts.copy()
    run_audit(make_register(claim("a", kind="equals", expected=102, evidence={"fact": "t.a"})), facts)
    pd.testing.assert_frame_equal(facts, before)


def test_pending_claims_are_listed_not_evaluated(facts):
    register = make_register(
        claim("now", kind="equals", expected=102, evidence={"fact": "t.a"}),
        claim("later", kind="equals", expected=1, evidence={"fact": "t.not_yet"}, pending="awaiting facts_x.csv"),
    )
    assert run_audit(register, facts)["claim_id"].tolist() == ["now"]
    assert pending_claims(register)[["claim_id", "pending"]].values.tolist() == [["later", "awaiting facts_x.csv"]]


# --- missing evidence fails with the claim's name ---------------------------------------


def test_a_missing_fact_names_the_claim(facts):
    register = make_register(claim("ghost", kind="equals", expected=1, evidence={"sum": ["t.a", "t.renamed"]}))
    with pytest.raises(PipelineError, match=r"claim 'ghost': fact 't.renamed' does not exist"):
        run_audit(register, facts)


def test_a_fact_that_is_not_a_number_names_the_claim(facts):
    register = make_register(claim("wrong-type", kind="greater_than", expected=1, evidence={"sum": ["t.status"]}))
    with pytest.raises(PipelineError, match=r"claim 'wrong-type': fact 't.status' is 'met', not a number"):
        run_audit(register, facts)


def test_a_missing_survey_finding_names_the_claim(facts):
    findings = pd.DataFrame({"finding_id": ["other"], "computed": [0.5], "data_kind": ["synthetic"]})
    register = make_register(claim("gone", kind="within_range", phrase="over_half", evidence={"finding": "renamed"}))
    with pytest.raises(PipelineError, match=r"claim 'gone': survey finding 'renamed' does not exist"):
        run_audit(register, facts, findings=findings)


# --- the register is validated at load -------------------------------------------------


def write_register(folder: Path, entries: list[dict]) -> Path:
    path = folder / "claims_register.yml"
    path.write_text(yaml.safe_dump({"title": "t", "description": "d", "source": {"document": "x"}, "licence": "l",
                                    "phrases": PHRASES, "claims": entries}), encoding="utf-8")
    return path


@pytest.mark.parametrize("broken, message", [
    (claim("no-evidence", kind="equals", expected=3),
     "claim 'no-evidence': evidence is required"),
    (claim("bad-kind", kind="roughly", expected=3, evidence={"fact": "t.a"}),
     "claim 'bad-kind', field 'kind'"),
    (claim("two-ops", kind="equals", expected=3, evidence={"fact": "t.a", "sum": ["t.b"]}),
     "claim 'two-ops', field 'evidence': give exactly one of"),
    (claim("no-tolerance", kind="within_tolerance", expected=3, evidence={"fact": "t.a"}),
     "claim 'no-tolerance': within_tolerance needs a tolerance"),
    (claim("lonely", kind="consistency", rule="equals", expected=3, evidence={"fact": "t.a"}),
     "claim 'lonely': a consistency check needs other_location"),
    (claim("phrase", kind="within_range", phrase="roughly_a_third", evidence={"fact": "t.a"}),
     "claim 'phrase', field 'phrase': 'roughly_a_third' is not one of the register's phrases"),
    (claim("bad-fact", kind="equals", expected=3, evidence={"fact": "Table 2.1 total"}),
     "claim 'bad-fact', field 'evidence': 'Table 2.1 total' is not a fact id"),
    (claim("bad-chapter", chapter="Chapter 9", kind="equals", expected=3, evidence={"fact": "t.a"}),
     "claim 'bad-chapter', field 'chapter'"),
])
def test_a_broken_entry_names_the_claim_and_field(tmp_path, broken, message):
    good = claim("good", kind="equals", expected=102, evidence={"fact": "t.a"})
    path = write_register(tmp_path, [good, broken])
    with pytest.raises(DataValidationError) as caught:
        load_register(path)
    assert message in str(caught.value)
    assert "claims_register.yml" in str(caught.value)


def test_repeated_claim_ids_are_reported(tmp_path):
    entry = claim("twice", kind="equals", expected=102, evidence={"fact": "t.a"})
    with pytest.raises(DataValidationError, match="claim 'twice', field 'id': repeats an id"):
        load_register(write_register(tmp_path, [entry, entry]))


def test_check_data_reports_a_broken_register(raw_copy):
    from nptsc_eval.validate_raw import undocumented_raw_files, validate_raw_data

    assert "data/raw/claims_register.yml" not in undocumented_raw_files()
    data = yaml.safe_load((raw_copy / "claims_register.yml").read_text(encoding="utf-8"))
    data["claims"][0].pop("evidence")
    first = data["claims"][0]["id"]
    (raw_copy / "claims_register.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    messages = [str(e) for e in validate_raw_data(raw_copy) if "claims_register.yml" in str(e)]
    assert len(messages) == 1
    assert f"claim {first!r}: evidence is required" in messages[0]


# --- the real register ------------------------------------------------------------------


def test_the_register_is_valid_and_large_enough():
    register = load_register()
    assert len(register.claims) >= 60
    kinds = {c.kind for c in register.claims}
    assert kinds >= {"equals", "within_tolerance", "within_range", "greater_than", "at_least", "sums_to", "consistency"}


#: Claims that may wait for evidence from an analysis not yet in the pipeline. Change this
#: only together with the register entries it names.
AWAITING_EVIDENCE: set[str] = set()


def test_claims_awaiting_evidence_do_not_grow_silently():
    assert set(pending_claims()["claim_id"]) == AWAITING_EVIDENCE


def test_every_consistency_check_names_both_places():
    for c in load_register().claims:
        if c.kind == "consistency" and c.missing_evidence is None:
            assert c.other_location and c.other_statement and c.explanation, c.id


@pytest.mark.build
def test_the_default_build_audit(built_book):
    audit = pd.read_csv(paths.PROCESSED_DIR / "claims_audit.csv", dtype=str, keep_default_na=False)
    register = load_register()
    evaluated = [c.id for c in register.claims if c.pending is None]
    assert audit["claim_id"].tolist() == evaluated
    assert len(audit) >= 60
    assert set(audit["status"]) <= set(STATUSES)
    # A verdict of "differs" in the default build must be explained by the source itself,
    # never caused by the project's own data.
    for row in audit[audit["status"] == "differs"].itertuples():
        entry = next(c for c in register.claims if c.id == row.claim_id)
        assert entry.explanation, f"{row.claim_id} differs without an explanation from the source"
    inconsistent = audit[audit["status"] == "inconsistent_in_source"]
    assert {"ch2-survey-dates", "app3-gateshead-dates", "f5-2-phase-bracket",
            "ch4-bursary-five-universities", "app2-third-bidding-bullet-subject",
            "ex-partners-from-each-project", "app2-third-bid-quality-hedge"} <= set(inconsistent["claim_id"])
    assert (inconsistent["other_location"] != "").all() and (inconsistent["explanation"] != "").all()
    assert set(inconsistent["evidence_basis"]) == {"source_text"}
    # Wording-only differences are not counted as contradictions.
    wording = audit[audit["status"] == "wording_differs"]
    assert set(wording["claim_id"]) == {"f3-3-commissioner-a-quote", "f3-3-commissioner-a-meetings",
                                        "f5-7-norfolk-tender-wording", "ex-recommendation-discourse-wording"}
    missing = audit[(audit["status"] == "not_checkable") & (audit["evidence_basis"] == "none")]
    assert missing["explanation"].str.startswith("Evidence missing: ").all()
    page = (built_book / "book" / "executed" / "05-claims-audit.html").read_text(encoding="utf-8")
    assert "Places where the report contradicts itself" in page
    assert "Places where two printings differ only in wording" in page
    assert "I can&#39;t understate" in page or "I can't understate" in page


@pytest.mark.build
def test_changing_a_transcribed_number_turns_its_claim_to_differs(raw_copy, tmp_path, notebook_in):
    """Run the programme outputs notebook on a copy of data/raw with one number changed."""
    from nptsc_eval.build import execute_notebook

    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    shutil.move(str(raw_copy), root / "data" / "raw")
    table = root / "data" / "raw" / "table_2_1_programme_outputs.csv"
    text = table.read_text(encoding="utf-8")
    changed = text.replace("london_councils_pilot,participants,28,reported,,false,28",
                           "london_councils_pilot,participants,29,reported,,false,29")
    assert changed != text
    table.write_text(changed, encoding="utf-8")
    execute_notebook(notebook_in(root, "01-programme-outputs.ipynb"), tmp_path / "01.ipynb")
    processed = root / "data" / "processed"
    assert (processed / "facts_programme_outputs.csv").exists()
    # The other notebooks' facts are taken from the real build; the programme outputs' come
    # from the changed copy.
    from nptsc_eval.facts import load_facts

    real_facts = load_facts()
    facts = pd.concat([real_facts[real_facts["produced_by"] != "programme_outputs"], load_facts(processed)],
                      ignore_index=True)
    findings_file = paths.PROCESSED_DIR / SURVEY_FINDINGS
    findings = pd.read_csv(findings_file) if findings_file.exists() else None
    register = load_register(root / "data" / "raw" / "claims_register.yml")
    audit = run_audit(register, facts, processed_dir=processed, findings=findings).set_index("claim_id")
    assert audit.loc["t2-1-london-councils-participants", "status"] == "differs"
    assert audit.loc["t2-1-london-councils-participants", "computed"] == "29"
    # The claim about the pilot's shortfall still holds: 29 is below the target of 50.
    assert audit.loc["ch3-london-councils-not-as-envisaged", "status"] == "reproduced"
    assert audit.loc["t2-1-cipfa-participants", "status"] == "reproduced"
    # The real processed data was not touched.
    real = pd.read_csv(paths.PROCESSED_DIR / "facts_programme_outputs.csv", dtype=str).set_index("fact_id")
    assert real.loc["table_2_1.london_councils_pilot.participants", "value"] == "28"


@pytest.mark.build
def test_a_claim_whose_fact_is_gone_fails_the_notebook_naming_it(built_book, raw_copy, tmp_path, notebook_in):
    """The appendix notebook stops, naming the claim, when a fact it reads no longer exists."""
    from nptsc_eval.build import execute_notebook
    from papermill.exceptions import PapermillExecutionError

    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    shutil.move(str(raw_copy), root / "data" / "raw")
    shutil.copytree(paths.PROCESSED_DIR, root / "data" / "processed")
    facts_file = root / "data" / "processed" / "facts_programme_outputs.csv"
    text = facts_file.read_text(encoding="utf-8")
    facts_file.write_text(text.replace("table_2_1.cipfa_training.participants,",
                                       "table_2_1.cipfa_training.participants_renamed,"), encoding="utf-8")
    with pytest.raises(PapermillExecutionError) as caught:
        execute_notebook(notebook_in(root, "05-claims-audit.ipynb"), tmp_path / "05.ipynb")
    assert caught.value.ename == "PipelineError"
    assert "claim 't2-1-cipfa-participants': fact 'table_2_1.cipfa_training.participants' does not exist" in caught.value.evalue


# --- what each verdict rests on ---------------------------------------------------------


def located_facts() -> pd.DataFrame:
    """Facts with the places of the source they were recorded from."""
    f = Facts("test")
    f.add("t.cell", 102, source_location="Table 2.1")
    f.add("t.row_count", 7, source_location="Table 5.3")
    f.add("t.part_a", 60, source_location="Table 4.2")
    f.add("t.part_b", 42, source_location="Table 4.2")
    f.add("t.status", "met", source_location="Tools published nationally")
    return f.frame()


def test_the_basis_is_computed_from_what_the_check_compares():
    register = make_register(
        claim("same-cell", kind="equals", expected=102, evidence={"fact": "t.cell"}),
        claim("text-against-table", source_location="Chapter 5, bassac", kind="equals", expected=7,
              evidence={"fact": "t.row_count"}),
        claim("a-total", source_location="Table 4.2", kind="sums_to", expected=102,
              evidence={"sum": ["t.part_a", "t.part_b"]}),
        claim("printed-ratio", kind="within_tolerance", tolerance=0.05, expected=13.2,
              evidence={"stated_ratio": {"part": [33], "base": [250]}, "scale": 100}),
        claim("two-places", kind="consistency", rule="equals", expected=102, evidence={"fact": "t.cell"},
              other_location="Table 4.2", other_statement="102 in all.", explanation="Same count."),
        claim("nothing", kind="greater_than", missing_evidence="No data."),
    )
    table = run_audit(register, located_facts()).set_index("claim_id")
    assert table["evidence_basis"].astype(str).to_dict() == {
        "same-cell": "transcription", "text-against-table": "independent", "a-total": "independent",
        "printed-ratio": "independent", "two-places": "source_text", "nothing": "none"}
    assert table.loc["printed-ratio", "computed"] == "13.2"
    assert table.loc["printed-ratio", "status"] == "reproduced"


def test_a_declared_basis_is_checked():
    needed = make_register(claim("workbook", source_location="Chapter 3, London Councils", kind="equals",
                                 expected="met", evidence={"fact": "t.status"}, evidence_basis="transcription"))
    assert run_audit(needed, located_facts())["evidence_basis"].astype(str).tolist() == ["transcription"]
    redundant = make_register(claim("cell", kind="equals", expected=102, evidence={"fact": "t.cell"},
                                    evidence_basis="transcription"))
    with pytest.raises(PipelineError, match="claim 'cell': declares evidence_basis 'transcription', which the audit computes"):
        run_audit(redundant, located_facts())
    survey = Facts("survey")
    survey.add("survey.partner.cipfa", 209)
    survey.add("survey.data_kind", "synthetic")
    hidden = make_register(claim("hidden", kind="equals", expected=209, evidence={"fact": "survey.partner.cipfa"},
                                 evidence_basis="independent"))
    with pytest.raises(PipelineError, match="claim 'hidden': declares evidence_basis 'independent', but its evidence rests on the survey"):
        run_audit(hidden, pd.concat([located_facts(), survey.frame()], ignore_index=True))


@pytest.mark.parametrize("broken, message", [
    (claim("sum-transcribed", kind="sums_to", expected=3, evidence={"sum": ["t.a", "t.b"]}, evidence_basis="transcription"),
     "claim 'sum-transcribed': evidence_basis transcription needs one fact"),
    (claim("declared-synthetic", kind="equals", expected=3, evidence={"fact": "t.a"}, evidence_basis="synthetic"),
     "claim 'declared-synthetic', field 'evidence_basis'"),
    (claim("wording-alone", kind="equals", expected="a", evidence={"stated": "b"}, wording_only=True),
     "claim 'wording-alone': wording_only is for a consistency check"),
    (claim("dropped-hedge", kind="within_range", phrase="approximately_half", evidence={"fact": "t.share"},
           quote="anecdotal evidence suggests that approximately half came", statement="About half came, as the survey shows."),
     "claim 'dropped-hedge', field 'statement': drops the hedge 'anecdotal', 'suggest'"),
])
def test_new_register_fields_are_validated(tmp_path, broken, message):
    path = write_register(tmp_path, [claim("good", kind="equals", expected=102, evidence={"fact": "t.a"}), broken])
    with pytest.raises(DataValidationError) as caught:
        load_register(path)
    assert message in str(caught.value)


def synthetic_survey(tmp_path: Path, synthetic: bool) -> Path:
    path = tmp_path / ("synthetic.csv" if synthetic else "export.csv")
    path.write_text("respondent_id\n1\n", encoding="utf-8")
    if synthetic:
        path.with_suffix(".meta.yml").write_text("title: t\nsynthetic: true\n", encoding="utf-8")
    return path


def test_a_check_on_synthetic_data_is_never_reproduced(tmp_path, facts):
    survey = Facts("survey")
    survey.add("survey.responses.total", 250)
    survey.add("survey.data_kind", "synthetic")
    both = pd.concat([facts, survey.frame()], ignore_index=True)
    findings = pd.DataFrame({"finding_id": ["half", "far"], "computed": [0.52, 0.9], "data_kind": ["synthetic"] * 2})
    register = make_register(
        claim("total", kind="equals", expected=250, evidence={"fact": "survey.responses.total"}),
        claim("half", kind="within_range", phrase="approximately_half", evidence={"finding": "half"}),
        claim("far", kind="within_range", phrase="approximately_half", evidence={"finding": "far"}),
    )
    table = run_audit(register, both, findings=findings, survey_file=synthetic_survey(tmp_path, True)).set_index("claim_id")
    assert set(table["status"].astype(str)) == {"not_checkable"}
    assert set(table["evidence_basis"].astype(str)) == {"synthetic"}
    assert table["explanation"].to_dict() == {
        "total": "Needs the survey microdata; the synthetic demonstration passes.",
        "half": "Needs the survey microdata; the synthetic demonstration passes.",
        "far": "Needs the survey microdata; the synthetic demonstration fails."}
    assert table.loc["half", "computed"] == "0.52"


def test_a_real_export_is_judged_for_real(tmp_path, facts):
    survey = Facts("survey")
    survey.add("survey.responses.total", 250)
    survey.add("survey.data_kind", "export")
    both = pd.concat([facts, survey.frame()], ignore_index=True)
    findings = pd.DataFrame({"finding_id": ["half"], "computed": [0.52], "data_kind": ["export"]})
    register = make_register(
        claim("total", kind="equals", expected=250, evidence={"fact": "survey.responses.total"}),
        claim("half", kind="within_range", phrase="approximately_half", evidence={"finding": "half"}))
    table = run_audit(register, both, findings=findings, survey_file=synthetic_survey(tmp_path, False))
    assert table[["status", "evidence_basis"]].astype(str).values.tolist() == [
        ["reproduced", "real_survey"], ["reproduced", "real_survey"]]


def test_survey_facts_from_other_data_than_the_builds_survey_stop_the_audit(tmp_path, facts):
    survey = Facts("survey")
    survey.add("survey.responses.total", 250)
    survey.add("survey.data_kind", "synthetic")
    both = pd.concat([facts, survey.frame()], ignore_index=True)
    findings = pd.DataFrame({"finding_id": ["x"], "computed": [1.0], "data_kind": ["synthetic"]})
    register = make_register(claim("total", kind="equals", expected=250, evidence={"fact": "survey.responses.total"}))
    with pytest.raises(PipelineError, match="claim 'total': the survey facts were computed from synthetic data, "
                                            "but this build's survey file export.csv is real survey"):
        run_audit(register, both, findings=findings, survey_file=synthetic_survey(tmp_path, False))


def test_two_printings_that_differ_only_in_wording(facts):
    both = {"kind": "consistency", "rule": "equals", "other_location": "Appendix 3",
            "other_statement": "The appendix words it differently."}
    register = make_register(
        claim("meetings", expected="every three to four months", evidence={"stated": "every three or four months"},
              wording_only=True, explanation="The same interval.", **both),
        claim("heading", expected="Phase one", evidence={"stated": "Strand one"}, explanation="Different things.", **both),
    )
    table = run_audit(register, facts)
    assert table["status"].astype(str).tolist() == ["wording_differs", "inconsistent_in_source"]
    assert inconsistencies_table(table)["Claim"].tolist() == ["heading"]
    assert wording_table(table)[["Claim", "Why the meaning is the same"]].values.tolist() == [["meetings", "The same interval."]]
    stale = make_register(claim("stale", expected="same words", evidence={"stated": "same  words"}, wording_only=True,
                                explanation="x", **both))
    with pytest.raises(PipelineError, match="claim 'stale': says the two printings differ in wording, but they agree"):
        run_audit(stale, facts)


def test_a_slip_in_our_transcription_differs_from_our_data_not_the_source():
    """A consistency check that fails because our data is not what the source prints is ours to fix."""
    def facts_with(listed: float) -> pd.DataFrame:
        f = Facts("test")
        f.add("bursary.universities_stated", 5, source_location="Chapter 4")
        f.add("bursary.institutions_listed", listed, source_location="Chapter 4, bursary course table")
        return f.frame()

    both = {"kind": "consistency", "rule": "equals", "expected": {"fact": "bursary.universities_stated"},
            "evidence": {"fact": "bursary.institutions_listed"}, "other_location": "Chapter 4, course table",
            "other_statement": "The table lists six.", "explanation": "Five against six."}
    register = make_register(claim("printed", printed={"expected": 5, "computed": 6}, **both),
                             claim("unrecorded", **both))
    as_printed = run_audit(register, facts_with(6)).set_index("claim_id")
    assert as_printed["status"].astype(str).to_dict() == {"printed": "inconsistent_in_source", "unrecorded": "differs"}
    typo = run_audit(register, facts_with(7)).set_index("claim_id")
    assert typo["status"].astype(str).to_dict() == {"printed": "differs", "unrecorded": "differs"}
    assert typo.loc["printed", "explanation"] == (
        "Differs from our data: our data gives 7 from Chapter 4, course table, where the source gives 6. "
        "Check the transcription.")
    assert STATUS_LABELS["differs"] == "differs from our data"
    assert inconsistencies_table(typo.reset_index()).empty


def test_counts_by_basis_and_the_sentence_that_reports_them():
    table = pd.DataFrame({"evidence_basis": ["synthetic", "independent", "independent", "source_text"],
                          "status": ["not_checkable", "reproduced", "reproduced", "wording_differs"]})
    by_basis = counts_by_basis(table)
    assert by_basis.index.tolist() == ["independent", "source_text", "synthetic"]
    assert by_basis["total"].tolist() == [2, 1, 1]
    assert basis_sentence(by_basis) == (
        "two rest on an independent check (two reproduced), one on two printings in the source compared "
        "(one differs only in wording) and one on synthetic survey data (one not checkable)")
    assert basis_chart_alt(by_basis).endswith("synthetic survey data: 1 claim (1 not checkable).")


# --- the real register: quotes, hedges, scope, one verdict per statement ------------------



def test_every_statement_outside_a_table_quotes_the_source():
    for c in load_register().claims:
        if not c.source_location.startswith("Table "):
            assert c.quote, f"{c.id} has no quote of the source's own words"


def test_every_quote_is_the_sources_own_words(source_report_text):
    source = tidy_text(source_report_text)
    for c in load_register().claims:
        for quote in (c.quote, c.other_quote):
            if quote:
                assert tidy_text(quote) in source, f"{c.id}: {quote!r} is not in the source"


def test_paraphrases_keep_the_sources_hedges():
    register = load_register()
    for c in register.claims:
        if c.quote:
            assert missing_hedges(c.quote, c.statement) == [], c.id
    signposted = next(c for c in register.claims if c.id == "ch3-sroi-half-signposted")
    assert "as the survey shows" not in signposted.statement
    assert signposted.statement.startswith("Anecdotal evidence suggests")


def test_phase_two_claims_do_not_rest_on_both_phases():
    """A claim about phase two cannot be reproduced from figures for phases one and two together."""
    register = load_register()
    both_phases = ("figure_5_2.", "including_phase_one", "phase_one_and_two")
    for c in register.claims:
        text = f"{c.statement} {c.quote or ''}".lower()
        if "phase two" in text and "phase one" not in text and c.evidence is not None:
            sides = [c.evidence] + ([c.expected] if isinstance(c.expected, Evidence) else [])
            used = [f for side in sides for f in side.fact_ids()]
            assert not any(marker in f for f in used for marker in both_phases), c.id


@pytest.mark.build
def test_the_audit_records_each_verdicts_basis(built_book):
    audit = pd.read_csv(paths.PROCESSED_DIR / "claims_audit.csv", dtype=str, keep_default_na=False)
    assert set(audit["evidence_basis"]) <= set(BASES)
    assert not ((audit["evidence_basis"] == "synthetic") & (audit["status"] == "reproduced")).any()
    synthetic = audit[audit["evidence_basis"] == "synthetic"]
    assert len(synthetic) >= 30 and set(synthetic["status"]) == {"not_checkable"}
    assert synthetic["explanation"].str.match(r"Needs the survey microdata; the synthetic demonstration (passes|fails)\.").all()
    verdicts = audit.set_index("claim_id")["status"]
    # Targets met only where the evidence measures what the target counts.
    for scoped in ("ch5-acevo-phase-two-tenders", "ch5-acevo-phase-two-tender-won", "ch4-bursary-take-up",
                   "ch5-acevo-seminars-on-target", "ch5-navca-on-target", "ch5-bassac-three-groups"):
        assert verdicts[scoped] == "not_checkable", scoped
        assert "does not cover what the claim states" in audit.set_index("claim_id").loc[scoped, "explanation"]
    # A target the report lets be read two ways cannot be called met or missed.
    assert verdicts["ch3-cipfa-exceeded-targets"] == "not_checkable"
    assert "two readings" in audit.set_index("claim_id").loc["ch3-cipfa-exceeded-targets", "explanation"]
    assert "ch4-ivar-five-plans" not in verdicts.index


@pytest.mark.build
def test_one_statement_one_verdict(built_book):
    """The same words of the source, registered twice, get the same verdict."""
    audit = pd.read_csv(paths.PROCESSED_DIR / "claims_audit.csv", dtype=str, keep_default_na=False)
    register = {c.id: c for c in load_register().claims}
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for row in audit.itertuples():
        c = register[row.claim_id]
        if not c.quote:
            continue
        key = (tidy_text(c.quote), tidy_text(c.other_quote or ""))
        if key in seen:
            other, verdict = seen[key]
            assert verdict == row.status, f"{other} and {row.claim_id} quote the same words but differ: {verdict}, {row.status}"
        seen[key] = (row.claim_id, row.status)


@pytest.mark.build
def test_a_typo_in_our_data_is_reported_as_ours(built_book):
    """Change our transcribed facts: the checks that use them differ from our data, not from the source."""
    from nptsc_eval.facts import load_facts

    facts = load_facts()
    changed = facts.copy()
    changed.loc[changed["fact_id"] == "bursary.institutions_listed", "value"] = "7"
    changed.loc[changed["fact_id"] == "table_4_2.total", "value"] = "103"
    register = load_register()
    before = run_audit(register, facts).set_index("claim_id")
    after = run_audit(register, changed).set_index("claim_id")
    assert before.loc["ch4-bursary-five-universities", "status"] == "inconsistent_in_source"
    assert before.loc["ch4-ivar-102-as-table", "status"] == "reproduced"
    assert after.loc["ch4-bursary-five-universities", "status"] == "differs"
    assert after.loc["ch4-bursary-five-universities", "explanation"].startswith("Differs from our data: our data gives 7")
    assert after.loc["ch4-ivar-102-as-table", "status"] == "differs"
    assert after.loc["ch4-ivar-102-as-table", "explanation"].startswith("Differs from our data")


@pytest.mark.build
def test_with_a_real_export_survey_claims_are_judged_for_real(hostile_build):
    """The survey facts of a build with a real-layout export (the hostile one, built once for the
    run), audited beside the real build's other facts: no survey verdict is synthetic."""
    from nptsc_eval.facts import load_facts

    export = hostile_build["export"]
    real_facts = load_facts()
    processed = hostile_build["root"] / "data" / "processed"
    export_facts = load_facts(processed)
    facts = pd.concat([real_facts[real_facts["produced_by"] != "survey"],
                       export_facts[export_facts["produced_by"] == "survey"]], ignore_index=True)
    findings = pd.read_csv(processed / SURVEY_FINDINGS)
    audit = run_audit(load_register(), facts, processed_dir=paths.PROCESSED_DIR, findings=findings,
                         survey_file=export).set_index("claim_id")
    survey = audit[audit["data_kind"] != ""]
    assert len(survey) >= 30
    assert set(survey["evidence_basis"].astype(str)) == {"real_survey"}
    assert "synthetic" not in set(audit["evidence_basis"].astype(str))
    assert audit.loc["ch2-survey-responses", "status"] == "differs"  # the export has 180 responses, not 250
    assert audit.loc["ch2-survey-responses", "computed"] == "180"
    assert not survey["explanation"].str.contains("synthetic").any()
    # With the synthetic file named as the build's survey, the export's facts are refused.
    with pytest.raises(PipelineError, match="computed from real survey data, but this build's survey file"):
        run_audit(load_register(), facts, processed_dir=paths.PROCESSED_DIR, findings=findings,
                     survey_file=paths.RAW_DIR / "survey_responses_synthetic.csv")


def test_claims_quoting_the_same_words_get_one_verdict(facts):
    """A sentence split into parts (one claim per stage) holds only if every part holds."""
    findings = pd.DataFrame({"finding_id": ["stage_a", "stage_b"], "computed": [0.5, 0.9], "data_kind": ["export"] * 2})
    sentence = "Approximately half felt it helped at each of the four stages."
    register = make_register(
        claim("stage-a", kind="within_range", phrase="approximately_half", evidence={"finding": "stage_a"},
              quote=sentence, statement="Approximately half say it helped at stage a."),
        claim("stage-b", kind="within_range", phrase="approximately_half", evidence={"finding": "stage_b"},
              quote=sentence, statement="Approximately half say it helped at stage b."),
        claim("alone", kind="equals", expected=102, evidence={"fact": "t.a"}, quote="Another sentence entirely."),
    )
    table = run_audit(register, facts, findings=findings).set_index("claim_id")
    assert table["status"].astype(str).to_dict() == {"stage-a": "differs", "stage-b": "differs", "alone": "reproduced"}
    assert table.loc["stage-a", "explanation"].startswith(
        "One statement, one verdict: the same words of the source are also checked as stage-b (differs from our data)")


@pytest.mark.build
def test_the_executive_summary_reports_the_audit_by_basis(built_book):
    """'About the figures' gives the counts by basis and verdict, as the audit computed them."""
    import html as html_lib
    import re

    audit = pd.read_csv(paths.PROCESSED_DIR / "claims_audit.csv", dtype=str, keep_default_na=False)
    expected = basis_sentence(counts_by_basis(audit))
    page = (built_book / "book" / "executive-summary.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", page)))
    section = text[text.index("About the figures"):]
    assert f"Of these statements, {expected}." in section
    assert "reproduces" not in section.split("claims audit")[0]


def test_every_claim_gets_its_own_html_anchor():
    from nptsc_eval import report

    assert anchor("t1-1-cipfa-and-sroi") == "claim-t1-1-cipfa-and-sroi"
    assert anchor("Table 2.1 / total") == "claim-table-2-1-total"
    table = "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr><tr class='x'><td>2</td></tr></tbody></table>"
    marked = report.with_row_ids(table, ["claim-a", 'claim-"b'])
    assert '<tr id="claim-a"><td>1</td>' in marked and "<tr id=\"claim-&quot;b\" class='x'>" in marked
    assert marked.count("<tr") == 3 and "<thead><tr><th>" in marked
