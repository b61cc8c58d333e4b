"""Programme outputs against their KPI targets.

The logic models set each project's output targets (``kpi_targets.csv``); Table 2.1 and the
chapters' text report what was achieved (``table_2_1_programme_outputs.csv`` and
``other_reported_outputs.csv``).  :func:`kpi_attainment` lines the two up:

* "a further N" targets add to the earlier milestone of their series, so a series is judged
  on its cumulative target at its last milestone;
* series judged against the same reported number (the source reports one total for CIPFA's
  three kinds of trainee) are pooled into one row;
* a range such as 120–150 is met anywhere inside it and exceeded only above it;
* a target with nothing reported against it is "not measurable", never zero;
* a target whose reported figure measures something else (participants against bursaries,
  plans agreed against plans adopted) is "not comparable", never met or exceeded.

How each reported figure was matched to its target is data (``kpi_interpretations.csv``):
every judged row carries that sentence (``interpretation``) and ``comparable`` (yes/no), and,
where the source allows a second reading of a target, that reading with its own status.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nptsc_eval.tables import load_table
from nptsc_eval.wording import extremes, listing  # noqa: F401  (listing is re-exported for notebooks)

#: Status words, best first; the order of the categories in tables and charts.
STATUSES = ["exceeded", "met", "partly met", "not met", "not comparable", "not measurable"]
#: Statuses that are a verdict on the target (the others say it cannot be judged).
JUDGED = ["exceeded", "met", "partly met", "not met"]


@dataclass(frozen=True)
class StatusRules:
    """Thresholds that turn a percentage of target into a status in words.

    ``partly_met_from`` is the share of the target (0 to 1) from which a target that was not
    reached counts as partly met rather than not met.
    """

    partly_met_from: float = 0.75


DELIVERABLE_STATUS = {"delivered": "met", "draft": "partly met", "not_delivered": "not met"}

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def month_label(milestone: str | None) -> str:
    """'2010-03' → 'March 2010'-style short label ('Mar 2010'); empty for no milestone."""
    if milestone is None or pd.isna(milestone):
        return ""
    year, month = str(milestone).split("-")
    return f"{_MONTHS[int(month) - 1]} {year}"


def reported_outputs(raw_dir=None) -> pd.DataFrame:
    """Every reported output, from Table 2.1 and the chapters' text, keyed by ``project_id:measure``."""
    table = load_table("table_2_1_programme_outputs", raw_dir)
    table = table.assign(source="Table 2.1")
    other = load_table("other_reported_outputs", raw_dir)
    cols = ["project_id", "measure", "value", "value_status", "source"]
    out = pd.concat([table[cols], other[cols]], ignore_index=True)
    out["actual_ref"] = out["project_id"] + ":" + out["measure"]
    duplicated = out[out["actual_ref"].duplicated(keep=False)]
    if not duplicated.empty:
        refs = ", ".join(sorted(set(duplicated["actual_ref"])))
        raise ValueError(f"outputs reported twice (Table 2.1 and other_reported_outputs.csv): {refs}")
    return out


def cumulative_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """One row per series: its cumulative target at its last milestone.

    Examples:
        >>> t = pd.DataFrame({"kpi_id": ["a", "b"], "project_id": ["p", "p"], "series": ["s", "s"],
        ...     "kpi": ["Trained", "Trained"], "unit": ["people"] * 2, "kind": ["count"] * 2,
        ...     "milestone": ["2010-03", "2011-03"], "target_low": [100.0, 100.0],
        ...     "target_high": [100.0, 100.0], "adds_to_previous": [False, True],
        ...     "actual_ref": ["p:participants"] * 2, "source": ["Figure 3.1"] * 2})
        >>> cumulative_targets(t)[["series", "target_low", "milestones"]].to_dict("records")
        [{'series': 's', 'target_low': 200.0, 'milestones': '100 by Mar 2010; a further 100 by Mar 2011'}]
    """
    _check_series(targets)
    rows = []
    for series, group in targets.groupby("series", sort=False):
        low = high = 0.0
        parts = []
        has_number = group["target_low"].notna().any()
        for _, t in group.iterrows():
            if has_number:
                step_low = float(t["target_low"])
                step_high = float(t["target_high"]) if pd.notna(t["target_high"]) else step_low
                if t["adds_to_previous"]:
                    low, high = low + step_low, high + step_high
                else:
                    low, high = step_low, step_high
            amount = _number_label(t["target_low"], t["target_high"], t["kind"])
            when = f" by {month_label(t['milestone'])}" if month_label(t["milestone"]) else ""
            prefix = "a further " if t["adds_to_previous"] and parts else ""
            label = f"{prefix}{amount}{when}" if amount else when.strip()
            if len(set(group["kpi"])) > 1:
                label = f"{label} ({t['kpi'].split(':')[-1].strip()})"
            parts.append(label)
        last = group.iloc[-1]
        kpis = list(dict.fromkeys(group["kpi"]))
        rows.append(
            {
                "series": series,
                "kpi_ids": " ".join(group["kpi_id"]),
                "project_id": last["project_id"],
                "kpi": _series_label(kpis),
                "unit": last["unit"],
                "kind": last["kind"],
                "milestone": last["milestone"],
                "target_low": low if has_number else float("nan"),
                "target_high": high if has_number else float("nan"),
                "milestones": "; ".join(p for p in parts if p),
                "actual_ref": last["actual_ref"],
                "source": ", ".join(dict.fromkeys(group["source"])),
            }
        )
    return pd.DataFrame(rows)


def _check_series(targets: pd.DataFrame) -> None:
    """Every target of a series must be judged against the same reported output and be of one kind."""
    from nptsc_eval.errors import DataValidationError
    from nptsc_eval.paths import RAW_DIR

    problems = []
    for series, group in targets.groupby("series", sort=False):
        for column in ("actual_ref", "kind", "unit", "project_id"):
            values = set(group[column].astype(str))
            if len(values) > 1:
                rows = ", ".join(str(i + 2) for i in group.index)
                problems.append(f"rows {rows}, column '{column}': targets of series '{series}' disagree ({', '.join(sorted(values))})")
    if problems:
        raise DataValidationError(RAW_DIR / "kpi_targets.csv", problems)


def _series_label(kpis: list[str]) -> str:
    """Label of a series: its KPI, or the part before ':' that its KPIs share."""
    if len(kpis) == 1:
        return kpis[0]
    heads = {k.split(":")[0] for k in kpis}
    if len(heads) == 1 and all(":" in k for k in kpis):
        return heads.pop()
    return " and ".join([kpis[0]] + [k[0].lower() + k[1:] for k in kpis[1:]])


def _number_label(low, high, kind: str) -> str:
    if low is None or pd.isna(low):
        return ""
    suffix = "%" if kind == "percentage" else ""
    if pd.notna(high) and high != low:
        return f"{low:g}–{high:g}{suffix}"
    return f"{low:g}{suffix}"


def attainment_status(actual: float | None, low: float | None, high: float | None, kind: str,
                      actual_status: str | None, rules: StatusRules = StatusRules()) -> str:
    """Status in words of one target.

    Examples:
        >>> attainment_status(28, 50, 50, "count", "reported")
        'not met'
        >>> attainment_status(80, 40, 40, "count", "reported")
        'exceeded'
        >>> attainment_status(120, 120, 150, "count", "reported")
        'met'
        >>> attainment_status(None, 90, 90, "percentage", None)
        'not measurable'
    """
    if kind == "deliverable":
        return DELIVERABLE_STATUS.get(str(actual_status), "not measurable")
    if actual_status != "reported" or actual is None or pd.isna(actual) or low is None or pd.isna(low):
        return "not measurable"
    high = low if high is None or pd.isna(high) else high
    if actual > high:
        return "exceeded"
    if actual >= low:
        return "met"
    if low > 0 and actual / low >= rules.partly_met_from:
        return "partly met"
    return "not met"


def kpi_attainment(targets: pd.DataFrame, outputs: pd.DataFrame, projects: pd.DataFrame,
                   rules: StatusRules = StatusRules(), interpretations: pd.DataFrame | None = None) -> pd.DataFrame:
    """KPI target against reported output for every project, with a status in words.

    Returns one row per target series, or per pool of series judged against one reported
    number, with ``project, delivery_partner, strand, kpi, target, target_high,
    target_label, actual, actual_label, percent_of_target, status, comparable,
    interpretation, alternative_reading, alternative_status, milestone, note``.
    ``interpretations`` (``kpi_interpretations.csv``, loaded when not given) says for each
    row how the reported figure was matched to the target; a row it marks not comparable
    gets the status "not comparable" when a figure is reported. The inputs are not modified.
    """
    series = cumulative_targets(targets)
    series["pool"] = series["actual_ref"].where(series["actual_ref"].notna(), "series:" + series["series"])
    actuals = outputs.set_index("actual_ref")
    rows = []
    for pool, group in series.groupby("pool", sort=False):
        first = group.iloc[0]
        pooled = len(group) > 1
        low = group["target_low"].sum(min_count=1)
        high = group["target_high"].sum(min_count=1)
        ref = first["actual_ref"]
        actual = actual_status = None
        note = ""
        if isinstance(ref, str):
            if ref not in actuals.index:
                raise KeyError(f"KPI {first['kpi_ids']} refers to output {ref!r}, which no raw table reports")
            actual = actuals.at[ref, "value"]
            actual = None if pd.isna(actual) else float(actual)
            actual_status = actuals.at[ref, "value_status"]
            note = f"Reported in {actuals.at[ref, 'source']}."
        if pooled:
            note = (f"Targets pooled: the source reports one number for {len(group)} targets "
                    f"({'; '.join(group['kpi'])}). " + note)
        status = attainment_status(actual, low, high, first["kind"], actual_status, rules)
        percent = (100 * actual / low) if status in JUDGED and first["kind"] != "deliverable" and low else float("nan")
        milestones = "; ".join(f"{k}: {m}" for k, m in zip(group["kpi"], group["milestones"])) if pooled else first["milestones"]
        rows.append(
            {
                "project_id": first["project_id"],
                "kpi": "All trainees (" + ", ".join(k.lower() for k in group["kpi"]) + ")" if pooled else first["kpi"],
                "unit": first["unit"],
                "kind": first["kind"],
                "milestone": group["milestone"].dropna().max() if group["milestone"].notna().any() else pd.NA,
                "target": low,
                "target_high": high,
                "target_label": _number_label(low, high, first["kind"]) or "deliver",
                "actual": actual,
                "actual_label": _actual_label(actual, actual_status, first["kind"]),
                "percent_of_target": percent,
                "status": status,
                "milestones": milestones,
                "kpi_ids": " ".join(group["kpi_ids"]),
                "actual_ref": ref if isinstance(ref, str) else pd.NA,
                "note": note.strip(),
            }
        )
    result = pd.DataFrame(rows).merge(
        projects[["project_id", "project", "delivery_partner", "strand"]], on="project_id", how="left", validate="many_to_one"
    )
    if interpretations is None:
        interpretations = load_table("kpi_interpretations")
    result = _apply_interpretations(result, interpretations, rules)
    result["status"] = pd.Categorical(result["status"], categories=STATUSES, ordered=True)
    result["percent_of_target"] = result["percent_of_target"].astype("Float64").round(1)
    front = ["project", "delivery_partner", "strand", "kpi", "target", "actual", "percent_of_target", "status",
             "comparable", "interpretation"]
    return result[front + [c for c in result.columns if c not in front]]


def _fill(template: str, values: dict[str, str]) -> str:
    """Put the computed values into a sentence of ``kpi_interpretations.csv``."""
    out = str(template)
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


def _apply_interpretations(result: pd.DataFrame, interpretations: pd.DataFrame, rules: StatusRules) -> pd.DataFrame:
    """Add ``comparable``, ``interpretation`` and the second reading to every judged row.

    Each row must have exactly one interpretation, keyed by its first kpi_id; a row that is
    not comparable but has a reported figure becomes "not comparable".
    """
    from nptsc_eval.errors import DataValidationError
    from nptsc_eval.paths import RAW_DIR

    keys = result["kpi_ids"].str.split().str[0]
    known = dict(zip(interpretations["kpi_id"], interpretations.index))
    problems = [f"column 'kpi_id': no interpretation for the target {k!r} (first kpi_id of its row)"
                for k in keys if k not in known]
    for i, k in interpretations["kpi_id"].items():
        if k not in set(keys):
            problems.append(f"row {i + 2}, column 'kpi_id': {k!r} is not the first kpi_id of a judged target")
        alt, reading = interpretations.at[i, "alternative_target"], interpretations.at[i, "alternative_reading"]
        if pd.isna(alt) != pd.isna(reading):
            problems.append(f"row {i + 2}, column 'alternative_reading': give both alternative_target and "
                            "alternative_reading, or neither")
    if problems:
        raise DataValidationError(RAW_DIR / "kpi_interpretations.csv", problems)
    out = result.copy()
    comparable, sentences, readings, alt_statuses = [], [], [], []
    for idx, key in zip(out.index, keys):
        row, note = out.loc[idx], interpretations.loc[known[key]]
        ok = bool(note["comparable"])
        if not ok and row["status"] != "not measurable":
            out.at[idx, "status"] = "not comparable"
            out.at[idx, "percent_of_target"] = float("nan")
        values = {"actual": _format_number(row["actual"]), "target": row["target_label"]}
        alt_status = ""
        reading = ""
        if pd.notna(note["alternative_target"]):
            alt = float(note["alternative_target"])
            alt_status = attainment_status(row["actual"], alt, alt, row["kind"], "reported" if pd.notna(row["actual"]) else None, rules)
            values.update({"alt_target": _format_number(alt), "alt_status": alt_status,
                           "alt_percent": f"{100 * row['actual'] / alt:.0f}%" if pd.notna(row["actual"]) and alt else "n/a"})
            reading = _fill(note["alternative_reading"], values)
        comparable.append("yes" if ok else "no")
        sentences.append(_fill(note["interpretation"], values))
        readings.append(reading)
        alt_statuses.append(alt_status)
    out["comparable"] = comparable
    out["interpretation"] = sentences
    out["alternative_reading"] = readings
    out["alternative_status"] = alt_statuses
    return out


def _format_number(value) -> str:
    if value is None or pd.isna(value):
        return "no"
    return f"{float(value):,.0f}" if float(value).is_integer() else f"{float(value):,g}"


def _actual_label(actual, status, kind) -> str:
    if kind == "deliverable":
        return {"delivered": "delivered", "draft": "in draft", "not_delivered": "not delivered"}.get(str(status), "not reported")
    if status == "reported" and actual is not None:
        return f"{actual:g}"
    return {"not_available": "not available", "not_applicable": "n/a"}.get(str(status), "not reported")


def load_kpi_attainment(raw_dir=None, rules: StatusRules = StatusRules()) -> pd.DataFrame:
    """:func:`kpi_attainment` on the project's raw data."""
    return kpi_attainment(load_table("kpi_targets", raw_dir), reported_outputs(raw_dir), load_table("projects", raw_dir), rules,
                          load_table("kpi_interpretations", raw_dir))


def status_counts(attainment: pd.DataFrame) -> pd.Series:
    """Number of targets in each status, every status listed (zero where none)."""
    return attainment["status"].value_counts().reindex(STATUSES, fill_value=0)


def outputs_table(table_2_1: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Table 2.1 as the report printed it: one row per project, participants and organisations.

    Empty cells, "not available" and "n/a" are shown in words, never as zero.
    """
    shown = table_2_1.copy()

    def cell(row) -> str:
        if row.value_status == "reported":
            text = f"{int(row.value):,}"
            if pd.notna(row.value_including_phase_one):
                text += f" ({int(row.value_including_phase_one):,} including phase one)"
            return text + ("*" if row.updated_after_interviews else "")
        return {"blank": "", "not_available": "not available", "not_applicable": "n/a"}[row.value_status]

    shown["shown"] = [cell(r) for r in shown.itertuples()]
    wide = shown.pivot(index="project_id", columns="measure", values="shown").reset_index()
    wide = projects[["project_id", "project", "delivery_partner"]].merge(wide, on="project_id", how="inner")
    wide = wide.rename(columns={"project": "Project", "delivery_partner": "Delivery partner",
                                "participants": "Participants", "organisations": "Organisations"})
    return wide[["Project", "Delivery partner", "Participants", "Organisations"]]


def total_reported(table_2_1: pd.DataFrame, measure: str) -> int:
    """Sum of the reported numbers of one measure (phase two only); empty cells add nothing."""
    rows = table_2_1[(table_2_1["measure"] == measure) & (table_2_1["value_status"] == "reported")]
    return int(rows["value"].sum())


def attainment_table(attainment: pd.DataFrame) -> pd.DataFrame:
    """The attainment as readers see it: plain column names, numbers as the source gives them."""
    out = pd.DataFrame(
        {
            "Strand": attainment["strand"],
            "Delivery partner": attainment["delivery_partner"],
            "Target": attainment["kpi"],
            "Target set": attainment["milestones"].where(attainment["milestones"] != "", attainment["target_label"]),
            "Output": attainment["actual_label"],
            "Per cent of target": attainment["percent_of_target"],
            "Status": attainment["status"].astype(str),
            "Same measure": attainment["comparable"],
            "How the figure was matched": [
                f"{i} {r}".strip() for i, r in zip(attainment["interpretation"], attainment["alternative_reading"])],
        }
    )
    return out


def chart_alt_text(attainment: pd.DataFrame) -> str:
    """Alt text for the KPI chart that says what it shows, in numbers."""
    data = attainment[attainment["percent_of_target"].notna()]
    counts = data["status"].value_counts()
    parts = ", ".join(f"{int(counts.get(s, 0))} {s}" for s in JUDGED if counts.get(s, 0))
    percent = pd.Series(data["percent_of_target"].astype(float).to_numpy(),
                        index=[f"{r.delivery_partner}, {r.kpi.lower()}" for r in data.itertuples()])
    top, top_value = extremes(percent)
    low, low_value = extremes(percent, most=False)
    return (
        f"Bar chart of output as a percentage of target for the {len(data)} targets judged against a figure that "
        f"measures them: {parts}. "
        f"Highest: {'; '.join(top)}, {top_value:.0f}%. "
        f"Lowest: {'; '.join(low)}, {low_value:.0f}%. "
        "The table after the chart gives every number."
    )



def chart_title(attainment: pd.DataFrame) -> str:
    """The KPI chart's title, stating its main message: how many of the judged targets were met or exceeded.

    Examples:
        >>> frame = pd.DataFrame({"percent_of_target": [120.0, 50.0, 80.0, None],
        ...                       "status": ["exceeded", "not met", "met", "not measurable"]})
        >>> chart_title(frame)
        '2 of the 3 targets with a measuring figure were met or exceeded'
        >>> chart_title(frame.iloc[[0, 2]])
        'All 2 targets with a measuring figure were met or exceeded'
    """
    data = attainment[attainment["percent_of_target"].notna()]
    reached = int(data["status"].isin(["met", "exceeded"]).sum())
    if reached == len(data) and reached > 1:
        return f"All {reached} targets with a measuring figure were met or exceeded"
    noun = "target" if len(data) == 1 else "targets"
    verb = "was" if reached == 1 else "were"
    return f"{reached} of the {len(data)} {noun} with a measuring figure {verb} met or exceeded"
