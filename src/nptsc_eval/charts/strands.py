"""Charts of the strand chapters: each function returns a matplotlib figure."""

from __future__ import annotations

import pandas as pd

from nptsc_eval.charts import colours


def acevo_funnel_figure(stages: pd.DataFrame):
    """Funnel chart of Figure 5.2's main stages: centred bars, each labelled with its count."""
    import matplotlib.pyplot as plt

    funnel = stages[stages["funnel"]].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(5.7, 0.75 * len(funnel) + 0.8))
    widest = float(funnel["organisations"].max())
    for i, r in enumerate(funnel.itertuples()):
        ax.barh(i, r.organisations, left=(widest - r.organisations) / 2, color=colours.BAR, height=0.7)
        share = f" ({100 * r.organisations / widest:.0f}% of those supported)" if i else ""
        ax.text(widest + widest * 0.03, i, f"{r.stage}: {r.organisations}{share}", va="center", ha="left",
                fontsize=9.5, color=colours.TEXT)
    ax.set_ylim(len(funnel) - 0.5, -0.5)
    ax.set_xlim(0, widest * 2.15)
    ax.axis("off")
    fig.tight_layout()
    return fig
