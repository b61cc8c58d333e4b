"""The words and numbers of the survey charts: titles, captions, alt text, the tables beside them and ranges.

A chart's title states its message, never a finding drawn from synthetic data
(:func:`chart_title`); its alt text gives every bar's shares (:func:`chart_alt`); its table gives
the counts and percentages with the range the published report allows for each
(:func:`chart_table`, :func:`attach_ranges`).  A table or alt text of synthetic data is marked
so (:func:`caption`, :func:`alt_text`).  The charts themselves are drawn by
:mod:`nptsc_eval.charts.survey`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nptsc_eval.report import format_percent

#: What every chart and alt text of synthetic data says.
SYNTHETIC_LABEL = "Illustrative: synthetic data"
#: Added to the caption of every table of synthetic data (the same marker as glued values).
SYNTHETIC_CAPTION = "(synthetic)"


#: Per question: a neutral description of its chart (what it shows, claiming nothing), and the
#: words a title uses to state what real answers show ("... respondents <phrase>").
CHART_TOPICS = {
    "ps_awareness": ("Public sector respondents' ratings of their awareness of commissioning from third sector "
                     "organisations, before and after the programme",
                     "rated their awareness of commissioning from third sector organisations positively"),
    "ps_understanding": ("Public sector respondents' ratings of their understanding of commissioning from third sector "
                         "organisations, before and after the programme",
                         "rated their understanding of commissioning from third sector organisations positively"),
    "ps_stage_improved": ("Whether public sector respondents say the programme improved how their organisation works, "
                          "by stage of the commissioning cycle", "said the programme improved how their organisation works"),
    "ps_ts_involvement": ("How public sector respondents rate third sector involvement, by stage of the commissioning cycle",
                          "rated third sector involvement positively"),
    "ps_bid_quality": ("How public sector respondents rate the quality of bids from third sector organisations, before "
                       "and after the programme", "rated the quality of bids from third sector organisations positively"),
    "ps_practice_improved": ("Whether public sector respondents say the programme improved commissioning practice with "
                             "third sector organisations", "said the programme improved commissioning practice with third "
                             "sector organisations"),
    "ts_stage_capability": ("Whether third sector respondents say the programme improved their organisation's capability, "
                            "by stage of the commissioning cycle", "said the programme improved their organisation's capability"),
    "ts_involvement": ("How third sector respondents now rate their organisation's involvement, by stage of the "
                       "commissioning cycle", "rated their organisation's involvement positively"),
    "ts_bid_success": ("Third sector respondents' success in bidding, before and after the programme",
                       "reported success in bidding"),
    "ts_bid_quality": ("How third sector respondents rate their organisation's bidding practice, before and after the "
                       "programme", "rated their organisation's bidding practice positively"),
    "ts_bidding_improved": ("Whether third sector respondents say the programme helps improve bidding practice",
                            "agreed that the programme helps improve bidding practice"),
    "expectations": ("Whether respondents say the programme met their expectations",
                     "agreed that the programme met their expectations"),
}
#: The question each published survey finding (``data/raw/survey_headlines.csv``, by key) is about.
HEADLINE_QUESTIONS = {"ps_awareness": "head_awareness", "ps_stage_improved": "head_stage_positive",
                      "ps_bid_quality": "head_bid_quality", "expectations": "head_expectations"}
BEFORE, AFTER = "Before the programme", "After the programme"


def published_findings(raw_dir=None) -> dict[str, str]:
    """The source's published survey findings, in its own words, by headline key (``survey_headlines.csv``)."""
    from nptsc_eval.tables import load_table

    rows = load_table("survey_headlines", raw_dir)
    return dict(zip(rows["key"], rows["quote"]))


def _positive_share(rows: pd.DataFrame) -> float:
    valid = rows[rows["polarity"] != "dont_know"]
    return float(valid.loc[valid["polarity"] == "positive", "percent"].sum())


def _who(group: str) -> str:
    return "respondents" if group.lower().startswith("all") else f"{group.lower()} respondents"


def chart_title(question_id: str, dist: pd.DataFrame, synthetic: bool, findings: dict[str, str] | None = None) -> str:
    """The title of a survey chart: its message, never a finding drawn from synthetic data.

    With synthetic data the title quotes the original report's published finding on the
    question where there is one (``findings``, from :func:`published_findings`), and otherwise
    describes the chart neutrally; either way it is marked as resting on synthetic data.  With
    a real export the title states what the answers show: how the share giving a positive
    answer moved from before to after the programme, or how large it is.

    Examples:
        >>> rows = pd.DataFrame({"item": ["Response"] * 2, "group": ["All respondents"] * 2,
        ...                      "polarity": ["positive", "negative"], "percent": [80.0, 20.0]})
        >>> chart_title("expectations", rows, synthetic=False)
        'Most respondents agreed that the programme met their expectations (80%)'
        >>> chart_title("expectations", rows, True, {"head_expectations": "A positive response"})
        'Published finding: A positive response (the chart shows synthetic data, not this finding)'
    """
    neutral, phrase = CHART_TOPICS[question_id]
    if synthetic:
        quote = (findings or {}).get(HEADLINE_QUESTIONS.get(question_id, ""))
        if quote:
            return f"Published finding: {quote} (the chart shows synthetic data, not this finding)"
        return caption(neutral, synthetic)
    groups = list(dict.fromkeys(dist["group"]))
    items = list(dict.fromkeys(dist["item"]))
    if len(groups) == 1 and set(items) == {BEFORE, AFTER}:
        who = _who(groups[0])
        before = _positive_share(dist[dist["item"] == BEFORE])
        after = _positive_share(dist[dist["item"] == AFTER])
        shares = f"({format_percent(before)} before, {format_percent(after)} after)"
        if round(after) > round(before):
            return f"More {who} {phrase} after the programme than before {shares}"
        if round(after) < round(before):
            return f"Fewer {who} {phrase} after the programme than before {shares}"
        return f"As many {who} {phrase} after the programme as before {shares}"
    group = next((g for g in groups if g.lower().startswith("all")), groups[0])  # everyone, when a bar shows everyone
    bars = [rows for _, rows in dist[dist["group"] == group].groupby("item", sort=False)]
    share = sum(_positive_share(rows) for rows in bars) / len(bars)
    words = "Most" if share > 55 else "About half of" if share >= 45 else "Fewer than half of"
    where = " on average across the stages" if len(bars) > 1 else ""
    return f"{words} {_who(group)} {phrase} ({format_percent(share)}{where})"


def caption(text: str, synthetic: bool) -> str:
    """A table caption, marked :data:`SYNTHETIC_CAPTION` when the table rests on synthetic data."""
    return f"{text} {SYNTHETIC_CAPTION}" if synthetic else text


def alt_text(text: str, synthetic: bool) -> str:
    """Alt text, starting with :data:`SYNTHETIC_LABEL` when the chart shows synthetic data."""
    return f"{SYNTHETIC_LABEL}. {text}" if synthetic else text


def print_marker_html(synthetic: bool) -> str:
    """The running marker of a printed page of synthetic data ("" for a real export).

    Hidden on screen, where the chapter's notice says the same; ``book/_static/nptsc.css``
    prints it at the top of the chapter and repeats :data:`SYNTHETIC_LABEL` down the margin
    of every printed page the chapter fills.
    """
    if not synthetic:
        return ""
    return (f'<p class="nptsc-synthetic-flag">{SYNTHETIC_LABEL}. Every survey figure in this chapter rests on '
            "synthetic respondents, not real survey answers.</p>")


def show_print_marker(synthetic: bool) -> None:
    """Show :func:`print_marker_html` in a notebook (nothing for a real export)."""
    from IPython.display import HTML, display

    html = print_marker_html(synthetic)
    if html:
        display(HTML(html))


def support_title(support: pd.DataFrame, labels: list[str], synthetic: bool) -> str:
    """The further-support chart's title: a neutral description for synthetic data, else the option most wanted.

    Examples:
        >>> frame = pd.DataFrame({"all_percent": [40.0, 62.0]})
        >>> support_title(frame, ["Masterclasses", "Networking"], synthetic=False)
        'Networking was the further support respondents wanted most (62% of all respondents)'
    """
    if synthetic:
        return caption("Further support respondents would like, by sector", synthetic)
    top = int(support["all_percent"].astype(float).to_numpy().argmax())
    return (f"{labels[top]} was the further support respondents wanted most "
            f"({format_percent(support['all_percent'].iloc[top])} of all respondents)")


def support_alt(support: pd.DataFrame, suppressed: pd.DataFrame, labels: list[str], synthetic: bool) -> str:
    """Alt text of :func:`support_chart`: each option's share by sector, "[c]" where the table suppresses it."""
    parts = []
    for i, (r, label) in enumerate(zip(support.itertuples(), labels)):
        shares = []
        for key, name in (("public", "public sector"), ("third", "third sector")):
            hidden = bool(suppressed[f"{key}_count"].iloc[i])
            shown = "[c]" if hidden else format_percent(getattr(r, f"{key}_percent"))
            shares.append(f"{name} {shown} (n={getattr(r, f'{key}_base'):,})")
        parts.append(f"{label}: " + ", ".join(shares))
    text = "Bar chart of the share of each sector choosing each form of further support. " + "; ".join(parts) + "."
    if "public_lower" in support:
        text += " A line across each bar shows the range the published report allows; the table gives each range."
    return alt_text(text, synthetic)


def chart_table(dist: pd.DataFrame) -> pd.DataFrame:
    """The numbers behind a diverging chart: one row per bar, counts and percentages, base n."""
    out = []
    for (item, group), rows in dist.groupby(["item", "group"], sort=False):
        row = {"Item": item if item != "Response" else "", "Group": group}
        for r in rows.itertuples():
            if r.polarity == "dont_know":
                row[f"{r.answer} (count)"] = f"{r.count:,}"
            else:
                row[r.answer] = f"{r.count:,} ({format_percent(r.percent)})" if r.base else f"{r.count:,}"
                allowed = range_text(getattr(r, "range_lower", np.nan), getattr(r, "range_upper", np.nan))
                if allowed:
                    row[r.answer] += f"; {allowed}"
        base = int(rows["base"].iloc[0])
        row["Base n (excluding don't know)"] = f"{base:,}" + (" [u]" if base < 30 else "")
        out.append(row)
    table = pd.DataFrame(out)
    if (table["Item"] == "").all():
        table = table.drop(columns="Item")
    return table


def chart_alt(dist: pd.DataFrame, question: str, synthetic: bool = False) -> str:
    """Alt text stating the positive, neutral and negative shares of every bar (marked when synthetic)."""
    parts = []
    for (item, group), rows in dist.groupby(["item", "group"], sort=False):
        valid = rows[rows["polarity"] != "dont_know"]
        pos = valid.loc[valid["polarity"] == "positive", "percent"].sum()
        neu = valid.loc[valid["polarity"] == "neutral", "percent"].sum()
        neg = valid.loc[valid["polarity"] == "negative", "percent"].sum()
        dk = int(rows.loc[rows["polarity"] == "dont_know", "count"].sum())
        name = f"{item}, {group}" if item != "Response" else group
        parts.append(f"{name}: {format_percent(pos)} positive, {format_percent(neu)} neutral, {format_percent(neg)} negative "
                     f"(n={int(rows['base'].iloc[0]):,}; {dk:,} don't know)")
    ranges = ""
    if "range_lower" in dist:
        ranges = (" Under each segment, a line shows the range the published report allows for that percentage, "
                  "with a dot for this data's value; the table gives each range.")
    return alt_text(f"Diverging bar chart of answers to '{question}'. " + "; ".join(parts) + "." + ranges, synthetic)


def question_rows(dist: pd.DataFrame, question_id: str, groups: list[str] | None = None) -> pd.DataFrame:
    """The rows of :func:`analysis.distributions` for one question (optionally some groups), in codebook order."""
    rows = dist[dist["question_id"] == question_id]
    if groups is not None:
        rows = rows[rows["group"].isin(groups)]
    return rows.reset_index(drop=True)


#: Groups of :func:`analysis.distributions` as the bounds table (``survey_bounds.csv``) names them.
GROUP_KEYS = {"Public sector": "public", "Third sector": "third", "All respondents": "all"}
#: How a chart names the range the published figures allow.
RANGE_LABEL = "Range the published report allows"


def attach_ranges(dist: pd.DataFrame, bounds: pd.DataFrame) -> pd.DataFrame:
    """``dist`` with ``range_lower`` and ``range_upper``: the lowest and highest value each
    percentage can take over every dataset consistent with the published figures (from the
    bounds table of :func:`nptsc_eval.survey.bounds.survey_bounds`; NaN for "don't know")."""
    b = bounds.set_index("quantity_id")
    ids = [f"{c}.{GROUP_KEYS.get(g, g)}.{'chosen' if k == 'multi' else a}"
           for c, g, a, k in zip(dist["column"], dist["group"], dist["answer"], dist["kind"])]
    out = dist.copy()
    out["range_lower"] = b["lower"].reindex(ids).to_numpy()
    out["range_upper"] = b["upper"].reindex(ids).to_numpy()
    return out


def attach_support_ranges(support: pd.DataFrame, bounds: pd.DataFrame) -> pd.DataFrame:
    """``support`` with ``<group>_lower`` and ``<group>_upper`` for each sector and all respondents."""
    b = bounds.set_index("quantity_id")
    out = support.copy()
    for key in ("public", "third", "all"):
        ids = [f"{c}.{key}.chosen" for c in support["column"]]
        out[f"{key}_lower"] = b["lower"].reindex(ids).to_numpy()
        out[f"{key}_upper"] = b["upper"].reindex(ids).to_numpy()
    return out


def composition_ranges(composition: pd.DataFrame, bounds: pd.DataFrame) -> list[str]:
    """For rows of :func:`analysis.composition`, the range the published report allows, in words.

    Sectors and the public sector's organisation types have ranges; other rows get "".
    """
    b = bounds.set_index("quantity_id")
    out = []
    for dimension, category in zip(composition["dimension"], composition["category"]):
        if dimension == "sector":
            key = f"composition.sector.{GROUP_KEYS.get(category, '')}"
        else:
            key = f"composition.{dimension}.{category}"
        out.append(range_text(b.at[key, "lower"], b.at[key, "upper"]) if key in b.index else "")
    return out


def quantity_range(bounds: pd.DataFrame, quantity_id: str) -> str:
    """The range the published report allows for one quantity of the bounds table, in words ("" when it has none)."""
    rows = bounds[bounds["quantity_id"] == quantity_id]
    return range_text(rows["lower"].iloc[0], rows["upper"].iloc[0]) if len(rows) else ""


def with_share(count: int, base: int, allowed: str) -> str:
    """A count with its percentage of ``base`` and the range allowed for that percentage.

    Examples:
        >>> with_share(184, 209, "allowed 0% to 100%")
        '184 (88%); allowed 0% to 100%'
        >>> with_share(0, 0, "")
        '0'
    """
    text = f"{count:,} ({format_percent(100 * count / base)})" if base else f"{count:,}"
    return f"{text}; {allowed}" if allowed else text


def range_text(lower: float, upper: float) -> str:
    """How a table cell gives its allowed range, e.g. "allowed 20% to 60%" ("" when unknown)."""
    if pd.isna(lower) or pd.isna(upper):
        return ""
    if abs(upper - lower) < 1e-9:
        return f"allowed only {format_percent(lower)}"
    digits = 1 if format_percent(lower) == format_percent(upper) else 0  # a narrow range needs a decimal
    return f"allowed {format_percent(lower, digits)} to {format_percent(upper, digits)}"


#: The primary source the original report names for its survey (Figure 2.2 and Appendix 2).
SURVEY_PRIMARY_SOURCE = "Consulting Inplace survey of NPTSC participants (2011)"


def survey_source(synthetic: bool, file_name: str,
                  location: str = "Appendix 2 of the original report (the questions and the published results)") -> str:
    """The source line of a survey table or chart: where the original prints it, its primary source, our data.

    Examples:
        >>> survey_source(True, "survey_responses_synthetic.csv").split(". Data: ")[1]
        'data/raw/survey_responses_synthetic.csv (synthetic respondents, not real survey answers).'
    """
    from nptsc_eval.report import source

    data = (f"data/raw/{file_name} (synthetic respondents, not real survey answers)" if synthetic
            else f"the survey export {file_name}")
    return source(location, SURVEY_PRIMARY_SOURCE, data)


def support_shown(support: pd.DataFrame, hidden: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """The further-support table as published: "count (per cent)" by sector, "[c]" where suppressed.

    Its last row gives each column's base, marked "[u]" when it is below the low-base threshold.
    The chart's data download is this table, so it shows nothing the table suppresses.
    """
    from nptsc_eval.report import format_percent as percent
    from nptsc_eval.survey.stats import LOW_BASE

    shown = pd.DataFrame({"Form of support": labels})
    for key, label in (("public", "Public sector"), ("third", "Third sector"), ("all", "All respondents")):
        cells_hidden = hidden[f"{key}_count"].to_numpy() if key != "all" else [False] * len(support)
        shown[label] = ["[c]" if h else f"{c:,} ({percent(p)})"
                        for h, c, p in zip(cells_hidden, support[f"{key}_count"], support[f"{key}_percent"])]
        if f"{key}_lower" in support:
            shown[label] = [v if v == "[c]" or not range_text(lo, hi) else f"{v}; {range_text(lo, hi)}"
                            for v, lo, hi in zip(shown[label], support[f"{key}_lower"], support[f"{key}_upper"])]
    shown.loc[len(shown)] = ["Base n"] + [f"{support[f'{k}_base'].iloc[0]:,}" + (" [u]" if support[f"{k}_base"].iloc[0] < LOW_BASE else "")
                                          for k in ("public", "third", "all")]
    return shown
