"""The programme outputs chapter's functions (nptsc_eval.outputs_chapter), tested without running the notebook."""

import pytest

from nptsc_eval import outputs_chapter, report
from nptsc_eval.facts import Facts


@pytest.fixture
def facts(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs_chapter, "processed", lambda name: tmp_path / name)
    report.set_evidence("derived")
    return Facts("programme_outputs")


def _values(facts):
    return {r["fact_id"]: r["value"] for r in facts.rows}


def test_reach_records_table_2_1_and_its_participant_total(facts):
    outputs_chapter.glue_reach(facts)
    values = _values(facts)
    assert values["table_2_1.participants_total"] == "1460"
    assert values["table_2_1.cipfa_training.participants"] == "880"


def test_attainment_judges_each_target_and_records_its_status(facts, tmp_path):
    attainment = outputs_chapter.glue_attainment(facts, 0.75)
    assert (tmp_path / "kpi_attainment.csv").is_file()
    status = attainment.set_index(attainment["kpi_ids"].str.split().str[0])["status"].astype(str)
    assert (status["cipfa_finance_2010"], status["sroi_sessions_2010"], status["london_trained_2010"]) == ("partly met", "met", "not met")
    values = _values(facts)
    assert values["kpi.cipfa_finance_2011.status"] == "partly met"  # every series of a grouped target gets its status
    assert values["kpi.ivar_plans.comparable"] == "no"


def test_a_lower_partly_met_threshold_changes_the_verdicts(facts):
    strict = outputs_chapter.glue_attainment(Facts("a"), 0.75)["status"].astype(str).value_counts()
    lenient = outputs_chapter.glue_attainment(facts, 0.01)["status"].astype(str).value_counts()
    assert lenient.get("not met", 0) < strict.get("not met", 0)
    assert lenient.get("partly met", 0) > strict.get("partly met", 0)
