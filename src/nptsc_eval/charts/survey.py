"""Survey charts: diverging stacked bars, with "don't know" in a panel of its own, and the further-support bars.

Each bar is one item of a question (a stage, before or after, a sector).  Negative answers
extend left of zero and positive answers right; the neutral answer straddles zero.  The
segments are percentages of the answers other than "don't know"; a separate panel on the
right shows the "don't know" share of everyone who answered.  Segments carry their
percentage and the top bar names its answers, so colour is never the only cue.  Under each
segment a whisker shows the range the published report allows (:func:`draw_range`).

A chart of synthetic data says so inside the image (:func:`mark_synthetic`: a line above
the chart and a faint watermark behind the bars); with a real export it does not.  Colours
are the named maps of :mod:`nptsc_eval.charts.colours`.  The words of each chart (title, alt
text, table) are in :mod:`nptsc_eval.survey.charts`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nptsc_eval.charts import colours
from nptsc_eval.charts.style import CHART_WIDTH_IN, TEXT_COLOUR, text_colour_on
from nptsc_eval.report import format_percent
from nptsc_eval.survey.charts import RANGE_LABEL, SYNTHETIC_LABEL
from nptsc_eval.survey.stats import LOW_BASE

#: Segment colours by score, most negative first: dark pink, orange, white (outlined), turquoise, dark blue.
DIVERGING_COLOURS = colours.DIVERGING
DONT_KNOW_COLOUR = colours.DONT_KNOW
OUTLINE = colours.OUTLINE
#: Chosen/not-chosen bars of the multi-select question, by sector.
SECTOR_COLOURS = colours.SECTOR

def mark_synthetic(fig, synthetic: bool = True, where: str = "top"):
    """Write :data:`SYNTHETIC_LABEL` into the figure: a bold line above (or below) it and a
    watermark behind it.  ``where="bottom"`` suits a chart whose legend sits above it."""
    if not synthetic:
        return fig
    label = SYNTHETIC_LABEL + ", not survey responses"
    style = {"x": 0.01, "ha": "left", "fontsize": 11, "fontweight": "bold", "color": colours.SYNTHETIC_LABEL}
    if where == "bottom":
        fig.supxlabel(label, **style)
    elif fig._suptitle is None:
        fig.suptitle(label, **style)
    else:
        fig._suptitle.set_text(f"{label}\n{fig._suptitle.get_text()}")
    for ax in fig.axes[:1]:
        ax.text(0.5, 0.5, SYNTHETIC_LABEL, transform=ax.transAxes, ha="center", va="center", fontsize=26,
                rotation=12, color=colours.WATERMARK, alpha=0.35, zorder=0)
    return fig


def _wrap(text: str, width: int = 16) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def diverging_chart(dist: pd.DataFrame, title: str | None = None, synthetic: bool = False):
    """Diverging stacked bars of one question's items (rows of :func:`analysis.distributions`).

    ``dist`` holds the rows of one question for the items to show, one ``item``/``group``
    pair per bar, in the order given.  ``synthetic`` marks the chart (:func:`mark_synthetic`).
    """
    import matplotlib.pyplot as plt

    dist = dist.copy()
    # A group every bar shares is named once, on the axis, not repeated on every bar.
    one_group = dist["group"].nunique() == 1 and bool((dist["item"] != "Response").any())
    if one_group:
        dist["bar"] = dist["item"]
    else:
        dist["bar"] = dist["item"].where(dist["item"] != "Response", "") + np.where(
            dist["item"] != "Response", " · ", "") + dist["group"]
    bars = list(dict.fromkeys(dist["bar"]))
    substantive = dist[dist["polarity"] != "dont_know"]
    levels = (substantive[["answer", "score"]].drop_duplicates().sort_values("score"))
    # The legend lists only the answers someone gave: an empty category is noise.
    given = substantive.groupby("score")["count"].sum()
    levels = levels[levels["score"].map(given).fillna(0) > 0]
    from matplotlib.patches import Patch
    from matplotlib.artist import Artist

    fig, (ax, dk_ax) = plt.subplots(1, 2, figsize=(CHART_WIDTH_IN, 0.8 * len(bars) + 2.4), sharey=True, layout="constrained",
                                    gridspec_kw={"width_ratios": [5, 1]})
    ticks = []
    for y, bar in enumerate(bars):
        rows = substantive[substantive["bar"] == bar].set_index("score")
        pct = rows["percent"].fillna(0.0)
        base = int(rows["base"].iloc[0])
        left = -(pct.get(-2, 0) + pct.get(-1, 0) + pct.get(0, 0) / 2)
        for score in levels["score"]:
            width = float(pct.get(score, 0.0))
            colour = DIVERGING_COLOURS[int(score)]
            ax.barh(y, width, left=left, color=colour, edgecolor=OUTLINE if score == 0 else "white",
                    linewidth=0.8 if score == 0 else 1.2, height=0.62)
            if width >= 14:
                ax.text(left + width / 2, y, format_percent(width), ha="center", va="center", fontsize=9,
                        color=text_colour_on(colour), zorder=4,
                        bbox={"boxstyle": "square,pad=0.1", "facecolor": colour, "edgecolor": "none"})
            if "range_lower" in rows:
                # Under the segment: where its end may lie given the segments before it, and where it is.
                draw_range(ax, y + 0.34 + 0.05 * (list(levels["score"]).index(score) % 3), left,
                           float(rows["range_lower"].get(score, np.nan)), float(rows["range_upper"].get(score, np.nan)),
                           width)
            left += width
        ticks.append(_wrap(bar, 22) + f"\n(n={base:,}" + (" [u]" if base < LOW_BASE else "") + ")")
        dk = dist[(dist["bar"] == bar) & (dist["polarity"] == "dont_know")]
        answered = int(dk["answered"].iloc[0]) if len(dk) else base
        dk_pct = 100.0 * int(dk["count"].iloc[0]) / answered if len(dk) and answered else 0.0
        dk_ax.barh(y, dk_pct, color=DONT_KNOW_COLOUR, height=0.62)
        dk_ax.text(dk_pct + 4, y, format_percent(dk_pct), va="center", fontsize=9)
    ax.axvline(0, color=TEXT_COLOUR, linewidth=1)
    ax.set_xlim(-100, 100)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100%", "50%", "0%", "50%", "100%"])
    ax.tick_params(labelsize=9.5)
    ax.set_yticks(range(len(bars)), ticks)
    if one_group:
        ax.set_ylabel(str(dist["group"].iloc[0]), fontsize=10)
    handles: list[Artist] = [Patch(facecolor=DIVERGING_COLOURS[int(sc)], edgecolor=OUTLINE if sc == 0 else "white", label=a)
               for sc, a in zip(levels["score"], levels["answer"])]
    if (dist["polarity"] == "dont_know").any() and dist.loc[dist["polarity"] == "dont_know", "count"].sum() > 0:
        handles.append(Patch(facecolor=DONT_KNOW_COLOUR, label="Don't know"))
    if "range_lower" in dist:
        from matplotlib.lines import Line2D

        handles.append(Line2D([0], [0], color=colours.RANGE, marker="o", markersize=2.6, linewidth=1.3,
                              label="Allowed range (dot: this data)"))
    fig.legend(handles=handles, loc="outside upper center", ncol=3, fontsize=9, frameon=False)
    ax.set_ylim(len(bars) - 0.4, -1.0)
    ax.set_xlabel("← negative   % of answers (not don't know)   positive →", fontsize=9.5)
    ax.grid(axis="y", visible=False)
    dk_ax.set_xlim(0, 100)
    dk_ax.set_xticks([])  # each bar carries its share; ticks would crowd so narrow a panel
    dk_ax.set_title("Don't\nknow", fontsize=9)
    dk_ax.grid(axis="y", visible=False)
    if title:
        fig.suptitle(_wrap(title, 60), fontsize=11, x=0.02, ha="left")
    return mark_synthetic(fig, synthetic, where="bottom")


def support_chart(support: pd.DataFrame, suppressed: pd.DataFrame | None = None, synthetic: bool = False,
                  labels: list[str] | None = None):
    """Horizontal bars: share of each sector choosing each ongoing-support option, labelled directly.

    ``suppressed`` (rows as ``support``, columns ``public_count`` and ``third_count``) marks
    the cells a table shows as [c]: they get no bar and the label "[c]", so the chart gives
    away nothing the table hides.  ``labels`` replaces the option names on the axis.
    """
    import matplotlib.pyplot as plt

    options = list(support["option"])
    groups = [("public", "Public sector"), ("third", "Third sector")]
    fig, ax = plt.subplots(figsize=(CHART_WIDTH_IN, 0.9 * len(options) + 1.6))
    height = 0.36
    for j, (key, label) in enumerate(groups):
        ys = np.arange(len(options)) + (j - 0.5) * height
        hidden = (suppressed[f"{key}_count"].to_numpy(dtype=bool) if suppressed is not None
                  else np.zeros(len(options), dtype=bool))
        values = np.where(hidden, 0.0, support[f"{key}_percent"].to_numpy(dtype=float))
        if f"{key}_lower" in support:
            for y, v, h, lo, hi in zip(ys, values, hidden, support[f"{key}_lower"], support[f"{key}_upper"]):
                if not h:  # a suppressed cell shows no range either: it would narrow down the count
                    draw_range(ax, y + height * 0.3, 0.0, float(lo), float(hi), float(v))
        base = int(support[f"{key}_base"].iloc[0])
        # The sector and its base are named once, in the legend; each bar carries only its share.
        ax.barh(ys[~hidden], values[~hidden], height=height, color=SECTOR_COLOURS[label], edgecolor="white",
                label=f"{label} (n={base:,}{' [u]' if base < LOW_BASE else ''})")
        for y, v, h in zip(ys, values, hidden):
            shown = "[c]" if h else format_percent(v)
            ax.text(v + 1, y, shown, va="center", fontsize=9.5)
    ax.set_yticks(range(len(options)), [_wrap(o, 24) for o in (labels or options)])
    ax.tick_params(labelsize=9.5)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=9.5, frameon=False)
    ax.set_ylim(len(options) - 0.4, -0.6)
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel("% of respondents choosing the option" + (
        "; whisker: " + RANGE_LABEL.lower() if "public_lower" in support else ""), fontsize=10)
    ax.grid(axis="y", visible=False)
    mark_synthetic(fig, synthetic)
    fig.tight_layout()
    return fig


def draw_range(ax, y: float, start: float, lower: float, upper: float, value: float) -> None:
    """An interval whisker from ``start + lower`` to ``start + upper`` at height ``y``, with a
    dot at ``start + value``: where a segment's end (or a bar's end) may lie, and where it is."""
    if pd.isna(lower) or pd.isna(upper):
        return
    ax.plot([start + lower, start + upper], [y, y], color=colours.RANGE, linewidth=1.1, zorder=5,
            solid_capstyle="butt", clip_on=True)
    for x in (start + lower, start + upper):
        ax.plot([x, x], [y - 0.035, y + 0.035], color=colours.RANGE, linewidth=1.3, zorder=5)
    ax.plot([start + value], [y], "o", color=colours.RANGE, markersize=2.6, zorder=6)
