"""A strand's logic model: its boxes, their KPI targets, and the model as a table and a diagram.

Chapters 3, 4 and 5 of the source each set out one delivery strand's logic model (Figures
3.1, 4.1 and 5.1). :func:`logic_model` reads a strand's boxes from ``logic_models.csv`` and
takes each output's target from ``kpi_targets.csv``, so a target's numbers are recorded
once; :func:`logic_model_html` draws it as HTML, one diagram per project, and
:func:`logic_model_table` lays it out as a table. :func:`check_logic_models` holds the rules
that link the boxes to the projects and the KPI targets.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nptsc_eval import kpi
from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.problems import Problem
from nptsc_eval.tables import load_table
from nptsc_eval.templating import render

#: Columns of a logic model, in order, and their headings.
STAGES = {"activities": "Activities", "outputs": "Outputs/KPIs", "outcomes": "Outcomes", "impacts": "Impacts"}
#: Number words for prose ("strand one").
NUMBER_WORDS = {1: "one", 2: "two", 3: "three"}


def _raw_path(name: str, raw_dir: Path | None) -> Path:
    return (raw_dir or RAW_DIR) / f"{name}.csv"


def strand_info(strand: int, raw_dir: Path | None = None) -> pd.Series:
    """The strand's row of ``strands.csv``: title, short title, objective, figure, chapter.

    Examples:
        >>> strand_info(2)["logic_model_figure"]
        'Figure 4.1'
    """
    strands = load_table("strands", raw_dir)
    row = strands[strands["strand"] == strand]
    if row.empty:
        known = ", ".join(str(s) for s in strands["strand"])
        raise ValueError(f"strand {strand!r} is not in strands.csv (known strands: {known})")
    return row.iloc[0].copy()


def strand_projects(strand: int, raw_dir: Path | None = None) -> pd.DataFrame:
    """The strand's projects from ``projects.csv``, in the order the file lists them."""
    projects = load_table("projects", raw_dir)
    return projects[projects["strand"] == strand].reset_index(drop=True)


def _target_labels(targets: pd.DataFrame) -> dict[str, str]:
    """Label of each KPI target as the logic model states it: '100 by Mar 2010' or '90%'."""
    labels = {}
    series = kpi.cumulative_targets(targets)
    for row in series.itertuples():
        ids = row.kpi_ids.split()
        for kpi_id in ids:
            labels[kpi_id] = row.milestones
    return labels


def check_logic_models(models: pd.DataFrame, targets: pd.DataFrame, projects: pd.DataFrame,
                       path: Path) -> None:
    """Rules that link the logic models to the other raw tables.

    Each project of a box must be a project of the box's strand; each KPI id must exist in
    ``kpi_targets.csv`` and belong to the box's project; every KPI target must appear in
    one output box; every project must have an activity. Raises
    :class:`DataValidationError` naming the row and column of each problem.
    """
    problems: list[Problem] = []
    strand_of = dict(zip(projects["project_id"], projects["strand"]))
    project_of_kpi = dict(zip(targets["kpi_id"], targets["project_id"]))
    seen_kpis: set[str] = set()
    for i, row in models.iterrows():
        where = f"row {i + 2}"
        if pd.notna(row["project_id"]):
            if row["project_id"] not in strand_of:
                problems.append(Problem(f"project {row['project_id']!r} is not in projects.csv", where, "project_id"))
            elif strand_of[row["project_id"]] != row["strand"]:
                problems.append(Problem(f"project {row['project_id']!r} belongs to strand "
                                        f"{strand_of[row['project_id']]} in projects.csv, not {row['strand']}", where, "strand"))
        if pd.notna(row["kpi_ids"]):
            for kpi_id in str(row["kpi_ids"]).split():
                if kpi_id not in project_of_kpi:
                    problems.append(Problem(f"KPI {kpi_id!r} is not in kpi_targets.csv", where, "kpi_ids"))
                elif project_of_kpi[kpi_id] != row["project_id"]:
                    problems.append(Problem(f"KPI {kpi_id!r} belongs to project {project_of_kpi[kpi_id]!r}, "
                                            f"not {row['project_id']!r}", where, "kpi_ids"))
                elif kpi_id in seen_kpis:
                    problems.append(Problem(f"KPI {kpi_id!r} appears in two output boxes", where, "kpi_ids"))
                seen_kpis.add(kpi_id)
    missing = [k for k in targets["kpi_id"] if k not in seen_kpis]
    if missing:
        problems.append(Problem(f"KPI targets in no output box: {', '.join(missing)}", column="kpi_ids"))
    with_activity = set(models.loc[models["stage"] == "activities", "project_id"])
    for project_id in projects["project_id"]:
        if project_id not in with_activity:
            problems.append(Problem(f"project {project_id!r} has no row with stage 'activities'", column="project_id"))
    if problems:
        raise DataValidationError(path, [str(p) for p in problems])


def load_logic_models(raw_dir: Path | None = None) -> pd.DataFrame:
    """Every logic model, validated on its own and against projects and KPI targets."""
    models = load_table("logic_models", raw_dir)
    check_logic_models(models, load_table("kpi_targets", raw_dir), load_table("projects", raw_dir),
                       _raw_path("logic_models", raw_dir))
    return models


def logic_model(strand: int, raw_dir: Path | None = None) -> pd.DataFrame:
    """The logic model of one strand, one row per box, in drawing order.

    Columns: ``stage``, ``project_id``, ``project``, ``delivery_partner``, ``item``,
    ``text``, ``target`` (the KPI target as set, for outputs), ``long_term``, ``kpi_ids``
    and ``label`` (text and target together, as the figure shows it).
    """
    models = load_logic_models(raw_dir)
    model = models[models["strand"] == strand].copy()
    if model.empty:
        raise ValueError(f"logic_models.csv has no boxes for strand {strand}")
    labels = _target_labels(load_table("kpi_targets", raw_dir))
    projects = strand_projects(strand, raw_dir)
    order = {p: i for i, p in enumerate(projects["project_id"])}
    model["target"] = [
        "; ".join(dict.fromkeys(labels[k] for k in str(ids).split())) if pd.notna(ids) else ""
        for ids in model["kpi_ids"]
    ]
    model["target"] = model["target"].str.replace("^deliver$", "", regex=True)
    model = model.merge(projects[["project_id", "project", "delivery_partner"]], on="project_id", how="left")
    model["stage_order"] = model["stage"].map({s: i for i, s in enumerate(STAGES)})
    model["project_order"] = model["project_id"].map(order).fillna(len(order))
    model = model.sort_values(["stage_order", "project_order", "item"]).reset_index(drop=True)
    model["label"] = [f"{t}: {g}" if g else t for t, g in zip(model["text"], model["target"])]
    return model[["stage", "project_id", "project", "delivery_partner", "item", "text", "target",
                  "long_term", "kpi_ids", "label"]]


def logic_model_table(model: pd.DataFrame) -> pd.DataFrame:
    """The logic model as a table: one row per box, grouped by project, impacts last."""
    project_order = {p: i for i, p in enumerate(dict.fromkeys(model["project_id"].dropna()))}
    rank = model["project_id"].map(project_order).fillna(len(project_order))
    model = model.assign(_rank=rank).sort_values("_rank", kind="stable")
    out = pd.DataFrame(
        {
            "Project": [
                f"{p} ({d})" if isinstance(p, str) else "Whole strand"
                for p, d in zip(model["project"], model["delivery_partner"])
            ],
            "Column": model["stage"].map(STAGES),
            "What the logic model sets out": [
                t + (" (indirect or long-term)" if lt else "") for t, lt in zip(model["text"], model["long_term"])
            ],
            "Target": model["target"],
        }
    )
    return out.reset_index(drop=True)


def logic_model_counts(model: pd.DataFrame) -> dict[str, int]:
    """Number of boxes in each column of a logic model, and of long-term impacts.

    Examples:
        >>> counts = logic_model_counts(logic_model(1))
        >>> counts["activities"], counts["impacts"], counts["long_term_impacts"]
        (3, 2, 1)
    """
    counts = {stage: int((model["stage"] == stage).sum()) for stage in STAGES}
    counts["long_term_impacts"] = int(((model["stage"] == "impacts") & model["long_term"]).sum())
    return counts


def summary_sentence(counts: dict[str, int]) -> str:
    """One sentence counting a strand's logic model boxes (see :func:`logic_model_counts`).

    Examples:
        >>> summary_sentence({"activities": 3, "outputs": 11, "outcomes": 6, "impacts": 1})
        "This strand's model has three projects, 11 outputs and six outcomes, which lead to one impact."
        >>> summary_sentence({"activities": 1, "outputs": 0, "outcomes": 2, "impacts": 0})
        "This strand's model has one project, no outputs and two outcomes, which lead to no impact."
    """
    return render("strands/logic_model_summary.md.j2", counts=counts).strip()


def long_term_sentence(counts: dict[str, int]) -> str:
    """Which of a logic model's impacts are indirect or long-term, and how the figure shows them.

    Examples:
        >>> long_term_sentence({"impacts": 1, "long_term_impacts": 0})
        'The model marks no impact as indirect or long-term.'
        >>> long_term_sentence({"impacts": 1, "long_term_impacts": 1})[:62]
        'The model marks its one impact as indirect or long-term: resul'
        >>> long_term_sentence({"impacts": 4, "long_term_impacts": 4})[:50]
        'The model marks all four of its impacts as indirec'
        >>> long_term_sentence({"impacts": 5, "long_term_impacts": 2})[:52]
        'The model marks two of its five impacts as indirect '
    """
    return render("strands/long_term.md.j2", impacts=int(counts["impacts"]),
                  long_term=int(counts["long_term_impacts"])).strip()


def logic_model_alt_text(model: pd.DataFrame, strand: int) -> str:
    """Alt text for a logic model figure that says what it shows, in numbers."""
    impacts = model[model["stage"] == "impacts"]
    return render("strands/logic_model_alt.md.j2", strand_word=NUMBER_WORDS.get(strand, strand),
                  counts=logic_model_counts(model), activities=model[model["stage"] == "activities"].itertuples(),
                  direct=[r.text.rstrip(".") for r in impacts.itertuples() if not r.long_term],
                  long_term=[r.text.rstrip(".") for r in impacts.itertuples() if r.long_term]).strip()


#: Headings of a project's stages in the drawn logic model (one activity per project, hence singular).
DIAGRAM_STAGES = {"activities": "Activity", "outputs": "Outputs and KPI targets", "outcomes": "Outcomes"}


def logic_model_html(model: pd.DataFrame, strand: int) -> str:
    """A logic model as HTML with real text: one small diagram per project, then the strand's impacts.

    Each project is drawn as a stack read from top to bottom (its activity, then its outputs
    with their KPI targets, then its outcomes), ending in a pointer to the strand's impacts,
    which are drawn once, last, because they belong to the strand as a whole.  The source's
    figures (3.1, 4.1 and 5.1) set the boxes out in columns that flow from left to right and
    draw no link between single boxes, so the only arrows here are between stages.  Indirect or
    long-term impacts have a dashed border and say so in words.  Every value is escaped; the
    arrows are drawn by the style sheet (``book/_static/nptsc.css``), so they carry no text.
    The HTML comes from the template ``templates/strands/logic_model.html.j2``.
    """
    projects = []
    for project_id in dict.fromkeys(model.loc[model["project_id"].notna(), "project_id"]):
        rows = model[model["project_id"] == project_id]
        stages = [{"stage": stage, "heading": heading, "boxes": list(rows[rows["stage"] == stage].itertuples())}
                  for stage, heading in DIAGRAM_STAGES.items()]
        projects.append({"name": rows.iloc[0]["project"], "partner": rows.iloc[0]["delivery_partner"],
                         "stages": [s for s in stages if s["boxes"]]})
    return render("strands/logic_model.html.j2", projects=projects, strand_word=NUMBER_WORDS.get(strand, strand),
                  impacts=list(model[model["stage"] == "impacts"].itertuples()))
