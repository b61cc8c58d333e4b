"""The chart of the section "What the published figures prove": each limited percentage's range, with a dot for a value.

The words around it (title, alt text, table) are in :mod:`nptsc_eval.survey.bounds_view`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nptsc_eval.charts import colours
from nptsc_eval.charts.style import CHART_WIDTH_IN


def bounds_chart(rows: pd.DataFrame, labels: list[str], value: str, real: bool, synthetic_label: str):
    """Horizontal interval whiskers from ``lower`` to ``upper`` of each row, labelled ``labels``, with a dot at
    the row's ``value`` column: the export's value (``real``), or the synthetic value, marked ``synthetic_label``."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(CHART_WIDTH_IN, 0.3 * len(rows) + 1.6), layout="constrained")
    y = np.arange(len(rows))[::-1]
    ax.hlines(y, rows["lower"], rows["upper"], color=colours.BOUNDS_RANGE, linewidth=3, label="Range the published figures allow")
    ax.plot(rows[value], y, "o", color=colours.BOUNDS_VALUE, markersize=4,
            label="The export's value" if real else "Synthetic value (one illustration)")
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=9)
    ax.tick_params(axis="x", labelsize=9)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel("% of the group's answers (don't know left out)", fontsize=9.5)
    fig.legend(loc="outside lower center", ncol=1, fontsize=9, frameon=False)
    if not real:
        ax.text(0.99, 0.995, synthetic_label, transform=ax.transAxes, ha="right", va="top", fontsize=9,
                color=colours.BOUNDS_VALUE, bbox={"facecolor": colours.WHITE, "edgecolor": colours.BOUNDS_VALUE})
    return fig
