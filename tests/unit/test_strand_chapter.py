"""The strand chapter's functions (nptsc_eval.strand_chapter), tested without running the notebook."""

import doctest
import re

import pandas as pd
import pytest

from nptsc_eval import paths, strand_chapter
from nptsc_eval.strands import sections
from nptsc_eval.strands import tables as strand_tables
from nptsc_eval.tables import load_table


def test_ivar_attendee_values_match_tables_4_2_and_2_1():
    values = strand_chapter.ivar_attendee_values(strand_tables.ivar_attendees(), load_table("table_2_1_programme_outputs"))
    assert values == {"ivar_areas": 5, "table_4_2_total": 102, "ivar_largest_area": "Dacorum", "ivar_largest_n": 33,
                      "ivar_smallest_area": "York", "ivar_smallest_n": 11, "ivar_table_2_1": 102,
                      "ivar_total_agreement": "the same as"}


def test_ivar_attendee_values_name_every_area_of_a_tie_and_a_disagreeing_total():
    attendees = pd.DataFrame({"local_authority": ["A", "B", "C"], "attendees": [5, 9, 9]})
    table_2_1 = pd.DataFrame({"project_id": ["ivar_area_support"], "measure": ["participants"], "value": [30]})
    values = strand_chapter.ivar_attendee_values(attendees, table_2_1)
    assert (values["ivar_largest_area"], values["ivar_largest_n"]) == ("B and C", 9)
    assert (values["ivar_smallest_area"], values["ivar_smallest_n"]) == ("A", 5)
    assert values["ivar_total_agreement"] == "different from"


def test_ivar_plan_values_count_whole_authority_plans():
    values = strand_chapter.ivar_plan_values(strand_tables.ivar_action_plans())
    assert values == {"ivar_plans_agreed": 5, "ivar_plans_whole": 4, "ivar_plans_share": "all five areas",
                      "ivar_plans_whole_words": "four", "ivar_narrow_area": "Gateshead",
                      "ivar_narrow_scope": "children and young people's services"}


def test_action_learning_set_values_total_table_5_3():
    values = strand_chapter.action_learning_set_values(strand_tables.action_learning_sets(), 12)
    assert values == {"table_5_3_sets": 7, "table_5_3_approaches": 3, "table_5_3_individuals": 49,
                      "table_5_3_organisations": 36, "bassac_organisations_aspired": 12}


def test_acevo_values_follow_figure_5_2():
    values = strand_chapter.acevo_values(strand_tables.acevo_stages())
    assert {k: v for k, v in values.items() if k != "acevo_won_share"} == {
        "acevo_supported": 21, "acevo_tailored": 18, "acevo_bids": 6, "acevo_won": 2}
    assert values["acevo_won_share"] == pytest.approx(100 * 2 / 21)


@pytest.mark.parametrize("strand, expected", [(1, []), (2, ["strand-2-ivar-attendees", "strand-2-ivar-action-plans",
                                                            "strand-2-bursary-courses"]),
                                              (3, ["strand-3-action-learning-sets", "strand-3-acevo-support"])])
def test_each_strand_shows_the_sections_its_table_lists_in_order(strand, expected, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(strand_chapter, "SECTION_SHOW",
                        {name: (lambda name=name: shown.append(name)) for name in strand_chapter.SECTION_SHOW})
    strand_chapter.show_extra_sections(strand)
    assert shown == expected


def test_every_listed_section_has_its_prose_its_facts_and_its_display():
    names = [name for listed in sections.EXTRA_SECTIONS.values() for name in listed]
    assert set(names) == set(strand_chapter.SECTION_SHOW) == set(sections.SECTION_FACTS)
    for name in names:
        assert sections.text(name).startswith("### "), name


def test_strand_facts_add_only_the_strand_s_own_sections():
    ids = {n: {r["fact_id"] for r in sections.strand_facts(n).rows} for n in (1, 2, 3)}
    assert "table_4_2.total" in ids[2] and "bursary.courses_listed" in ids[2] and "table_5_3.sets" not in ids[2]
    assert "table_5_3.sets" in ids[3] and "figure_5_2.won_business" in ids[3] and "table_4_2.total" not in ids[3]
    assert not any(i.startswith(("table_4_2.", "table_5_3.", "figure_5_2.", "bursary.", "ivar.")) for i in ids[1])


def test_no_strand_switch_in_the_strand_notebook_or_the_package():
    files = [paths.NOTEBOOKS_DIR / "03-strand.ipynb", *sorted((paths.NOTEBOOKS_DIR.parent / "src" / "nptsc_eval").rglob("*.py"))]
    switched = [f.name for f in files if re.search(r"\bif strand ==", f.read_text(encoding="utf-8"))]
    assert switched == []


def test_unmeasured_sentence_examples_hold():
    result = doctest.testmod(strand_chapter)
    assert result.attempted >= 2 and result.failed == 0
