"""The sections only some strands have, their prose, the strand's checkable facts and the
cross-table checks run before any notebook.

* :func:`text` and :func:`introduction` read the prose kept beside the notebook in
  ``notebooks/strands/*.md``;
* :data:`EXTRA_SECTIONS` lists the sections each strand alone has, and :data:`SECTION_FACTS`
  the values each adds to the strand's facts;
* :func:`strand_facts` records the values a reader could check against the source;
* :func:`validate_strand_table` runs a strand table's cross-table rules for ``check-data``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nptsc_eval import kpi
from nptsc_eval.errors import DataValidationError, PipelineError
from nptsc_eval.facts import Facts
from nptsc_eval.paths import NOTEBOOKS_DIR, PACKAGE_DIR
from nptsc_eval.strands.logic_model import load_logic_models, logic_model, logic_model_counts, strand_info, strand_projects
from nptsc_eval.strands.partners import kpi_summary, project_figures, strand_findings, strand_kpi_rows
from nptsc_eval.strands.tables import acevo_stages, action_learning_sets, bursary_courses, ivar_action_plans, ivar_attendees
from nptsc_eval.tables import load_table


def text(name: str, folder: Path | None = None) -> str:
    """The Markdown of ``notebooks/strands/<name>.md``: prose the strand notebook shows.

    Prose that belongs to one strand (its introduction, a section on one project) is kept as
    Markdown beside the notebook, never in a Python string, so it is read and checked like
    every other page (``tests/test_prose_numbers.py`` scans it). Its numbers are ``{glue}``
    roles that the strand notebook fills.
    """
    path = (folder or NOTEBOOKS_DIR / "strands") / f"{name}.md"
    if folder is None and not path.is_file():
        # A project folder made for a test may hold data only: use the package's own text.
        path = PACKAGE_DIR.parents[1] / "notebooks" / "strands" / f"{name}.md"
    if not path.is_file():
        raise PipelineError(f"{path}: no such text for the strand chapters; write it, or correct the name")
    return path.read_text(encoding="utf-8").strip() + "\n"


def introduction(strand: int, folder: Path | None = None) -> str:
    """The opening of a strand's chapter, written for that strand: ``notebooks/strands/strand-<n>.md``.

    It says what the strand was for, who delivered it and what the chapter covers.
    """
    try:
        return text(f"strand-{int(strand)}", folder)
    except PipelineError as error:
        raise PipelineError(f"{error}: no introduction for strand {strand}; write one to open its chapter") from None


def _all_project_figures(raw_dir: Path | None = None) -> None:
    for strand in load_table("strands", raw_dir)["strand"]:
        project_figures(int(strand), raw_dir)


def _all_project_findings(raw_dir: Path | None = None) -> None:
    for strand in load_table("strands", raw_dir)["strand"]:
        strand_findings(int(strand), raw_dir)


#: The strand tables whose rules reach beyond their data dictionary, and the loader that checks them.
CROSS_CHECKED: dict[str, Callable[[Path | None], object]] = {
    "logic_models.csv": load_logic_models,
    "table_5_3_action_learning_sets.csv": action_learning_sets,
    "figure_5_2_acevo_outcomes.csv": acevo_stages,
    "ivar_action_plans.csv": ivar_action_plans,
    "project_figures.csv": _all_project_figures,
    "project_findings.csv": _all_project_findings,
}


def validate_strand_table(path: Path) -> None:
    """Validator for :func:`nptsc_eval.validate_raw.validators`: the cross-table rules of a strand table.

    Runs the checks of :data:`CROSS_CHECKED` for ``path`` (logic models against projects
    and KPI targets, sets per approach, stages that break down another, areas of Table 4.2,
    projects of figures and findings), so ``nptsc-eval check-data`` and the build report
    them before any notebook runs. A problem in the table's own data dictionary, or in
    another table, is left to that table's own validation, so each is reported once.
    """
    path = Path(path)
    loader = CROSS_CHECKED[path.name]
    try:
        load_table(path.stem, path.parent)
    except DataValidationError:
        return
    try:
        loader(path.parent)
    except DataValidationError as exc:
        if exc.path.resolve() == path.resolve():
            raise


def _ivar_attendee_facts(facts: Facts, raw_dir: Path | None = None) -> None:
    """Table 4.2: IVAR attendees by area."""
    attendees = ivar_attendees(raw_dir)
    facts.add("table_4_2.total", int(attendees["attendees"].sum()), unit="people",
              description="IVAR attendees, all five areas", source_location="Table 4.2")
    facts.add("table_4_2.areas", len(attendees), unit="areas",
              description="Local authority areas in Table 4.2", source_location="Table 4.2")
    for r in attendees.itertuples():
        facts.add(f"table_4_2.{r.local_authority.lower().replace(' ', '_')}", int(r.attendees), unit="people",
                  description=f"IVAR attendees in {r.local_authority}", source_location="Table 4.2")


def _ivar_plan_facts(facts: Facts, raw_dir: Path | None = None) -> None:
    """IVAR's action plans."""
    plans = ivar_action_plans(raw_dir)
    facts.add("ivar.action_plans_agreed", int(plans["plan_agreed"].sum()), unit="plans",
              description="Areas where an action plan was agreed", source_location="Chapter 4")
    facts.add("ivar.action_plans_whole_authority", int((plans["scope"] == "commissioning across the local authority").sum()),
              unit="plans", description="Action plans covering commissioning across the local authority",
              source_location="Chapter 4")


def _bursary_facts(facts: Facts, raw_dir: Path | None = None) -> None:
    """The bursary course table."""
    courses = bursary_courses(raw_dir)
    facts.add("bursary.institutions_listed", len(courses), unit="institutions",
              description="Institutions the bursary course table lists", source_location="Chapter 4, bursary course table")
    facts.add("bursary.courses_listed", int(courses["course_title"].count()), unit="courses",
              description="Courses the bursary course table lists", source_location="Chapter 4, bursary course table")


def _action_learning_set_facts(facts: Facts, raw_dir: Path | None = None) -> None:
    """Table 5.3: bassac's action learning sets."""
    sets = action_learning_sets(raw_dir)
    facts.add("table_5_3.individuals_total", int(sets["individuals"].sum()), unit="people",
              description="Individuals engaged across the action learning sets", source_location="Table 5.3")
    facts.add("table_5_3.organisations_total", int(sets["organisations"].sum()), unit="organisations",
              description="Organisations engaged across the action learning sets", source_location="Table 5.3")
    facts.add("table_5_3.sets", len(sets), unit="sets", description="Action learning sets", source_location="Table 5.3")
    facts.add("table_5_3.approaches", int(sets["approach"].nunique()), unit="approaches",
              description="Approaches the sets used", source_location="Table 5.3")
    for r in sets.itertuples():
        facts.add(f"table_5_3.{r.set_id}.individuals", int(r.individuals), unit="people",
                  description=f"Individuals engaged: {r.approach}, {r.location}", source_location="Table 5.3")
        facts.add(f"table_5_3.{r.set_id}.organisations", int(r.organisations), unit="organisations",
                  description=f"Organisations engaged: {r.approach}, {r.location}", source_location="Table 5.3")


def _acevo_facts(facts: Facts, raw_dir: Path | None = None) -> None:
    """Figure 5.2: ACEVO's tendering support."""
    stages = acevo_stages(raw_dir)
    for r in stages.itertuples():
        facts.add(f"figure_5_2.{r.stage_id}", int(r.organisations), unit="organisations",
                  description=f"ACEVO tendering support, phases one and two: {r.stage.lower()}", source_location="Figure 5.2")
    supported = stages.set_index("stage_id").loc["supported"]
    facts.add("acevo.organisations_supported_phase_one_and_two", int(supported["organisations"]), unit="organisations",
              description="Organisations ACEVO supported with tendering, phases one and two", source_location="Figure 5.2")
    facts.add("acevo.organisations_supported_phase_one", int(supported["phase_one"]), unit="organisations",
              description="Organisations ACEVO supported with tendering in phase one", source_location="Figure 5.2 (repaired with Table 2.1)")


#: The sections only some strands have, in the order the strand chapter shows them. Each
#: name is a Markdown file in ``notebooks/strands/`` and a key of :data:`SECTION_FACTS`; the
#: chapter shows each with ``nptsc_eval.strand_chapter.SECTION_SHOW``.
EXTRA_SECTIONS: dict[int, tuple[str, ...]] = {
    2: ("strand-2-ivar-attendees", "strand-2-ivar-action-plans", "strand-2-bursary-courses"),
    3: ("strand-3-action-learning-sets", "strand-3-acevo-support"),
}


#: The checkable values each strand-specific section adds to its strand's facts.
SECTION_FACTS: dict[str, Callable[[Facts, Path | None], None]] = {
    "strand-2-ivar-attendees": _ivar_attendee_facts,
    "strand-2-ivar-action-plans": _ivar_plan_facts,
    "strand-2-bursary-courses": _bursary_facts,
    "strand-3-action-learning-sets": _action_learning_set_facts,
    "strand-3-acevo-support": _acevo_facts,
}


def strand_facts(strand: int, raw_dir: Path | None = None) -> Facts:
    """The values a reader could check against the source, for one strand.

    Every strand records its logic model's size (``strand_<n>.logic_model.*``) and the
    figures of ``project_figures.csv`` for its projects (under their own ids, such as
    ``navca.norfolk.applications``). Strand two adds Table 4.2 (``table_4_2.*``), the
    action plans (``ivar.action_plans_agreed``) and the bursary courses (``bursary.*``);
    strand three adds Table 5.3 (``table_5_3.*``) and Figure 5.2 (``figure_5_2.*`` and
    ``acevo.organisations_supported_phase_one_and_two``).
    """
    info = strand_info(strand, raw_dir)
    facts = Facts(f"strand_{strand}")
    model = logic_model(strand, raw_dir)
    where = str(info["logic_model_figure"])
    for key, n in logic_model_counts(model).items():
        facts.add(f"strand_{strand}.logic_model.{key}", n, unit="boxes",
                  description=f"Boxes in the {key.replace('_', ' ')} of the strand's logic model", source_location=where)
    facts.add(f"strand_{strand}.projects", len(strand_projects(strand, raw_dir)), unit="projects",
              description="Projects in the strand", source_location=where)
    kpis = kpi_summary(strand_kpi_rows(strand, kpi.load_kpi_attainment(raw_dir)))
    for key, n in kpis.items():
        facts.add(f"strand_{strand}.kpi.{key}", n, unit="targets",
                  description=f"KPI targets of the strand: {key.replace('_', ' ')}", source_location=where)
    for r in project_figures(strand, raw_dir).itertuples():
        unit = r.unit
        if r.qualifier == "range":
            facts.add(f"{r.fact_id}.low", r.value, unit=unit, description=f"{r.description} (low end)", source_location=r.location)
            facts.add(f"{r.fact_id}.high", r.value_high, unit=unit, description=f"{r.description} (high end)", source_location=r.location)
        else:
            qualifier = "" if r.qualifier == "exact" else f" ({r.qualifier})"
            facts.add(r.fact_id, r.value, unit=unit, description=r.description + qualifier, source_location=r.location)
    for name in EXTRA_SECTIONS.get(strand, ()):
        SECTION_FACTS[name](facts, raw_dir)
    return facts
