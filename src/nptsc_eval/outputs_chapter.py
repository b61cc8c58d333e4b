"""The programme outputs chapter (``notebooks/01-programme-outputs.ipynb``): its values, tables and chart.

``glue_*`` functions record a section's values (and its checkable facts) and write its
processed file; ``show_*`` functions display a section's table or chart with its title,
source and number. How a target is judged is in :mod:`nptsc_eval.kpi`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from nptsc_eval import kpi, report
from nptsc_eval.charts import style
from nptsc_eval.facts import Facts
from nptsc_eval.paths import processed
from nptsc_eval.tables import load_table

TABLE_2_1_PRIMARY = ("Phase two participant spreadsheet provided by LG Improvement and Development, March 2011, "
                     "updated following interviews with delivery partners")
TARGETS_ORIGINAL = "targets from Figures 3.1, 4.1 and 5.1 and outputs from Table 2.1 in the original report"
TARGETS_PRIMARY = "Consulting Inplace (December 2009); " + TABLE_2_1_PRIMARY


def show_reach() -> None:
    """Show Table 2.1, the participants and organisations each project reached; write ``programme_outputs.csv``."""
    reach = kpi.outputs_table(load_table("table_2_1_programme_outputs"), load_table("projects"))
    reach.to_csv(processed("programme_outputs.csv"), index=False)
    report.show_table(reach, "Participant places and organisations reached by each project, phase two (2009–2011)", "table-2-1",
                      number_key="reach_table_number",
                      source=report.source("Table 2.1 in the original report", TABLE_2_1_PRIMARY, "data/raw/table_2_1_programme_outputs.csv"),
                      notes="* updated following interviews with delivery partners. Figures in brackets include phase one.")


def glue_reach(facts: Facts) -> None:
    """Glue the participant total and project counts; record every cell of Table 2.1 as a fact."""
    table_2_1, projects = load_table("table_2_1_programme_outputs"), load_table("projects")
    participants = kpi.total_reported(table_2_1, "participants")
    report.glue("participants_total", participants)
    report.glue("projects_count", len(projects))
    report.glue("projects_with_participants", int((table_2_1.query("measure == 'participants'")["value_status"] == "reported").sum()))
    for row in table_2_1.itertuples():
        facts.add(f"table_2_1.{row.project_id}.{row.measure}", row.value if row.value_status == "reported" else row.value_status,
                  unit=row.measure, description=f"Table 2.1 {row.measure} for {row.project_id}", source_location="Table 2.1")
        if pd.notna(row.value_including_phase_one):
            facts.add(f"table_2_1.{row.project_id}.{row.measure}_including_phase_one", row.value_including_phase_one,
                      unit=row.measure, description="Including phase one", source_location="Table 2.1")
    facts.add("table_2_1.participants_total", participants, unit="participants",
              description="Sum of the participants Table 2.1 reports", source_location="Table 2.1")


def glue_attainment(facts: Facts, partly_met_from: float) -> pd.DataFrame:
    """Judge every output target, write ``kpi_attainment.csv`` and glue the counts and each target's values."""
    targets = load_table("kpi_targets")
    attainment = kpi.kpi_attainment(targets, kpi.reported_outputs(), load_table("projects"),
                                    kpi.StatusRules(partly_met_from=partly_met_from))
    attainment.to_csv(processed("kpi_attainment.csv"), index=False)
    report.glue("partly_met_threshold", 100 * partly_met_from, kind="percent")
    from_text = targets["source"].str.contains("text")
    report.glue("kpi_targets_set", len(targets))
    report.glue("kpi_targets_in_figures", int((~from_text).sum()))
    report.glue("kpi_targets_from_text", int(from_text.sum()))
    report.glue("kpi_rows", len(attainment))
    report.glue("kpi_measurable", int(attainment["status"].isin(kpi.JUDGED).sum()))
    not_comparable = attainment[attainment["status"] == "not comparable"]
    report.glue("kpi_not_comparable_list", kpi.listing(f"{r.kpi.lower()} ({r.delivery_partner})" for r in not_comparable.itertuples()),
                kind="text")
    for status, n in kpi.status_counts(attainment).items():
        report.glue(f"kpi_{status.replace(' ', '_')}", int(n))
    for row in attainment.itertuples():
        _glue_target(row)
        _add_target_facts(facts, row)
    return attainment


def _glue_target(row: Any) -> None:
    """Glue one target's output, target, status and reading, under the key of its first KPI series."""
    key = row.kpi_ids.split()[0]
    report.glue(f"kpi_{key}_actual", row.actual_label, kind="text")
    report.glue(f"kpi_{key}_target", row.target_label, kind="text")
    report.glue(f"kpi_{key}_status", str(row.status), kind="text")
    report.glue(f"kpi_{key}_interpretation", row.interpretation, kind="text")
    if row.alternative_reading:
        report.glue(f"kpi_{key}_alternative", row.alternative_reading, kind="text")


def _add_target_facts(facts: Facts, row: Any) -> None:
    """Record one target's comparability, status, target, output and share of target as facts."""
    r = row
    key = r.kpi_ids.split()[0]
    where = r.milestones or r.kpi
    facts.add(f"kpi.{key}.comparable", r.comparable, description=f"The reported figure measures the target: {r.kpi}",
              source_location=where)
    for series_id in r.kpi_ids.split():
        facts.add(f"kpi.{series_id}.status", str(r.status), description=f"Status of {r.kpi}", source_location=where)
    facts.add(f"kpi.{key}.target", r.target, unit=r.unit, description=f"Cumulative target: {r.kpi}", source_location="logic model")
    facts.add(f"kpi.{key}.actual", r.actual, unit=r.unit, description=f"Reported output: {r.kpi}", source_location="Table 2.1 / text")
    facts.add(f"kpi.{key}.percent_of_target", r.percent_of_target, unit="percent",
              description=f"Output as percent of target: {r.kpi}")


def show_attainment_chart(attainment: pd.DataFrame) -> None:
    """Show every output against its target, as a chart."""
    report.show_figure(style.kpi_chart(attainment), alt=kpi.chart_alt_text(attainment),
                       data=attainment[["kpi_ids", "target", "actual", "status"]], title=kpi.chart_title(attainment),
                       source=report.source(TARGETS_ORIGINAL, TARGETS_PRIMARY,
                                            ["data/raw/kpi_targets.csv", "data/raw/table_2_1_programme_outputs.csv"]))


def show_attainment_table(attainment: pd.DataFrame) -> None:
    """Show every output against its target, as a table."""
    report.show_table(kpi.attainment_table(attainment), "Output against KPI target for every project", "kpi-attainment",
                      number_key="kpi_table_number",
                      source=report.source(TARGETS_ORIGINAL, TARGETS_PRIMARY,
                                           ["data/raw/kpi_targets.csv", "data/raw/kpi_interpretations.csv",
                                            "data/processed/kpi_attainment.csv"]))
