"""The outcomes and impacts chapter's functions (nptsc_eval.outcomes_chapter), tested without running the notebook."""

import doctest
from types import SimpleNamespace

import pytest

from nptsc_eval import outcomes, outcomes_chapter
from nptsc_eval.tables import load_table


@pytest.fixture(scope="module")
def rates():
    return outcomes.response_rates(load_table("survey_table_1_1_respondents"), load_table("table_2_1_programme_outputs"),
                                   load_table("projects"))


@pytest.fixture(scope="module")
def matrix():
    return outcomes.evidence_matrix(load_table("outcome_evidence"), load_table("logic_models"), load_table("projects"))


def test_response_rate_values_quote_tables_1_1_and_2_1(rates):
    v = outcomes_chapter.response_rate_values(rates)
    assert (v["total_respondents"], v["overall_places"], v["lowest_partner"], v["none_count"]) == (250, 1580, "NAVCA", 4)
    assert v["cipfa_pct"] == pytest.approx(100 * 216 / 880)
    assert v["lowest_pct"] == pytest.approx(1.6667, abs=1e-4)
    assert v["overall_pct"] == pytest.approx(100 * 250 / 1580)
    assert v["cipfa_share_resp"] == pytest.approx(84.0467, abs=1e-4)
    assert v["cipfa_share_places"] == pytest.approx(55.6962, abs=1e-4)
    assert v["dissimilarity"] == pytest.approx(28.3505, abs=1e-4)
    assert v["none_list"] == ("Pilot training for councillors and NHS non-executive directors; Bursary scheme; "
                              "Launch of the e-learning package and Research into stimulating new markets")


def test_response_rate_alt_text_names_every_partner_with_places(rates):
    assert outcomes_chapter.response_rate_alt_text(rates).startswith(
        "Survey response rate by delivery partner. CIPFA 25%, SROI-UK 13%, IVAR 8%, bassac 12%, ACEVO 5%, NAVCA 2%, "
        "London Councils 0%, Five universities 0%. ")


def test_matrix_alt_text_and_strand_counts_follow_the_matrix(matrix):
    assert "Strength: 1 strong, 5 moderate, 16 limited, 5 none." in outcomes_chapter.matrix_alt_text(matrix)
    assert [outcomes_chapter.strand_strength_text(matrix, s) for s in (1, 2, 3)] == [
        "two moderate, six limited, two none", "one strong, two moderate, two limited, two none",
        "one moderate, eight limited, one none"]


def test_conclusion_strength_text_names_rows_or_says_there_are_none():
    with_rows = SimpleNamespace(strength="limited", direction="mixed", kinds="survey", evidence_ids="C11 C12", box_ids="a b")
    assert outcomes_chapter.conclusion_strength_text(with_rows) == (
        "limited; the evidence points both ways; it rests on survey (evidence C11, C12; matrix rows a, b)")
    without = SimpleNamespace(strength="moderate", direction="supports", kinds="x", evidence_ids="C05", box_ids="")
    assert outcomes_chapter.conclusion_strength_text(without).endswith(
        "(evidence C05; no row of the matrix: it is not an outcome of the logic models)")


def test_the_chapter_answers_only_known_chapters():
    mapped = outcomes.questions_by_chapter(load_table("evaluation_questions"), outcomes_chapter.CHAPTER_TITLES)
    assert set(mapped["chapter_id"]) <= set(outcomes_chapter.CHAPTER_TITLES)


def test_the_examples_in_the_module_hold():
    result = doctest.testmod(outcomes_chapter)
    assert result.attempted >= 2 and result.failed == 0


def test_value_for_money_table_shows_pounds_only_when_costs_are_entered(tmp_path, monkeypatch):
    import shutil

    import pandas as pd

    from nptsc_eval import paths, report

    monkeypatch.setattr(paths, "PROCESSED_DIR", tmp_path)
    report.set_chapter("07-outcomes-and-impacts")
    outcomes_chapter.show_value_for_money(pd.DataFrame())
    assert not list(tmp_path.rglob("*.csv"))  # no costs: no table
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(paths.PROJECT_ROOT / "tests" / "fixtures" / "programme_costs_filled.csv", raw / "programme_costs.csv")
    shutil.copy(paths.RAW_DIR / "programme_costs.meta.yml", raw / "programme_costs.meta.yml")
    attainment = pd.DataFrame({"project_id": ["sroi_training"], "status": ["met"]})
    vfm = outcomes.value_for_money(load_table("programme_costs", raw), load_table("table_2_1_programme_outputs"),
                                   attainment, load_table("projects"))
    outcomes_chapter.show_value_for_money(vfm)
    (download,) = tmp_path.glob("downloads/*.csv")
    shown = pd.read_csv(download, dtype=str, keep_default_na=False)
    cipfa = shown[shown["Project or strand"] == "Training courses for commissioners and finance staff"].iloc[0]
    assert cipfa["Cost per place (£)"] == "£100" and cipfa["Cost per target met (£)"] == "[x]"


def test_the_value_for_money_passage_says_whether_costs_are_entered():
    from nptsc_eval.templating import passage

    without = passage(outcomes_chapter.PASSAGES, "value_for_money", has_costs=False)
    with_costs = passage(outcomes_chapter.PASSAGES, "value_for_money", has_costs=True)
    assert without.startswith("The original report publishes no costs, so value for money cannot be judged.")
    assert with_costs.startswith("The table below sets each project's cost against what it delivered.")
    assert "\n" not in without + with_costs
