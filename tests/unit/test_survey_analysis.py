"""Survey analysis: distributions, shares, findings contract, charts' colours, codebook checks."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
import yaml

from nptsc_eval import paths
from nptsc_eval.errors import DataValidationError
from nptsc_eval.charts.colours import PALETTE
from nptsc_eval.charts.style import contrast_ratio
from nptsc_eval.survey import analysis, charts, findings, synth
from nptsc_eval.charts import survey as survey_charts
from nptsc_eval.survey.codebook import load_codebook, validate_codebook


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def frame():
    return synth.synthesise(250, synth.DEFAULT_SEED)


def test_codebook_expands_every_question_into_columns(cb):
    assert [c.id for c in cb.question_columns("ps_stage_improved")] == [
        "ps_stage_improved_needs_analysis", "ps_stage_improved_planning", "ps_stage_improved_specification",
        "ps_stage_improved_monitoring_evaluation"]
    assert [c.sub_label for c in cb.question_columns("ts_bid_quality")] == ["Before the programme", "After the programme"]
    assert [c.kind for c in cb.columns if c.question_id in ("implemented", "intend", "failed")] == ["text"] * 3
    assert len(cb.question_columns("support")) == 5
    for scale in cb.scales:
        assert cb.labels(scale)[-1] == "Don't know"


def test_broken_codebook_names_question_and_field(tmp_path):
    raw = yaml.safe_load((paths.RAW_DIR / "survey_codebook.yml").read_text(encoding="utf-8"))
    raw["questions"][2]["scale"] = "stars"
    del raw["questions"][4]["asked"]
    path = tmp_path / "survey_codebook.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        validate_codebook(path)
    assert "question 3 ('ps_stage_improved'), field 'scale': 'stars' is not a scale of the codebook" in info.value.problems
    assert "question 5 ('ps_bid_quality'), field 'asked': is missing" in info.value.problems


def test_broken_constraint_names_finding_and_field(tmp_path):
    raw = yaml.safe_load((paths.RAW_DIR / "survey_constraints.yml").read_text(encoding="utf-8"))
    raw["findings"][0]["metric"]["type"] = "vibes"
    raw["findings"][1]["metric"] = {"type": "share", "columns": ["no_such_column"]}
    path = tmp_path / "survey_constraints.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        findings.validate_constraints(path)
    text = "\n".join(info.value.problems)
    assert "finding 1 ('responses_public_share'), field 'metric.type': 'vibes' is not one of" in text
    assert "finding 2 ('responses_third_share'), field 'metric.columns': 'no_such_column' is not a codebook column" in text


def test_raw_survey_files_pass_check_data():
    from nptsc_eval.validate_raw import undocumented_raw_files, validate_raw_data, validators

    patterns = [p for p, _ in validators()]
    for name in ("survey_codebook.yml", "survey_constraints.yml", "survey_export_mapping.yml"):
        assert name in patterns
    survey_errors = [e for e in validate_raw_data() if "survey" in str(e)]
    assert survey_errors == []
    assert not [f for f in undocumented_raw_files() if "survey" in f]


def test_distributions_leave_dont_know_out_of_the_base(cb, frame):
    dist = analysis.distributions(frame, cb)
    rows = dist[(dist["column"] == "ps_bid_quality_after") & (dist["group"] == "Public sector")].set_index("answer")
    # Calibrated counts: 10, 62, 70, 20, 5 and 50 "don't know" of 217.
    assert rows["count"].tolist() == [10, 62, 70, 20, 5, 50]
    assert set(rows["base"]) == {167} and set(rows["answered"]) == {217}
    assert rows.loc["Good", "percent"] == pytest.approx(100 * 62 / 167)
    assert np.isnan(rows.loc["Don't know", "percent"])
    assert rows.loc["Good", "percent_rounded"] == 37.0


def test_distributions_flag_small_bases_and_cover_every_closed_column(cb, frame):
    dist = analysis.distributions(frame, cb)
    closed = {c.id for c in cb.columns if c.kind != "text"}
    assert set(dist["column"]) == closed
    third = dist[(dist["column"] == "ts_bid_success_after") & (dist["group"] == "Third sector")]
    assert set(third["base"]) == {26} and set(third["flag"]) == {"[u]"}
    public = dist[(dist["column"] == "expectations") & (dist["group"] == "Public sector")]
    assert set(public["flag"]) == {""}


def test_analysis_does_not_change_its_input(cb, frame):
    before = frame.copy()
    analysis.distributions(frame, cb)
    analysis.composition(frame, cb)
    analysis.before_after_tests(frame, cb)
    analysis.sector_tests(frame, cb)
    analysis.free_text_answers(frame, cb)
    findings.evaluate_findings(frame, "synthetic", cb)
    pd.testing.assert_frame_equal(frame, before)


def test_share_pools_columns_and_bases(cb, frame):
    pct, count, base = analysis.share(frame, cb, [c.id for c in cb.question_columns("ts_involvement")], ["positive"], "third")
    assert (count, base) == (79, 124)
    assert pct == pytest.approx(100 * 79 / 124)
    pct_all, _, base_all = analysis.share(frame, cb, ["ps_bid_quality_before"], ["dont_know"], "public", base="all")
    assert base_all == 217 and pct_all == pytest.approx(100 * 30 / 217)


def test_support_and_free_text(cb, frame):
    support = analysis.support_by_sector(frame, cb)
    assert support["option"].tolist()[:3] == ["Electronic material", "Networking", "Masterclasses"]
    assert support.set_index("column").loc["support_networking", ["public_count", "third_count", "all_count"]].tolist() == [110, 24, 134]
    answers = analysis.free_text_answers(frame, cb)
    assert answers["question_id"].value_counts().to_dict() == {"intend": 15, "implemented": 10, "failed": 6}
    themes = analysis.theme_counts(answers, cb).set_index("theme")
    assert themes.loc["Social value and SROI", "total"] == 4
    sroi = answers[answers["answer"].str.contains("SROI")]
    assert sroi["social_value"].all()


def test_findings_table_is_the_contract_for_the_claims_audit(frame):
    result = findings.evaluate_findings(frame, "synthetic")
    for column in ("finding_id", "source_location", "statement", "metric", "computed", "lower", "upper", "satisfied", "data_kind"):
        assert column in result.columns
    assert result["finding_id"].is_unique
    assert "public_stage_positive.planning" in set(result["finding_id"])
    assert set(result["data_kind"]) == {"synthetic"}


def test_findings_fail_when_the_data_disagrees(cb, frame):
    changed = frame.copy()
    after = changed["ps_awareness_after"].astype(object)
    after[changed["sector"] == "Public sector"] = "Poor"
    changed["ps_awareness_after"] = pd.Categorical(after, categories=cb.labels("rating"))
    result = findings.evaluate_findings(changed, "export", cb).set_index("finding_id")
    assert not result.loc["awareness_negative_after", "satisfied"]
    assert result.loc["awareness_negative_after", "computed"] == 100.0
    assert result.loc["responses_public_share", "satisfied"]


def test_diverging_colours_reach_3_to_1_against_neighbours_and_white():
    order = [survey_charts.DIVERGING_COLOURS[s] for s in (-2, -1, 0, 1, 2)]
    for a, b in zip(order, order[1:]):
        assert contrast_ratio(a, b) >= 3, (a, b)
    for colour in PALETTE:
        assert contrast_ratio(colour, "#FFFFFF") >= 3, colour
        assert colour in order
    assert contrast_ratio(survey_charts.DONT_KNOW_COLOUR, "#FFFFFF") >= 3
    # Sector bars sit side by side in the support chart.
    assert contrast_ratio(survey_charts.SECTOR_COLOURS["Public sector"], survey_charts.SECTOR_COLOURS["Third sector"]) >= 3


def test_chart_table_and_alt_text_carry_the_numbers(cb, frame):
    rows = charts.question_rows(analysis.distributions(frame, cb), "ps_awareness")
    table = charts.chart_table(rows)
    assert table["Item"].tolist() == ["Before the programme", "After the programme"]
    assert table["Base n (excluding don't know)"].tolist() == ["210", "212"]
    assert table.loc[1, "Very good"] == "105 (50%)"
    alt = charts.chart_alt(rows, "Awareness")
    assert "After the programme, Public sector: 73% positive, 26% neutral, 1% negative (n=212; 5 don't know)" in alt
