"""Outcomes and impacts: the evidence table, the strength rules, response rates, value for money."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from nptsc_eval import outcomes
from nptsc_eval.paths import PROJECT_ROOT, RAW_DIR
from nptsc_eval.tables import load_table
from nptsc_eval.validate_raw import validate_raw_data

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"


@pytest.fixture(scope="module")
def matrix() -> pd.DataFrame:
    return outcomes.evidence_matrix(load_table("outcome_evidence"), load_table("logic_models"), load_table("projects"))


def _rows(*specs):
    """Evidence rows from (source_type, independent, self_report, coverage, direction) tuples."""
    return pd.DataFrame(specs, columns=["source_type", "independent", "self_report", "coverage", "direction"])


def test_every_outcome_and_impact_box_has_a_graded_row(matrix):
    logic = load_table("logic_models")
    boxes = logic[logic["stage"].isin(["outcomes", "impacts"])]
    assert len(matrix) == len(boxes)
    assert (matrix["stage"] == "outcome").sum() == 20 and (matrix["stage"] == "impact").sum() == 7
    assert set(matrix["strength"]) <= set(outcomes.STRENGTHS)
    assert matrix["box_id"].is_unique
    for kind in outcomes.SOURCE_TYPES:
        assert set(matrix[kind]) <= {"supports", "mixed", "against", "silent", "none"}


def test_matrix_ratings_follow_the_coded_evidence(matrix):
    rated = matrix.set_index("box_id")
    assert rated.at["s2-ivar_area_support-outcome-3", "strength"] == "strong"
    assert rated.at["s1-cipfa_training-outcome-1", "strength"] == "moderate"
    assert rated.at["s2-e_learning-outcome-1", "direction"] == "against"
    assert set(matrix.loc[matrix["strength"] == "none", "box_id"]) == {
        "s1-cipfa_training-outcome-5", "s1-london_councils_pilot-outcome-1", "s2-bursary_scheme-outcome-1",
        "s2-bursary_scheme-outcome-2", "s3-impact-3"}


def test_rules_grade_each_strength():
    record_and_case = _rows(("monitoring", False, False, "most", "supports"), ("case_study", True, True, "few", "supports"))
    assert outcomes.rate_box(record_and_case)["strength"] == "strong"
    # the same two kinds, but the wide one is the partner's own account: not strong
    partner_and_case = _rows(("partner_interview", False, False, "most", "supports"), ("case_study", True, True, "few", "supports"))
    assert outcomes.rate_box(partner_and_case)["strength"] == "moderate"
    # a kind pointing both ways stops a strong rating, and leaves one agreeing kind
    mixed = _rows(("monitoring", False, False, "most", "supports"), ("survey_published", True, True, "some", "mixed"))
    assert outcomes.rate_box(mixed)["strength"] == "limited"
    assert outcomes.rate_box(mixed)["direction"] == "mixed"
    # self-report only, however many kinds
    self_report = _rows(("survey_published", True, True, "some", "supports"), ("case_study", True, True, "few", "supports"))
    assert outcomes.rate_box(self_report)["strength"] == "limited"
    # a few cases only
    few = _rows(("document", True, False, "few", "supports"), ("case_study", True, False, "few", "supports"))
    assert outcomes.rate_box(few)["strength"] == "limited"
    # one independent kind with wide coverage
    wide = _rows(("stakeholder_interview", True, False, "most", "supports"))
    assert outcomes.rate_box(wide)["strength"] == "moderate"
    against = _rows(("stakeholder_interview", True, False, "some", "against"))
    assert outcomes.rate_box(against) | {} == {**outcomes.rate_box(against), "strength": "limited", "direction": "against"}
    silent = _rows(("partner_interview", False, False, "some", "silent"))
    assert outcomes.rate_box(silent)["strength"] == "none"


def _raw_copy(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    return raw


def test_evidence_for_an_unknown_box_is_refused_with_row_and_columns(tmp_path):
    raw = _raw_copy(tmp_path)
    frame = pd.read_csv(raw / "outcome_evidence.csv", dtype=str, keep_default_na=False)
    frame.loc[3, "item"] = "9"  # E04, the only row for CIPFA's outcome 2
    frame.to_csv(raw / "outcome_evidence.csv", index=False)
    messages = " ".join(str(e) for e in validate_raw_data(raw))
    assert "outcome_evidence.csv" in messages
    assert "row 5, columns 'strand', 'project_id', 'stage', 'item'" in messages and "s1-cipfa_training-outcome-9" in messages
    # the box that lost its only row is named too
    assert "box s1-cipfa_training-outcome-2 of logic_models.csv has no row" in messages


def test_a_box_with_no_evidence_row_is_refused(tmp_path):
    raw = _raw_copy(tmp_path)
    frame = pd.read_csv(raw / "outcome_evidence.csv", dtype=str, keep_default_na=False)
    frame[frame["evidence_id"] != "E52"].to_csv(raw / "outcome_evidence.csv", index=False)
    messages = " ".join(str(e) for e in validate_raw_data(raw))
    assert "box s3-impact-3 of logic_models.csv has no row" in messages


def test_conclusion_evidence_must_name_real_boxes(tmp_path):
    raw = _raw_copy(tmp_path)
    frame = pd.read_csv(raw / "conclusion_evidence.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "box_ids"] = "s9-impact-1"
    frame.to_csv(raw / "conclusion_evidence.csv", index=False)
    messages = " ".join(str(e) for e in validate_raw_data(raw))
    assert "conclusion_evidence.csv" in messages and "row 2, column 'box_ids': 's9-impact-1'" in messages


def test_every_conclusion_is_rated():
    ratings = outcomes.conclusion_ratings(load_table("conclusion_evidence"))
    assert list(ratings["conclusion_id"]) == list(outcomes.CONCLUSIONS)
    assert set(ratings["strength"]) <= set(outcomes.STRENGTHS) - {"none"}
    assert ratings.set_index("conclusion_id").at["breadth_depth", "strength"] == "limited"


def test_response_rates_from_tables_1_1_and_2_1():
    rates = outcomes.response_rates(load_table("survey_table_1_1_respondents"), load_table("table_2_1_programme_outputs"),
                                    load_table("projects")).set_index("delivery_partner")
    # CIPFA: 209 + 7 people who were also at SROI-UK, of 880 places: about a quarter
    assert rates.at["CIPFA", "respondents"] == 216 and rates.at["CIPFA", "places"] == 880
    assert rates.at["CIPFA", "response_rate_pct"] == pytest.approx(24.545, abs=0.001)
    assert rates.at["SROI-UK", "respondents"] == 20
    assert rates.at["NAVCA", "places_basis"] == "organisations"
    assert bool(rates.at["London Councils", "no_respondents"]) and bool(rates.at["Five universities", "no_respondents"])
    assert rates.at["All respondents", "respondents"] == 250 and rates.at["All respondents", "places"] == 1580
    assert rates.at["All respondents", "response_rate_pct"] == pytest.approx(15.823, abs=0.001)
    assert outcomes.dissimilarity_index(rates.reset_index()) > 10


def test_representativeness_claim_uses_a_fact_the_chapter_records():
    import yaml

    register = yaml.safe_load((RAW_DIR / "claims_register.yml").read_text(encoding="utf-8"))
    claim = next(c for c in register["claims"] if c["id"] == "ch2-survey-broadly-representative")
    fact = claim["evidence"]["fact"]
    from nptsc_eval import outcomes_chapter

    chapter = Path(outcomes_chapter.__file__).read_text(encoding="utf-8")  # the code the chapter's notebook calls
    assert f'"{fact}"' in chapter
    assert claim["kind"] == "within_range" and claim["range"] == [0, 10]


def test_value_for_money_is_empty_without_costs():
    costs = load_table("programme_costs")
    assert costs["cost_gbp"].isna().all()
    vfm = outcomes.value_for_money(costs, load_table("table_2_1_programme_outputs"), pd.DataFrame(
        {"project_id": ["cipfa_training"], "status": ["met"]}), load_table("projects"))
    assert vfm.empty


def test_value_for_money_from_filled_costs(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(FIXTURES / "programme_costs_filled.csv", raw / "programme_costs.csv")
    shutil.copy(RAW_DIR / "programme_costs.meta.yml", raw / "programme_costs.meta.yml")
    costs = load_table("programme_costs", raw)
    attainment = pd.DataFrame({"project_id": ["cipfa_training", "sroi_training", "acevo_tendering_support", "navca_consultancy",
                                              "navca_consultancy"],
                               "status": ["partly met", "met", "exceeded", "met", "not measurable"]})
    vfm = outcomes.value_for_money(costs, load_table("table_2_1_programme_outputs"), attainment, load_table("projects"))
    by = vfm.set_index(["level", "project"])
    cipfa = by.loc[("project", "Training courses for commissioners and finance staff")]
    assert cipfa["cost_per_place"] == pytest.approx(100.0)  # 88,000 / 880 places
    assert pd.isna(cipfa["cost_per_target_met"])  # no target met
    sroi = by.loc[("project", "Social return on investment training")]
    assert sroi["cost_per_place"] == pytest.approx(150.0) and sroi["cost_per_target_met"] == pytest.approx(24000.0)
    acevo = by.loc[("project", "Direct in-depth support to tendering and bidding")]
    assert acevo["cost_per_organisation"] == pytest.approx(3000.0)  # 33,000 / 11 organisations
    navca = by.loc[("project", "Direct consultancy support in tendering and bidding")]
    assert navca["cost_per_organisation"] == pytest.approx(500.0) and pd.isna(navca["cost_per_place"])
    strand1 = by.loc[("strand", "Strand 1")]
    assert strand1["cost_gbp"] == 112000 and strand1["cost_per_place"] == pytest.approx(112000 / 1040)
    whole = by.loc[("programme", "Whole programme")]
    assert whole["cost_gbp"] == 205000 and whole["targets_met"] == 3
    assert whole["cost_per_target_met"] == pytest.approx(205000 / 3)


def test_a_cost_without_its_basis_is_refused(tmp_path):
    raw = _raw_copy(tmp_path)
    frame = pd.read_csv(FIXTURES / "programme_costs_filled.csv", dtype=str, keep_default_na=False)
    frame.loc[1, "cost_basis"] = ""
    frame.to_csv(raw / "programme_costs.csv", index=False)
    messages = " ".join(str(e) for e in validate_raw_data(raw))
    assert "programme_costs.csv" in messages and "row 3, column 'cost_basis': must be filled when 'cost_gbp' is given" in messages


def test_questions_map_to_known_chapters():
    questions = load_table("evaluation_questions")
    chapters = {c: c for c in ["01-programme-outputs", "02-survey", "03-strand-1", "03-strand-2", "03-strand-3",
                               "04-case-studies", "07-outcomes-and-impacts"]}
    mapped = outcomes.questions_by_chapter(questions, chapters)
    assert set(mapped["chapter_id"]) == set(chapters)
    with pytest.raises(ValueError, match="Q1 names an unknown chapter"):
        outcomes.questions_by_chapter(questions, {"02-survey": "x"})


def test_chapter_sits_after_the_strands_and_covers_the_required_sections():
    import yaml

    toc = yaml.safe_load((PROJECT_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    findings = next(p for p in toc["parts"] if p["caption"] == "Findings")
    files = [c["file"] for c in findings["chapters"]]
    assert files.index("book/executed/07-outcomes-and-impacts") > files.index("book/executed/03-strand-3")
    import nbformat

    nb = nbformat.read(PROJECT_ROOT / "notebooks" / "07-outcomes-and-impacts.ipynb", 4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ["## The evaluation's questions", "## The evidence matrix", "## Evidence strength of the conclusions",
                    "## Who answered the survey", "### Non-response", "## Contribution and attribution", "## Value for money",
                    "## What else the report says", "## People consulted"]:
        assert heading in text
    for item in ["Figure 3.2", "SROI-UK's guide for commissioners", "PricewaterhouseCoopers", "Green Paper", "PACE",
                 "Greater Manchester", "funding extension", "Minister for Civil Society", "Senior stakeholders",
                 "baseline measures", "similar authorities that did not take part", "Deadweight", "Self-selection"]:
        assert item in text, item
    conclusions = (PROJECT_ROOT / "book" / "conclusions.md").read_text(encoding="utf-8")
    for ident in outcomes.CONCLUSIONS:
        assert f"07-outcomes-and-impacts.ipynb::conclusion_{ident}_strength" in conclusions


def test_every_rating_rule_has_its_words_and_an_unknown_rule_is_refused():
    texts = [outcomes.rule_text(rule) for _, rule in outcomes.RULES]
    assert len(set(texts)) == len(outcomes.RULES) and all(t.endswith(".") for t in texts)
    assert texts[-1] == "Anything else: one kind of evidence only, or kinds that do not agree."
    with pytest.raises(ValueError, match="no rating rule named 'stong'"):
        outcomes.rule_text("stong")
