"""The three delivery strands: logic models, the strands' own tables, findings and facts.

Chapters 3, 4 and 5 of the source each evaluate one delivery strand through its projects.
One notebook (``03-strand.ipynb``) makes a chapter of each, with ``strand`` as its parameter;
this module does the work:

* :func:`logic_model` reads a strand's logic model (``logic_models.csv``) and takes each
  output's target from ``kpi_targets.csv``, so a target's numbers are recorded once;
  :func:`logic_model_html` draws it as HTML, one diagram per project, and
  :func:`logic_model_table` lays it out as a table;
* :func:`ivar_attendees`, :func:`bursary_courses`, :func:`action_learning_sets` and
  :func:`acevo_stages` load the strands' own tables, checked beyond their data dictionaries
  (sets per approach, stages that break down another);
* :func:`strand_kpis` filters the KPI attainment of :mod:`nptsc_eval.kpi` to a strand;
* :func:`strand_facts` records the values a reader could check against the source.

Every loader raises :class:`~nptsc_eval.errors.DataValidationError` naming file, row and
column when the data break a rule; no function modifies its inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from nptsc_eval import kpi
from nptsc_eval.errors import DataValidationError
from nptsc_eval.facts import Facts
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.charts import colours
from nptsc_eval.tables import load_table

#: Columns of a logic model, in order, and their headings.
STAGES = {"activities": "Activities", "outputs": "Outputs/KPIs", "outcomes": "Outcomes", "impacts": "Impacts"}
#: Kinds of finding, in the order a chapter shows them, and their headings.
FINDING_KINDS = {"success": "Successes", "challenge": "Challenges", "lesson": "Lessons"}
#: Raw tables each strand's chapter reads beyond those every strand reads.
STRAND_TABLES = {
    1: (),
    2: ("table_4_2_ivar_attendees", "ivar_action_plans", "bursary_courses"),
    3: ("table_5_3_action_learning_sets", "figure_5_2_acevo_outcomes"),
}
#: Number words for prose ("strand one").
NUMBER_WORDS = {1: "one", 2: "two", 3: "three"}


def _raw_path(name: str, raw_dir: Path | None) -> Path:
    return (raw_dir or RAW_DIR) / f"{name}.csv"


# --------------------------------------------------------------------------------------
# Strands and logic models
# --------------------------------------------------------------------------------------


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
    problems = []
    strand_of = dict(zip(projects["project_id"], projects["strand"]))
    project_of_kpi = dict(zip(targets["kpi_id"], targets["project_id"]))
    seen_kpis: set[str] = set()
    for i, row in models.iterrows():
        where = f"row {i + 2}"
        if pd.notna(row["project_id"]):
            if row["project_id"] not in strand_of:
                problems.append(f"{where}, column 'project_id': project {row['project_id']!r} is not in projects.csv")
            elif strand_of[row["project_id"]] != row["strand"]:
                problems.append(f"{where}, column 'strand': project {row['project_id']!r} belongs to strand "
                                f"{strand_of[row['project_id']]} in projects.csv, not {row['strand']}")
        if pd.notna(row["kpi_ids"]):
            for kpi_id in str(row["kpi_ids"]).split():
                if kpi_id not in project_of_kpi:
                    problems.append(f"{where}, column 'kpi_ids': KPI {kpi_id!r} is not in kpi_targets.csv")
                elif project_of_kpi[kpi_id] != row["project_id"]:
                    problems.append(f"{where}, column 'kpi_ids': KPI {kpi_id!r} belongs to project "
                                    f"{project_of_kpi[kpi_id]!r}, not {row['project_id']!r}")
                elif kpi_id in seen_kpis:
                    problems.append(f"{where}, column 'kpi_ids': KPI {kpi_id!r} appears in two output boxes")
                seen_kpis.add(kpi_id)
    missing = [k for k in targets["kpi_id"] if k not in seen_kpis]
    if missing:
        problems.append(f"column 'kpi_ids': KPI targets in no output box: {', '.join(missing)}")
    with_activity = set(models.loc[models["stage"] == "activities", "project_id"])
    for project_id in projects["project_id"]:
        if project_id not in with_activity:
            problems.append(f"column 'project_id': project {project_id!r} has no row with stage 'activities'")
    if problems:
        raise DataValidationError(path, problems)


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


def logic_model_alt_text(model: pd.DataFrame, strand: int) -> str:
    """Alt text for a logic model figure that says what it shows, in numbers."""
    counts = logic_model_counts(model)
    activities = model[model["stage"] == "activities"]
    projects = "; ".join(f"{r.text} ({r.delivery_partner})" for r in activities.itertuples())
    impacts = model[model["stage"] == "impacts"]
    direct = [r.text.rstrip(".") for r in impacts.itertuples() if not r.long_term]
    long_term = [r.text.rstrip(".") for r in impacts.itertuples() if r.long_term]
    text = (
        f"Logic model of strand {NUMBER_WORDS.get(strand, strand)}, drawn project by project and read from top to bottom. "
        f"Activities: {counts['activities']} projects ({projects}). "
        f"They lead to {counts['outputs']} outputs or KPI targets and {counts['outcomes']} outcomes. "
        f"Impact: {'; '.join(direct)}."
    )
    if long_term:
        text += f" Indirect or long-term impacts: {'; '.join(long_term)}."
    return text + " The table after the figure lists every box."


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
    """
    import html

    def esc(value: object) -> str:
        return html.escape(str(value), quote=True)

    def box(text: str, extra: str = "", css: str = "lm-box") -> str:
        return f'<li class="{css}">{esc(text)}{extra}</li>'

    projects = list(dict.fromkeys(model.loc[model["project_id"].notna(), "project_id"]))
    parts = ['<div class="lm-projects">']
    for n, project_id in enumerate(projects, start=1):
        rows = model[model["project_id"] == project_id]
        first = rows.iloc[0]
        name = f"Project {n}: {first['project']} ({first['delivery_partner']})"
        parts.append(f'<div class="lm-project"><p class="lm-project-name">{esc(name)}</p><ol class="lm-flow">')
        for stage, heading in DIAGRAM_STAGES.items():
            boxes = rows[rows["stage"] == stage]
            if boxes.empty:
                continue
            items = []
            for r in boxes.itertuples():
                target = (f'<span class="lm-target">Target: {esc(r.target)}</span>' if stage == "outputs" and r.target
                          else "")
                items.append(box(r.text, target))
            parts.append(f'<li class="lm-stage lm-{stage}"><p class="lm-stage-name">{esc(heading)}</p>'
                         f'<ul class="lm-boxes">{"".join(items)}</ul></li>')
        parts.append('<li class="lm-stage lm-next"><p class="lm-stage-name">Leads to the strand&#x27;s impacts '
                     '(at the end of the figure)</p></li></ol></div>')
    parts.append("</div>")
    impacts = model[model["stage"] == "impacts"]
    items = [box(r.text, '<span class="lm-target">Indirect or long-term</span>' if r.long_term else "",
                 "lm-box lm-long-term" if r.long_term else "lm-box") for r in impacts.itertuples()]
    parts.append(f'<div class="lm-impacts"><p class="lm-stage-name">Impacts of strand {esc(NUMBER_WORDS.get(strand, strand))} '
                 f'as a whole</p><ul class="lm-boxes">{"".join(items)}</ul></div>')
    return "".join(parts)


# --------------------------------------------------------------------------------------
# KPI attainment, figures and findings
# --------------------------------------------------------------------------------------


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


def text(name: str, folder: Path | None = None) -> str:
    """The Markdown of ``notebooks/strands/<name>.md``: prose the strand notebook shows.

    Prose that belongs to one strand (its introduction, a section on one project) is kept as
    Markdown beside the notebook, never in a Python string, so it is read and checked like
    every other page (``tests/test_prose_numbers.py`` scans it). Its numbers are ``{glue}``
    roles that the strand notebook fills.
    """
    from nptsc_eval.errors import PipelineError
    from nptsc_eval.paths import NOTEBOOKS_DIR, PACKAGE_DIR

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
    from nptsc_eval.errors import PipelineError

    try:
        return text(f"strand-{int(strand)}", folder)
    except PipelineError as error:
        raise PipelineError(f"{error}: no introduction for strand {strand}; write one to open its chapter") from None


def not_comparable_sentence(rows: pd.DataFrame) -> str:
    """A sentence naming the strand's targets whose reported figure measures something else, with why.

    Empty when there are none.
    """
    from nptsc_eval import wording

    shown = rows[rows["status"] == "not comparable"]
    if shown.empty:
        return ""
    n = len(shown)
    head = (f"For {wording.count(n, 'target')} the report gives a figure that measures something "
            f"else, so we do not judge {'them' if n > 1 else 'it'}. ")
    return head + " ".join(f"{r.delivery_partner}, {r.kpi.lower()}: {r.interpretation}" for r in shown.itertuples())


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
    return (f"The source allows two readings of {names} {target}: the table gives both, with the status "
            "under the second reading, and says which one the verdict uses.")


def _rows_of_strand(name: str, strand: int, raw_dir: Path | None) -> pd.DataFrame:
    """Rows of a per-project raw table that belong to the strand, with project name and partner.

    A row naming a project that projects.csv does not know is an error naming file, row and column.
    """
    table = load_table(name, raw_dir)
    unknown = table[~table["project_id"].isin(load_table("projects", raw_dir)["project_id"])]
    if not unknown.empty:
        i = unknown.index[0]
        raise DataValidationError(_raw_path(name, raw_dir),
                                  [f"row {i + 2}, column 'project_id': project {unknown.at[i, 'project_id']!r} is not in projects.csv"])
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
    parts = []
    for kind, heading in FINDING_KINDS.items():
        rows = findings[findings["kind"] == kind]
        if rows.empty:
            continue
        bullets = "\n".join(f"- **{r.delivery_partner}**: {r.finding}" for r in rows.itertuples())
        parts.append(f"### {heading}\n\n{bullets}\n")
    return "\n".join(parts)


# --------------------------------------------------------------------------------------
# The strands' own tables
# --------------------------------------------------------------------------------------


def ivar_attendees(raw_dir: Path | None = None) -> pd.DataFrame:
    """Table 4.2, attendees by local authority; its total is checked at load (102)."""
    return load_table("table_4_2_ivar_attendees", raw_dir)


def with_total(frame: pd.DataFrame, label_column: str, columns: list[str], label: str = "Total") -> pd.DataFrame:
    """``frame`` with a total row that adds up ``columns``; other columns are left empty.

    Examples:
        >>> t = with_total(pd.DataFrame({"area": ["a", "b"], "n": [1, 2]}), "area", ["n"])
        >>> t["area"].tolist(), t["n"].tolist()
        (['a', 'b', 'Total'], [1, 2, 3])
    """
    total = {c: "" for c in frame.columns}
    total[label_column] = label
    for c in columns:
        total[c] = frame[c].sum()
    out = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    for c in columns:
        out[c] = out[c].astype(frame[c].dtype)
    return out


def ivar_action_plans(raw_dir: Path | None = None) -> pd.DataFrame:
    """IVAR's action plans, one per area; every area must be an area of Table 4.2."""
    plans = load_table("ivar_action_plans", raw_dir)
    areas = set(ivar_attendees(raw_dir)["local_authority"])
    problems = [f"row {i + 2}, column 'local_authority': {a!r} is not an area of Table 4.2"
                for i, a in plans["local_authority"].items() if a not in areas]
    if problems:
        raise DataValidationError(_raw_path("ivar_action_plans", raw_dir), problems)
    return plans


def bursary_courses(raw_dir: Path | None = None) -> pd.DataFrame:
    """The courses the bursary scheme paid for, one per institution."""
    return load_table("bursary_courses", raw_dir)


def action_learning_sets(raw_dir: Path | None = None) -> pd.DataFrame:
    """Table 5.3, one row per action learning set.

    Its totals (49 individuals, 36 organisations) are checked at load against the source's
    total row; here each approach must also have as many rows as the sets the source
    prints for it.
    """
    sets = load_table("table_5_3_action_learning_sets", raw_dir)
    problems = []
    for approach, group in sets.groupby("approach", sort=False):
        printed = set(group["approach_sets"])
        if len(printed) > 1:
            problems.append(f"row {group.index[0] + 2}, column 'approach_sets': approach {approach!r} has "
                            f"different numbers of sets on its rows ({', '.join(str(p) for p in sorted(printed))})")
        elif printed.pop() != len(group):
            problems.append(f"row {group.index[0] + 2}, column 'approach_sets': approach {approach!r} prints "
                            f"{group['approach_sets'].iloc[0]} sets but has {len(group)} rows")
    problems += _set_projects_match_table_2_1(sets, raw_dir)
    if problems:
        raise DataValidationError(_raw_path("table_5_3_action_learning_sets", raw_dir), problems)
    return sets


def _set_projects_match_table_2_1(sets: pd.DataFrame, raw_dir: Path | None) -> list[str]:
    """Each set's project must be the one Table 2.1 credits with the sets' people and organisations.

    For every project that has sets, the individuals and organisations of its sets must add up
    to that project's participants and organisations in Table 2.1, so a set cannot belong to
    one project here and to another there.
    """
    table = load_table("table_2_1_programme_outputs", raw_dir)
    reported = {(r.project_id, r.measure): r.value for r in table.itertuples() if r.value_status == "reported"}
    problems = []
    for project_id, group in sets.groupby("project_id", sort=False):
        for column, measure in (("individuals", "participants"), ("organisations", "organisations")):
            total = int(group[column].sum())
            printed = reported.get((project_id, measure))
            if printed is None or int(printed) != total:
                problems.append(f"rows {', '.join(str(i + 2) for i in group.index)}, column 'project_id': the sets of "
                                f"{project_id!r} engage {total} {column}, but Table 2.1 gives that project "
                                f"{'no' if printed is None else int(printed)} {measure}")
    return problems


def action_learning_sets_table(sets: pd.DataFrame) -> pd.DataFrame:
    """Table 5.3 as the report lays it out, with its total row."""
    shown = pd.DataFrame(
        {
            "Objective": sets["objective"],
            "Approach": sets["approach"],
            "Sets using the approach": sets["approach_sets"],
            "Location": sets["location"] + [" (case study)" if c else "" for c in sets["case_study"]],
            "Individuals": sets["individuals"],
            "Organisations": sets["organisations"],
        }
    )
    shown["Sets using the approach"] = shown["Sets using the approach"].astype("string")
    out = with_total(shown, "Objective", ["Individuals", "Organisations"])
    out.loc[out.index[-1], "Sets using the approach"] = str(len(sets))
    return out


def acevo_stages(raw_dir: Path | None = None) -> pd.DataFrame:
    """Figure 5.2 as tidy stages, in the figure's order.

    Rows that break down another stage must add up to it, and the phase one and phase two
    split of a stage must add up to it; otherwise :class:`DataValidationError` names the row.
    """
    stages = load_table("figure_5_2_acevo_outcomes", raw_dir).sort_values("order").reset_index(drop=True)
    path = _raw_path("figure_5_2_acevo_outcomes", raw_dir)
    raw = load_table("figure_5_2_acevo_outcomes", raw_dir)
    row_of = {s: i + 2 for i, s in raw["stage_id"].items()}
    count = dict(zip(stages["stage_id"], stages["organisations"]))
    problems = []
    for parent, group in stages[stages["breakdown_of"].notna()].groupby("breakdown_of", sort=False):
        if parent not in count:
            problems.append(f"row {row_of[group['stage_id'].iloc[0]]}, column 'breakdown_of': no stage {parent!r}")
            continue
        if group["organisations"].sum() != count[parent]:
            problems.append(
                f"row {row_of[parent]}, column 'organisations': the {len(group)} stages that break down {parent!r} "
                f"({', '.join(group['stage_id'])}) add up to {group['organisations'].sum()}, not {count[parent]}"
            )
    for r in stages.itertuples():
        if pd.notna(r.phase_one) and pd.notna(r.phase_two) and r.phase_one + r.phase_two != r.organisations:
            problems.append(f"row {row_of[r.stage_id]}, column 'organisations': phase one ({r.phase_one}) and phase two "
                            f"({r.phase_two}) add up to {r.phase_one + r.phase_two}, not {r.organisations}")
    funnel = stages[stages["funnel"]]
    for before, after in zip(funnel.itertuples(), funnel.iloc[1:].itertuples()):
        if after.organisations > before.organisations:
            problems.append(f"row {row_of[after.stage_id]}, column 'organisations': funnel stage {after.stage_id!r} "
                            f"({after.organisations}) is larger than the stage before it ({before.organisations})")
    if problems:
        raise DataValidationError(path, problems)
    return stages


def acevo_table(stages: pd.DataFrame) -> pd.DataFrame:
    """Figure 5.2 as a table: each stage, its organisations, and what it is part of."""
    names = dict(zip(stages["stage_id"], stages["stage"]))
    return pd.DataFrame(
        {
            "Stage": stages["stage"],
            "Organisations": stages["organisations"],
            "Shown in the funnel": ["yes" if f else "no" for f in stages["funnel"]],
            "Part of": [names.get(b, "") if pd.notna(b) else "" for b in stages["breakdown_of"]],
        }
    )


def acevo_funnel_figure(stages: pd.DataFrame):
    """Funnel chart of Figure 5.2's main stages: centred bars, each labelled with its count."""
    import matplotlib.pyplot as plt

    funnel = stages[stages["funnel"]].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(5.7, 0.75 * len(funnel) + 0.8))
    widest = float(funnel["organisations"].max())
    for i, r in enumerate(funnel.itertuples()):
        ax.barh(i, r.organisations, left=(widest - r.organisations) / 2, color=colours.BAR, height=0.7)
        share = f" ({100 * r.organisations / widest:.0f}% of those supported)" if i else ""
        ax.text(widest + widest * 0.03, i, f"{r.stage}: {r.organisations}{share}", va="center", ha="left",
                fontsize=9.5, color=colours.TEXT)
    ax.set_ylim(len(funnel) - 0.5, -0.5)
    ax.set_xlim(0, widest * 2.15)
    ax.axis("off")
    fig.tight_layout()
    return fig


def acevo_alt_text(stages: pd.DataFrame) -> str:
    """Alt text for the ACEVO funnel, in numbers."""
    funnel = stages[stages["funnel"]]
    steps = ", then ".join(f"{r.organisations} {r.stage.lower()}" for r in funnel.itertuples())
    return (f"Funnel chart of the organisations ACEVO supported with tendering in phases one and two: {steps}. "
            "The table after the chart gives every stage.")


# --------------------------------------------------------------------------------------
# Checks before any notebook runs
# --------------------------------------------------------------------------------------

#: The strand tables whose rules reach beyond their data dictionary, and the loader that checks them.
CROSS_CHECKED = {
    "logic_models.csv": "load_logic_models",
    "table_5_3_action_learning_sets.csv": "action_learning_sets",
    "figure_5_2_acevo_outcomes.csv": "acevo_stages",
    "ivar_action_plans.csv": "ivar_action_plans",
    "project_figures.csv": "_all_project_figures",
    "project_findings.csv": "_all_project_findings",
}


def _all_project_figures(raw_dir: Path | None = None) -> None:
    for strand in load_table("strands", raw_dir)["strand"]:
        project_figures(int(strand), raw_dir)


def _all_project_findings(raw_dir: Path | None = None) -> None:
    for strand in load_table("strands", raw_dir)["strand"]:
        strand_findings(int(strand), raw_dir)


def validate_strand_table(path: Path) -> None:
    """Validator for ``nptsc_eval.validate_raw.VALIDATORS``: the cross-table rules of a strand table.

    Runs the checks of :data:`CROSS_CHECKED` for ``path`` (logic models against projects
    and KPI targets, sets per approach, stages that break down another, areas of Table 4.2,
    projects of figures and findings), so ``nptsc-eval check-data`` and the build report
    them before any notebook runs. A problem in the table's own data dictionary, or in
    another table, is left to that table's own validation, so each is reported once.
    """
    path = Path(path)
    loader = globals()[CROSS_CHECKED[path.name]]
    try:
        load_table(path.stem, path.parent)
    except DataValidationError:
        return
    try:
        loader(path.parent)
    except DataValidationError as exc:
        if exc.path.resolve() == path.resolve():
            raise


# --------------------------------------------------------------------------------------
# Facts for the claims audit
# --------------------------------------------------------------------------------------


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
