"""The partners' work in a strand: KPI attainment, the other figures the chapter gives, and findings.

* :func:`strand_kpis` filters the KPI attainment of :mod:`nptsc_eval.kpi` to a strand, and
  :func:`kpi_summary` counts it by status;
* :func:`project_figures` gives the other figures the chapter states for each project
  (``project_figures.csv``), labelled as prose shows them;
* :func:`strand_findings` gives the successes, challenges and lessons of the strand's
  projects (``project_findings.csv``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nptsc_eval import kpi
from nptsc_eval.errors import DataValidationError
from nptsc_eval.problems import Problem
from nptsc_eval.strands.logic_model import _raw_path, strand_projects
from nptsc_eval.tables import load_table
from nptsc_eval.templating import render

#: Kinds of finding, in the order a chapter shows them, and their headings.
FINDING_KINDS = {"success": "Successes", "challenge": "Challenges", "lesson": "Lessons"}


def strand_kpi_rows(strand: int, attainment: pd.DataFrame) -> pd.DataFrame:
    """The strand's rows of :func:`nptsc_eval.kpi.load_kpi_attainment` (not recomputed)."""
    return attainment[attainment["strand"] == strand].reset_index(drop=True)


def strand_kpis(strand: int, attainment: pd.DataFrame) -> pd.DataFrame:
    """The strand's KPI targets against outputs, as readers see them."""
    return kpi.attainment_table(strand_kpi_rows(strand, attainment)).drop(columns=["Strand"])


def kpi_summary(rows: pd.DataFrame) -> dict[str, int]:
    """How many of a set of KPI rows are in each status, and the groups prose uses.

    Examples:
        >>> import nptsc_eval.kpi as k
        >>> kpi_summary(strand_kpi_rows(1, k.load_kpi_attainment()))["targets"]
        4
    """
    counts = kpi.status_counts(rows)
    out = {"targets": len(rows)}
    out.update({s.replace(" ", "_"): int(n) for s, n in counts.items()})
    out["met_or_exceeded"] = out["met"] + out["exceeded"]
    out["short_of_target"] = out["partly_met"] + out["not_met"]
    return out


def not_comparable_sentence(rows: pd.DataFrame) -> str:
    """A sentence naming the strand's targets whose reported figure measures something else, with why.

    Empty when there are none.
    """
    from nptsc_eval import wording

    shown = rows[rows["status"] == "not comparable"]
    if shown.empty:
        return ""
    return render("strands/not_comparable.md.j2", targets=wording.count(len(shown), "target"), n=len(shown),
                  rows=list(shown.itertuples())).strip()


def two_readings_sentence(rows: pd.DataFrame) -> str:
    """A sentence naming the strand's targets the source allows to be read two ways; empty when none.

    Examples:
        >>> two_readings_sentence(pd.DataFrame({"alternative_reading": ["x"], "delivery_partner": ["CIPFA"]}))[:50]
        "The source allows two readings of CIPFA's target: "
        >>> two_readings_sentence(pd.DataFrame({"alternative_reading": ["x", "y"], "delivery_partner": ["A", "B"]}))[:70]
        "The source allows two readings of A's and B's targets: the table gives"
    """
    from nptsc_eval import wording

    shown = rows[rows["alternative_reading"].astype(str) != ""]
    if shown.empty:
        return ""
    names = wording.listing([f"{r.delivery_partner}'s" for r in shown.itertuples()])
    target = wording.plural("target", len(shown))
    return render("strands/two_readings.md.j2", names=names, target=target).strip()


def _rows_of_strand(name: str, strand: int, raw_dir: Path | None) -> pd.DataFrame:
    """Rows of a per-project raw table that belong to the strand, with project name and partner.

    A row naming a project that projects.csv does not know is an error naming file, row and column.
    """
    table = load_table(name, raw_dir)
    unknown = table[~table["project_id"].isin(load_table("projects", raw_dir)["project_id"])]
    if not unknown.empty:
        i = unknown.index[0]
        problem = Problem(f"project {unknown.at[i, 'project_id']!r} is not in projects.csv", f"row {i + 2}", "project_id")
        raise DataValidationError(_raw_path(name, raw_dir), [str(problem)])
    projects = strand_projects(strand, raw_dir)
    return table.merge(projects[["project_id", "project", "delivery_partner"]], on="project_id", how="inner")


def project_figures(strand: int, raw_dir: Path | None = None) -> pd.DataFrame:
    """The other figures the strand's chapter states, project by project, with a label."""
    out = _rows_of_strand("project_figures", strand, raw_dir)
    out["shown"] = [figure_label(r.value, r.value_high, r.qualifier, r.unit) for r in out.itertuples()]
    return out.reset_index(drop=True)


def figure_label(value: float, high: float | None, qualifier: str, unit: str) -> str:
    """A figure as prose shows it: '£250', '30–40', 'more than £1,000,000', 'at least 1'.

    Examples:
        >>> figure_label(30, 40, "range", "people"), figure_label(250, None, "exact", "pounds")
        ('30–40', '£250')
        >>> figure_label(1000000, None, "more than", "pounds")
        'more than £1,000,000'
    """
    money = unit == "pounds"

    def one(v: float) -> str:
        return ("£" if money else "") + f"{v:,.0f}"

    text = f"{one(value)}–{one(high)}" if qualifier == "range" and pd.notna(high) else one(value)
    if qualifier in ("approximately", "at least", "more than"):
        text = f"{qualifier} {text}"
    return text


def project_figures_table(figures: pd.DataFrame) -> pd.DataFrame:
    """The figures as a table for the chapter."""
    return pd.DataFrame(
        {
            "Delivery partner": figures["delivery_partner"],
            "What is counted": figures["description"],
            "Figure": figures["shown"],
            "Unit": figures["unit"],
            "Where the source states it": figures["location"],
        }
    )


def strand_findings(strand: int, raw_dir: Path | None = None) -> pd.DataFrame:
    """The strand's findings, grouped by kind (successes, challenges, lessons), then project."""
    out = _rows_of_strand("project_findings", strand, raw_dir)
    out["kind_order"] = out["kind"].map({k: i for i, k in enumerate(FINDING_KINDS)})
    order = strand_projects(strand, raw_dir)["project_id"]
    out["project_order"] = out["project_id"].map({p: i for i, p in enumerate(order)})
    out = out.sort_values(["kind_order", "project_order"], kind="stable").drop(columns=["kind_order", "project_order"])
    return out.reset_index(drop=True)


def findings_markdown(findings: pd.DataFrame) -> str:
    """The findings as Markdown: a subheading per kind, a bullet per finding naming its partner."""
    groups = [(heading, list(findings[findings["kind"] == kind].itertuples())) for kind, heading in FINDING_KINDS.items()]
    return render("strands/findings.md.j2", groups=[(h, rows) for h, rows in groups if rows])
