"""KPI attainment: cumulative milestones, ranges, pooled targets and statuses in words."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from nptsc_eval import kpi
from nptsc_eval.tables import load_table


@pytest.fixture(scope="module")
def attainment() -> pd.DataFrame:
    return kpi.load_kpi_attainment()


def _row(attainment: pd.DataFrame, kpi_id: str) -> pd.Series:
    rows = attainment[attainment["kpi_ids"].str.split().apply(lambda ids: kpi_id in ids)]
    assert len(rows) == 1, kpi_id
    return rows.iloc[0]


def test_london_councils_trained_28_against_50_is_not_met(attainment):
    row = _row(attainment, "london_trained_2010")
    assert (row["delivery_partner"], row["target"], row["actual"], row["percent_of_target"], row["status"]) == (
        "London Councils", 50, 28, 56.0, "not met")


def test_acevo_seminars_80_against_40_are_exceeded(attainment):
    row = _row(attainment, "acevo_leaders_2010")
    assert (row["target"], row["actual"], row["percent_of_target"], row["status"]) == (40, 80, 200.0, "exceeded")


def test_navca_120_against_a_range_of_120_to_150_is_met(attainment):
    row = _row(attainment, "navca_supported_orgs")
    assert (row["target"], row["target_high"], row["actual"], row["target_label"], row["status"]) == (
        120, 150, 120, "120–150", "met")


def test_further_targets_add_up_and_are_pooled_when_one_output_is_reported(attainment):
    row = _row(attainment, "cipfa_level1_2011")
    # 100 + 100 finance officers, 150 + 250 level 1, 180 + 120 level 2 by March 2011.
    assert row["target"] == 900
    assert row["actual"] == 880
    assert row["percent_of_target"] == 97.8
    assert row["status"] == "partly met"
    assert len(row["kpi_ids"].split()) == 6
    assert "a further 250 by Mar 2011" in row["milestones"]


def test_sroi_reaches_its_cumulative_target_exactly(attainment):
    row = _row(attainment, "sroi_sessions_2011")
    assert (row["target"], row["actual"], row["status"]) == (160, 160, "met")


def test_targets_without_a_reported_output_are_not_measurable_not_zero(attainment):
    row = _row(attainment, "ivar_trust")
    assert row["status"] == "not measurable"
    assert pd.isna(row["actual"]) and pd.isna(row["percent_of_target"])
    assert row["actual_label"] == "not reported"


def test_deliverables_are_judged_by_whether_they_were_delivered(attainment):
    assert _row(attainment, "sec_research")["status"] == "met"
    assert _row(attainment, "bassac_capacity_report")["status"] == "partly met"
    assert _row(attainment, "bassac_capacity_report")["actual_label"] == "in draft"


def test_every_target_appears_once(attainment):
    targets = load_table("kpi_targets")
    ids = [i for ids in attainment["kpi_ids"] for i in ids.split()]
    assert sorted(ids) == sorted(targets["kpi_id"])
    assert set(attainment["status"].astype(str)) <= set(kpi.STATUSES)
    required = ["project", "delivery_partner", "strand", "kpi", "target", "actual", "percent_of_target", "status"]
    assert list(attainment.columns[: len(required)]) == required


@pytest.mark.parametrize(
    ("actual", "low", "high", "expected"),
    [(101, 100, 100, "exceeded"), (100, 100, 100, "met"), (75, 100, 100, "partly met"), (74, 100, 100, "not met"),
     (150, 120, 150, "met"), (151, 120, 150, "exceeded"), (119, 120, 150, "partly met"), (0, 10, 10, "not met")],
)
def test_status_thresholds(actual, low, high, expected):
    assert kpi.attainment_status(actual, low, high, "count", "reported") == expected


def test_the_partly_met_threshold_is_a_parameter():
    strict = kpi.StatusRules(partly_met_from=0.99)
    assert kpi.attainment_status(97.8, 100, 100, "count", "reported", strict) == "not met"


def test_inputs_are_not_modified():
    targets, projects = load_table("kpi_targets"), load_table("projects")
    outputs = kpi.reported_outputs()
    copies = targets.copy(), outputs.copy(), projects.copy()
    kpi.kpi_attainment(targets, outputs, projects)
    for before, after in zip(copies, (targets, outputs, projects)):
        assert_frame_equal(before, after)


def test_a_target_pointing_at_an_unreported_output_is_named():
    targets = load_table("kpi_targets")
    targets.loc[targets["series"] == "london_trained", "actual_ref"] = "london_councils_pilot:unicorns"
    with pytest.raises(KeyError, match="london_councils_pilot:unicorns"):
        kpi.kpi_attainment(targets, kpi.reported_outputs(), load_table("projects"))


def test_targets_of_one_series_must_agree_on_their_output():
    from nptsc_eval.errors import DataValidationError

    targets = load_table("kpi_targets")
    targets.loc[0, "actual_ref"] = "cipfa_training:organisations"
    with pytest.raises(DataValidationError, match=r"rows 2, 3, column 'actual_ref': targets of series 'cipfa_finance' disagree"):
        kpi.kpi_attainment(targets, kpi.reported_outputs(), load_table("projects"))


def test_outputs_table_shows_the_report_cells_in_words():
    table = kpi.outputs_table(load_table("table_2_1_programme_outputs"), load_table("projects")).set_index("Project")
    assert table.loc["Bursary scheme", "Organisations"] == "not available"
    assert table.loc["Research into stimulating new markets", "Participants"] == "n/a"
    assert table.loc["Social return on investment training", "Participants"] == "160*"
    assert table.loc["Direct in-depth support to tendering and bidding", "Participants"] == "11 (21 including phase one)*"
    assert table.loc["Training courses for commissioners and finance staff", "Participants"] == "880"


def test_total_reported_participants_adds_the_numbers_table_2_1_prints():
    table = load_table("table_2_1_programme_outputs")
    assert kpi.total_reported(table, "participants") == 880 + 160 + 28 + 102 + 150 + 80 + 11 + 49


# --- Like with like: how each reported figure was matched to its target -------------------


def test_figures_that_measure_something_else_are_not_comparable(attainment):
    # 150 bursary scheme participants (all courses) against 40 bursaries awarded in year two;
    # five plans agreed against five plans adopted by local strategic partnerships;
    # seven action learning sets against "three different groups".
    for kpi_id, actual in [("bursary_awards", 150), ("ivar_plans", 5), ("bassac_groups", 7)]:
        row = _row(attainment, kpi_id)
        assert (row["status"], row["comparable"], row["actual"]) == ("not comparable", "no", actual), kpi_id
        assert pd.isna(row["percent_of_target"]), kpi_id
    assert "adopted" in _row(attainment, "ivar_plans")["interpretation"]
    assert "participants" in _row(attainment, "bursary_awards")["interpretation"]


def test_interpretation_and_comparable_are_filled_on_every_row(attainment):
    assert {"interpretation", "comparable"} <= set(attainment.columns)
    assert set(attainment["comparable"]) == {"yes", "no"}
    assert attainment["interpretation"].str.len().min() > 20
    assert not attainment["interpretation"].str.contains(r"\{").any()
    # A verdict (exceeded, met, partly met, not met) only where the figure measures the target.
    judged = attainment[attainment["status"].isin(kpi.JUDGED)]
    assert set(judged["comparable"]) == {"yes"}
    assert (attainment["status"] == "not comparable").sum() == 3


def test_the_written_csv_has_the_new_columns():
    from nptsc_eval.paths import processed

    written = pd.read_csv(processed("kpi_attainment.csv"))
    assert {"interpretation", "comparable"} <= set(written.columns)
    assert written["interpretation"].notna().all() and written["comparable"].isin(["yes", "no"]).all()
    assert written.set_index(written["kpi_ids"].str.split().str[0]).at["bursary_awards", "status"] == "not comparable"


def test_cipfa_shows_both_readings_and_says_which_the_verdict_uses(attainment):
    row = _row(attainment, "cipfa_level2_2011")
    # Finance officers on top of the level 1 and 2 targets: 900, 880 is partly met.
    assert (row["target"], row["status"]) == (900, "partly met")
    # Inside them: 250 + 450 = 700 ... 150 + 250 + 180 + 120 = 700, and 880 exceeds it.
    assert row["alternative_status"] == "exceeded"
    assert "the target is 700" in row["alternative_reading"]
    assert "126%" in row["alternative_reading"]
    assert "the verdict uses the first reading" in row["alternative_reading"]


def test_the_table_readers_see_shows_the_interpretation(attainment):
    table = kpi.attainment_table(attainment)
    assert {"Same measure", "How the figure was matched"} <= set(table.columns)
    bursary = table[table["Target"] == "Bursaries awarded in year 2"].iloc[0]
    assert bursary["Status"] == "not comparable" and bursary["Same measure"] == "no"
    assert "cannot be compared" in bursary["How the figure was matched"]


def test_a_target_without_an_interpretation_is_named():
    from nptsc_eval.errors import DataValidationError

    notes = load_table("kpi_interpretations")
    notes = notes[notes["kpi_id"] != "bursary_awards"]
    with pytest.raises(DataValidationError, match=r"(?s)kpi_interpretations.csv.*no interpretation for the target 'bursary_awards'"):
        kpi.kpi_attainment(load_table("kpi_targets"), kpi.reported_outputs(), load_table("projects"),
                           interpretations=notes)


def test_chart_alt_text_names_every_target_of_a_tie(attainment):
    tied = attainment.copy()
    london = tied["kpi_ids"] == "london_trained_2010"
    ivar = tied["kpi_ids"] == "ivar_public ivar_third"
    tied.loc[ivar, "percent_of_target"] = tied.loc[london, "percent_of_target"].iloc[0]
    text = kpi.chart_alt_text(tied)
    assert "Lowest: London Councils, councillors and non-executive directors trained; IVAR, people completing the programme, 56%." in text
    assert "not comparable" not in text
