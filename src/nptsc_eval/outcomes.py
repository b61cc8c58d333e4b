"""Outcomes and impacts: the evidence for each box of the logic models, rated by stated rules.

The evidence table (``data/raw/outcome_evidence.csv``) codes, by hand, every piece of evidence
the source report gives for each outcome and impact box of the three logic models.  This
module checks it against the logic models, rates each box's evidence (:func:`rate_box`),
builds the evidence matrix, works out the survey's response rates, and, when costs are
entered in ``data/raw/programme_costs.csv``, the programme's unit costs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nptsc_eval.charts import colours
from nptsc_eval.errors import DataValidationError

#: Kinds of evidence, in the order the matrix shows them, with labels for readers.
SOURCE_TYPES = {
    "monitoring": "Monitoring data",
    "document": "Published document",
    "survey_published": "Survey (published results)",
    "partner_interview": "Delivery partner interviews",
    "stakeholder_interview": "Advisory group interviews",
    "case_study": "Case studies",
}
#: Evidence strength grades, strongest first.
STRENGTHS = ["strong", "moderate", "limited", "none"]
#: The rules, in the words the book prints; :func:`rate_box` applies them in this order.
RULES = [
    ("none", "No piece of evidence in the source says anything about the box."),
    ("limited", "Every piece of evidence that points the box's way rests on people's own account of their change, "
                "or covers only a few cases."),
    ("strong", "Two or more kinds of evidence point the same way and none points another way or both ways; at least one "
               "is independent of the delivery partner; and one covers most of the people or places concerned while "
               "being either independent or a record (monitoring data or a document)."),
    ("moderate", "Two or more kinds of evidence point the same way, or one independent kind covers most of the people "
                 "or places concerned."),
    ("limited", "Anything else: one kind of evidence only, or kinds that do not agree."),
]
#: Columns of a logic model box.
BOX_KEY = ["strand", "project_id", "stage", "item"]
RECORD_TYPES = {"monitoring", "document"}


def box_id(strand: int, project_id: object, stage: str, item: int) -> str:
    """Stable identifier of a box: ``s1-cipfa_training-outcome-1`` or ``s3-impact-2``.

    Examples:
        >>> box_id(1, "cipfa_training", "outcomes", 1), box_id(3, None, "impacts", 2)
        ('s1-cipfa_training-outcome-1', 's3-impact-2')
    """
    project = "" if project_id is None or pd.isna(project_id) or project_id == "" else f"{project_id}-"
    return f"s{int(strand)}-{project}{stage.rstrip('s')}-{int(item)}"


def _with_box_ids(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["box_id"] = [box_id(r.strand, r.project_id, r.stage, r.item) for r in frame.itertuples()]
    return frame


def outcome_boxes(logic_models: pd.DataFrame) -> pd.DataFrame:
    """The outcome and impact boxes of the logic models, each with its ``box_id``."""
    boxes = logic_models[logic_models["stage"].isin(["outcomes", "impacts"])]
    return _with_box_ids(boxes[BOX_KEY + ["text", "long_term"]]).reset_index(drop=True)


def check_evidence(evidence: pd.DataFrame, logic_models: pd.DataFrame, path: Path | str = "outcome_evidence.csv") -> None:
    """Every evidence row names a box of the logic models, and every box has a row.

    Raises :class:`DataValidationError` naming the file, row and column of each problem.
    """
    boxes = outcome_boxes(logic_models)
    known = set(boxes["box_id"])
    coded = _with_box_ids(evidence)
    problems = []
    for i, row in coded.iterrows():
        line = i + 2
        if row["box_id"] not in known:
            problems.append(f"row {line}, columns 'strand', 'project_id', 'stage', 'item': no {row['stage'].rstrip('s')} "
                            f"box {row['box_id']} in logic_models.csv")
        if row["coverage"] == "none" and row["direction"] != "silent":
            problems.append(f"row {line}, column 'coverage': 'none' is only for a row whose direction is 'silent'")
    for missing in sorted(known - set(coded["box_id"])):
        problems.append(f"box {missing} of logic_models.csv has no row: add one (direction 'silent' if the source says nothing)")
    if problems:
        raise DataValidationError(path, problems)


def validate_evidence_file(path: Path) -> None:
    """Validator for ``data/raw/outcome_evidence.csv`` (registered in :mod:`nptsc_eval.validate_raw`)."""
    from nptsc_eval.tables import load_table

    raw_dir = Path(path).parent
    check_evidence(load_table("outcome_evidence", raw_dir), load_table("logic_models", raw_dir), path)


def _type_direction(directions: pd.Series) -> str:
    values = set(directions)
    return values.pop() if len(values) == 1 else "mixed"


def rate_box(rows: pd.DataFrame) -> dict[str, object]:
    """Rate the evidence for one box from its evidence rows, by :data:`RULES`.

    Returns the box's ``direction`` (supports, against, mixed or silent), its ``strength``,
    the rule that decided it (``reason``), and counts behind it.

    Examples:
        >>> rows = pd.DataFrame({"source_type": ["monitoring", "case_study"], "independent": [False, True],
        ...                      "self_report": [False, True], "coverage": ["most", "few"],
        ...                      "direction": ["supports", "supports"]})
        >>> rate_box(rows)["strength"]
        'strong'
        >>> rate_box(rows.iloc[[1]])["strength"]
        'limited'
    """
    said = rows[rows["direction"] != "silent"]
    result: dict[str, object] = {"n_evidence": len(said), "n_types": said["source_type"].nunique(),
                                 "independent": bool(said["independent"].any())}
    if said.empty:
        return {**result, "direction": "silent", "agreeing_types": 0, "strength": "none", "reason": RULES[0][1]}
    by_type = said.groupby("source_type")["direction"].agg(_type_direction)
    n_support, n_against = int((by_type == "supports").sum()), int((by_type == "against").sum())
    leaning = "supports" if n_support >= n_against else "against"
    agreeing_types = set(by_type.index[by_type == leaning])
    agree = said[said["source_type"].isin(agreeing_types)]
    others = by_type[by_type != leaning]
    direction = leaning if others.empty else "mixed"
    result.update(direction=direction, agreeing_types=len(agreeing_types))
    if agree.empty or agree["self_report"].all() or (agree["coverage"] == "few").all():
        return {**result, "strength": "limited", "reason": RULES[1][1]}
    good_coverage = agree[(agree["coverage"] == "most")
                          & (agree["independent"] | agree["source_type"].isin(RECORD_TYPES))]
    if len(agreeing_types) >= 2 and others.empty and agree["independent"].any() and not good_coverage.empty:
        return {**result, "strength": "strong", "reason": RULES[2][1]}
    independent_wide = agree[agree["independent"] & (agree["coverage"] == "most")]
    if len(agreeing_types) >= 2 or not independent_wide.empty:
        return {**result, "strength": "moderate", "reason": RULES[3][1]}
    return {**result, "strength": "limited", "reason": RULES[4][1]}


def evidence_matrix(evidence: pd.DataFrame, logic_models: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """One row per outcome and impact box: its evidence by kind, direction and strength.

    Each source-type column holds the direction that kind of evidence points for the box
    (supports, against, mixed, silent), or ``none`` when the source gives no evidence of that
    kind.  ``evidence_ids`` lists the rows of the evidence table the rating rests on.
    """
    boxes = outcome_boxes(logic_models)
    coded = _with_box_ids(evidence)
    names = projects.set_index("project_id")["project"].to_dict()
    rows = []
    for box in boxes.itertuples():
        mine = coded[coded["box_id"] == box.box_id]
        rating = rate_box(mine)
        row: dict[str, object] = {
            "box_id": box.box_id, "strand": int(box.strand),
            "project_id": "" if pd.isna(box.project_id) else box.project_id,
            "project": names.get(box.project_id, "Whole strand"), "stage": box.stage.rstrip("s"),
            "item": int(box.item), "box": box.text, "long_term": bool(box.long_term)}
        for kind in SOURCE_TYPES:
            of_kind = mine[mine["source_type"] == kind]["direction"]
            row[kind] = _type_direction(of_kind) if len(of_kind) else "none"
        row.update({"direction": rating["direction"], "strength": rating["strength"],
                    "n_evidence": rating["n_evidence"], "n_types": rating["n_types"],
                    "agreeing_types": rating["agreeing_types"], "independent": rating["independent"],
                    "evidence_ids": " ".join(mine["evidence_id"]), "reason": rating["reason"]})
        rows.append(row)
    return pd.DataFrame(rows)


def strength_counts(matrix: pd.DataFrame) -> pd.DataFrame:
    """Number of boxes of each strength, by strand (every strength listed, zeros included)."""
    table = pd.crosstab(matrix["strand"], matrix["strength"]).reindex(columns=STRENGTHS, fill_value=0)
    return table.reset_index()


#: Table 1.1's delivery partners and the projects each covers; "CIPFA & SROI-UK" counts for both.
PARTNER_PROJECTS = {
    "CIPFA": ["cipfa_training"],
    "SROI-UK": ["sroi_training"],
    "IVAR": ["ivar_area_support"],
    "bassac": ["bassac_codesign", "bassac_bidding_capacity"],
    "ACEVO": ["acevo_budgets_seminars", "acevo_tendering_support"],
    "NAVCA": ["navca_consultancy"],
}
SHARED = {"CIPFA & SROI-UK": ["CIPFA", "SROI-UK"]}


def _places(outputs: pd.DataFrame, project_ids: list[str]) -> tuple[float, str]:
    """Participant places of the projects (Table 2.1), or organisations where places are not counted."""
    values = outputs[outputs["project_id"].isin(project_ids)]
    people = values[(values["measure"] == "participants") & values["value"].notna()]["value"]
    if len(people):
        return float(people.sum()), "participant places"
    orgs = values[(values["measure"] == "organisations") & values["value"].notna()]["value"]
    if len(orgs):
        return float(orgs.sum()), "organisations"
    return float("nan"), "not counted"


def response_rates(table_1_1: pd.DataFrame, outputs: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Survey respondents (Table 1.1) against participant places (Table 2.1), by delivery partner.

    People who took part in two projects (Table 1.1's "CIPFA & SROI-UK") count for each.
    Partners with no respondents are listed too, and a last row gives the whole survey: its
    respondents (each person once) against every place counted (NAVCA's organisations
    included, since NAVCA's respondents are among them).

    Examples:
        >>> t11 = pd.DataFrame({"delivery_partner": ["CIPFA", "CIPFA & SROI-UK"], "respondents": [9, 1]})
        >>> out = pd.DataFrame({"project_id": ["cipfa_training", "sroi_training"], "measure": ["participants"] * 2,
        ...                     "value": [40.0, 10.0]})
        >>> pro = pd.DataFrame({"project_id": ["cipfa_training", "sroi_training"], "delivery_partner": ["CIPFA", "SROI-UK"],
        ...                     "project": ["Training", "SROI"]})
        >>> response_rates(t11, out, pro)[["delivery_partner", "respondents", "places", "response_rate_pct"]].values.tolist()
        [['CIPFA', 10, 40.0, 25.0], ['SROI-UK', 1, 10.0, 10.0], ['All respondents', 10, 50.0, 20.0]]
    """
    counts = table_1_1.set_index("delivery_partner")["respondents"].astype(int).to_dict()
    mapping = dict(PARTNER_PROJECTS)
    covered = {p for ids in mapping.values() for p in ids}
    for row in projects.itertuples():
        if row.project_id not in covered:
            mapping.setdefault(row.delivery_partner, []).append(row.project_id)
    rows = []
    for partner, ids in mapping.items():
        ids = [p for p in ids if p in set(projects["project_id"])]
        if not ids:
            continue
        only = counts.get(partner, 0)
        shared = sum(n for label, n in counts.items() if partner in SHARED.get(label, []))
        places, basis = _places(outputs, ids)
        respondents = only + shared
        rate = 100 * respondents / places if places == places and places > 0 else float("nan")
        rows.append({"delivery_partner": partner,
                     "projects": "; ".join(projects.set_index("project_id").loc[ids, "project"]),
                     "respondents_one_project": only, "respondents_two_projects": shared, "respondents": respondents,
                     "places": places, "places_basis": basis, "response_rate_pct": rate,
                     "no_respondents": respondents == 0})
    frame = pd.DataFrame(rows)
    total_places = frame["places"].sum(skipna=True)
    total = int(sum(counts.values()))
    frame.loc[len(frame)] = {"delivery_partner": "All respondents", "projects": "Every project",
                             "respondents_one_project": total - sum(counts.get(k, 0) for k in SHARED),
                             "respondents_two_projects": sum(counts.get(k, 0) for k in SHARED),
                             "respondents": total, "places": total_places,
                             "places_basis": "participant places and NAVCA's organisations",
                             "response_rate_pct": 100 * total / total_places, "no_respondents": total == 0}
    return frame


def dissimilarity_index(rates: pd.DataFrame) -> float:
    """How far the respondents' spread across partners is from the places' spread, in percentage points.

    Half the sum of the absolute differences between each partner's share of respondents and
    its share of places (the index of dissimilarity): 0 when the survey mirrors the places
    exactly, 100 when the two do not overlap at all.  Partners whose places are not counted
    are left out.

    Examples:
        >>> dissimilarity_index(pd.DataFrame({"delivery_partner": ["a", "b"], "respondents": [5, 5],
        ...                                   "places": [50.0, 50.0]}))
        0.0
    """
    parts = rates[(rates["delivery_partner"] != "All respondents") & rates["places"].notna()]
    shares_r = parts["respondents"] / parts["respondents"].sum()
    shares_p = parts["places"] / parts["places"].sum()
    return float(50 * (shares_r - shares_p).abs().sum())


def check_costs(costs: pd.DataFrame, projects: pd.DataFrame, path: Path | str = "programme_costs.csv") -> None:
    """A cost needs its basis and its source, and every project must be a known one."""
    problems = []
    known = set(projects["project_id"])
    for i, row in costs.iterrows():
        if row["project_id"] not in known:
            problems.append(f"row {i + 2}, column 'project_id': {row['project_id']!r} is not a project of projects.csv")
        if pd.notna(row["cost_gbp"]):
            for column in ("cost_basis", "cost_source"):
                if pd.isna(row[column]) or not str(row[column]).strip():
                    problems.append(f"row {i + 2}, column '{column}': must be filled when 'cost_gbp' is given")
    if problems:
        raise DataValidationError(path, problems)


def validate_costs_file(path: Path) -> None:
    """Validator for ``data/raw/programme_costs.csv`` (registered in :mod:`nptsc_eval.validate_raw`)."""
    from nptsc_eval.tables import load_table

    raw_dir = Path(path).parent
    check_costs(load_table("programme_costs", raw_dir), load_table("projects", raw_dir), path)


def value_for_money(costs: pd.DataFrame, outputs: pd.DataFrame, attainment: pd.DataFrame,
                    projects: pd.DataFrame) -> pd.DataFrame:
    """Cost per participant place, per organisation supported and per output target met.

    One row per project with a cost, then one per strand (the sum of its projects' costs,
    places, organisations and targets met, for those projects) and one for the programme.
    A target counts as met when its status is "met" or "exceeded".  A unit cost whose
    denominator is not reported or is zero is left empty.  Empty when no cost is entered.
    """
    columns = ["level", "strand", "project_id", "project", "cost_gbp", "participant_places", "organisations",
               "targets_met", "cost_per_place", "cost_per_organisation", "cost_per_target_met"]
    known = costs[costs["cost_gbp"].notna()]
    if known.empty:
        return pd.DataFrame(columns=columns)
    value = outputs.pivot_table(index="project_id", columns="measure", values="value", aggfunc="sum")
    met = (attainment[attainment["status"].isin(["met", "exceeded"])].groupby("project_id").size())
    info = projects.set_index("project_id")
    rows = []
    for row in known.itertuples():
        rows.append({"level": "project", "strand": int(info.at[row.project_id, "strand"]), "project_id": row.project_id,
                     "project": info.at[row.project_id, "project"], "cost_gbp": float(row.cost_gbp),
                     "participant_places": value.get("participants", pd.Series(dtype=float)).get(row.project_id),
                     "organisations": value.get("organisations", pd.Series(dtype=float)).get(row.project_id),
                     "targets_met": int(met.get(row.project_id, 0))})
    frame = pd.DataFrame(rows)
    sums = ["cost_gbp", "participant_places", "organisations", "targets_met"]
    strands = frame.groupby("strand")[sums].sum(min_count=1).reset_index()
    strands["level"], strands["project_id"] = "strand", ""
    strands["project"] = "Strand " + strands["strand"].astype(str)
    whole = frame[sums].sum(min_count=1).to_frame().T
    whole["level"], whole["strand"], whole["project_id"], whole["project"] = "programme", 0, "", "Whole programme"
    frame = pd.concat([frame, strands, whole], ignore_index=True)
    for column, denominator in [("cost_per_place", "participant_places"), ("cost_per_organisation", "organisations"),
                                ("cost_per_target_met", "targets_met")]:
        d = pd.to_numeric(frame[denominator], errors="coerce")
        frame[column] = (frame["cost_gbp"].astype(float) / d).where(d > 0)
    return frame[columns]


def questions_by_chapter(questions: pd.DataFrame, chapters: dict[str, str]) -> pd.DataFrame:
    """For each chapter, the questions it answers (a question may map to several chapters).

    ``chapters`` maps a chapter's run id to its title; an id the questions name that is not
    in it raises ``ValueError`` naming the question.
    """
    rows = []
    for q in questions.itertuples():
        for chapter in str(q.chapters).split():
            if chapter not in chapters:
                raise ValueError(f"question {q.question_id} names an unknown chapter {chapter!r}")
            rows.append({"chapter_id": chapter, "chapter": chapters[chapter], "question_id": q.question_id})
    frame = pd.DataFrame(rows)
    order = {c: i for i, c in enumerate(chapters)}
    grouped = frame.groupby(["chapter_id", "chapter"])["question_id"].agg(lambda s: ", ".join(s)).reset_index()
    grouped["order"] = grouped["chapter_id"].map(order)
    return grouped.sort_values("order").drop(columns="order").reset_index(drop=True)


#: Colours of the directions in the heatmap; every cell is also labelled in words.
DIRECTION_COLOURS = colours.EVIDENCE_DIRECTION


_ACRONYMS = {"cipfa": "CIPFA", "sroi": "SROI", "ivar": "IVAR", "acevo": "ACEVO", "navca": "NAVCA", "sec": "SEC",
             "e": "e-", "london": "London"}


def short_name(project_id: str) -> str:
    """A short label for a project from its id, for chart axes.

    Examples:
        >>> short_name("cipfa_training"), short_name("e_learning"), short_name("")
        ('CIPFA training', 'e-learning', 'whole strand')
    """
    if not project_id:
        return "whole strand"
    return " ".join(_ACRONYMS.get(w, w) for w in project_id.split("_")).replace("e- ", "e-")


def heatmap(matrix: pd.DataFrame):
    """A grid of boxes (rows) by kinds of evidence (columns), each cell coloured and labelled
    with the direction that evidence points, and a last column giving the box's strength."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from nptsc_eval.charts.style import CHART_WIDTH_IN, TEXT_COLOUR, text_colour_on

    kinds = list(SOURCE_TYPES)
    import textwrap

    # Row labels on two lines, so the columns are wide enough for their words at a readable size.
    labels = [textwrap.fill(f"S{r.strand} {short_name(r.project_id)}: {r.stage} {r.item}", 20) for r in matrix.itertuples()]
    n = len(matrix)
    fig, ax = plt.subplots(figsize=(CHART_WIDTH_IN, 0.46 * n + 1.8))
    for y, row in enumerate(matrix.itertuples()):
        for x, kind in enumerate(kinds):
            value = getattr(row, kind)
            colour = DIRECTION_COLOURS[value]
            ax.add_patch(Rectangle((x, y), 1, 1, facecolor=colour, edgecolor=colours.OUTLINE, linewidth=0.5))
            if value != "none":
                ax.text(x + 0.5, y + 0.5, value, ha="center", va="center", fontsize=9, color=text_colour_on(colour))
        ax.text(len(kinds) + 0.1, y + 0.5, row.strength, ha="left", va="center", fontsize=9, color=TEXT_COLOUR,
                fontweight="bold" if row.strength in ("strong", "none") else "normal")
    ax.set_xlim(0, len(kinds) + 1.25)
    ax.set_ylim(n, 0)
    ax.set_xticks([i + 0.5 for i in range(len(kinds))] + [len(kinds) + 0.5])
    # Slanted, on one line each: upright, the names of neighbouring columns would run into each other.
    ax.set_xticklabels([SOURCE_TYPES[k] for k in kinds] + ["Strength"], fontsize=9, rotation=40, ha="left",
                       rotation_mode="anchor")
    ax.xaxis.tick_top()
    ax.set_yticks([i + 0.5 for i in range(n)])
    ax.set_yticklabels(labels, fontsize=9)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.grid(False)
    fig.tight_layout()
    return fig


#: The source's six conclusions (Chapter 6), by the ids conclusion_evidence.csv uses.
CONCLUSIONS = {
    "need": "Phase two was well designed and based on real identified need",
    "breadth_depth": "Appropriate depth and breadth",
    "beneficiaries": "Public sector commissioners and third sector organisations were primary beneficiaries",
    "individuals": "The programme contributed to culture change of individuals",
    "cycle": "The programme as a whole covered all elements of the commissioning cycle",
    "joint_working": "Movement across the programme",
}


def check_conclusions(evidence: pd.DataFrame, matrix_box_ids: set[str], path: Path | str = "conclusion_evidence.csv") -> None:
    """Each row's ``box_ids`` names boxes of the logic models, and every conclusion has a row."""
    problems = []
    for i, row in evidence.iterrows():
        for ident in ("" if pd.isna(row["box_ids"]) else str(row["box_ids"])).split():
            if ident not in matrix_box_ids:
                problems.append(f"row {i + 2}, column 'box_ids': {ident!r} is not an outcome or impact box")
    for missing in sorted(set(CONCLUSIONS) - set(evidence["conclusion_id"])):
        problems.append(f"conclusion {missing!r} has no row")
    if problems:
        raise DataValidationError(path, problems)


def validate_conclusions_file(path: Path) -> None:
    """Validator for ``data/raw/conclusion_evidence.csv`` (registered in :mod:`nptsc_eval.validate_raw`)."""
    from nptsc_eval.tables import load_table

    raw_dir = Path(path).parent
    boxes = outcome_boxes(load_table("logic_models", raw_dir))
    check_conclusions(load_table("conclusion_evidence", raw_dir), set(boxes["box_id"]), path)


def conclusion_ratings(evidence: pd.DataFrame) -> pd.DataFrame:
    """Each conclusion's evidence strength, by the rules of :func:`rate_box`, with the matrix rows it rests on."""
    rows = []
    for ident, title in CONCLUSIONS.items():
        mine = evidence[evidence["conclusion_id"] == ident]
        rating = rate_box(mine)
        boxes = sorted({b for ids in mine["box_ids"].dropna() for b in str(ids).split()})
        kinds = [SOURCE_TYPES[k].lower() for k in SOURCE_TYPES if k in set(mine["source_type"])]
        rows.append({"conclusion_id": ident, "conclusion": title, "strength": rating["strength"],
                     "direction": rating["direction"],
                     "kinds": ", ".join(kinds[:-1]) + " and " + kinds[-1] if len(kinds) > 1 else "".join(kinds),
                     "evidence_ids": " ".join(mine["evidence_id"]), "box_ids": " ".join(boxes),
                     "reason": rating["reason"]})
    return pd.DataFrame(rows)


def response_rate_chart(chart: pd.DataFrame):
    """Horizontal bars: each delivery partner's survey respondents as a percentage of its places.

    ``chart`` has ``delivery_partner``, ``respondents``, ``places``, ``places_basis`` and
    ``response_rate_pct``, one row per bar, drawn top to bottom in reverse order. Each bar is
    labelled with its numbers; the axis carries %.
    """
    import textwrap

    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    from nptsc_eval.charts.style import CHART_WIDTH_IN, TEXT_COLOUR
    from nptsc_eval.report import format_percent

    fig, ax = plt.subplots(figsize=(CHART_WIDTH_IN, 0.6 * len(chart) + 1.2))
    ax.barh(chart["delivery_partner"], chart["response_rate_pct"], color=colours.BAR)
    for y, r in enumerate(chart.itertuples()):
        shown = f"{r.respondents} of {r.places:,.0f} {r.places_basis} ({format_percent(r.response_rate_pct)})"
        ax.text(r.response_rate_pct + 0.5, y, textwrap.fill(shown, 30), va="center", fontsize=9.5, color=TEXT_COLOUR)
    ax.set_xlim(0, 60)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    ax.tick_params(labelsize=9.5)
    ax.set_xlabel("Respondents as a percentage of places", fontsize=10)
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig
