"""How the section "What the published figures prove" shows the bounds and verdicts."""

from __future__ import annotations

from typing import Any

import pandas as pd

from nptsc_eval import report

SYNTHETIC_LABEL = "Illustrative: synthetic data"
TOLERANCE = 1e-6
#: The bound the executive summary cites: how many third sector respondents rated their bidding higher after.
CITED_QUANTITY = "ts_bid_quality.third.rated_higher_after"
#: Where the facts the ranges rest on are printed, and the files they are kept in.
BOUNDS_SOURCE = report.source(
    "Table 1.1, the respondent profile and the findings of Appendix 2 of the original report",
    "Consulting Inplace survey of NPTSC participants (2011)",
    ["data/raw/survey_table_1_1_respondents.csv", "data/raw/survey_respondent_profile.csv",
     "data/raw/survey_constraints.yml"])
SYNTHETIC_SOURCE = BOUNDS_SOURCE.rstrip(".") + (", data/raw/survey_responses_synthetic.csv (synthetic respondents, "
                                                "not real survey answers).")


def limited(table: pd.DataFrame) -> pd.DataFrame:
    """Answer percentages whose range the published figures narrow (not a single value, not 0 to 100)."""
    width = table["upper"] - table["lower"]
    keep = (width > TOLERANCE) & (width < 100 - TOLERANCE) & ~table["quantity_id"].str.startswith("composition.")
    return table[keep]


def short_label(quantity_id: str) -> str:
    """A readable label for a quantity id, e.g. 'ps stage improved planning, public: Agree'."""
    column, group, answer = quantity_id.rsplit(".", 2) if quantity_id.count(".") >= 2 else (quantity_id, "", "")
    return f"{column.replace('_', ' ')}, {group}: {answer.replace('_', ' ')}"


def load(survey_path: str, survey_options: str | dict | None, draws: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Set up the section and compute (or take from the shared cache) the bounds and the findings' verdicts.

    Writes ``survey_bounds.csv`` and ``survey_findings_robustness.csv``, glues the section's numbers
    and returns the bounds table, the verdicts and whether the survey is a real export.  The draws
    run on local processes, or on the Dask cluster named by ``DASK_SCHEDULER_ADDRESS``
    (``build --dask-scheduler``).
    """
    from pathlib import Path

    from nptsc_eval.paths import PROJECT_ROOT, RAW_DIR, processed
    from nptsc_eval.survey import robustness
    from nptsc_eval.survey.exports import load_survey
    from nptsc_eval.survey.exports import survey_options as read_options

    # Bounds come from the published figures only; synthetic and real values are glued with their own class.
    report.set_evidence("derived")
    report.set_chapter("02b-survey-bounds")
    path = Path(survey_path) if Path(survey_path).is_absolute() else PROJECT_ROOT / survey_path
    survey = load_survey(path, **read_options(survey_options))
    synthetic_path = RAW_DIR / "survey_responses_synthetic.csv"
    # The synthetic data is read once: it is the survey itself unless an export was given.
    synthetic_frame = survey.frame if survey.is_synthetic and path.resolve() == synthetic_path.resolve() else \
        load_survey(synthetic_path).frame
    real = not survey.is_synthetic
    result = robustness.cached_outputs(survey.frame if real else None, synthetic_frame, k=draws, seed=seed)
    table, verdicts = result["bounds"], result["robustness"]
    table.to_csv(processed("survey_bounds.csv"), index=False)
    verdicts.to_csv(processed("survey_findings_robustness.csv"), index=False)
    glue_all(result, real=real)
    return table, verdicts, real


def glue_all(result: dict[str, Any], real: bool) -> None:
    """Glue the section's numbers: bounds as derived, counts of findings and draws as descriptive."""
    table, verdicts = result["bounds"], result["robustness"]
    width = table["upper"] - table["lower"]
    report.glue("bnd_quantities", len(table), evidence="descriptive")
    report.glue("bnd_pinned", int((width <= TOLERANCE).sum()))
    report.glue("bnd_wide", int((width > TOLERANCE).sum()))
    report.glue("bnd_full", int((width >= 100 - TOLERANCE).sum()))
    nar = table[width > TOLERANCE].assign(width=width).sort_values("width").iloc[0]
    report.glue("bnd_narrowest", f"{nar['description']} ({nar['group'].lower()}), from "
                f"{report.format_percent(nar['lower'], 1)} to {report.format_percent(nar['upper'], 1)}", kind="text")
    cited = table.set_index("quantity_id").loc[CITED_QUANTITY]
    report.glue("bnd_cited_range", f"between {report.format_percent(cited['lower'])} and "
                f"{report.format_percent(cited['upper'])}", kind="text")
    report.glue("bnd_nonlinear_count", len(result["nonlinear"]), evidence="descriptive")
    report.glue("bnd_draws", int(verdicts["draws"].iloc[0]), evidence="descriptive")
    report.glue("bnd_findings", len(verdicts), evidence="descriptive")
    for v in ("implied", "compatible", "contradicted"):
        report.glue(f"bnd_{v}", int((verdicts["verdict"] == v).sum()))
    report.glue("bnd_dot", "the export's value; a value outside its range is listed below the tables" if real else
                "the synthetic data's value: one illustration of a dataset inside the range, not evidence",
                kind="text", evidence="descriptive")
    if real:
        report.glue("bnd_real_outside", int(table["outside_bounds"].sum()), evidence="real_survey")


def show_chart(table: pd.DataFrame, real: bool = False) -> None:
    """Interval whiskers of the limited quantities, with a dot for each value: the synthetic
    value (marked as one illustration) or, with a real export, the export's value."""
    from nptsc_eval.charts.bounds import bounds_chart

    rows = limited(table).sort_values(["question_id", "quantity_id"])
    value = "real_value" if real else "synthetic_value"
    fig = bounds_chart(rows, [short_label(q) for q in rows["quantity_id"]], value, real, SYNTHETIC_LABEL)
    alt = (f"Horizontal ranges for {len(rows)} survey percentages that the published figures limit, each from its "
           "lowest to its highest possible value, with a dot for "
           + ("the export's value. " if real else "the synthetic data's value inside each range. "
              f"{SYNTHETIC_LABEL}. ") + "The table below gives every range.")
    title = (f"The published figures limit {len(rows)} survey percentages to a range; the dots show the export's values"
             if real else f"The published figures limit {len(rows)} survey percentages to a range; the synthetic "
             "value is one point inside each")
    report.show_figure(fig, alt, rows[["quantity_id", "lower", "upper", value]], title=title,
                       source=BOUNDS_SOURCE if real else SYNTHETIC_SOURCE, number_key="bnd_chart_number")


def show_bounds_table(table: pd.DataFrame, real: bool) -> None:
    """Every quantity's range, with the synthetic value or, with a real export, the export's value."""
    columns = ["quantity_id", "group", "lower", "upper"] + (["real_value", "outside_bounds"] if real else
                                                             ["synthetic_value"])
    shown = table[columns].rename(columns={"quantity_id": "Percentage", "group": "Group", "lower": "Lowest (%)",
                                           "upper": "Highest (%)", "synthetic_value": "Synthetic (%)",
                                           "real_value": "Export (%)", "outside_bounds": "Outside the range"})
    shown["Percentage"] = shown["Percentage"].map(short_label)
    if real:
        caption = "Range of every survey percentage the published figures allow, with the export's value"
        notes = "Lowest and highest: derived from published figures only. Export: the survey export's own value."
    else:
        caption = ("Range of every survey percentage the published figures allow, with the synthetic value "
                   "(one illustration, not survey responses)")
        notes = "Lowest and highest: derived from published figures only. Synthetic: one illustration."
    report.show_table(shown, caption, "survey-bounds", notes=notes, full_data="data/processed/survey_bounds.csv",
                      source=BOUNDS_SOURCE if real else SYNTHETIC_SOURCE, number_key="bnd_table_number")


def show_verdicts(verdicts: pd.DataFrame) -> None:
    shown = verdicts[["finding_id", "statement", "verdict", "share_of_draws", "basis"]].rename(columns={
        "finding_id": "Finding", "statement": "Statement", "verdict": "Verdict",
        "share_of_draws": "Share of draws where it holds", "basis": "Basis"})
    report.show_table(shown, "Each survey finding of the source: implied by, compatible with or contradicted by the "
                      "other published facts", "survey-findings-robustness",
                      full_data="data/processed/survey_findings_robustness.csv", source=BOUNDS_SOURCE,
                      number_key="bnd_verdicts_number")


def show_real_check(table: pd.DataFrame, real: bool) -> None:
    """With a real export, a notice naming every value outside the range the report allows."""
    if not real:
        return
    out = table[table["outside_bounds"]]
    if out.empty:
        report.show_notice("**Export within the published ranges.** Every percentage of the export lies within the "
                           "range the published figures allow.", kind="important")
        return
    names = "; ".join(short_label(q) for q in out["quantity_id"])
    report.show_notice("**Export outside the published ranges.** These percentages of the export lie outside the "
                       "range the published figures allow, so either the export is not the data the report used or "
                       "the report misstated it: {names}", values={"names": names})


def outside_bounds_message(bounds_csv) -> str | None:
    """The command line's warning when a real export's percentages fall outside the published ranges.

    ``bounds_csv`` is ``data/processed/survey_bounds.csv`` of a build with ``--survey``; None
    when it has no real values or every one lies within its range.
    """
    from pathlib import Path

    path = Path(bounds_csv)
    if not path.exists():
        return None
    table = pd.read_csv(path)
    if "outside_bounds" not in table:
        return None
    out = table[table["outside_bounds"].astype(str).str.lower() == "true"]
    if out.empty:
        return None
    lines = [f"warning: {len(out)} percentage{'s' if len(out) != 1 else ''} of the survey export lie outside the range "
             "the published report allows, so either the export is not the data the report used or the report "
             "misstated it (see the section 'What the published figures prove'):"]
    for r in out.itertuples():
        lines.append(f"  {r.quantity_id} ({r.group}): export {report.format_percent(r.real_value, 1)}, allowed "
                     f"{report.format_percent(r.lower, 1)} to {report.format_percent(r.upper, 1)}")
    return "\n".join(lines)
