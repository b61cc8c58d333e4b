"""Outcomes and impacts: the evidence for each box of the logic models, rated by stated rules.

The evidence table (``data/raw/outcome_evidence.csv``) codes, by hand, every piece of evidence
the source report gives for each outcome and impact box of the three logic models.  This
module checks it against the logic models, rates each box's evidence (:func:`rate_box`),
builds the evidence matrix, works out the survey's response rates, and, when costs are
entered in ``data/raw/programme_costs.csv``, the programme's unit costs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from pydantic import ValidationInfo, field_validator

from nptsc_eval.problems import Problem, Problems, RawRecord, entry_label, record_problems

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
#: The rules, by name, with the strength each gives; :func:`rate_box` applies them in this order.
#: Their words are in ``templates/outcomes.md.j2`` (:func:`rule_text`).
RULES = [("none", "silent"), ("limited", "self_report_or_few"), ("strong", "strong"), ("moderate", "moderate"),
         ("limited", "anything_else")]


def rule_text(rule: str) -> str:
    """A rating rule in the words the book prints.

    Examples:
        >>> rule_text("silent")
        'No piece of evidence in the source says anything about the box.'
    """
    from nptsc_eval.templating import passage

    text = passage("outcomes.md.j2", "rating_rule", rule=rule)
    if not text:
        raise ValueError(f"no rating rule named {rule!r}")
    return text


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


def _row(index: int) -> str:
    """``row 5`` for the record at 0-based ``index`` of a CSV file (its header is row 1)."""
    return entry_label(index + 1, noun="row")


def evidence_problems(evidence: pd.DataFrame, logic_models: pd.DataFrame) -> list[Problem]:
    """Every evidence row names a box of the logic models, and every box has a row."""
    known = set(outcome_boxes(logic_models)["box_id"])
    coded = _with_box_ids(evidence)
    problems = []
    for i, row in coded.iterrows():
        if row["box_id"] not in known:
            problems.append(Problem(f"no {row['stage'].rstrip('s')} box {row['box_id']} in logic_models.csv",
                                    f"{_row(i)}, columns 'strand', 'project_id', 'stage', 'item'"))
        if row["coverage"] == "none" and row["direction"] != "silent":
            problems.append(Problem("'none' is only for a row whose direction is 'silent'", _row(i), "coverage"))
    for missing in sorted(known - set(coded["box_id"])):
        problems.append(Problem(f"box {missing} of logic_models.csv has no row: add one "
                                "(direction 'silent' if the source says nothing)"))
    return problems


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
        return {**result, "direction": "silent", "agreeing_types": 0, "strength": "none", "reason": rule_text(RULES[0][1])}
    by_type = said.groupby("source_type")["direction"].agg(_type_direction)
    n_support, n_against = int((by_type == "supports").sum()), int((by_type == "against").sum())
    leaning = "supports" if n_support >= n_against else "against"
    agreeing_types = set(by_type.index[by_type == leaning])
    agree = said[said["source_type"].isin(agreeing_types)]
    others = by_type[by_type != leaning]
    direction = leaning if others.empty else "mixed"
    result.update(direction=direction, agreeing_types=len(agreeing_types))
    if agree.empty or agree["self_report"].all() or (agree["coverage"] == "few").all():
        return {**result, "strength": "limited", "reason": rule_text(RULES[1][1])}
    good_coverage = agree[(agree["coverage"] == "most")
                          & (agree["independent"] | agree["source_type"].isin(RECORD_TYPES))]
    if len(agreeing_types) >= 2 and others.empty and agree["independent"].any() and not good_coverage.empty:
        return {**result, "strength": "strong", "reason": rule_text(RULES[2][1])}
    independent_wide = agree[agree["independent"] & (agree["coverage"] == "most")]
    if len(agreeing_types) >= 2 or not independent_wide.empty:
        return {**result, "strength": "moderate", "reason": rule_text(RULES[3][1])}
    return {**result, "strength": "limited", "reason": rule_text(RULES[4][1])}


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


class CostRow(RawRecord):
    """One row of ``programme_costs.csv``: a cost needs what it covers and where it comes from."""

    project_id: str
    cost_gbp: float | None = None
    cost_basis: str | None = None
    cost_source: str | None = None
    notes: str | None = None

    @field_validator("cost_basis", "cost_source")
    @classmethod
    def _filled_with_cost(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("cost_gbp") is not None and (value is None or not value.strip()):
            raise ValueError("must be filled when 'cost_gbp' is given")
        return value


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """A table's rows as dicts, an empty cell as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def cost_problems(costs: pd.DataFrame, projects: pd.DataFrame) -> list[Problem]:
    """A cost needs its basis and its source (:class:`CostRow`), and every project must be a known one."""
    known = set(projects["project_id"])

    def projects_known(rows: list[tuple[int, CostRow]]) -> Iterable[Problem]:
        for i, row in rows:
            if row.project_id not in known:
                yield Problem(f"{row.project_id!r} is not a project of projects.csv", _row(i), "project_id")

    return record_problems(_records(costs), CostRow, noun="row", start=1, field="column", checks=[projects_known])[1]


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


#: The source's six conclusions (Chapter 6), by the ids conclusion_evidence.csv uses.
CONCLUSIONS = {
    "need": "Phase two was well designed and based on real identified need",
    "breadth_depth": "Appropriate depth and breadth",
    "beneficiaries": "Public sector commissioners and third sector organisations were primary beneficiaries",
    "individuals": "The programme contributed to culture change of individuals",
    "cycle": "The programme as a whole covered all elements of the commissioning cycle",
    "joint_working": "Movement across the programme",
}


def conclusion_problems(evidence: pd.DataFrame, matrix_box_ids: set[str]) -> list[Problem]:
    """Each row's ``box_ids`` names boxes of the logic models, and every conclusion has a row."""
    problems = []
    for i, row in evidence.iterrows():
        for ident in ("" if pd.isna(row["box_ids"]) else str(row["box_ids"])).split():
            if ident not in matrix_box_ids:
                problems.append(Problem(f"{ident!r} is not an outcome or impact box", _row(i), "box_ids"))
    for missing in sorted(set(CONCLUSIONS) - set(evidence["conclusion_id"])):
        problems.append(Problem(f"conclusion {missing!r} has no row"))
    return problems


def validate_file(path: Path) -> None:
    """Validator for the raw files of the outcomes chapter (registered in :mod:`nptsc_eval.validate_raw`).

    ``outcome_evidence.csv`` against the logic models' boxes, ``programme_costs.csv`` against
    the projects, ``conclusion_evidence.csv`` against the boxes and the source's conclusions:
    one :class:`DataValidationError` lists every problem, each naming its row and column.
    """
    from nptsc_eval.tables import load_table

    path = Path(path)
    raw_dir, name = path.parent, path.stem
    table = load_table(name, raw_dir)
    if name == "outcome_evidence":
        problems = evidence_problems(table, load_table("logic_models", raw_dir))
    elif name == "programme_costs":
        problems = cost_problems(table, load_table("projects", raw_dir))
    elif name == "conclusion_evidence":
        boxes = outcome_boxes(load_table("logic_models", raw_dir))
        problems = conclusion_problems(table, set(boxes["box_id"]))
    else:
        raise ValueError(f"{path.name} is not a raw file of the outcomes chapter")
    collected = Problems(path)
    collected.extend(problems)
    collected.raise_if_any()


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
