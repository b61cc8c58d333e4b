"""Accessible charts: the Analysis Function palette, contrast checks, direct labels.

Colours follow the UK Government Analysis Function's categorical palette.  Charts label
their bars directly so colour is never the only cue, and :func:`contrast_ratio` lets tests
check that colours next to each other, and each colour on white, reach 3:1 (WCAG 2.2,
non-text contrast).
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

#: Analysis Function categorical palette: dark blue, turquoise, dark pink, orange.
PALETTE = ["#12436D", "#28A197", "#801650", "#F46A25"]
#: Colours for KPI statuses, best first; "not measurable" is grey and hatched.
STATUS_COLOURS = {
    "exceeded": "#12436D",
    "met": "#28A197",
    "partly met": "#801650",
    "not met": "#F46A25",
    "not comparable": "#707070",
    "not measurable": "#707070",
}
TEXT_COLOUR = "#0B0C0C"


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#RRGGBB`` colour."""
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, from 1 to 21.

    Examples:
        >>> round(contrast_ratio("#000000", "#FFFFFF"), 1)
        21.0
    """
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    return "#FFFFFF" if contrast_ratio("#FFFFFF", background) >= contrast_ratio(TEXT_COLOUR, background) else TEXT_COLOUR


def setup() -> None:
    """House style for every chart: readable fonts, no chart junk."""
    import matplotlib

    matplotlib.use("Agg")
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", font="DejaVu Sans",
                  rc={"axes.edgecolor": "#505a5f", "text.color": TEXT_COLOUR, "axes.labelcolor": TEXT_COLOUR,
                      "xtick.color": TEXT_COLOUR, "ytick.color": TEXT_COLOUR, "svg.hashsalt": "nptsc"})


def kpi_chart(attainment: pd.DataFrame, cap: float = 250.0):
    """Horizontal bars: each measurable target's output as a percentage of target.

    Bars are coloured by status and labelled with the status and numbers, so the chart reads
    without colour; a line marks 100 per cent.  Bars above ``cap`` per cent are cut at the cap
    and say so.
    """
    import textwrap

    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    data = attainment[attainment["percent_of_target"].notna()].copy()
    # The whole target, wrapped: a label cut short reads as a different target.
    data["label"] = [textwrap.fill(f"{p}: {k}", 44, break_on_hyphens=False) for p, k in zip(data["delivery_partner"], data["kpi"])]
    data = data.iloc[::-1]
    lines = sum(label.count("\n") + 1 for label in data["label"])
    fig, ax = plt.subplots(figsize=(9, 0.32 * lines + 0.2 * len(data) + 1.2))
    values = data["percent_of_target"].astype(float).clip(upper=cap)
    colours = [STATUS_COLOURS[str(s)] for s in data["status"]]
    ax.barh(data["label"], values, color=colours, edgecolor="white")
    ax.axvline(100, color=TEXT_COLOUR, linewidth=1.2, linestyle="--")
    ax.text(100, len(data) - 0.4, " target", va="bottom", ha="left", fontsize=9)
    for y, (value, row) in enumerate(zip(values, data.itertuples())):
        shown = f"{row.actual:g} of {row.target_label} ({row.percent_of_target:.0f}%): {row.status}"
        if float(row.percent_of_target) > cap:
            shown += f" (bar cut at {cap:.0f}%)"
        ax.text(value + 3, y, shown, va="center", fontsize=9, color=TEXT_COLOUR)
    ax.set_xlim(0, cap * 1.75)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    ax.set_xlabel("Output as a percentage of target")
    ax.set_ylabel("")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def palette_pairs(colours: Sequence[str]) -> list[tuple[str, str, float]]:
    """Contrast of each pair of neighbouring colours, for checks."""
    return [(a, b, contrast_ratio(a, b)) for a, b in zip(colours, colours[1:])]
