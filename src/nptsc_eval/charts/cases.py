"""Charts of the case studies chapter: each function returns a matplotlib figure."""

from __future__ import annotations

import textwrap

import pandas as pd

from nptsc_eval.charts import colours
from nptsc_eval.charts.style import TEXT_COLOUR, text_colour_on


def matrix_heatmap(matrix: pd.DataFrame, themes: pd.DataFrame):
    """Cases × themes: coded cells filled dark blue and labelled "Yes", so colour is not the only cue.

    Outcome themes and barrier themes are split by a vertical line and labelled above it.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    theme_ids = list(themes["theme_id"])
    values = matrix[theme_ids].to_numpy()
    fig, ax = plt.subplots(figsize=(min(0.62 * len(theme_ids) + 2.2, 6.0), 0.42 * len(matrix) + 2.6))
    coded_colour, empty_colour = colours.CASE_CODED, colours.CASE_EMPTY
    ax.imshow(values, cmap=ListedColormap([empty_colour, coded_colour]), vmin=0, vmax=1, aspect="auto")
    for (i, j), v in pd.DataFrame(values).stack().items():
        ax.text(j, i, "Yes" if v else "–", ha="center", va="center", fontsize=10,
                color=text_colour_on(coded_colour if v else empty_colour))
    labels = [textwrap.fill(t, 60) for t in themes["theme"]]  # one line each, so rotated labels do not collide
    ax.set_xticks(range(len(theme_ids)), labels=labels, rotation=55, ha="right", rotation_mode="anchor", fontsize=10)
    ax.set_yticks(range(len(matrix)), labels=list(matrix["case"]), fontsize=11)
    ax.set_xticks([x - 0.5 for x in range(1, len(theme_ids))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(matrix))], minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="minor", length=0)
    n_outcomes = int((themes["theme_type"] == "outcome").sum())
    if 0 < n_outcomes < len(theme_ids):
        ax.axvline(n_outcomes - 0.5, color=TEXT_COLOUR, linewidth=2)
    for label, start, stop in (("Outcomes", 0, n_outcomes), ("Barriers", n_outcomes, len(theme_ids))):
        if stop > start:
            ax.text((start + stop - 1) / 2, -0.8, label, ha="center", va="bottom", fontsize=11,
                    fontweight="bold", color=TEXT_COLOUR)
    ax.set_ylim(len(matrix) - 0.5, -1.3)
    for side in ax.spines.values():
        side.set_visible(False)
    fig.tight_layout()
    return fig
