"""Survey analysis: composition, answer distributions, shares, tests, free-text themes.

Every function takes the respondent-level frame in the codebook's layout (see
:mod:`nptsc_eval.survey.exports`) and returns a new DataFrame; none changes its input.
Counting works on category codes with ``numpy.bincount``, so a million respondents take
about a second.  "Don't know" is counted and shown but left out of every percentage's base.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from nptsc_eval.report import round_half_up
from nptsc_eval.survey import stats
from nptsc_eval.survey.codebook import DONT_KNOW, SECTOR_LABELS, Codebook

ALL = "All respondents"
SECTORS = [SECTOR_LABELS["public"], SECTOR_LABELS["third"]]


def percent(part: float, whole: float) -> float:
    return float("nan") if whole == 0 else 100.0 * part / whole


def rounded(value: float, digits: int = 0) -> float:
    """A percentage rounded half up (NaN stays NaN)."""
    return float("nan") if pd.isna(value) else float(round_half_up(value, digits))


def answered_rows(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Rows that answered ``column``: a multi-select option is unanswered (missing) only for an incomplete
    response kept with ``keep_incomplete`` that stopped before the question."""
    return frame[column].notna().to_numpy()


def sector_mask(frame: pd.DataFrame, sector: str) -> np.ndarray:
    """Rows of ``sector`` ("public", "third" or "all")."""
    if sector == "all":
        return np.ones(len(frame), dtype=bool)
    return (frame["sector"] == SECTOR_LABELS[sector]).to_numpy()


# --------------------------------------------------------------------------------------
# Composition
# --------------------------------------------------------------------------------------


def composition(frame: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Respondents by sector, by organisation type (within sector) and by delivery partner (Table 1.1).

    Columns: dimension, category, within, count, base, percent (unrounded).
    """
    rows = [{"dimension": "total", "category": "All responses", "within": "", "count": len(frame), "base": len(frame)}]
    for value in cb.profile_values("sector"):
        rows.append({"dimension": "sector", "category": value, "within": ALL,
                     "count": int((frame["sector"] == value).sum()), "base": len(frame)})
    for sector in SECTORS:
        inside = frame["sector"] == sector
        for value in cb.profile_values("organisation_type"):
            count = int((inside & (frame["organisation_type"] == value)).sum())
            if count or (sector == SECTOR_LABELS["public"] and value != "Third sector organisation"):
                rows.append({"dimension": "organisation_type", "category": value, "within": sector,
                             "count": count, "base": int(inside.sum())})
    for value in cb.profile_values("delivery_partner"):
        rows.append({"dimension": "delivery_partner", "category": value, "within": ALL,
                     "count": int((frame["delivery_partner"] == value).sum()), "base": len(frame)})
    out = pd.DataFrame(rows)
    out["percent"] = [percent(c, b) for c, b in zip(out["count"], out["base"])]
    return out


def partner_by_sector(frame: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Counts of respondents by delivery partner and sector (a new cross-tabulation)."""
    table = pd.crosstab(pd.Categorical(frame["delivery_partner"], categories=cb.profile_values("delivery_partner")),
                        pd.Categorical(frame["sector"], categories=cb.profile_values("sector")), dropna=False)
    table.index.name, table.columns.name = "Delivery partner", None
    return table


# --------------------------------------------------------------------------------------
# Distributions
# --------------------------------------------------------------------------------------


def _codes(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].cat.codes.to_numpy()


def answer_counts(frame: pd.DataFrame, cb: Codebook, column: str, sector: str = "all") -> np.ndarray:
    """Counts of each scale level (codebook order, "don't know" included) among ``sector``'s rows."""
    codes = _codes(frame, column)[sector_mask(frame, sector)]
    k = len(cb.labels(cb.column(column).scale))
    return np.bincount(codes[codes >= 0], minlength=k)


def distributions(frame: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """One tidy table of every closed question's answers, by sector and for all respondents.

    One row per column of the codebook, group and answer: counts, the base (answers other
    than "don't know"), the percentage of that base (empty for "don't know"), the percentage
    rounded half up and a ``[u]`` flag for bases under 30.  Multi-select options give one
    row ("Chosen") whose base is every respondent of the group.
    """
    rows = []
    for col in cb.columns:
        if col.kind == "text":
            continue
        groups = [("public", SECTORS[0]), ("third", SECTORS[1])]
        if col.asked == "all":
            groups.append(("all", ALL))
        else:
            groups = [g for g in groups if g[0] == col.asked]
        for key, label in groups:
            mask = sector_mask(frame, key)
            common = {"question_id": col.question_id, "column": col.id, "question": col.text, "item": col.sub_label,
                      "kind": col.kind, "stage": col.stage or "", "period": col.period or "", "group": label}
            if col.kind == "multi":
                chosen = int(frame[col.id].to_numpy(dtype=bool, na_value=False)[mask].sum())
                base = int((mask & answered_rows(frame, col.id)).sum())
                rows.append(common | {"answer": "Chosen", "score": np.nan, "polarity": "chosen", "count": chosen,
                                      "answered": base, "base": base, "percent": percent(chosen, base)})
                continue
            counts = answer_counts(frame, cb, col.id, key)
            levels = cb.scales[col.scale]
            dk = counts[[lv.label for lv in levels].index(DONT_KNOW)]
            answered = int(counts.sum())
            base = answered - int(dk)
            for lv, count in zip(levels, counts):
                rows.append(common | {"answer": lv.label, "score": np.nan if lv.score is None else lv.score,
                                      "polarity": lv.polarity, "count": int(count), "answered": answered, "base": base,
                                      "percent": np.nan if lv.score is None else percent(count, base)})
    out = pd.DataFrame(rows)
    out["percent_rounded"] = [rounded(v) for v in out["percent"]]
    out["flag"] = [stats.reliability_flag(b) for b in out["base"]]
    return out


def share(frame: pd.DataFrame, cb: Codebook, columns: Iterable[str], polarity: Iterable[str] | None = None,
          sector: str = "all", base: str = "valid", levels: Iterable[str] | None = None) -> tuple[float, int, int]:
    """Pooled share (percent) of answers to ``columns`` in the given polarities or levels.

    ``base="valid"`` leaves "don't know" out of the base; ``"all"`` keeps it.  For
    multi-select columns the share is of respondents choosing the option.  Returns
    (percent, count, base).
    """
    count = total = 0
    polarity = set(polarity or [])
    for column in columns:
        col = cb.column(column)
        if col.kind == "multi":
            mask = sector_mask(frame, sector)
            count += int(frame[column].to_numpy(dtype=bool, na_value=False)[mask].sum())
            total += int((mask & answered_rows(frame, column)).sum())
            continue
        counts = answer_counts(frame, cb, column, sector)
        scale = cb.scales[col.scale]
        hit = np.array([(lv.polarity in polarity) or (levels is not None and lv.label in levels) for lv in scale])
        valid = np.array([base == "all" or lv.score is not None for lv in scale])
        count += int(counts[hit & valid].sum())
        total += int(counts[valid].sum())
    return percent(count, total), count, total


def scores(frame: pd.DataFrame, cb: Codebook, column: str, sector: str = "all") -> np.ndarray:
    """Answer scores (2 to -2) of ``sector``'s respondents; NaN for no answer or "don't know"."""
    col = cb.column(column)
    lookup = np.array([np.nan if lv.score is None else lv.score for lv in cb.scales[col.scale]] + [np.nan])
    codes = _codes(frame, column)[sector_mask(frame, sector)]
    return lookup[np.where(codes < 0, len(lookup) - 1, codes)]


# --------------------------------------------------------------------------------------
# Tests and intervals
# --------------------------------------------------------------------------------------


def before_after_tests(frame: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Paired tests of every before/after question in the group it was asked of."""
    rows = []
    for q in cb.questions:
        if q["kind"] != "before_after":
            continue
        sector = q["asked"]
        before = scores(frame, cb, f"{q['id']}_before", sector)
        after = scores(frame, cb, f"{q['id']}_after", sector)
        r = stats.paired_tests(before, after, levels=[-2, -1, 0, 1, 2])
        rows.append({"question_id": q["id"], "question": q["text"], "group": SECTOR_LABELS.get(sector, ALL),
                     "n_pairs": r.n_pairs, "higher_after": r.n_higher, "lower_after": r.n_lower, "same": r.n_same,
                     "wilcoxon_statistic": r.wilcoxon_statistic, "wilcoxon_p": r.wilcoxon_p, "sign_test_p": r.sign_test_p,
                     "stuart_maxwell_statistic": r.stuart_maxwell_statistic, "stuart_maxwell_df": r.stuart_maxwell_df,
                     "stuart_maxwell_p": r.stuart_maxwell_p, "direction": r.direction,
                     "flag": stats.reliability_flag(r.n_pairs)})
    return pd.DataFrame(rows)


#: Questions asked of both sectors, or worded alike for each, compared public against third sector.
SECTOR_COMPARISONS = [("expectations", "expectations", "This programme met my expectations")] + [
    (f"ps_stage_improved_{s}", f"ts_stage_capability_{s}", f"The programme improved how my organisation works: {label.lower()}")
    for s, label in [("needs_analysis", "Needs analysis"), ("planning", "Planning"), ("specification", "Specification"),
                     ("monitoring_evaluation", "Monitoring and evaluation")]]


def sector_tests(frame: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Public against third sector: Mann-Whitney U and Brunner-Munzel on each comparable question."""
    rows = []
    for public_col, third_col, label in SECTOR_COMPARISONS:
        r = stats.group_tests(scores(frame, cb, public_col, "public"), scores(frame, cb, third_col, "third"))
        rows.append({"comparison": label, "public_column": public_col, "third_column": third_col,
                     "n_public": r.n_public, "n_third": r.n_third, "mann_whitney_u": r.mann_whitney_u,
                     "mann_whitney_p": r.mann_whitney_p, "brunner_munzel_statistic": r.brunner_munzel_statistic,
                     "brunner_munzel_p": r.brunner_munzel_p, "probability_public_higher": r.probability_public_higher,
                     "direction": r.direction, "flag": stats.reliability_flag(min(r.n_public, r.n_third))})
    return pd.DataFrame(rows)


#: The headline shares given with a Wilson interval (``survey_intervals.csv``); ``columns_of`` names a question
#: whose columns (all its stages) are pooled.
HEADLINES: tuple[dict[str, Any], ...] = (
    {"key": "awareness_top_after", "label": "Awareness excellent or very good, after the programme",
     "columns": ["ps_awareness_after"], "levels": ["Excellent", "Very good"], "sector": "public"},
    {"key": "awareness_top_before", "label": "Awareness excellent or very good, before the programme",
     "columns": ["ps_awareness_before"], "levels": ["Excellent", "Very good"], "sector": "public"},
    {"key": "public_stage_positive", "label": "Programme improved how the organisation works (all stages pooled)",
     "columns_of": "ps_stage_improved", "polarity": ["positive"], "sector": "public"},
    {"key": "third_involvement_positive",
     "label": "Involvement in the commissioning cycle rated good or very good (all stages pooled)",
     "columns_of": "ts_involvement", "polarity": ["positive"], "sector": "third"},
    {"key": "third_bidding_positive_neutral", "label": "Programme helps improve bidding: agree or neutral",
     "columns": ["ts_bidding_improved"], "polarity": ["positive", "neutral"], "sector": "third"},
    {"key": "expectations_positive", "label": "Programme met expectations", "columns": ["expectations"],
     "polarity": ["positive"], "sector": "all"},
)


def headlines(cb: Codebook) -> list[dict[str, Any]]:
    """:data:`HEADLINES` with each pooled question's columns named."""
    return [{k: v for k, v in h.items() if k != "columns_of"} |
            ({"columns": [c.id for c in cb.question_columns(h["columns_of"])]} if "columns_of" in h else {})
            for h in HEADLINES]


def headline_intervals(frame: pd.DataFrame, cb: Codebook, headlines: list[dict]) -> pd.DataFrame:
    """Wilson 95 % intervals of headline shares: each a dict of label, columns, polarity, sector, base."""
    rows = []
    for h in headlines:
        pct, count, base = share(frame, cb, h["columns"], h.get("polarity"), h.get("sector", "all"), h.get("base", "valid"),
                                 h.get("levels"))
        low, high = stats.wilson_interval(count, base)
        rows.append({"key": h["key"], "headline": h["label"], "group": SECTOR_LABELS.get(h.get("sector", "all"), ALL),
                     "count": count, "base": base, "percent": pct, "lower": 100 * low, "upper": 100 * high,
                     "flag": stats.reliability_flag(base)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Multi-select and free text
# --------------------------------------------------------------------------------------


def support_by_sector(frame: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Respondents choosing each ongoing-support option, by sector and in all."""
    rows = []
    for col in cb.question_columns("support"):
        chosen = frame[col.id].to_numpy(dtype=bool, na_value=False)
        row = {"option": col.sub_label, "column": col.id}
        for key, _label in (("public", SECTORS[0]), ("third", SECTORS[1]), ("all", ALL)):
            mask = sector_mask(frame, key)
            row[f"{key}_count"] = int(chosen[mask].sum())
            row[f"{key}_base"] = int((mask & answered_rows(frame, col.id)).sum())
            row[f"{key}_percent"] = percent(row[f"{key}_count"], row[f"{key}_base"])
        rows.append(row)
    return pd.DataFrame(rows).sort_values("all_count", ascending=False, kind="stable").reset_index(drop=True)


def answer_id(respondent_id: object, question_id: str) -> str:
    """A stable id of one answer, which names no one: the question and a hash of the respondent id.

    Examples:
        >>> answer_id("11873000017", "intend")
        'intend-ecff6a77e699'
    """
    digest = hashlib.sha256(f"{question_id}\x1f{respondent_id}".encode()).hexdigest()[:12]
    return f"{question_id}-{digest}"


def text_answers(frame: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Every non-empty free-text answer: its id (:func:`answer_id`), question id, question and answer."""
    # A frame without respondent ids (one built for a test) identifies each answer by its row.
    ids = frame["respondent_id"] if "respondent_id" in frame.columns else pd.Series(frame.index, index=frame.index)
    rows = []
    for q in cb.questions:
        if q["kind"] != "text":
            continue
        answers = frame[q["id"]].dropna()
        answers = answers[answers.str.strip() != ""]
        for rid, text in zip(ids.loc[answers.index], answers):
            rows.append({"answer_id": answer_id(rid, q["id"]), "question_id": q["id"], "question": q["text"], "answer": text})
    return pd.DataFrame(rows, columns=["answer_id", "question_id", "question", "answer"])


def free_text_answers(frame: pd.DataFrame, cb: Codebook, coding: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every free-text answer (:func:`text_answers`) with the themes a person coded it to.

    The codes come from the hand-coded table (``survey_free_text_coding.csv``, loaded when
    ``coding`` is not given), never from the answer's words: an answer the table does not
    hold is marked "Not coded". One boolean column per theme of the coding frame, and
    ``themes`` (the theme names, joined) and ``coder_note``.
    """
    from nptsc_eval.survey import text_coding

    coding = text_coding.load_coding() if coding is None else coding
    frame_themes = text_coding.coding_frame()
    out = text_answers(frame, cb)
    codes = text_coding.codes_for(out["answer"], coding)
    notes = dict(zip(coding["answer"].map(text_coding.normalise), coding["coder_note"]))
    labels = dict(zip(frame_themes["theme_id"], frame_themes["theme"]))
    for theme_id in frame_themes["theme_id"]:
        out[theme_id] = pd.Series([theme_id in c for c in codes], index=out.index, dtype=bool)
    out["themes"] = pd.Series(["; ".join(labels[t] for t in c) or text_coding.NOT_CODED for c in codes],
                              index=out.index, dtype=object)
    out["coder_note"] = pd.Series([notes.get(text_coding.normalise(a), "") for a in out["answer"]],
                                  index=out.index, dtype=object)
    return out


def theme_counts(answers: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Answers coded to each theme of the coding frame, by free-text question (an answer can have several).

    A last row counts answers that are not in the hand-coded table, when there are any.
    """
    from nptsc_eval.survey import text_coding

    questions = [q["id"] for q in cb.questions if q["kind"] == "text"]
    rows = []
    for t in text_coding.coding_frame().itertuples(index=False):
        row = {"theme": t.theme}
        for qid in questions:
            row[qid] = int(answers.loc[answers["question_id"] == qid, t.theme_id].sum())
        rows.append(row)
    uncoded = answers["themes"] == text_coding.NOT_CODED
    if uncoded.any():
        rows.append({"theme": text_coding.NOT_CODED,
                     **{qid: int((uncoded & (answers["question_id"] == qid)).sum()) for qid in questions}})
    out = pd.DataFrame(rows)
    out["total"] = out[questions].sum(axis=1)
    return out
