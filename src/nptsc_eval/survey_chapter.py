"""The survey chapter (``notebooks/02-survey.ipynb``): its values, tables and figures.

The notebook only calls these functions, in the order its sections appear.  :func:`load` reads
the survey (synthetic respondents, or a real export given with ``--survey``), computes every
table of the chapter once and writes its processed files; ``glue_*`` functions record a
section's values (and its checkable facts); ``show_*`` functions display a section's chart
and table, each with its title, source, number and download.  The prose stays in the
notebook's Markdown cells, and the notices the chapter shows are Markdown files in
``notebooks/survey/``.  The analysis itself is in :mod:`nptsc_eval.survey`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nptsc_eval import report, safe_text, wording
from nptsc_eval.charts import survey as survey_charts
from nptsc_eval.facts import Facts
from nptsc_eval.paths import processed
from nptsc_eval.survey import analysis, charts, clearance, stats
from nptsc_eval.survey.findings import checks_using, headline_texts, published_profile

# The survey and its tables, computed once; re-exported here, where the notebook finds them.
from nptsc_eval.survey.chapter_data import SYNTHETIC_FILE, Chapter, load, text  # noqa: F401

#: The chapter's questions, in the order of its sections: each gets a chart and a table.
QUESTIONS = ("ps_awareness", "ps_understanding", "ps_stage_improved", "ps_ts_involvement", "ps_bid_quality",
             "ps_practice_improved", "ts_stage_capability", "ts_involvement", "ts_bid_success", "ts_bid_quality",
             "ts_bidding_improved", "expectations")
FREE_TEXT_LABELS = {"implemented": "Already implemented", "intend": "Intend to implement", "failed": "Failed to implement"}
FREE_TEXT_LOCATION = "Appendix 2 of the original report (free-text questions)"
PUBLIC_TYPES = (("central", "Central government"), ("la", "Local authority"), ("pct", "Primary care trust"))
SECTOR_KEYS = (("public", "Public sector"), ("third", "Third sector"))


# --------------------------------------------------------------------------------------
# Who responded
# --------------------------------------------------------------------------------------


def glue_profile(ch: Chapter) -> None:
    """Glue what the chapter says about its survey file and who responded in it."""
    pct = report.format_percent
    report.glue("survey_source", ch.source_name, kind="text", evidence="descriptive")
    report.glue("survey_kind", "synthetic" if ch.synthetic else "a survey export", kind="text", evidence="descriptive")
    report.glue("low_base", stats.LOW_BASE, evidence="descriptive")
    report.glue("suppress_max", stats.SUPPRESS_UP_TO, evidence="descriptive")
    report.glue("ci_level", 95, kind="percent", evidence="descriptive")
    report.glue("alpha", "0.05", kind="text", evidence="descriptive")
    report.glue("survey_sha256", ch.survey.sha256, kind="text", evidence="descriptive")
    report.glue("survey_responses_note", ch.survey.response_summary(), kind="text", evidence="descriptive")
    report.glue("survey_redaction_note", free_text_note(ch), kind="text", evidence="descriptive")
    comp = ch.comp
    report.glue("survey_total", len(ch.frame))
    for key, label in SECTOR_KEYS:
        report.glue(f"survey_{key}", int(comp.loc[("sector", label), "count"]))
        report.glue(f"survey_{key}_pct", pct(comp.loc[("sector", label), "percent"]), kind="text")
    for key, label in PUBLIC_TYPES:
        report.glue(f"survey_org_{key}_pct", pct(comp.loc[("organisation_type", label), "percent"]), kind="text")
    report.glue("survey_cipfa", int(comp.loc[("delivery_partner", "CIPFA"), "count"]))
    report.glue("survey_cipfa_pct", pct(comp.loc[("delivery_partner", "CIPFA"), "percent"]), kind="text")


def free_text_note(ch: Chapter) -> str:
    """What was done to the free-text answers before publication: automatic redaction and, for a real
    export, how many answers are withheld until a person has cleared them."""
    note = ch.survey.redaction_summary()
    return note if ch.synthetic else f"{note} {clearance.withheld_sentence(ch.withheld, len(ch.answers))}".strip()


def glue_published(ch: Chapter) -> None:
    """Glue the survey's published figures, whichever survey file is used, and what the summary pages cite:
    as published with synthetic data, as measured with a real export."""
    pub = published_profile()
    published = pub["partners"].set_index("delivery_partner")
    report.glue("pub_survey_total", pub["total"], evidence="published")
    report.glue("pub_third_count", pub["third_count"], evidence="published")
    for key, label in SECTOR_KEYS:
        report.glue(f"pub_{key}_pct", pub["sector"][label], kind="percent", evidence="published")
    for key, label in PUBLIC_TYPES:
        report.glue(f"pub_org_{key}_pct", pub["organisation_type"][label], kind="percent", evidence="published")
    report.glue("pub_cipfa", int(published.loc["CIPFA", "respondents"]), evidence="published")
    report.glue("pub_cipfa_pct", published.loc["CIPFA", "percent"], kind="percent", digits=1, evidence="published")

    synthetic, comp = ch.synthetic, ch.comp
    head = "published" if synthetic else "real_survey"
    report.glue("head_total", pub["total"] if synthetic else len(ch.frame), evidence=head)
    report.glue("head_public_pct", pub["sector"]["Public sector"] if synthetic else comp.loc[("sector", "Public sector"), "percent"],
                kind="percent", evidence=head)
    for key, label in PUBLIC_TYPES:
        report.glue(f"head_org_{key}_pct", pub["organisation_type"][label] if synthetic else
                    comp.loc[("organisation_type", label), "percent"], kind="percent", evidence=head)
    report.glue("head_cipfa_pct", published.loc["CIPFA", "percent"] if synthetic else comp.loc[("delivery_partner", "CIPFA"), "percent"],
                kind="percent", digits=1, evidence=head)
    for key, value, evidence in headline_texts(ch.frame, ch.cb, synthetic, ch.paired, report.format_percent):
        report.glue(key, value, kind="text", evidence=evidence)
    # The notice of the summary pages, which quote the survey only through the values above.
    notice = text("summary-notice-synthetic") if synthetic else text("summary-notice-export").format(source=ch.source_name)
    report.glue("summary_notice", notice, kind="text", evidence="descriptive")


def show_notice(ch: Chapter) -> None:
    """The notice at the top of the chapter (synthetic data, or which export), and the print marker."""
    if ch.synthetic:
        report.show_notice(text("notice-synthetic"), values={"source": ch.source_name})
    else:
        report.show_notice(text("notice-export"), kind="important", values={"source": ch.source_name})
    charts.show_print_marker(ch.synthetic)


def show_table_1_1() -> None:
    """Table 1.1 of the source: respondents by delivery partner, as published."""
    partners = published_profile()["partners"]
    table = pd.DataFrame({
        "Delivery partner or project": list(partners["delivery_partner"]) + ["Total"],
        "Respondents": list(partners["respondents"]) + [int(partners["respondents"].sum())],
        "Per cent of respondents": [f"{report.round_half_up(v, 1)}%" for v in list(partners["percent"]) + [partners["percent"].sum()]],
    })
    report.show_table(table, "Survey respondents by delivery partner, as published", "survey-table-1-1",
                      source=report.source("Table 1.1 in Appendix 2 of the original report", "Consulting Inplace (March 2011)",
                                           "data/raw/survey_table_1_1_respondents.csv"))


def show_sectors(ch: Chapter) -> None:
    """Respondents in this survey file by sector and type of organisation, with the ranges the report allows."""
    orgs = ch.composition[ch.composition["dimension"].isin(["sector", "organisation_type"])].copy()
    table = pd.DataFrame({
        "Group": [("  " if d == "organisation_type" else "") + c for d, c in zip(orgs["dimension"], orgs["category"])],
        "Within": orgs["within"],
        "Respondents": orgs["count"],
        "Per cent": [report.format_percent(v) for v in orgs["percent"]],
        "Base n": orgs["base"],
        "Range the published report allows": charts.composition_ranges(orgs, ch.bounds),
    })
    report.show_table(table, ch.caption("Respondents in this survey file by sector, and by type of organisation within each sector"),
                      "survey-sectors", source=ch.source)


def show_partner_sector(ch: Chapter) -> None:
    """Respondents by delivery partner and sector, small cells suppressed (a table the source does not print)."""
    crosstab = analysis.partner_by_sector(ch.frame, ch.cb)
    shown = stats.suppress_counts(crosstab).reset_index()
    shown["Total respondents"] = [f"{v:,}" for v in crosstab.sum(axis=1)]
    # The range each sector's share of the partner's respondents can take: from the published figures only,
    # so it gives away nothing a suppressed cell hides.
    for key, label in SECTOR_KEYS:
        shown[f"{label}: range of the partner's respondents allowed"] = [
            charts.quantity_range(ch.bounds, f"composition.partner_sector.{p}.{key}") for p in crosstab.index]
    report.show_table(shown, ch.caption(f"Respondents by delivery partner and sector ([c] = suppressed: {stats.SUPPRESS_UP_TO} "
                                        "respondents or fewer, or hides such a cell)"), "survey-partner-sector",
                      source=ch.source, number_key="partner_sector_table_number")


# --------------------------------------------------------------------------------------
# The questions
# --------------------------------------------------------------------------------------


def _glue_pair(ch: Chapter, prefix: str, qid: str) -> None:
    """Glue a paired before-and-after test: pairs, higher, lower, Wilcoxon p-value and the change in words."""
    r = ch.paired.set_index("question_id").loc[qid]
    report.glue(f"{prefix}_pairs", int(r["n_pairs"]))
    report.glue(f"{prefix}_higher", int(r["higher_after"]))
    report.glue(f"{prefix}_lower", int(r["lower_after"]))
    report.glue(f"{prefix}_wilcoxon_p", stats.format_p(r["wilcoxon_p"]), kind="text")
    report.glue(f"{prefix}_change", r["direction"], kind="text")


def _glue_share(ch: Chapter, key: str, columns: list[str], polarity: list[str] | None, sector: str, base: str = "valid",
                levels: list[str] | None = None) -> None:
    report.glue(key, report.format_percent(ch.share(columns, polarity, sector, base, levels)), kind="text")


def _glue_stage_range(ch: Chapter, prefix: str, qid: str, polarity: list[str], sector: str) -> None:
    """Glue the lowest and highest share across a question's stages (``<prefix>_min``, ``<prefix>_max``)."""
    values = [ch.share([c], polarity, sector) for c in ch.columns(qid)]
    report.glue(f"{prefix}_min", report.format_percent(min(values)), kind="text")
    report.glue(f"{prefix}_max", report.format_percent(max(values)), kind="text")


def glue_questions(ch: Chapter) -> None:
    """Glue the values the question sections' prose cites, and each question's wording as the source prints it."""
    top = ["Excellent", "Very good"]
    for prefix, qid in (("aw", "ps_awareness"), ("un", "ps_understanding")):
        for period in ("before", "after"):
            _glue_share(ch, f"{prefix}_top_{period}", [f"{qid}_{period}"], None, "public", levels=top)
        _glue_pair(ch, prefix, qid)
    _glue_share(ch, "aw_negative_after", ["ps_awareness_after"], ["negative"], "public")
    for key, polarity in (("pos", ["positive"]), ("neu", ["neutral"])):
        _glue_stage_range(ch, f"ps_stage_{key}", "ps_stage_improved", polarity, "public")
    _glue_share(ch, "ps_inv_not_positive", ch.columns("ps_ts_involvement"), ["dont_know", "neutral", "negative"], "public",
                base="all")
    _glue_stage_range(ch, "ps_inv_pos", "ps_ts_involvement", ["positive"], "public")
    for period in ("before", "after"):
        column = [f"ps_bid_quality_{period}"]
        # The chart's bases: ratings leave out "don't know"; the "don't know" share is of all answers.
        _glue_share(ch, f"bq_good_{period}", column, ["positive"], "public")
        _glue_share(ch, f"bq_dk_{period}", column, ["dont_know"], "public", base="all")
        _glue_share(ch, f"bq_poor_{period}", column, ["neutral", "negative"], "public")
    _glue_pair(ch, "bq", "ps_bid_quality")
    _glue_share(ch, "ps_practice_pos_neu", ["ps_practice_improved"], ["positive", "neutral"], "public")
    for key, stage, side in (("pos_needs", "needs_analysis", "positive"), ("pos_spec", "specification", "positive"),
                                 ("neu_plan", "planning", "neutral"), ("neu_me", "monitoring_evaluation", "neutral")):
        _glue_share(ch, f"ts_cap_{key}", [f"ts_stage_capability_{stage}"], [side], "third")
    _glue_share(ch, "ts_inv_pos", ch.columns("ts_involvement"), ["positive"], "third")
    _glue_pair(ch, "bs", "ts_bid_success")
    _glue_pair(ch, "tq", "ts_bid_quality")
    _glue_share(ch, "ts_bidding_pos_neu", ["ts_bidding_improved"], ["positive", "neutral"], "third")
    for sector in ("all", "public", "third"):
        _glue_share(ch, f"exp_pos_{sector}", ["expectations"], ["positive"], sector)
    exp = ch.by_sector.set_index("public_column").loc["expectations"]
    report.glue("exp_direction", exp["direction"], kind="text")
    report.glue("exp_mw_p", stats.format_p(exp["mann_whitney_p"]), kind="text")
    report.glue("exp_bm_p", stats.format_p(exp["brunner_munzel_p"]), kind="text")
    for q in ch.cb.questions:
        report.glue(f"q_{q['id']}", q["text"], kind="text", evidence="published")  # wording as the source prints it


def show_question(ch: Chapter, question_id: str) -> None:
    """A question's diverging chart, then the table of its numbers with the range the report allows for each."""
    rows = charts.question_rows(ch.dist, question_id)
    wording_ = ch.cb.question(question_id)["text"]
    report.show_figure(survey_charts.diverging_chart(rows, synthetic=ch.synthetic), alt=charts.chart_alt(rows, wording_, ch.synthetic),
                       data=charts.chart_table(rows), title=charts.chart_title(question_id, rows, ch.synthetic, ch.titles),
                       source=ch.source)
    report.show_table(charts.chart_table(rows), ch.caption(f"Answers to: {wording_} (count and per cent of answers excluding don't know)"),
                      "survey-" + question_id.replace("_", "-"), source=ch.source)


# --------------------------------------------------------------------------------------
# Tests, intervals, further support, free text, the findings
# --------------------------------------------------------------------------------------


def _with_flag(values: pd.Series, flags: pd.Series) -> list[str]:
    return [f"{n:,}{' ' + f if f else ''}" for n, f in zip(values, flags)]


def show_paired_tests(ch: Chapter) -> None:
    """The paired tests of every before-and-after question."""
    paired, p_value = ch.paired, stats.format_p
    # Each count of pairs with its share of the pairs and the range the published report allows for that share.
    shares = {column: [charts.with_share(int(n), int(base), charts.quantity_range(
        ch.bounds, f"{q}.{charts.GROUP_KEYS[g]}.{quantity}")) for n, base, q, g in zip(
        paired[column], paired["n_pairs"], paired["question_id"], paired["group"])]
        for column, quantity in (("higher_after", "rated_higher_after"), ("lower_after", "rated_lower_after"),
                                 ("same", "rated_same_after"))}
    shown = paired.assign(
        **{"Wilcoxon p": [p_value(p) for p in paired["wilcoxon_p"]],
           "Sign test p": [p_value(p) for p in paired["sign_test_p"]],
           "Stuart-Maxwell p": [p_value(p) for p in paired["stuart_maxwell_p"]],
           "Pairs (n)": _with_flag(paired["n_pairs"], paired["flag"]), **shares}
    )[["question", "group", "Pairs (n)", "higher_after", "lower_after", "same", "Wilcoxon p", "Sign test p", "Stuart-Maxwell p",
       "direction"]]
    shown.columns = ["Question", "Group", "Pairs (n)", "Higher after (pairs, per cent of pairs)",
                     "Lower after (pairs, per cent of pairs)", "Same (pairs, per cent of pairs)", "Wilcoxon p",
                     "Sign test p", "Stuart-Maxwell p", "Difference in words"]
    report.show_table(shown, ch.caption("Paired tests of before and after ratings"), "survey-paired-tests", source=ch.source,
                      number_key="paired_table_number")


def show_sector_tests(ch: Chapter) -> None:
    """The comparisons of public and third sector answers."""
    by_sector, p_value = ch.by_sector, stats.format_p
    shown = pd.DataFrame({
        "Comparison": by_sector["comparison"],
        "Public sector n": by_sector["n_public"],
        "Third sector n": _with_flag(by_sector["n_third"], by_sector["flag"]),
        "Mann-Whitney p": [p_value(p) for p in by_sector["mann_whitney_p"]],
        "Brunner-Munzel p": [p_value(p) for p in by_sector["brunner_munzel_p"]],
        "Chance public answer higher": [f"{v:.2f}" for v in by_sector["probability_public_higher"]],
        "Difference in words": by_sector["direction"],
    })
    report.show_table(shown, ch.caption("Public against third sector answers"), "survey-sector-tests", source=ch.source)


#: Headline shares pooled over several questions: their range is the outer limits of their questions' ranges.
POOLED_HEADLINES = frozenset(h["key"] for h in analysis.HEADLINES if "columns_of" in h)


def _headline_range(bounds: pd.DataFrame, key: str) -> str:
    """A headline share's allowed range in words; a pooled share's range is the outer limits of its questions'."""
    allowed = charts.quantity_range(bounds, f"headline.{key}")
    return f"{allowed} (outer limits)" if allowed and key in POOLED_HEADLINES else allowed


def show_intervals(ch: Chapter) -> None:
    """The headline shares with Wilson intervals; writes ``survey_intervals.csv`` and glues the expectations interval."""
    intervals = analysis.headline_intervals(ch.frame, ch.cb, analysis.headlines(ch.cb))
    intervals.to_csv(processed("survey_intervals.csv"), index=False)
    pct = report.format_percent
    shown = pd.DataFrame({
        "Headline": intervals["headline"], "Group": intervals["group"],
        "Count": intervals["count"], "Base n": _with_flag(intervals["base"], intervals["flag"]),
        "Per cent": [pct(v) for v in intervals["percent"]],
        "95% interval": [f"{pct(lo)} to {pct(hi)}" for lo, hi in zip(intervals["lower"], intervals["upper"])],
        "Range the published figures allow": [_headline_range(ch.bounds, key) for key in intervals["key"]],
    })
    report.show_table(shown, ch.caption("Headline shares with Wilson 95% confidence intervals, and the range the published figures "
                                 "allow (for a share pooled over several questions, the outer limits of their ranges)"), "survey-intervals",
                      source=ch.source, number_key="intervals_table_number")
    heads = intervals.set_index("key")
    report.glue("exp_ci_low", pct(heads.loc["expectations_positive", "lower"]), kind="text")
    report.glue("exp_ci_high", pct(heads.loc["expectations_positive", "upper"]), kind="text")


@dataclass
class Support:
    """The further-support question in the questionnaire's order, its suppressed cells and its option labels."""

    table: pd.DataFrame
    hidden: pd.DataFrame
    labels: list[str]


def glue_support(ch: Chapter) -> Support:
    """Put the further-support options in the questionnaire's order (the source prints no ranking), find
    the cells to suppress and glue the shares the prose cites."""
    support = ch.support.set_index("column").loc[ch.columns("support")].reset_index()
    hidden = stats.suppression_mask(support[["public_count", "third_count"]])
    assumed = set(ch.cb.assumed_option_columns("support"))
    labels = [f"{o} (assumed option)" if c in assumed else o for o, c in zip(support["option"], support["column"])]
    for key, column in (("net", "support_networking"), ("mc", "support_masterclasses")):
        row = support.index[support["column"] == column][0]
        for sector in ("third", "public"):
            shown = "[c]" if hidden.loc[row, f"{sector}_count"] else report.format_percent(support.loc[row, f"{sector}_percent"])
            report.glue(f"support_{key}_{sector}", shown, kind="text")
    return Support(support, hidden, labels)


def show_support(ch: Chapter, s: Support) -> None:
    """The further-support chart, then its table (suppressed cells as [c], in the chart's download too)."""
    data = s.table[["option", "public_count", "public_percent", "third_count", "third_percent", "all_count", "all_percent"]]
    shown = charts.support_shown(s.table, s.hidden, s.labels)
    report.show_figure(survey_charts.support_chart(s.table, s.hidden, ch.synthetic, s.labels),
                       alt=charts.support_alt(s.table, s.hidden, s.labels, ch.synthetic), data=data, download=shown,
                       title=charts.support_title(s.table, s.labels, ch.synthetic), source=ch.source)
    report.show_table(shown, ch.caption("Respondents choosing each form of further support, by sector ([c] = suppressed)"),
                      "survey-support", source=ch.source)


def glue_free_text(ch: Chapter) -> None:
    """Glue how the answers were coded, how many there are, by question, and the commonest themes in words.

    On a real export only the answers the original report printed are in the hand coding, so the
    method sentence says so (``notebooks/survey/text-method-*.md``).
    """
    answers, themes = ch.answers, ch.themes
    report.glue("text_method", text("text-method-synthetic" if ch.synthetic else "text-method-export"), kind="text",
                evidence="descriptive")
    report.glue("text_answers", len(answers))
    for qid in FREE_TEXT_LABELS:
        report.glue(f"text_{qid}", int((answers["question_id"] == qid).sum()))
    coded = themes[~themes["theme"].isin(["Other", "Not coded"])].set_index("theme")["total"]
    report.glue("text_top_theme", wording.commonness_sentence(coded, "theme", "themes", "answers"), kind="text")


def show_free_text(ch: Chapter) -> None:
    """The themes by question, then every answer verbatim (also written to ``survey_free_text_answers.csv``)."""
    source = charts.survey_source(ch.synthetic, ch.source_name, FREE_TEXT_LOCATION)
    shown = ch.themes.rename(columns={"theme": "Theme", "implemented": "Already implemented (answers)",
                                      "intend": "Intend to implement (answers)", "failed": "Failed to implement (answers)",
                                      "total": "All answers"})
    report.show_table(shown, "Free-text answers coded to each theme, by question", "survey-themes", source=source)
    # A real export's answers are published only once a person has cleared them (ch.published).
    answers = ch.answers if ch.published is None else ch.published
    quotes = pd.DataFrame({"Question": answers["question_id"].map(FREE_TEXT_LABELS), "Answer (verbatim)": answers["answer"],
                           "Themes": answers["themes"], "Coder's note": answers["coder_note"]})
    safe_text.spreadsheet_safe(quotes).to_csv(processed("survey_free_text_answers.csv"), index=False)
    if ch.synthetic:
        caption = "Respondents' answers, verbatim (source: Appendix 2 of the original report)"
    elif quotes.empty:
        return  # nothing cleared: the chapter says how many answers are withheld
    else:
        caption = f"Respondents' answers cleared for publication (source: the survey export {ch.source_name})"
    report.show_table(quotes, caption, "survey-quotes", full_data="data/processed/survey_free_text_answers.csv", source=source)


def _partner_key(label: str) -> str:
    """A delivery partner's fact id part.

    >>> _partner_key("CIPFA & SROI-UK")
    'cipfa_sroi_uk'
    """
    return label.lower().replace(" & ", "_").replace("-", "_")


def survey_facts(ch: Chapter) -> Facts:
    """The chapter's checkable facts (``facts_survey.csv``): counts and shares of respondents, and each finding."""
    facts = Facts("survey")
    comp, headlines_at = ch.comp, "Appendix 2, survey headlines"
    facts.add("survey.responses.total", len(ch.frame), unit="responses", description="Complete survey responses",
              source_location=headlines_at)
    for key, label in SECTOR_KEYS:
        facts.add(f"survey.sector.{key}", int(comp.loc[("sector", label), "count"]), unit="responses",
                  description=f"{label} responses", source_location=headlines_at)
        facts.add(f"survey.sector.{key}_percent", float(comp.loc[("sector", label), "percent"]), unit="percent",
                  description=f"{label} share of responses", source_location=headlines_at)
    for key, label in (("central_government", "Central government"), ("local_authority", "Local authority"),
                       ("primary_care_trust", "Primary care trust")):
        facts.add(f"survey.organisation.{key}", int(comp.loc[("organisation_type", label), "count"]), unit="responses",
                  description=f"{label} responses", source_location=headlines_at)
        facts.add(f"survey.organisation.{key}_percent", float(comp.loc[("organisation_type", label), "percent"]), unit="percent",
                  description=f"{label} share of public sector responses", source_location=headlines_at)
    for label in ch.cb.profile_values("delivery_partner"):
        key = _partner_key(label)
        facts.add(f"survey.partner.{key}", int(comp.loc[("delivery_partner", label), "count"]), unit="responses",
                  description=f"Respondents: {label}", source_location="Table 1.1 (Appendix 2)")
        facts.add(f"survey.partner.{key}_percent", float(comp.loc[("delivery_partner", label), "percent"]), unit="percent",
                  description=f"Share of respondents: {label}", source_location="Table 1.1 (Appendix 2)")
    for r in ch.findings.itertuples():
        facts.add(f"survey.finding.{r.finding_id}", r.computed, unit=r.metric, description=r.statement,
                  source_location=r.source_location)
        facts.add(f"survey.finding.{r.finding_id}.satisfied", bool(r.satisfied),
                  description=f"Holds on the {r.data_kind} data: {r.interpretation}", source_location=r.source_location)
    facts.add("survey.data_kind", ch.survey.data_kind, description="Synthetic data or a survey export")
    return facts


def glue_findings(ch: Chapter) -> None:
    """Glue how many of the source's findings hold on this data and write the chapter's facts."""
    report.glue("findings_total", len(ch.findings))
    report.glue("findings_satisfied", int(ch.findings["satisfied"].sum()))
    survey_facts(ch).write()


def _bound(v: float) -> str:
    return "" if pd.isna(v) else f"{v:g}"


def show_findings(ch: Chapter, s: Support) -> None:
    """The source's findings checked on this data; a check computed from a suppressed support cell shows [c]."""
    findings = ch.findings
    hidden_cells = {(c, sector) for c, row in zip(s.table["column"], s.hidden.itertuples()) for sector in ("public", "third")
                    if getattr(row, f"{sector}_count")}
    hides = checks_using(hidden_cells, ch.cb)
    shown = pd.DataFrame({
        "Finding (paraphrased)": findings["statement"], "Where": findings["source_location"],
        "Check": findings["interpretation"],
        "Computed (in the unit of the check)": ["[c]" if f in hides else f"{v:.3g}" if pd.notna(v) else "not computable"
                                                for f, v in zip(findings["finding_id"], findings["computed"])],
        "Bounds (in the unit of the check)": [f"{_bound(lo)} to {_bound(hi)}" for lo, hi in zip(findings["lower"], findings["upper"])],
        "Holds": ["yes" if v else "no" for v in findings["satisfied"]],
        "Base n": findings["base"],
    })
    report.show_table(shown, f"The original report's survey findings checked on this data ({ch.survey.data_kind})", "survey-findings",
                      source=charts.survey_source(ch.synthetic, ch.source_name,
                                                  "Appendix 2 and chapter 2 of the original report (the findings)"))
