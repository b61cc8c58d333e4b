"""Charts of the outcomes chapter: the evidence matrix and the survey's response rates."""

from __future__ import annotations

import textwrap

import pandas as pd

from nptsc_eval.charts import colours
from nptsc_eval.charts.style import CHART_WIDTH_IN, TEXT_COLOUR, text_colour_on
from nptsc_eval.outcomes import SOURCE_TYPES

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

    kinds = list(SOURCE_TYPES)
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


def response_rate_chart(chart: pd.DataFrame):
    """Horizontal bars: each delivery partner's survey respondents as a percentage of its places.

    ``chart`` has ``delivery_partner``, ``respondents``, ``places``, ``places_basis`` and
    ``response_rate_pct``, one row per bar, drawn top to bottom in reverse order. Each bar is
    labelled with its numbers; the axis carries %.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

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
