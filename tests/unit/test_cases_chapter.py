"""The case studies chapter's functions (nptsc_eval.cases_chapter), tested without running the notebook."""

import pytest

from nptsc_eval import cases_chapter, report
from nptsc_eval.facts import Facts


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("processed")
    mp = pytest.MonkeyPatch()
    mp.setattr(cases_chapter, "processed", lambda name: folder / name)
    loaded = cases_chapter.load()
    mp.undo()
    assert (folder / "case_matrix.csv").is_file()
    return loaded


@pytest.fixture
def facts():
    report.set_evidence("derived")
    return Facts("case_studies")


def _values(facts):
    return {r["fact_id"]: r["value"] for r in facts.rows}


def test_cases_record_each_case_and_its_counts(data, facts):
    cases_chapter.glue_cases(data, facts)
    values = _values(facts)
    assert values["cases.count"] == "8" == str(len(data.records))
    assert values["commissioner_a.strand"] == "1"
    assert values["commissioner_a.council_meetings_low"] == "2"


def test_quotations_count_printings_and_distinct_quotations(data, facts):
    cases_chapter.glue_quotations(data, facts)
    values = _values(facts)
    assert (values["quotations.count"], values["quotations.distinct"]) == ("23", "14")
    assert values["quotations.commissioner_a.starting_point.difference"] in {"none", "punctuation", "wording"}


def test_stakeholders_by_group_and_type(data, facts):
    summary = cases_chapter.glue_stakeholders(data, facts)
    values = _values(facts)
    assert [values[f"stakeholders.{g}.count"] for g, _ in cases_chapter.STAKEHOLDER_GROUPS] == ["5", "15", "14"]
    assert values["stakeholders.distinct_people"] == "29"
    assert values["stakeholders.type.university.count"] == "3"
    assert "Total" in set(summary["Group"])


def test_theme_counts_give_every_theme_a_fact(data, facts):
    cases_chapter.glue_matrix(data, facts)
    theme_facts = [k for k in _values(facts) if k.startswith("case_matrix.")]
    assert len(theme_facts) == len(data.themes)
