"""Synthetic survey numbers never pass for findings.

The survey chapter runs on synthetic respondents unless a real export is given.  These tests
check that the book says so wherever a synthetic value appears, that the summary pages never
use one, that text and charts agree, and that suppressed cells stay hidden.
"""

from __future__ import annotations

import html as htmllib
import importlib.util
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nptsc_eval import paths
from nptsc_eval.errors import PipelineError
from nptsc_eval.build import build_book, glued_text
from nptsc_eval.report import SYNTHETIC_MARKER, glued_evidence
from nptsc_eval.survey import charts, stats
from nptsc_eval.charts import survey as survey_charts
from nptsc_eval.survey.codebook import load_codebook
from nptsc_eval.tables import load_table

_spec = importlib.util.spec_from_file_location("nptsc_html_evidence", paths.BOOK_DIR / "_ext" / "nptsc_html.py")
nptsc_html = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nptsc_html)

FIXTURES = paths.PROJECT_ROOT / "tests" / "fixtures" / "survey"
RESTRICTED = ["index", "executive-summary", "conclusions", "recommendations"]
SURVEY = "02-survey"


def _notebook(root: Path = paths.PROJECT_ROOT) -> dict:
    return json.loads((root / "book" / "executed" / f"{SURVEY}.ipynb").read_text(encoding="utf-8"))


def _glue_outputs(nb: dict) -> dict[str, dict]:
    found = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []) or []:
            name = (out.get("metadata") or {}).get("scrapbook", {}).get("name")
            if name:
                found[name] = out
    return found


def _text(page: Path) -> str:
    raw = page.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style).*?</\1>", " ", raw, flags=re.S)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", raw)))


def _refs(page: Path) -> list[str]:
    """The keys a page glues from the survey notebook."""
    return re.findall(r"02-survey\.ipynb::(\w+)", page.read_text(encoding="utf-8"))


def _tables(nb: dict) -> dict[str, str]:
    """Each HTML table the notebook shows, by its id (survey-…)."""
    tables = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []) or []:
            html = out.get("data", {}).get("text/html")
            html = "".join(html) if isinstance(html, list) else html
            if html and "<table" in html:
                match = re.search(r'id="T_([\w-]+)"', html)
                if match:
                    tables[match.group(1)] = html
    return tables


def _read_table(html: str) -> pd.DataFrame:
    """A shown table as text: the header row's cells name the columns."""
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append("".join(self.cell).strip())
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    parser = Rows()
    parser.feed(html)
    header, *body = [r for r in parser.rows if r]
    return pd.DataFrame(body, columns=header)


def _alts(nb: dict) -> list[str]:
    return [o["metadata"]["image/png"]["alt"] for c in nb["cells"] for o in c.get("outputs", []) or []
            if "image/png" in o.get("data", {})]


# --------------------------------------------------------------------------------------
# The build check (book/_ext/nptsc_html.py)
# --------------------------------------------------------------------------------------


def test_evidence_rules_name_page_key_and_class():
    notebooks = {"book/executed/02-survey": {
        "aw": {"evidence": "synthetic", "shown": ["26% (synthetic)", '<span class="glued">26% (synthetic)</span>']},
        "head": {"evidence": "published", "shown": ["approximately half"]},
        "bare": {"evidence": "synthetic", "shown": ["26%", '<span class="glued">26%</span>']},
    }}
    refs = {"book/executive-summary": [("book/executed/02-survey", "aw", 12), ("book/executed/02-survey", "head", 13)],
            "book/programme-overview": [("book/executed/02-survey", "aw", 3)]}
    problems = nptsc_html.evidence_problems(refs, notebooks)
    messages = [m for _, _, m in problems]
    assert len(problems) == 2, messages
    page, line, message = problems[0]
    assert (page, line) == ("book/executive-summary", 12)
    assert "book/executive-summary" in message and "'aw'" in message and "'synthetic'" in message
    # A synthetic value elsewhere is allowed, with its marker; one without the marker is not.
    assert not any("programme-overview" in m for m in messages)
    assert "'bare'" in messages[1] and SYNTHETIC_MARKER in messages[1]


def test_the_restricted_pages_are_the_summary_pages():
    assert set(nptsc_html.RESTRICTED_PAGES) == {f"book/{p}" for p in RESTRICTED}
    assert nptsc_html.SYNTHETIC_MARKER == SYNTHETIC_MARKER


@pytest.fixture
def book_copy(built_book: Path, tmp_path: Path) -> Path:
    """The book's sources and executed notebooks, in a temporary project folder."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(paths.PROJECT_ROOT / name, root / name)
    shutil.copytree(paths.BOOK_DIR, root / "book", ignore=shutil.ignore_patterns("__pycache__"))
    # The book's own extensions read the glossary, the metadata notes and the claims audit.
    shutil.copytree(paths.RAW_DIR, root / "data" / "raw")
    (root / "data" / "processed").mkdir()
    shutil.copy(paths.PROJECT_ROOT / "data" / "processed" / "claims_audit.csv", root / "data" / "processed")
    return root


@pytest.mark.build
def test_a_synthetic_value_on_the_executive_summary_fails_the_build(book_copy):
    page = book_copy / "book" / "executive-summary.md"
    page.write_text(page.read_text(encoding="utf-8")
                    + "\nAwareness rose to {glue}`executed/02-survey.ipynb::aw_top_after`.\n", encoding="utf-8")
    with pytest.raises(PipelineError) as failure:
        build_book(book_copy, report=lambda m: None)
    message = str(failure.value)
    assert "book/executive-summary" in message and "'aw_top_after'" in message and "'synthetic'" in message


@pytest.mark.build
def test_a_synthetic_value_without_its_marker_fails_the_build(book_copy):
    path = book_copy / "book" / "executed" / f"{SURVEY}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = _glue_outputs(nb)["bq_good_after"]
    for mime, text in out["data"].items():
        joined = "".join(text) if isinstance(text, list) else text
        out["data"][mime] = joined.replace(f" {SYNTHETIC_MARKER}", "")
    path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(PipelineError) as failure:
        build_book(book_copy, report=lambda m: None)
    assert "'bq_good_after'" in str(failure.value) and SYNTHETIC_MARKER in str(failure.value)


# --------------------------------------------------------------------------------------
# The built book on synthetic data
# --------------------------------------------------------------------------------------


@pytest.mark.build
def test_summary_pages_use_no_synthetic_value(built_book):
    outputs = _glue_outputs(_notebook())
    used = {}
    for name in RESTRICTED:
        for key in _refs(paths.BOOK_DIR / f"{name}.md"):
            used[(name, key)] = glued_evidence(outputs[key])
    assert used, "the summary pages cite the survey"
    assert all(cls in ("published", "derived", "descriptive") for cls in used.values()), used
    for name in RESTRICTED:
        assert SYNTHETIC_MARKER not in _text(built_book / "book" / f"{name}.html"), name
    summary = _text(built_book / "book" / "executive-summary.html")
    assert "approximately half" in summary and "a significantly positive response" in summary


@pytest.mark.build
def test_published_survey_figures_are_glued_as_published(built_book):
    outputs = _glue_outputs(_notebook())
    expected = {"pub_survey_total": "250", "pub_public_pct": "87%", "pub_third_pct": "13%", "pub_third_count": "33",
                "pub_org_central_pct": "11%", "pub_org_la_pct": "79%", "pub_org_pct_pct": "10%",
                "pub_cipfa": "209", "pub_cipfa_pct": "83.6%"}
    nb = _notebook()
    for key, text in expected.items():
        assert glued_text(nb, key) == text, key
        assert glued_evidence(outputs[key]) == "published", key
    table = _read_table(_tables(nb)["survey-table-1-1"])
    assert table["Respondents"].tolist() == ["209", "13", "7", "8", "6", "5", "2", "250"]


def test_the_summary_texts_quote_the_source():
    rows = load_table("survey_headlines")
    constraints = {f["id"] for f in __import__("yaml").safe_load((paths.RAW_DIR / "survey_constraints.yml").read_text())["findings"]}
    for r in rows.itertuples():
        assert r.finding_id in constraints, r.key
        quoted = re.findall(r'"([^"]+)"', r.published_text)
        words = quoted or [re.sub(r"\s*\(.*\)$", "", r.published_text)]
        for w in words:
            assert w.lower() in r.quote.lower(), (r.key, w)
        assert "original report" in r.published_text, r.key


@pytest.mark.build
def test_every_survey_chart_and_table_says_it_is_synthetic(built_book):
    nb = _notebook()
    alts = _alts(nb)
    assert len(alts) == 13
    assert all(a.startswith(charts.SYNTHETIC_LABEL + ".") for a in alts)
    tables = _tables(nb)
    survey_tables = {k: v for k, v in tables.items() if k != "survey-table-1-1"}
    for key, html in survey_tables.items():
        caption = htmllib.unescape(re.search(r"<caption>(.*?)</caption>", html, re.S).group(1))
        # The verbatim answers and their themes come from the published quotations, and the
        # findings table names its data in its own caption.
        if key in ("survey-quotes", "survey-themes"):
            continue
        assert caption.endswith(SYNTHETIC_MARKER), (key, caption)
    assert "as published" in htmllib.unescape(re.search(r"<caption>(.*?)</caption>", tables["survey-table-1-1"], re.S).group(1))
    page = (built_book / "book" / "executed" / f"{SURVEY}.html").read_text(encoding="utf-8")
    assert 'class="nptsc-synthetic-flag"' in page
    css = (paths.BOOK_DIR / "_static" / "nptsc.css").read_text(encoding="utf-8")
    printed = css[css.index("@media print"):]
    assert ".nptsc-synthetic-flag" in printed and "div.cell .nptsc-synthetic-flag" in printed and "synthetic data" in printed


def test_charts_draw_the_synthetic_label_inside_the_image_only_when_synthetic():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dist = pd.DataFrame({"question_id": "q", "item": "Response", "group": "Public sector",
                         "answer": ["Agree", "Neither", "Disagree", "Don't know"], "score": [1, 0, -1, np.nan],
                         "polarity": ["positive", "neutral", "negative", "dont_know"], "count": [5, 3, 2, 1],
                         "answered": 11, "base": 10, "percent": [50.0, 30.0, 20.0, np.nan]})
    for synthetic in (True, False):
        fig = survey_charts.diverging_chart(dist, synthetic=synthetic)
        texts = [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes for t in ax.texts]
        assert any(charts.SYNTHETIC_LABEL in t for t in texts) is synthetic
        plt.close(fig)
        assert charts.chart_alt(dist, "Q?", synthetic).startswith(charts.SYNTHETIC_LABEL) is synthetic
        assert charts.caption("Answers", synthetic).endswith(SYNTHETIC_MARKER) is synthetic
        assert bool(charts.print_marker_html(synthetic)) is synthetic


@pytest.mark.build
def test_tests_on_synthetic_data_are_a_demonstration_and_not_significant_means_no_direction(built_book):
    nb = _notebook()
    # Quality of bids: about as many rated it higher as lower, p close to 1.
    assert float(glued_text(nb, "bq_wilcoxon_p").split()[0]) >= 0.05
    assert glued_text(nb, "bq_change") == f"no clear difference between before and after {SYNTHETIC_MARKER}"
    paired = pd.read_csv(paths.PROCESSED_DIR / "survey_tests_paired.csv")
    for r in paired.itertuples():
        if not r.wilcoxon_p < 0.05:
            assert r.direction.startswith("no clear difference"), r.question_id
    sector = pd.read_csv(paths.PROCESSED_DIR / "survey_tests_sector.csv")
    for r in sector.itertuples():
        if not r.mann_whitney_p < 0.05:
            assert r.direction == "no clear difference between the sectors", r.comparison
    text = _text(built_book / "book" / "executed" / f"{SURVEY}.html")
    assert "answered alike" not in text
    assert text.count("demonstrat") >= 4


# --------------------------------------------------------------------------------------
# Text and chart agree
# --------------------------------------------------------------------------------------

#: Glued share → the chart bar it describes: column, group, answers (polarities or levels).
SHARE_OF_BAR = {
    "aw_top_before": ("ps_awareness_before", "Public sector", {"Excellent", "Very good"}),
    "aw_top_after": ("ps_awareness_after", "Public sector", {"Excellent", "Very good"}),
    "un_top_before": ("ps_understanding_before", "Public sector", {"Excellent", "Very good"}),
    "un_top_after": ("ps_understanding_after", "Public sector", {"Excellent", "Very good"}),
    "aw_negative_after": ("ps_awareness_after", "Public sector", {"negative"}),
    "bq_good_before": ("ps_bid_quality_before", "Public sector", {"positive"}),
    "bq_good_after": ("ps_bid_quality_after", "Public sector", {"positive"}),
    "bq_poor_before": ("ps_bid_quality_before", "Public sector", {"neutral", "negative"}),
    "bq_poor_after": ("ps_bid_quality_after", "Public sector", {"neutral", "negative"}),
    "ps_practice_pos_neu": ("ps_practice_improved", "Public sector", {"positive", "neutral"}),
    "ts_cap_pos_needs": ("ts_stage_capability_needs_analysis", "Third sector", {"positive"}),
    "ts_cap_pos_spec": ("ts_stage_capability_specification", "Third sector", {"positive"}),
    "ts_cap_neu_plan": ("ts_stage_capability_planning", "Third sector", {"neutral"}),
    "ts_cap_neu_me": ("ts_stage_capability_monitoring_evaluation", "Third sector", {"neutral"}),
    "ts_bidding_pos_neu": ("ts_bidding_improved", "Third sector", {"positive", "neutral"}),
    "exp_pos_all": ("expectations", "All respondents", {"positive"}),
    "exp_pos_public": ("expectations", "Public sector", {"positive"}),
    "exp_pos_third": ("expectations", "Third sector", {"positive"}),
}
#: "Don't know" shares: the chart's right-hand panel, of all answers.
DONT_KNOW_OF_BAR = {"bq_dk_before": ("ps_bid_quality_before", "Public sector"),
                    "bq_dk_after": ("ps_bid_quality_after", "Public sector")}


def _percent(text: str) -> int:
    return int(text.replace(SYNTHETIC_MARKER, "").strip().rstrip("%"))


@pytest.mark.build
def test_each_glued_share_equals_the_chart_beside_it(built_book):
    from nptsc_eval.report import round_half_up

    nb = _notebook()
    dist = pd.read_csv(paths.PROCESSED_DIR / "survey_distributions.csv")
    for key, (column, group, answers) in SHARE_OF_BAR.items():
        rows = dist[(dist["column"] == column) & (dist["group"] == group)]
        hit = rows["polarity"].isin(answers) | rows["answer"].isin(answers)
        share = 100 * rows.loc[hit, "count"].sum() / rows["base"].iloc[0]
        assert _percent(glued_text(nb, key)) == int(round_half_up(share)), key
    for key, (column, group) in DONT_KNOW_OF_BAR.items():
        rows = dist[(dist["column"] == column) & (dist["group"] == group)]
        dk = rows.loc[rows["polarity"] == "dont_know", "count"].sum()
        assert _percent(glued_text(nb, key)) == int(round_half_up(100 * dk / rows["answered"].iloc[0])), key
    # Stage ranges: the lowest and highest of the chart's bars.
    for key, column_prefix, group, polarity in (("ps_stage_pos", "ps_stage_improved_", "Public sector", "positive"),
                                                 ("ps_inv_pos", "ps_ts_involvement_", "Public sector", "positive")):
        rows = dist[dist["column"].str.startswith(column_prefix) & (dist["group"] == group)]
        shares = [100 * r.loc[r["polarity"] == polarity, "count"].sum() / r["base"].iloc[0] for _, r in rows.groupby("column")]
        assert _percent(glued_text(nb, f"{key}_min")) == int(round_half_up(min(shares)))
        assert _percent(glued_text(nb, f"{key}_max")) == int(round_half_up(max(shares)))
    support = pd.read_csv(paths.PROCESSED_DIR / "survey_support.csv").set_index("column")
    for key, column in (("net", "support_networking"), ("mc", "support_masterclasses")):
        for sector in ("third", "public"):
            shown = glued_text(nb, f"support_{key}_{sector}")
            if "[c]" not in shown:
                assert _percent(shown) == int(round_half_up(support.loc[column, f"{sector}_percent"]))


# --------------------------------------------------------------------------------------
# Disclosure control
# --------------------------------------------------------------------------------------


def _range(unknowns: list[str], equations: list[tuple[dict[str, float], float]], upper: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Lowest and highest value of each unknown, given linear equations and 0 ≤ x ≤ upper."""
    from scipy.optimize import linprog

    a = [[eq.get(u, 0.0) for u in unknowns] for eq, _ in equations]
    b = [rhs for _, rhs in equations]
    bounds = [(0, upper.get(u)) for u in unknowns]
    out = {}
    for i, u in enumerate(unknowns):
        c = np.zeros(len(unknowns))
        c[i] = 1
        lo = linprog(c, A_eq=a or None, b_eq=b or None, bounds=bounds, method="highs").fun
        hi = -linprog(-c, A_eq=a or None, b_eq=b or None, bounds=bounds, method="highs").fun
        out[u] = (round(lo, 6), round(hi, 6))
    return out


@pytest.mark.build
def test_no_suppressed_cell_of_the_partner_by_sector_table_can_be_recovered(built_book):
    """Published: the table's shown cells, its Total column, Table 1.1 and the sector counts."""
    nb = _notebook()
    shown = _read_table(_tables(nb)["survey-partner-sector"])
    shown = shown.set_index(shown.columns[0])
    # The range columns come from the published figures only, so they add nothing to the equations.
    sectors = [c for c in shown.columns if c != "Total respondents" and "range" not in c]
    hidden = [(p, s) for p in shown.index for s in sectors if shown.loc[p, s] == "[c]"]
    assert hidden, "the synthetic table has cells of 9 or fewer"
    sector_totals = pd.read_csv(paths.PROCESSED_DIR / "survey_composition.csv").query("dimension == 'sector'").set_index("category")["count"]
    unknowns = [f"{p}|{s}" for p, s in hidden]
    equations = []
    for p in shown.index:
        eq, rhs = {}, float(shown.loc[p, "Total respondents"].replace(",", ""))
        for s in sectors:
            if shown.loc[p, s] == "[c]":
                eq[f"{p}|{s}"] = 1.0
            else:
                rhs -= float(shown.loc[p, s].replace(",", ""))
        if eq:
            equations.append((eq, rhs))
    for s in sectors:
        eq, rhs = {}, float(sector_totals[s])
        for p in shown.index:
            if shown.loc[p, s] == "[c]":
                eq[f"{p}|{s}"] = 1.0
            else:
                rhs -= float(shown.loc[p, s].replace(",", ""))
        if eq:
            equations.append((eq, rhs))
    ranges = _range(unknowns, equations, {})
    exact = {u: r for u, r in ranges.items() if r[0] == r[1]}
    assert not exact, f"cells recoverable from the totals: {exact}"
    # Nothing else in the chapter gives the split by partner and sector.
    assert "partner" not in " ".join(_alts(nb)).lower()


@pytest.mark.build
def test_no_suppressed_support_cell_can_be_recovered_from_table_chart_or_alt_text(built_book):
    nb = _notebook()
    table = _read_table(_tables(nb)["survey-support"])
    table = table.set_index("Form of support")
    bases = {s: float(table.loc["Base n", s].split()[0].replace(",", "")) for s in table.columns}
    options = [o for o in table.index if o != "Base n"]
    hidden = [(o, s) for o in options for s in ("Public sector", "Third sector") if table.loc[o, s] == "[c]"]
    assert hidden, "the synthetic support table has cells of 9 or fewer"

    def count(cell: str) -> float:
        return float(cell.split()[0].replace(",", ""))

    # Totals: the "all respondents" count of each option is public plus third.
    equations, unknowns = [], [f"{o}|{s}" for o, s in hidden]
    for o in options:
        eq, rhs = {}, count(table.loc[o, "All respondents"])
        for s in ("Public sector", "Third sector"):
            if table.loc[o, s] == "[c]":
                eq[f"{o}|{s}"] = 1.0
            else:
                rhs -= count(table.loc[o, s])
        if eq:
            equations.append((eq, rhs))
    ranges = _range(unknowns, equations, {f"{o}|{s}": bases[s] for o, s in hidden})
    assert not {u: r for u, r in ranges.items() if r[0] == r[1]}
    # The alt text and the chart show [c] where the table does, never the share.
    support = pd.read_csv(paths.PROCESSED_DIR / "survey_support.csv")
    alt = next(a for a in _alts(nb) if "further support" in a)
    for o, s in hidden:
        segment = alt.split(f"{o}: ", 1)[1].split(";")[0]
        assert f"{s.lower()} [c]" in segment, (o, s, segment)
    cb = load_codebook()
    order = [c.id for c in cb.question_columns("support")]
    support = support.set_index("column").loc[order].reset_index()
    mask = stats.suppression_mask(support[["public_count", "third_count"]])
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = survey_charts.support_chart(support, mask, True, options)
    ax = fig.axes[0]
    # Each bar carries its share alone (the legend names the sectors), at the height of its bar.
    labels = {round(t.get_position()[1], 6): t.get_text() for t in ax.texts}
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    for o, s in hidden:
        row = options.index(o)
        key = "public" if s == "Public sector" else "third"
        value = float(support.loc[row, f"{key}_percent"])
        assert round(value, 6) not in widths, (o, s)
        offset = -0.5 if key == "public" else 0.5
        assert labels[round(row + offset * 0.36, 6)] == "[c]", (o, s)
    assert len(ax.patches) == 2 * len(options) - int(mask.to_numpy().sum())
    plt.close(fig)


# --------------------------------------------------------------------------------------
# Invented structure is labelled
# --------------------------------------------------------------------------------------


@pytest.mark.build
def test_assumed_support_options_are_labelled_and_no_ranking_is_claimed(built_book):
    nb = _notebook()
    table = _tables(nb)["survey-support"]
    assert table.count("(assumed option)") == 2
    alt = next(a for a in _alts(nb) if "further support" in a)
    assert "Further training courses (assumed option)" in alt and "One-to-one advice (assumed option)" in alt
    text = _text(built_book / "book" / "executed" / f"{SURVEY}.html")
    assert "most popular" not in text and "prints no figures and no order" in text
    assert glued_text(nb, "support_first") is None


# --------------------------------------------------------------------------------------
# With a real export
# --------------------------------------------------------------------------------------


@pytest.mark.build
def test_with_a_real_export_summary_pages_show_real_values_and_no_marker_appears(hostile_build):
    """The whole book built with a real-layout export (the hostile one, built once for the run)."""
    from shared_builds import HOSTILE_NAME

    root = hostile_build["root"]
    # 180 responses cannot give the published split of 250: the command line and the page say so.
    assert "of the survey export lie outside the range the published report allows" in hostile_build["stderr"]
    assert "composition.sector.public (All respondents): export" in hostile_build["stderr"]
    bounds_page = _text(root / "_build" / "html" / "book" / "executed" / "02b-survey-bounds.html")
    assert "Export outside the published ranges" in bounds_page
    nb = _notebook(root)
    outputs = _glue_outputs(nb)
    for name in RESTRICTED:
        for key in _refs(root / "book" / f"{name}.md"):
            assert glued_evidence(outputs[key]) in ("real_survey", "descriptive"), (name, key)
    assert glued_text(nb, "head_total") == "180"
    assert re.fullmatch(r"between \d+% and \d+%", glued_text(nb, "head_stage_positive"))
    summary = _text(root / "_build" / "html" / "book" / "executive-summary.html")
    assert "180 complete responses" in summary and HOSTILE_NAME in summary
    assert "approximately half" not in summary
    for page in (root / "_build" / "html").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if page.name == "06-data-sources.html":
            # The list of data files still describes the synthetic file in data/raw/, which
            # ships with the project; no value of the book is marked.
            rows = [r for r in text.split("<tr") if SYNTHETIC_MARKER in r]
            assert all("survey_responses_synthetic.csv" in r for r in rows), page
            continue
        assert SYNTHETIC_MARKER not in text, page
        assert charts.SYNTHETIC_LABEL not in text, page
        assert "nptsc-synthetic-flag" not in text, page
    assert not any(a.startswith(charts.SYNTHETIC_LABEL) for a in _alts(nb))
    for executed in (root / "book" / "executed").glob("*.ipynb"):
        values = nptsc_html.notebook_glue(executed)
        assert not any(SYNTHETIC_MARKER in t for v in values.values() for t in v["shown"]), executed.name
        assert not any(v["evidence"] == "synthetic" for v in values.values()), executed.name


def test_a_check_resting_on_a_suppressed_cell_is_found():
    from nptsc_eval.survey.findings import checks_using

    assert "support_networking_third_higher" in checks_using({("support_networking", "third")})
    assert "support_top_three" in checks_using({("support_one_to_one", "all")})
    # The "all respondents" shares of the top-three check never rest on a sector's cell.
    assert not checks_using({("support_one_to_one", "third"), ("support_training_courses", "public")})
