"""The survey chapter's functions (nptsc_eval.survey_chapter), tested without running the notebook."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

from nptsc_eval import paths, report, survey_chapter
from nptsc_eval.report import values as report_values
from nptsc_eval.survey import analysis, chapter_data
from nptsc_eval.survey.codebook import load_codebook

FIXTURES = paths.PROJECT_ROOT / "tests" / "fixtures" / "survey"


@pytest.fixture
def glued(tmp_path, monkeypatch):
    """Run the chapter's functions with processed files written to ``tmp_path`` and every glued value kept."""
    values: dict[str, tuple[str, str]] = {}
    real_glue = report.glue

    def spy(key, value, kind="number", digits=0, evidence=None):
        shown = real_glue(key, value, kind=kind, digits=digits, evidence=evidence)
        values[key] = (str(shown), evidence or report_values._default_evidence)
        return shown

    for module in (survey_chapter, chapter_data):
        monkeypatch.setattr(module, "processed", lambda name: tmp_path / name)
    monkeypatch.setattr(report, "glue", spy)
    return values


def test_doctests():
    assert doctest.testmod(survey_chapter).failed == 0
    assert doctest.testmod(chapter_data).failed == 0


@pytest.mark.parametrize("fixture,total,public", [("surveymonkey_export.csv", "180", "156"), ("qualtrics_export.xlsx", "140", "122")])
def test_a_real_export_layout_gives_its_own_counts(fixture, total, public, glued, tmp_path):
    ch = survey_chapter.load(str(FIXTURES / fixture))
    survey_chapter.glue_profile(ch)
    survey_chapter.glue_published(ch)
    assert not ch.synthetic and ch.source_name == fixture
    assert glued["survey_total"] == (total, "real_survey") and glued["survey_public"] == (public, "real_survey")
    assert glued["survey_kind"][0] == "a survey export"
    # The summary pages cite the export, not the published figures.
    assert glued["head_total"] == (total, "real_survey")
    assert glued["summary_notice"][0] == f"The survey figures on this page come from the survey export {fixture}."
    comp = pd.read_csv(tmp_path / "survey_composition.csv").set_index(["dimension", "category"])["count"]
    assert comp[("total", "All responses")] == int(total)
    assert set(pd.read_csv(tmp_path / "survey_findings.csv")["data_kind"]) == {"export"}
    # Identifying columns of the export reach no processed file.
    written = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.csv"))
    assert "@example.org" not in written and "192.0.2." not in written and "Lastname" not in written


@pytest.fixture(scope="module")
def synthetic_chapter(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("processed")
    mp.setattr(chapter_data, "processed", lambda name: folder / name)
    ch = survey_chapter.load("data/raw/survey_responses_synthetic.csv")
    mp.undo()
    return ch


def test_the_synthetic_survey_is_read_once_and_gives_the_published_counts(synthetic_chapter, glued):
    ch = synthetic_chapter
    assert ch.synthetic and ch.source_name == "survey_responses_synthetic.csv"
    survey_chapter.glue_profile(ch)
    survey_chapter.glue_published(ch)
    assert glued["survey_total"] == ("250 (synthetic)", "synthetic")
    assert glued["survey_public"][0] == "217 (synthetic)" and glued["survey_third"][0] == "33 (synthetic)"
    # With synthetic data the summary pages cite only what the source printed.
    assert glued["head_total"] == ("250", "published") and glued["pub_cipfa_pct"] == ("83.6%", "published")
    assert glued["summary_notice"][0].startswith("The survey's answers were never published.")


def test_question_values_are_the_shares_the_charts_show(synthetic_chapter, glued):
    survey_chapter.glue_questions(synthetic_chapter)
    assert glued["aw_top_before"][0] == "26% (synthetic)" and glued["aw_top_after"][0] == "73% (synthetic)"
    assert glued["aw_pairs"][0] == "209 (synthetic)"
    assert glued["ps_stage_pos_min"][0] == "49% (synthetic)" and glued["ps_stage_pos_max"][0] == "54% (synthetic)"
    assert glued["ts_cap_pos_needs"][0] == "53% (synthetic)" and glued["ts_cap_neu_me"][0] == "63% (synthetic)"
    assert glued["exp_pos_all"][0] == "76% (synthetic)"
    assert glued["q_expectations"] == ("This programme met my expectations", "published")


def test_headlines_pool_the_stages_of_a_question():
    cb = load_codebook()
    by_key = {h["key"]: h for h in analysis.headlines(cb)}
    assert by_key["public_stage_positive"]["columns"] == [c.id for c in cb.question_columns("ps_stage_improved")]
    assert len(by_key["public_stage_positive"]["columns"]) == 4
    assert by_key["expectations_positive"]["columns"] == ["expectations"]
    assert all("columns_of" not in h for h in by_key.values())


def test_every_question_of_the_chapter_has_a_chart_topic():
    from nptsc_eval.survey import charts

    assert set(survey_chapter.QUESTIONS) == set(charts.CHART_TOPICS)


def test_the_notices_are_markdown_files_with_the_file_name_as_a_value():
    for name in ("notice-synthetic", "notice-export", "summary-notice-export"):
        assert "{source}" in survey_chapter.text(name)
    assert survey_chapter.text("notice-synthetic").startswith("**Synthetic data.**")


def test_the_glue_prefix_is_myst_nbs():
    from myst_nb.ext.glue import GLUE_PREFIX

    assert report.GLUE_PREFIX == GLUE_PREFIX


def test_a_project_without_the_notices_uses_the_packages_own(tmp_path, monkeypatch):
    monkeypatch.setattr(chapter_data, "NOTEBOOKS_DIR", tmp_path / "notebooks")  # a test project: one notebook, no texts
    assert survey_chapter.text("notice-export").startswith("**Data source.**")
    with pytest.raises(Exception, match="no such text for the survey chapter"):
        survey_chapter.text("no-such-notice")
