"""House style for charts: fonts, sizes, contrast checks and legibility checks.

Colours come from :mod:`nptsc_eval.charts.colours`.  Charts label
their bars directly so colour is never the only cue, and :func:`contrast_ratio` lets tests
check that colours next to each other, and each colour on white, reach 3:1 (WCAG 2.2,
non-text contrast).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


from nptsc_eval.charts import colours
from nptsc_eval.charts.colours import TEXT as TEXT_COLOUR


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
    return colours.WHITE if contrast_ratio(colours.WHITE, background) >= contrast_ratio(TEXT_COLOUR, background) else TEXT_COLOUR


def setup() -> None:
    """House style for every chart: readable fonts, no chart junk."""
    import matplotlib

    matplotlib.use("Agg")
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", font="DejaVu Sans",
                  rc={"axes.edgecolor": colours.OUTLINE, "text.color": TEXT_COLOUR, "axes.labelcolor": TEXT_COLOUR,
                      "xtick.color": TEXT_COLOUR, "ytick.color": TEXT_COLOUR, "svg.hashsalt": "nptsc"})


#: Resolution of the book's chart images: at this, 1 image pixel shows as 1 CSS pixel when the chart is not scaled.
FIGURE_DPI = 110
#: Smallest text a chart may show, in CSS pixels as displayed (Analysis Function guidance: 12 px).
MIN_DISPLAYED_FONT_PX = 12.0
#: Widest a chart image may be and still show at its natural size in the book's text column on a
#: 1280-pixel-wide screen (the column is 688 pixels wide there); a wider one is scaled down.
MAX_NATURAL_WIDTH_PX = 688
#: Width a chart is drawn at, in inches: with room for labels that stick out, it stays within
#: :data:`MAX_NATURAL_WIDTH_PX` at :data:`FIGURE_DPI`, so its text shows at its own size.
CHART_WIDTH_IN = 6.0


@dataclass
class Legibility:
    """How a chart's text will show: the smallest font in image pixels and the text cut off, if any."""

    min_font_px: float
    outside: list[str]
    texts: int


def drawn_texts(fig) -> list:
    """Every text artist a figure draws: titles, labels, annotations, legend entries and the tick
    labels of ticks inside the axis limits (matplotlib keeps, but does not draw, the others)."""
    from matplotlib.text import Text

    tick_labels, shown = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            span = (high - low) or 1.0
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                inside = low - 1e-9 * span <= tick.get_loc() <= high + 1e-9 * span
                for label in (tick.label1, tick.label2):
                    tick_labels.add(id(label))
                    if inside and label.get_visible() and label.get_text().strip():
                        shown.append(label)
    for text in fig.findobj(Text):
        if id(text) in tick_labels or not text.get_visible() or not text.get_text().strip():
            continue
        if text.axes is not None and not text.axes.get_visible():
            continue
        shown.append(text)
    return shown


def figure_legibility(fig, dpi: float = FIGURE_DPI) -> Legibility:
    """The smallest font a figure draws, in pixels of the image saved at ``dpi``, and any text that
    would be cut off: outside the image ``savefig(bbox_inches="tight")`` keeps, or clipped by its axes.

    Examples:
        >>> import matplotlib; _ = matplotlib.use("Agg"); import matplotlib.pyplot as plt
        >>> fig, ax = plt.subplots(); _ = ax.set_title("Title", fontsize=9); _ = ax.tick_params(labelsize=12)
        >>> round(figure_legibility(fig, dpi=110).min_font_px, 2), figure_legibility(fig).outside
        (13.75, [])
    """
    # Lay the figure out as a draw would, without painting pixels: text sizes and positions are
    # all this needs, and savefig paints the figure afterwards anyway.
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    saved = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)
    texts = drawn_texts(fig)
    outside = []
    for text in texts:
        box = text.get_window_extent(renderer)
        limits = [saved]
        clip = text.get_clip_box() if text.get_clip_on() else None
        if clip is not None:
            limits.append(clip)
        for limit in limits:
            if not (limit.x0 - 1 <= box.x0 and box.x1 <= limit.x1 + 1 and limit.y0 - 1 <= box.y0 and box.y1 <= limit.y1 + 1):
                outside.append(" ".join(text.get_text().split())[:60])
                break
    sizes = [text.get_fontsize() * dpi / 72 for text in texts]
    return Legibility(min(sizes) if sizes else 0.0, outside, len(texts))


def palette_pairs(colours: Sequence[str]) -> list[tuple[str, str, float]]:
    """Contrast of each pair of neighbouring colours, for checks."""
    return [(a, b, contrast_ratio(a, b)) for a, b in zip(colours, colours[1:])]
