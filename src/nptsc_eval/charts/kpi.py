"""The KPI chart: each measurable target's output as a percentage of its target."""

from __future__ import annotations

import textwrap

import pandas as pd

from nptsc_eval.charts import colours
from nptsc_eval.charts.style import CHART_WIDTH_IN, TEXT_COLOUR


def kpi_chart(attainment: pd.DataFrame, cap: float = 250.0):
    """Horizontal bars: each measurable target's output as a percentage of target.

    Bars are coloured by status and labelled with the status and numbers, so the chart reads
    without colour; a line marks 100 per cent.  Bars above ``cap`` per cent are cut at the cap
    and say so.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    data = attainment[attainment["percent_of_target"].notna()].copy()
    # The whole target, wrapped: a label cut short reads as a different target.
    data["label"] = [textwrap.fill(f"{p}: {k}", 30, break_on_hyphens=False) for p, k in zip(data["delivery_partner"], data["kpi"])]
    data = data.iloc[::-1]
    lines = sum(label.count("\n") + 1 for label in data["label"])
    fig, ax = plt.subplots(figsize=(CHART_WIDTH_IN, 0.21 * lines + 0.12 * len(data) + 1.0))
    values = data["percent_of_target"].astype(float).clip(upper=cap)
    bar_colours = [colours.KPI_STATUS[str(s)] for s in data["status"]]
    ax.barh(data["label"], values, color=bar_colours, edgecolor="white")
    ax.tick_params(axis="y", labelsize=9.5)
    ax.axvline(100, color=TEXT_COLOUR, linewidth=1.2, linestyle="--", zorder=1)
    ax.text(100, len(data) - 0.4, " target", va="bottom", ha="left", fontsize=9.5)
    for y, (value, row) in enumerate(zip(values, data.itertuples())):
        shown = f"{row.actual:g} of {row.target_label} ({row.percent_of_target:.0f}%): {row.status}"
        if float(row.percent_of_target) > cap:
            shown += f" (bar cut at {cap:.0f}%)"
        # A label that starts left of the target line sits on a white box, so the line never runs through its words.
        ax.text(value + 3, y, textwrap.fill(shown, 26), va="center", fontsize=9.5, color=TEXT_COLOUR, zorder=3,
                bbox={"facecolor": colours.WHITE, "edgecolor": "none", "pad": 1.0})
    ax.set_xlim(0, cap * 1.8)
    ax.set_xticks([0, 100, 200])
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    ax.set_xlabel("Output as a percentage of target")
    ax.set_ylabel("")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig
