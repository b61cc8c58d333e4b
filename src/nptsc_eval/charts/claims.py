"""Charts of the claims audit: verdicts by chapter and by what they rest on."""

from __future__ import annotations

import textwrap

import pandas as pd

from nptsc_eval.charts.colours import CLAIM_STATUS as colours
from nptsc_eval.charts.style import CHART_WIDTH_IN, TEXT_COLOUR, text_colour_on
from nptsc_eval.claims.evidence import BASIS_LABELS
from nptsc_eval.claims.rules import STATUS_LABELS, STATUSES


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"



def basis_chart(by_basis: pd.DataFrame):
    """Stacked horizontal bars: claims on each evidence basis by verdict, each segment labelled."""
    frame = by_basis.rename(index=BASIS_LABELS)
    return chapter_chart(frame)


def basis_chart_alt(by_basis: pd.DataFrame) -> str:
    """Alt text of :func:`basis_chart` that states its numbers."""
    parts = []
    for basis, row in by_basis.iterrows():
        shown = ", ".join(f"{int(row[s])} {STATUS_LABELS[s]}" for s in STATUSES if row[s])
        parts.append(f"{BASIS_LABELS[basis]}: {_count(int(row['total']), 'claim')} ({shown})")
    return ("Bar chart of the source report's claims by what the verdict rests on, and by verdict. "
            + "; ".join(parts) + ".")


def chapter_chart(by_chapter: pd.DataFrame):
    """Stacked horizontal bars: claims in each chapter by verdict, each segment labelled."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    data = by_chapter.iloc[::-1]
    data.index = [textwrap.fill(str(i), 22) for i in data.index]
    fig, ax = plt.subplots(figsize=(CHART_WIDTH_IN, 0.6 * len(data) + 1.8))
    xmax = float(data["total"].max()) * 1.25
    # Roughly how many claims one character of a 9-point label spans, to name a verdict
    # inside its segment wherever the name fits (the legend names the rest).
    per_char = xmax / (CHART_WIDTH_IN * 0.6 / 0.075)
    left = pd.Series(0.0, index=data.index)
    for status in STATUSES:
        values = data[status].astype(float)
        ax.barh(data.index, values, left=left, color=colours[status], edgecolor="white", label=STATUS_LABELS[status])
        for y, (start, width) in enumerate(zip(left, values)):
            if width > 0:
                named = f"{width:g} {STATUS_LABELS[status]}"
                shown = named if width > (len(named) + 2) * per_char else f"{width:g}"
                ax.text(start + width / 2, y, shown, ha="center", va="center", fontsize=9,
                        color=text_colour_on(colours[status]))
        left = left + values
    for y, total in enumerate(data["total"]):
        ax.text(total + 0.3, y, f"{total:g} claim" + ("" if total == 1 else "s"), va="center", fontsize=9, color=TEXT_COLOUR)
    ax.set_xlim(0, xmax)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Number of claims", fontsize=10)
    ax.tick_params(labelsize=9.5)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / max(len(data), 1)), ncol=2, frameon=False, fontsize=9.5)
    fig.tight_layout()
    return fig


def chapter_chart_alt(by_chapter: pd.DataFrame) -> str:
    """Alt text of :func:`chapter_chart` that states its numbers."""
    parts = []
    for chapter, row in by_chapter.iterrows():
        shown = ", ".join(f"{int(row[s])} {STATUS_LABELS[s]}" for s in STATUSES if row[s])
        total = int(row["total"])
        parts.append(f"{chapter}: {total} claim{'' if total == 1 else 's'} ({shown})")
    return "Bar chart of the source report's claims by chapter and verdict. " + "; ".join(parts) + "."
