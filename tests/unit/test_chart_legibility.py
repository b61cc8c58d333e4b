"""Readable charts: text of at least 12 px as shown, nothing cut off, % on percentage axes,
no empty legend entries, no label repeated on every bar, and survey chart titles that never
present a synthetic number as a finding."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from nptsc_eval import report  # noqa: E402
from nptsc_eval.charts import style as plots  # noqa: E402
from nptsc_eval.charts.kpi import kpi_chart  # noqa: E402
from nptsc_eval.charts.outcomes import heatmap, response_rate_chart  # noqa: E402
from nptsc_eval.paths import RAW_DIR  # noqa: E402
from nptsc_eval.survey import analysis, charts  # noqa: E402
from nptsc_eval.charts import survey as survey_charts  # noqa: E402
from nptsc_eval.survey.codebook import load_codebook  # noqa: E402
from nptsc_eval.survey.exports import load_survey  # noqa: E402


@pytest.fixture(scope="module")
def dist() -> pd.DataFrame:
    survey = load_survey(RAW_DIR / "survey_responses_synthetic.csv")
    return analysis.distributions(survey.frame, load_codebook())


def _tick_texts(axis) -> list[str]:
    low, high = sorted(axis.get_view_interval())
    return [t.get_text() for t, at in zip(axis.get_ticklabels(), axis.get_ticklocs()) if t.get_text() and low <= at <= high]


# --- Measuring a chart's text ---------------------------------------------------------------

def test_legibility_gives_the_smallest_font_in_image_pixels():
    fig, ax = plt.subplots()
    ax.tick_params(labelsize=12)
    ax.set_title("Title", fontsize=14)
    ax.text(0.5, 0.5, "small", fontsize=7.2)
    found = plots.figure_legibility(fig, dpi=110)
    plt.close(fig)
    assert found.min_font_px == pytest.approx(7.2 * 110 / 72)  # 11 px: the annotation, not the ticks
    assert found.outside == []


def test_legibility_finds_a_label_its_axes_cut_off():
    fig, ax = plt.subplots()
    ax.set_xlim(0, 1)
    ax.text(0.95, 0.5, "a label running past the edge of the axes", clip_on=True)
    found = plots.figure_legibility(fig)
    plt.close(fig)
    assert found.outside == ["a label running past the edge of the axes"]


def test_legibility_ignores_tick_labels_matplotlib_does_not_draw():
    fig, ax = plt.subplots()
    ax.set_xticks([-5, 0, 0.5, 1, 50], ["-5", "0", "0.5", "1", "50"])
    ax.set_xlim(0, 1)
    drawn = [t.get_text() for t in plots.drawn_texts(fig) if t.get_text() in {"-5", "0", "0.5", "1", "50"}]
    plt.close(fig)
    assert sorted(drawn) == ["0", "0.5", "1"]


def test_show_figure_refuses_a_chart_whose_text_would_be_cut_off(tmp_path, monkeypatch):
    monkeypatch.setattr(report.numbering, "downloads_dir", lambda: tmp_path)
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: None)
    report.set_chapter("02-survey")
    fig, ax = plt.subplots()
    ax.set_xlim(0, 1)
    ax.text(0.9, 0.5, "cut off by the axes", clip_on=True)
    with pytest.raises(ValueError, match="cut off by the axes"):
        report.show_figure(fig, alt="A chart with a label cut off at its edge.", data=pd.DataFrame({"a": [1]}),
                           title="Cut off", source="Appendix 2 of the original report")


# --- The charts themselves ------------------------------------------------------------------

def _charts(dist: pd.DataFrame):
    from nptsc_eval import kpi, outcomes
    from nptsc_eval.charts import strands as strand_charts
    from nptsc_eval.strands import tables as strand_tables

    plots.setup()
    yield "kpi", kpi_chart(kpi.load_kpi_attainment())
    yield "funnel", strand_charts.acevo_funnel_figure(strand_tables.acevo_stages())
    for qid in charts.CHART_TOPICS:
        yield qid, survey_charts.diverging_chart(charts.question_rows(dist, qid), synthetic=True)
    chart = pd.DataFrame({"delivery_partner": ["CIPFA", "NAVCA"], "respondents": [216, 2], "places": [880, 120],
                          "places_basis": ["participant places", "organisations"], "response_rate_pct": [24.5, 1.7]})
    yield "response", response_rate_chart(chart)
    from nptsc_eval.tables import load_table

    matrix = outcomes.evidence_matrix(load_table("outcome_evidence"), load_table("logic_models"), load_table("projects"))
    yield "evidence heatmap", heatmap(matrix)


def test_every_chart_keeps_its_text_inside_the_image_at_a_readable_size(dist):
    """Every tick label, title and label lies inside the saved image, none smaller than 12 px when
    the chart shows at its natural size (as it does in the book's column: it is drawn to fit)."""
    for name, fig in _charts(dist):
        found = plots.figure_legibility(fig)
        fig.canvas.draw()
        width = fig.get_tightbbox(fig.canvas.get_renderer()).width * plots.FIGURE_DPI
        plt.close(fig)
        assert found.texts > 3, name
        assert found.outside == [], f"{name}: {found.outside}"
        assert found.min_font_px >= plots.MIN_DISPLAYED_FONT_PX, f"{name}: smallest text {found.min_font_px:.1f} px"
        shown = found.min_font_px * min(1.0, plots.MAX_NATURAL_WIDTH_PX / width)
        assert shown >= plots.MIN_DISPLAYED_FONT_PX, f"{name}: {width:.0f} px wide, so its text shows at {shown:.1f} px"


def test_percentage_axes_carry_the_percent_sign(dist):

    fig = survey_charts.diverging_chart(charts.question_rows(dist, "ps_awareness"))
    assert all(t.endswith("%") for t in _tick_texts(fig.axes[0].xaxis))
    plt.close(fig)
    chart = pd.DataFrame({"delivery_partner": ["A"], "respondents": [5], "places": [50], "places_basis": ["places"],
                          "response_rate_pct": [10.0]})
    fig = response_rate_chart(chart)
    ticks = _tick_texts(fig.axes[0].xaxis)
    plt.close(fig)
    assert ticks and all(t.endswith("%") for t in ticks), ticks


def test_a_legend_lists_only_answers_someone_gave(dist):
    rows = charts.question_rows(dist, "ps_awareness").copy()
    poor = rows["answer"] == "Poor"
    assert poor.any()
    rows.loc[poor, ["count", "percent"]] = 0  # nobody answered "Poor"
    dont_know = rows["polarity"] == "dont_know"
    rows.loc[dont_know, "count"] = 0
    fig = survey_charts.diverging_chart(rows)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    plt.close(fig)
    assert "Poor" not in legend and "Don't know" not in legend
    assert "Fair" in legend and "Excellent" in legend
    fig = survey_charts.diverging_chart(charts.question_rows(dist, "ps_awareness"))
    assert "Poor" in [t.get_text() for t in fig.legends[0].get_texts()]
    plt.close(fig)


def test_a_group_every_bar_shares_is_named_once_not_on_every_bar(dist):
    rows = charts.question_rows(dist, "ps_stage_improved")
    assert set(rows["group"]) == {"Public sector"}
    fig = survey_charts.diverging_chart(rows)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    plt.close(fig)
    assert len(ticks) == 4 and not any("Public sector" in t for t in ticks), ticks
    assert ax.get_ylabel() == "Public sector"


def test_support_bars_carry_their_share_and_the_legend_names_the_sectors():
    support = pd.DataFrame({"option": ["Networking", "Masterclasses"], "public_percent": [51.0, 48.0],
                            "third_percent": [73.0, 67.0], "public_base": [217, 217], "third_base": [33, 33]})
    hidden = pd.DataFrame({"public_count": [False, False], "third_count": [False, True]})
    fig = survey_charts.support_chart(support, hidden, synthetic=False)
    ax = fig.axes[0]
    bar_labels = [t.get_text() for t in ax.texts]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    ticks = _tick_texts(ax.xaxis)
    plt.close(fig)
    assert sorted(bar_labels) == sorted(["51%", "48%", "73%", "[c]"])
    assert legend == ["Public sector (n=217)", "Third sector (n=33)"]
    assert all(t.endswith("%") for t in ticks)


# --- Survey chart titles ---------------------------------------------------------------------

def test_a_synthetic_survey_chart_title_quotes_the_published_finding_or_describes_the_chart(dist):
    findings = charts.published_findings()
    for qid in charts.CHART_TOPICS:
        title = charts.chart_title(qid, charts.question_rows(dist, qid), True, findings)
        assert not re.search(r"\d", title), f"{qid}: a synthetic chart's title states a number: {title}"
        if qid in charts.HEADLINE_QUESTIONS:
            quote = findings[charts.HEADLINE_QUESTIONS[qid]]
            assert title == f"Published finding: {quote} (the chart shows synthetic data, not this finding)"
        else:
            assert title == f"{charts.CHART_TOPICS[qid][0]} {charts.SYNTHETIC_CAPTION}"


def test_a_real_survey_chart_title_states_what_the_answers_show():
    def rows(item, positive):
        return [{"item": item, "group": "Public sector", "polarity": p, "percent": v}
                for p, v in (("positive", positive), ("neutral", 10.0), ("negative", 90.0 - positive))]

    before_after = pd.DataFrame(rows("Before the programme", 38.0) + rows("After the programme", 74.0))
    assert charts.chart_title("ps_awareness", before_after, synthetic=False) == (
        "More public sector respondents rated their awareness of commissioning from third sector organisations "
        "positively after the programme than before (38% before, 74% after)")
    lower = pd.DataFrame(rows("Before the programme", 60.0) + rows("After the programme", 41.0))
    assert charts.chart_title("ps_bid_quality", lower, synthetic=False).startswith("Fewer public sector respondents")
    by_sector = pd.DataFrame([{**r, "group": g} for g, v in (("Public sector", 20.0), ("All respondents", 70.0))
                              for r in rows("Response", v)])
    assert charts.chart_title("expectations", by_sector, synthetic=False) == (
        "Most respondents agreed that the programme met their expectations (70%)")
    stages = pd.DataFrame(rows("Needs analysis", 50.0) + rows("Planning", 46.0))
    assert charts.chart_title("ps_stage_improved", stages, synthetic=False) == (
        "About half of public sector respondents said the programme improved how their organisation works "
        "(48% on average across the stages)")


# --- The built book --------------------------------------------------------------------------

_TITLE = re.compile(r'<p class="figure-title" id="(?P<id>[^"]+)"(?P<attrs>[^>]*)>(?P<title>.*?)</p>', re.S)


def _chart_figures(html_dir: Path):
    """(page, figure id, title, smallest font px, text outside, natural width) of every chart image."""
    for path in sorted((html_dir / "book").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for m in _TITLE.finditer(text):
            after = text[m.end():m.end() + 2000]
            img = re.match(r'\s*</div>\s*<img[^>]*src="([^"]+)"', after)
            if not img:
                continue
            png = (path.parent / img.group(1)).read_bytes()[:24]
            width = struct.unpack(">I", png[16:20])[0]
            attrs = dict(re.findall(r'data-([\w-]+)="([^"]*)"', m.group("attrs")))
            yield (path.relative_to(html_dir).as_posix(), m.group("id"), re.sub(r"<[^>]+>", "", m.group("title")),
                   float(attrs.get("min-font-px", 0)), attrs.get("text-outside"), width)


@pytest.mark.build
def test_every_chart_in_the_book_keeps_its_text_inside_and_readable(built_book):
    found = list(_chart_figures(built_book))
    images = sum(len(re.findall(r'<img[^>]*src="[^"]*_images/', p.read_text(encoding="utf-8")))
                 for p in (built_book / "book" / "executed").glob("*.html"))
    assert len(found) == images >= 15, (len(found), images)
    for page, figure, title, min_px, outside, width in found:
        assert outside == "0", f"{page} {figure}: text cut off"
        shown = min_px * min(1.0, plots.MAX_NATURAL_WIDTH_PX / width)
        assert shown >= plots.MIN_DISPLAYED_FONT_PX, f"{page} {figure} ({title}): text shows at {shown:.1f} px"


@pytest.mark.build
def test_no_survey_chart_title_in_the_book_presents_a_synthetic_number_as_a_finding(built_book):
    text = (built_book / "book" / "executed" / "02-survey.html").read_text(encoding="utf-8")
    if "Illustrative: synthetic data" not in text:
        pytest.skip("the book was built from a real survey export")
    titles = [re.sub(r"<[^>]+>", "", m.group("title")) for m in _TITLE.finditer(text)]
    assert len(titles) >= 13
    quotes = set(charts.published_findings().values())
    for title in titles:
        number, _, words = title.partition(": ")
        assert not re.search(r"\d|%", words), f"{number}: {words}"
        published = words.removeprefix("Published finding: ").removesuffix(" (the chart shows synthetic data, not this finding)")
        assert published in quotes or words.endswith("(synthetic)"), title


def test_the_kpi_target_line_never_runs_through_a_label():
    """Each value label the 100% line would cross sits on an opaque box drawn above the line."""
    from nptsc_eval import kpi
    from nptsc_eval.charts import colours

    plots.setup()
    fig = kpi_chart(kpi.load_kpi_attainment())
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    line = next(drawn for drawn in ax.get_lines() if list(drawn.get_xdata()) == [100, 100])
    x = ax.transData.transform((100, 0))[0]
    crossed = [t for t in ax.texts if t.get_text().strip() != "target"
               and t.get_window_extent(renderer).x0 < x < t.get_window_extent(renderer).x1]
    assert crossed, "no label reaches the target line, so this test checks nothing"
    for text in crossed:
        box = text.get_bbox_patch()
        assert box is not None and box.get_facecolor()[:3] == matplotlib.colors.to_rgb(colours.WHITE), text.get_text()
        assert text.get_zorder() > line.get_zorder(), text.get_text()
