"""Checking a figure's text sizes lays the figure out without painting it (savefig paints it once)."""

from __future__ import annotations

import io

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from nptsc_eval.charts.style import figure_legibility  # noqa: E402


def _figure():
    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    ax.barh(["Agree", "Neither", "Disagree"], [40, 25, 35], color="#1f77b4")
    ax.set_title("Most respondents agreed", fontsize=11)
    ax.set_xlabel("Share of respondents (%)")
    return fig


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def test_checking_legibility_does_not_paint_the_figure():
    fig = _figure()
    legibility = figure_legibility(fig, dpi=110)
    assert legibility.outside == [] and legibility.min_font_px > 10
    # The canvas holds one colour, the cleared background: no bar, line or letter was painted.
    pixels = np.asarray(fig.canvas.get_renderer().buffer_rgba()).reshape(-1, 4)
    assert len(np.unique(pixels, axis=0)) == 1
    plt.close(fig)


def test_the_saved_image_is_the_same_with_or_without_the_check():
    checked = _figure()
    figure_legibility(checked, dpi=110)
    assert _png(checked) == _png(_figure())
