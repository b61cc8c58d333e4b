"""A survey finding's metric computed from cell counts: one consistent dataset, or many at once.

The rules are those of :func:`nptsc_eval.survey.findings.compute_metric` (a test checks they
agree); :mod:`nptsc_eval.survey.robustness` evaluates every finding on its consistent draws
with :func:`evaluate_many`, which tests the paired Wilcoxon and sign-test findings of all the
draws together (:func:`nptsc_eval.survey.stats.wilcoxon_p_many`, :func:`~nptsc_eval.survey.stats.sign_test_p_many`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nptsc_eval.survey import bounds as bd


def _paired_scores(cs: bd.ConsistentSet, x: np.ndarray, question: str, sector: str) -> tuple[np.ndarray, np.ndarray]:
    scale = cs.cb.scales[cs.cb.column(f"{question}_before").scale]
    score = [np.nan if lv.score is None else lv.score for lv in scale]
    k = len(scale)
    cells = [(i, j, int(x[cs.index[("joint", question, sector, i, j)]])) for i in range(k) for j in range(k)]
    before = np.repeat([score[i] for i, _, _ in cells], [c for _, _, c in cells])
    after = np.repeat([score[j] for _, j, _ in cells], [c for _, _, c in cells])
    return before, after


def _sign_cells(cs: bd.ConsistentSet, question: str, sector: str) -> tuple[list[int], list[int]]:
    """The cells of a question's answers that score above zero and below zero (the sign test's counts)."""
    scale = cs.cb.scales[cs.cb.column(question).scale]
    keys = [(i, (scale[key[3]].score or 0)) for key, i in cs.index.items()
            if key[:2] == ("answer", question) and sector in ("all", key[2])]
    return [i for i, sc in keys if sc > 0], [i for i, sc in keys if sc < 0]


def evaluator(cs: bd.ConsistentSet, m: dict[str, Any]):
    """A function from cell counts to a finding's metric, with the rules of
    :func:`nptsc_eval.survey.findings.compute_metric` (a test checks they agree)."""
    from scipy.stats import binomtest

    from nptsc_eval.survey import stats

    kind, sector = m["type"], m.get("sector", "all")
    if kind == "wilcoxon_p":
        return lambda x: float(stats.paired_tests(*_paired_scores(cs, x, m["question"], sector)).wilcoxon_p)
    if kind == "sign_test_p":
        pos_i, neg_i = _sign_cells(cs, m["question"], sector)

        def sign(x):
            pos, neg = int(x[pos_i].sum()), int(x[neg_i].sum())
            return float("nan") if pos + neg == 0 else float(binomtest(pos, pos + neg, 0.5).pvalue)
        return sign
    if kind == "share_range":
        parts = [cs.share([c], sector, m.get("polarity"), None, m.get("base", "valid")) for c in m["columns"]]
        return lambda x: max(r.value(x) for r in parts) - min(r.value(x) for r in parts)
    if kind == "top_options_margin":
        cols = [c.id for c in cs.cb.question_columns(m["question"])]
        top = [f"{m['question']}_{o}" for o in m["options"]]
        parts = {c: cs.share([c], sector) for c in cols}
        return lambda x: min(parts[c].value(x) for c in top) - max(parts[c].value(x) for c in cols if c not in top)
    terms = bd.metric_expression(cs, m)
    return lambda x: float(sum(sign * r.value(x) for sign, r in terms))


def metric_value(cs: bd.ConsistentSet, m: dict[str, Any], x: np.ndarray) -> float:
    """A finding's metric computed from cell counts."""
    return evaluator(cs, m)(x)


def metric_vars(cs: bd.ConsistentSet, m: dict[str, Any]) -> set[int]:
    """The cell counts a finding's metric reads."""
    kind, sector = m["type"], m.get("sector", "all")
    if kind == "wilcoxon_p":
        return {i for key, i in cs.index.items() if key[:3] == ("joint", m["question"], sector)}
    if kind == "sign_test_p":
        return {i for key, i in cs.index.items() if key[:2] == ("answer", m["question"]) and sector in ("all", key[2])}
    if kind == "share_range":
        ratios = [cs.share([c], sector, m.get("polarity"), None, m.get("base", "valid")) for c in m["columns"]]
    elif kind == "top_options_margin":
        ratios = [cs.share([c.id], sector) for c in cs.cb.question_columns(m["question"])]
    else:
        ratios = [r for _, r in bd.metric_expression(cs, m)]
    return {k for r in ratios for e in (r.num, r.den) for k in e if k is not None}


def holds(cs: bd.ConsistentSet, x: np.ndarray, evaluators: list | None = None) -> np.ndarray:
    """Whether each check of the constraints file holds on the dataset with counts ``x``."""
    evaluators = evaluators or [evaluator(cs, f["metric"]) for f in cs.checks]
    out = np.zeros(len(cs.checks), dtype=bool)
    for j, (f, ev) in enumerate(zip(cs.checks, evaluators)):
        v = ev(x)
        out[j] = bool(not np.isnan(v) and f.get("lower", -np.inf) <= v <= f.get("upper", np.inf))
    return out


def evaluate_many(cs: bd.ConsistentSet, m: dict[str, Any], X: np.ndarray) -> np.ndarray:
    """A finding's metric on each row of ``X`` (cell counts): vectorised where it is linear, and the
    paired Wilcoxon and sign tests of all the rows together (:func:`nptsc_eval.survey.stats.wilcoxon_p_many`)."""
    kind, sector = m["type"], m.get("sector", "all")

    def values(r: bd.Ratio) -> np.ndarray:
        num = bd.evaluate_rows(r.num, X)
        den = bd.evaluate_rows(r.den, X)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den == 0, np.nan, 100.0 * num / np.where(den == 0, 1, den))

    if kind == "wilcoxon_p":
        from nptsc_eval.survey import stats

        return stats.wilcoxon_p_many([_paired_scores(cs, x, m["question"], sector) for x in X])
    if kind == "sign_test_p":
        from nptsc_eval.survey import stats

        positive, negative = _sign_cells(cs, m["question"], sector)
        return stats.sign_test_p_many(X[:, positive].sum(axis=1), X[:, negative].sum(axis=1))
    if kind == "share_range":
        parts = np.stack([values(cs.share([c], sector, m.get("polarity"), None, m.get("base", "valid")))
                          for c in m["columns"]])
        return parts.max(axis=0) - parts.min(axis=0)
    if kind == "top_options_margin":
        cols = [c.id for c in cs.cb.question_columns(m["question"])]
        top = [f"{m['question']}_{o}" for o in m["options"]]
        low = np.stack([values(cs.share([c], sector)) for c in top]).min(axis=0)
        high = np.stack([values(cs.share([c], sector)) for c in cols if c not in top]).max(axis=0)
        return low - high
    return np.sum([sign * values(r) for sign, r in bd.metric_expression(cs, m)], axis=0)
