"""The strand chapter (``notebooks/03-strand.ipynb``): its glued values, tables and figures.

The notebook only calls these functions, in the order its sections appear. Each ``glue_*``
function records a section's values and writes its processed file; each ``show_*`` function
displays a section's chart or table with its title, source and number. The sections that only
one strand has (one partner's work) are listed in ``sections.EXTRA_SECTIONS``; :data:`SECTION_SHOW` gives the
function that shows each, with its prose from ``notebooks/strands/<name>.md`` and its table or chart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from IPython.display import Markdown, display

from nptsc_eval import kpi, report, wording
from nptsc_eval.charts import strands as strand_charts
from nptsc_eval.strands import logic_model as logic_models
from nptsc_eval.strands import partners, sections
from nptsc_eval.strands import tables as strand_tables
from nptsc_eval.paths import processed
from nptsc_eval.tables import load_table
from nptsc_eval.templating import render

LOGIC_MODEL_PRIMARY = "Consulting Inplace (December 2009)"
KPI_PRIMARY = ("Consulting Inplace (December 2009); Phase two participant spreadsheet provided by LG Improvement "
               "and Development, March 2011, updated following interviews with delivery partners")
WHOLE_AUTHORITY = "commissioning across the local authority"


def glue_facts(strand: int) -> None:
    """Glue the chapter's title and the strand's size, from its row of ``strands.csv``."""
    info = logic_models.strand_info(strand)
    projects = logic_models.strand_projects(strand)
    report.glue("chapter_title", info["title"], kind="text")
    report.glue("strand_count", len(load_table("strands")))
    report.glue("strand_word", logic_models.NUMBER_WORDS[strand], kind="text")
    report.glue("strand_short_title", info["short_title"], kind="text")
    report.glue("strand_objective", info["objective"], kind="text")
    report.glue("source_chapter", int(info["source_chapter"]), kind="figure")
    report.glue("logic_model_figure", info["logic_model_figure"], kind="text")
    report.glue("project_count", len(projects))
    report.glue("partner_count", projects["delivery_partner"].nunique())


def show_introduction(strand: int) -> None:
    """Show the chapter's own introduction, kept in ``notebooks/strands/strand-<n>.md``."""
    display(Markdown(sections.introduction(strand)))


def glue_logic_model(strand: int) -> pd.DataFrame:
    """Glue the logic model's box counts and summary sentences; write ``strand_<n>_logic_model.csv``."""
    model = logic_models.logic_model(strand)
    counts = logic_models.logic_model_counts(model)
    for key, n in counts.items():
        report.glue(f"lm_{key}", n)
    report.glue("lm_summary", logic_models.summary_sentence(counts), kind="text")
    report.glue("lm_long_term_sentence", logic_models.long_term_sentence(counts), kind="text")
    model.to_csv(processed(f"strand_{strand}_logic_model.csv"), index=False)
    return model


def _logic_model_source(strand: int) -> str:
    figure = logic_models.strand_info(strand)["logic_model_figure"]
    return report.source(f"{figure} in the original report", LOGIC_MODEL_PRIMARY, "data/raw/logic_models.csv")


def show_logic_model(strand: int, model: pd.DataFrame) -> None:
    """Show the logic model as a diagram."""
    info = logic_models.strand_info(strand)
    report.show_diagram(logic_models.logic_model_html(model, strand), alt=logic_models.logic_model_alt_text(model, strand),
                        data=model[["stage", "project_id", "label", "long_term"]],
                        title=f"Outline logic model of strand {logic_models.NUMBER_WORDS[strand]}: {info['short_title']}",
                        source=_logic_model_source(strand))


def show_logic_model_table(strand: int, model: pd.DataFrame) -> None:
    """Show the logic model box by box, as a table."""
    report.show_table(logic_models.logic_model_table(model), f"Logic model of strand {logic_models.NUMBER_WORDS[strand]}, box by box",
                      f"logic-model-{strand}", source=_logic_model_source(strand))


def unmeasured_sentence(summary: dict[str, int]) -> str:
    """The sentence on targets the original report gives no output for.

    >>> unmeasured_sentence({"not_measurable": 0})
    'The original report gives an output for every target.'
    >>> unmeasured_sentence({"not_measurable": 2})
    'For the other two, the original report gives no output to judge against.'
    """
    not_measurable = wording.number(summary["not_measurable"]) if summary["not_measurable"] else ""
    return render("strands/unmeasured.md.j2", not_measurable=not_measurable).strip()


def glue_kpis(strand: int, attainment: pd.DataFrame | None = None) -> pd.DataFrame:
    """Glue the strand's KPI counts and sentences; write and return ``strand_<n>_kpis.csv``."""
    attainment = kpi.load_kpi_attainment() if attainment is None else attainment
    kpi_rows = partners.strand_kpi_rows(strand, attainment)
    kpi_table = partners.strand_kpis(strand, attainment)
    kpi_table.to_csv(processed(f"strand_{strand}_kpis.csv"), index=False)
    summary = partners.kpi_summary(kpi_rows)
    for key, n in summary.items():
        report.glue(f"kpi_{key}", n)
    report.glue("kpi_unmeasured_sentence", unmeasured_sentence(summary), kind="text")
    report.glue("kpi_not_comparable_sentence", partners.not_comparable_sentence(kpi_rows), kind="text")
    report.glue("kpi_two_readings_sentence", partners.two_readings_sentence(kpi_rows), kind="text")
    return kpi_table


def show_kpis(strand: int, kpi_table: pd.DataFrame) -> None:
    """Show each output target against what the project reported."""
    figure = logic_models.strand_info(strand)["logic_model_figure"]
    report.show_table(kpi_table, f"Output against KPI target, strand {logic_models.NUMBER_WORDS[strand]}", f"strand-kpis-{strand}",
                      number_key="kpi_table_number",
                      source=report.source(f"targets from {figure} and outputs from Table 2.1 in the original report", KPI_PRIMARY,
                                           ["data/raw/kpi_targets.csv", "data/raw/table_2_1_programme_outputs.csv"]))


def glue_figures(strand: int) -> pd.DataFrame:
    """Glue how many other figures the report gives for the strand; write ``strand_<n>_figures.csv``."""
    figures = partners.project_figures(strand)
    figures.drop(columns=["shown"]).to_csv(processed(f"strand_{strand}_figures.csv"), index=False)
    report.glue("figures_count", len(figures))
    return figures


def show_figures(strand: int, figures: pd.DataFrame) -> None:
    """Show the other figures the report gives for the strand's projects."""
    chapter = logic_models.strand_info(strand)["source_chapter"]
    report.show_table(partners.project_figures_table(figures), "Other figures the original report gives for the strand's projects",
                      f"strand-figures-{strand}", number_key="figures_table_number",
                      source=report.source(f"chapter {chapter} of the original report (text of each project's section)", None,
                                           ["data/raw/project_figures.csv", "data/raw/other_reported_outputs.csv"]))


# ----- sections that only one strand has --------------------------------------------------

def ivar_attendee_values(attendees: pd.DataFrame, table_2_1: pd.DataFrame) -> dict[str, Any]:
    """The values of the IVAR attendees section (Table 4.2 against Table 2.1), by glue key.

    Ties for the largest or smallest area list every area of the tie.
    """
    ivar_2_1 = int(table_2_1.query("project_id == 'ivar_area_support' and measure == 'participants'")["value"].iloc[0])
    by_area = attendees.set_index("local_authority")["attendees"]
    (largest, largest_n), (smallest, smallest_n) = wording.extremes(by_area), wording.extremes(by_area, most=False)
    total = int(attendees["attendees"].sum())
    return {"ivar_areas": len(attendees), "table_4_2_total": total,
            "ivar_largest_area": wording.listing(largest), "ivar_largest_n": int(largest_n),
            "ivar_smallest_area": wording.listing(smallest), "ivar_smallest_n": int(smallest_n),
            "ivar_table_2_1": ivar_2_1,
            "ivar_total_agreement": "the same as" if ivar_2_1 == total else "different from"}


def _glue_all(values: dict[str, Any], kinds: dict[str, str]) -> None:
    for key, value in values.items():
        report.glue(key, value, kind=kinds.get(key, "number"))


def ivar_attendees_section() -> None:
    """Strand two: IVAR's attendees by local authority (Table 4.2)."""
    attendees = strand_tables.ivar_attendees()
    attendees.to_csv(processed("strand_2_ivar_attendees.csv"), index=False)
    values = ivar_attendee_values(attendees, load_table("table_2_1_programme_outputs"))
    _glue_all(values, {"ivar_largest_area": "text", "ivar_smallest_area": "text", "ivar_total_agreement": "text"})
    display(Markdown(sections.text("strand-2-ivar-attendees")))
    report.show_table(strand_tables.with_total(attendees.rename(columns={"local_authority": "Local authority", "attendees": "Attendees"}),
                                         "Local authority", ["Attendees"]),
                      "IVAR attendees by local authority, phase two", "table-4-2",
                      source=report.source("Table 4.2 in the original report", "Interview with the IVAR project manager",
                                           "data/raw/table_4_2_ivar_attendees.csv"))


def ivar_plan_values(plans: pd.DataFrame) -> dict[str, Any]:
    """The values of the IVAR action plans section, by glue key."""
    whole = int((plans["scope"] == WHOLE_AUTHORITY).sum())
    narrow = plans[plans["scope"] != WHOLE_AUTHORITY]
    return {"ivar_plans_agreed": int(plans["plan_agreed"].sum()), "ivar_plans_whole": whole,
            "ivar_plans_share": wording.share(int(plans["plan_agreed"].sum()), len(plans), "area"),
            "ivar_plans_whole_words": wording.number(whole, zero="none"),
            "ivar_narrow_area": ", ".join(narrow["local_authority"]), "ivar_narrow_scope": ", ".join(narrow["scope"])}


def ivar_action_plans_section() -> None:
    """Strand two: IVAR's action plans, one per area."""
    plans = strand_tables.ivar_action_plans()
    plans.to_csv(processed("strand_2_ivar_action_plans.csv"), index=False)
    _glue_all(ivar_plan_values(plans), {k: "text" for k in ("ivar_plans_share", "ivar_plans_whole_words",
                                                            "ivar_narrow_area", "ivar_narrow_scope")})
    display(Markdown(sections.text("strand-2-ivar-action-plans")))
    shown = plans.assign(plan_agreed=plans["plan_agreed"].map({True: "yes", False: "no"}),
                         case_study=plans["case_study"].map({True: "yes", False: ""}))
    report.show_table(shown[["local_authority", "plan_agreed", "scope", "sessions", "case_study"]].rename(columns={
        "local_authority": "Local authority", "plan_agreed": "Plan agreed", "scope": "What the plan covers",
        "sessions": "Sessions held", "case_study": "Evaluation case study"}),
        "IVAR's action plans, one per area", "ivar-action-plans",
        notes=render("strands/ivar_action_plans_note.md.j2").strip(),
        source=report.source("chapter 4 of the original report (section on area-based support), Figure 4.3 and Appendix 3",
                             "Consulting Inplace case study research and interviews with IVAR", "data/raw/ivar_action_plans.csv"))


def bursary_courses_section() -> None:
    """Strand two: the courses the bursary scheme paid for."""
    courses = strand_tables.bursary_courses()
    courses.to_csv(processed("strand_2_bursary_courses.csv"), index=False)
    stated = load_table("project_figures").set_index("fact_id")
    report.glue("bursary_institutions", len(courses))
    report.glue("bursary_universities_stated", int(stated.at["bursary.universities_stated", "value"]))
    display(Markdown(sections.text("strand-2-bursary-courses")))
    report.show_table(courses[["institution", "course_title", "format", "summary"]].rename(columns={
        "institution": "Institution", "course_title": "Course", "format": "Format", "summary": "What it involves"}),
        "Courses the bursary scheme paid for", "bursary-courses",
        source=report.source("the untitled table of courses in chapter 4 of the original report (section 'Bursary scheme – five universities')",
                             None, "data/raw/bursary_courses.csv"))


def action_learning_set_values(sets: pd.DataFrame, aspired: Any) -> dict[str, Any]:
    """The values of bassac's action learning sets section (Table 5.3), by glue key."""
    return {"table_5_3_sets": len(sets), "table_5_3_approaches": sets["approach"].nunique(),
            "table_5_3_individuals": int(sets["individuals"].sum()),
            "table_5_3_organisations": int(sets["organisations"].sum()), "bassac_organisations_aspired": aspired}


def action_learning_sets_section() -> None:
    """Strand three: bassac's action learning sets (Table 5.3)."""
    sets = strand_tables.action_learning_sets()
    sets.to_csv(processed("strand_3_action_learning_sets.csv"), index=False)
    aspired = load_table("project_figures").set_index("fact_id").at["bassac.organisations_aspired", "value"]
    _glue_all(action_learning_set_values(sets, aspired), {})
    display(Markdown(sections.text("strand-3-action-learning-sets")))
    report.show_table(strand_tables.action_learning_sets_table(sets),
                      "bassac's action learning sets: people and organisations engaged", "table-5-3",
                      source=report.source("Table 5.3 in the original report",
                                           "Consulting Inplace (March 2011), based on consultation with bassac and monitoring data "
                                           "provided by LG Improvement and Development", "data/raw/table_5_3_action_learning_sets.csv"))


def acevo_values(stages: pd.DataFrame) -> dict[str, Any]:
    """The values of ACEVO's tendering support section (Figure 5.2), by glue key."""
    n = stages.set_index("stage_id")["organisations"]
    return {"acevo_supported": int(n["supported"]), "acevo_tailored": int(n["tailored_support"]),
            "acevo_bids": int(n["bids_with_support"]), "acevo_won": int(n["won_business"]),
            "acevo_won_share": 100 * n["won_business"] / n["supported"]}


def acevo_support_section() -> None:
    """Strand three: ACEVO's support with tendering (Figure 5.2), as a chart and a table."""
    stages = strand_tables.acevo_stages()
    stages.to_csv(processed("strand_3_acevo_outcomes.csv"), index=False)
    _glue_all(acevo_values(stages), {"acevo_won_share": "percent"})
    display(Markdown(sections.text("strand-3-acevo-support")))
    source = report.source("Figure 5.2 in the original report", "Nelson, D. ACEVO (March 2011)", "data/raw/figure_5_2_acevo_outcomes.csv")
    report.show_figure(strand_charts.acevo_funnel_figure(stages), alt=strand_tables.acevo_alt_text(stages), data=stages[["stage_id", "organisations"]],
                       title="Organisations ACEVO supported with tendering, from first contact to contracts won, phases one and two",
                       source=source)
    report.show_table(strand_tables.acevo_table(stages), "Organisations ACEVO supported with tendering, phases one and two",
                      "figure-5-2", source=source)


#: How the chapter shows each section of ``sections.EXTRA_SECTIONS``: its prose from
#: ``notebooks/strands/<name>.md`` with its table or chart.
SECTION_SHOW: dict[str, Callable[[], None]] = {
    "strand-2-ivar-attendees": ivar_attendees_section,
    "strand-2-ivar-action-plans": ivar_action_plans_section,
    "strand-2-bursary-courses": bursary_courses_section,
    "strand-3-action-learning-sets": action_learning_sets_section,
    "strand-3-acevo-support": acevo_support_section,
}


def show_extra_sections(strand: int) -> None:
    """Show the sections this strand alone has, as ``sections.EXTRA_SECTIONS`` lists them (none for strand one)."""
    for name in sections.EXTRA_SECTIONS.get(strand, ()):
        SECTION_SHOW[name]()


def show_findings(strand: int) -> None:
    """Show the successes, challenges and lessons of the strand's projects; write ``strand_<n>_findings.csv``."""
    findings = partners.strand_findings(strand)
    findings.to_csv(processed(f"strand_{strand}_findings.csv"), index=False)
    display(Markdown(partners.findings_markdown(findings)))


def write_facts(strand: int) -> None:
    """Write the strand's checkable values to ``facts_strand_<n>.csv``."""
    sections.strand_facts(strand).write()
