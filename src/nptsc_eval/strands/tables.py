"""The strands' own tables: IVAR's attendees and action plans, the bursary courses, bassac's
action learning sets and ACEVO's tendering support.

Each loader checks its table beyond its data dictionary (sets per approach, stages that
break down another, areas of Table 4.2) and raises :class:`~nptsc_eval.errors.DataValidationError`
naming file, row and column; the ``*_table`` functions lay a table out as the chapter shows it.
The ACEVO funnel is drawn by :func:`nptsc_eval.charts.strands.acevo_funnel_figure`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nptsc_eval.errors import DataValidationError
from nptsc_eval.problems import Problem
from nptsc_eval.strands.logic_model import _raw_path
from nptsc_eval.tables import load_table
from nptsc_eval.templating import render

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
    problems = [Problem(f"{a!r} is not an area of Table 4.2", f"row {i + 2}", "local_authority")
                for i, a in plans["local_authority"].items() if a not in areas]
    if problems:
        raise DataValidationError(_raw_path("ivar_action_plans", raw_dir), [str(p) for p in problems])
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
    problems: list[Problem] = []
    for approach, group in sets.groupby("approach", sort=False):
        printed = set(group["approach_sets"])
        if len(printed) > 1:
            problems.append(Problem(f"approach {approach!r} has different numbers of sets on its rows "
                                    f"({', '.join(str(p) for p in sorted(printed))})", f"row {group.index[0] + 2}", "approach_sets"))
        elif printed.pop() != len(group):
            problems.append(Problem(f"approach {approach!r} prints {group['approach_sets'].iloc[0]} sets but has "
                                    f"{len(group)} rows", f"row {group.index[0] + 2}", "approach_sets"))
    problems += _set_projects_match_table_2_1(sets, raw_dir)
    if problems:
        raise DataValidationError(_raw_path("table_5_3_action_learning_sets", raw_dir), [str(p) for p in problems])
    return sets


def _set_projects_match_table_2_1(sets: pd.DataFrame, raw_dir: Path | None) -> list[Problem]:
    """Each set's project must be the one Table 2.1 credits with the sets' people and organisations.

    For every project that has sets, the individuals and organisations of its sets must add up
    to that project's participants and organisations in Table 2.1, so a set cannot belong to
    one project here and to another there.
    """
    table = load_table("table_2_1_programme_outputs", raw_dir)
    reported = {(r.project_id, r.measure): r.value for r in table.itertuples() if r.value_status == "reported"}
    problems: list[Problem] = []
    for project_id, group in sets.groupby("project_id", sort=False):
        for column, measure in (("individuals", "participants"), ("organisations", "organisations")):
            total = int(group[column].sum())
            printed = reported.get((project_id, measure))
            if printed is None or int(printed) != total:
                problems.append(Problem(f"the sets of {project_id!r} engage {total} {column}, but Table 2.1 gives that "
                                        f"project {'no' if printed is None else int(printed)} {measure}",
                                        f"rows {', '.join(str(i + 2) for i in group.index)}", "project_id"))
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
    problems: list[Problem] = []
    for parent, group in stages[stages["breakdown_of"].notna()].groupby("breakdown_of", sort=False):
        if parent not in count:
            problems.append(Problem(f"no stage {parent!r}", f"row {row_of[group['stage_id'].iloc[0]]}", "breakdown_of"))
            continue
        if group["organisations"].sum() != count[parent]:
            problems.append(Problem(f"the {len(group)} stages that break down {parent!r} ({', '.join(group['stage_id'])}) "
                                    f"add up to {group['organisations'].sum()}, not {count[parent]}",
                                    f"row {row_of[parent]}", "organisations"))
    for r in stages.itertuples():
        if pd.notna(r.phase_one) and pd.notna(r.phase_two) and r.phase_one + r.phase_two != r.organisations:
            problems.append(Problem(f"phase one ({r.phase_one}) and phase two ({r.phase_two}) add up to "
                                    f"{r.phase_one + r.phase_two}, not {r.organisations}", f"row {row_of[r.stage_id]}",
                                    "organisations"))
    funnel = stages[stages["funnel"]]
    for before, after in zip(funnel.itertuples(), funnel.iloc[1:].itertuples()):
        if after.organisations > before.organisations:
            problems.append(Problem(f"funnel stage {after.stage_id!r} ({after.organisations}) is larger than the stage "
                                    f"before it ({before.organisations})", f"row {row_of[after.stage_id]}", "organisations"))
    if problems:
        raise DataValidationError(path, [str(p) for p in problems])
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


def acevo_alt_text(stages: pd.DataFrame) -> str:
    """Alt text for the ACEVO funnel, in numbers."""
    funnel = stages[stages["funnel"]]
    return render("strands/acevo_alt.md.j2", stages=list(funnel.itertuples())).strip()
