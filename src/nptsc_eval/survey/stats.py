"""Statistics for the survey: intervals, paired and two-group tests, disclosure control.

* :func:`wilson_interval`: 95 % Wilson score interval (statsmodels, ``method="wilson"``).
* :func:`paired_tests`: before/after ratings given at the same time, as paired ordinal data:
  Wilcoxon signed-rank (``zero_method="pratt"``), the sign test and Stuart-Maxwell marginal
  homogeneity.
* :func:`wilcoxon_p_many` and :func:`sign_test_p_many`: the same Wilcoxon and sign tests for many
  samples at once (the consistent datasets of :mod:`nptsc_eval.survey.robustness`).
* :func:`group_tests`: public against third sector, Mann-Whitney U and Brunner-Munzel.
* :func:`suppress_counts`: cells of 1 to 9 in a new cross-tabulation shown as ``[c]``, with
  secondary suppression so no suppressed cell can be worked out from its row and column
  totals (checked by linear programming: :func:`cell_bounds`).

A difference is given a direction in words only when its test is significant at
:data:`ALPHA`; otherwise the words say "no clear difference".
* :func:`reliability_flag`: ``[u]`` for a base under 30.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Bases below this are flagged [u] (low reliability).
LOW_BASE = 30
#: Cross-tabulation cells from 1 to this are suppressed [c].
SUPPRESS_UP_TO = 9
#: Significance level below which a difference is described with a direction.
ALPHA = 0.05
#: The words for a difference whose test is not significant (or cannot be computed).
NO_CLEAR_DIFFERENCE = "no clear difference"


def significant(p: float) -> bool:
    """True when ``p`` is a p-value below :data:`ALPHA` (NaN is never significant)."""
    return bool(p == p and p < ALPHA)


def format_p(p: float) -> str:
    """A p-value for prose and tables: "< 0.001", three decimals below 0.01, else two.

    Examples:
        >>> format_p(0.0004), format_p(0.0042), format_p(0.987), format_p(float("nan"))
        ('< 0.001', '0.004', '0.99', 'not computable')
    """
    if p != p:
        return "not computable"
    return "< 0.001" if p < 0.001 else f"{p:.3f}" if p < 0.01 else f"{p:.2f}"


def wilson_interval(count: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval of a proportion (not a percentage).

    Examples:
        >>> low, high = wilson_interval(30, 33)
        >>> round(low, 3), round(high, 3)
        (0.764, 0.969)
    """
    from statsmodels.stats.proportion import proportion_confint

    if n <= 0:
        return (float("nan"), float("nan"))
    low, high = proportion_confint(count, n, alpha=alpha, method="wilson")
    return float(low), float(high)


def reliability_flag(base: int | float) -> str:
    """``[u]`` when a percentage rests on fewer than 30 answers, else empty."""
    return "[u]" if base < LOW_BASE else ""


@dataclass(frozen=True)
class PairedResult:
    """Tests of one before/after question in one group."""

    n_pairs: int
    n_higher: int
    n_lower: int
    n_same: int
    wilcoxon_statistic: float
    wilcoxon_p: float
    sign_test_p: float
    stuart_maxwell_statistic: float
    stuart_maxwell_df: float
    stuart_maxwell_p: float

    @property
    def direction(self) -> str:
        """The change in words: a direction only when the Wilcoxon test is significant."""
        return change_words(self.n_higher, self.n_lower, self.wilcoxon_p)


def change_words(n_higher: int, n_lower: int, p: float) -> str:
    """A before/after change in words, with a direction only when ``p`` is significant.

    Examples:
        >>> change_words(40, 39, 0.99)
        'no clear difference between before and after'
        >>> change_words(120, 4, 0.0001)
        'more rated the situation higher after the programme than lower'
    """
    if not significant(p) or n_higher == n_lower:
        return f"{NO_CLEAR_DIFFERENCE} between before and after"
    if n_higher > n_lower:
        return "more rated the situation higher after the programme than lower"
    return "more rated the situation lower after the programme than higher"


def paired_tests(before: np.ndarray, after: np.ndarray, levels: list[int] | None = None) -> PairedResult:
    """Paired ordinal tests of before/after scores; pairs with a missing or "don't know" side are dropped.

    ``before`` and ``after`` are scores (NaN for no answer or "don't know").
    """
    from scipy.stats import wilcoxon
    from statsmodels.stats.contingency_tables import SquareTable
    from statsmodels.stats.descriptivestats import sign_test

    b, a = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    ok = ~np.isnan(b) & ~np.isnan(a)
    b, a = b[ok], a[ok]
    d = a - b
    higher, lower = int((d > 0).sum()), int((d < 0).sum())
    w_stat = w_p = s_p = sm_stat = sm_df = sm_p = float("nan")
    if higher + lower > 0:
        res = wilcoxon(a, b, zero_method="pratt", alternative="two-sided")
        w_stat, w_p = float(res.statistic), float(res.pvalue)
        s_p = float(sign_test(d, mu0=0)[1])
        levels = sorted(set(levels or []) | set(np.unique(b).tolist()) | set(np.unique(a).tolist()))
        k = len(levels)
        table = np.bincount(np.searchsorted(levels, b) * k + np.searchsorted(levels, a), minlength=k * k).reshape(k, k)
        # A level nobody moved into or out of adds nothing to the marginal differences and
        # makes the covariance matrix singular: leave it out, as Stuart and Maxwell's test allows.
        off = table - np.diag(np.diag(table))
        used = (off.sum(axis=0) + off.sum(axis=1)) > 0
        table = table[np.ix_(used, used)]
        if table.shape[0] >= 2:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                hom = SquareTable(table, shift_zeros=False).homogeneity(method="stuart_maxwell")
            sm_stat, sm_df, sm_p = float(hom.statistic), float(hom.df), float(hom.pvalue)
    else:
        w_p = s_p = 1.0 if len(d) else float("nan")
    return PairedResult(len(d), higher, lower, len(d) - higher - lower, w_stat, w_p, s_p, sm_stat, sm_df, sm_p)


#: Samples longer than this always get the normal approximation in SciPy's Wilcoxon test, so
#: many of the same length can be tested in one call with the same result as one at a time.
_WILCOXON_ASYMPTOTIC_FROM = 51


def wilcoxon_p_many(samples: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The Wilcoxon p-value of :func:`paired_tests` for many before/after samples at once.

    Each sample is ``(before, after)`` scores as :func:`paired_tests` takes them (pairs with a
    missing side are dropped).  Samples of the same length over 50 pairs go to SciPy's
    ``wilcoxon`` together, along ``axis=1`` (it always uses the normal approximation there, as
    it does for each one alone); shorter ones, whose method SciPy picks from their ties, are
    tested one at a time.  The p-values equal :func:`paired_tests`' ``wilcoxon_p``.

    Examples:
        >>> before = np.array([1, 2, 2, 3, np.nan]); after = np.array([2, 3, 2, 3, 1])
        >>> float(wilcoxon_p_many([(before, after)])[0]) == paired_tests(before, after).wilcoxon_p
        True
    """
    from scipy.stats import wilcoxon

    out = np.full(len(samples), np.nan)
    by_length: dict[int, list[int]] = {}
    pairs = []
    for i, (before, after) in enumerate(samples):
        b, a = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
        ok = ~np.isnan(b) & ~np.isnan(a)
        b, a = b[ok], a[ok]
        pairs.append((b, a))
        if not np.any(a != b):
            out[i] = 1.0 if len(b) else np.nan  # no pair moved: as paired_tests
        elif len(b) >= _WILCOXON_ASYMPTOTIC_FROM:
            by_length.setdefault(len(b), []).append(i)
        else:
            out[i] = float(wilcoxon(a, b, zero_method="pratt", alternative="two-sided").pvalue)
    for members in by_length.values():
        b = np.stack([pairs[i][0] for i in members])
        a = np.stack([pairs[i][1] for i in members])
        out[members] = wilcoxon(a, b, zero_method="pratt", alternative="two-sided", axis=1).pvalue
    return out


def sign_test_p_many(positive: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """The exact two-sided sign test's p-value (``binomtest(pos, pos + neg, 0.5)``) for many
    pairs of counts, each distinct pair tested once; NaN where both counts are zero.

    Examples:
        >>> sign_test_p_many(np.array([8, 8, 0]), np.array([2, 2, 0]))
        array([0.109375, 0.109375,      nan])
    """
    from scipy.stats import binomtest

    pos = np.asarray(positive, dtype=int)
    neg = np.asarray(negative, dtype=int)
    pairs, inverse = np.unique(np.stack([pos, neg], axis=1), axis=0, return_inverse=True)
    p = np.array([np.nan if k + m == 0 else float(binomtest(int(k), int(k + m), 0.5).pvalue) for k, m in pairs])
    return p[np.asarray(inverse).reshape(-1)]


@dataclass(frozen=True)
class GroupResult:
    """Public against third sector on one question."""

    n_public: int
    n_third: int
    mann_whitney_u: float
    mann_whitney_p: float
    brunner_munzel_statistic: float
    brunner_munzel_p: float
    probability_public_higher: float

    @property
    def direction(self) -> str:
        """The difference in words: a direction only when the Mann-Whitney test is significant."""
        p = self.probability_public_higher
        if not significant(self.mann_whitney_p) or np.isnan(p) or p == 0.5:
            return f"{NO_CLEAR_DIFFERENCE} between the sectors"
        return ("public sector respondents tended to answer more positively" if p > 0.5
                else "third sector respondents tended to answer more positively")


def group_tests(public: np.ndarray, third: np.ndarray) -> GroupResult:
    """Mann-Whitney U and Brunner-Munzel tests of two groups' scores (NaN dropped).

    ``probability_public_higher`` is U / (n1 n2): the chance that a random public sector
    answer is higher than a random third sector one, ties counting half.
    """
    from scipy.stats import brunnermunzel, mannwhitneyu

    x = np.asarray(public, dtype=float); x = x[~np.isnan(x)]
    y = np.asarray(third, dtype=float); y = y[~np.isnan(y)]
    if len(x) == 0 or len(y) == 0:
        nan = float("nan")
        return GroupResult(len(x), len(y), nan, nan, nan, nan, nan)
    mw = mannwhitneyu(x, y, alternative="two-sided")
    bm = brunnermunzel(x, y, alternative="two-sided")
    return GroupResult(len(x), len(y), float(mw.statistic), float(mw.pvalue), float(bm.statistic), float(bm.pvalue),
                       float(mw.statistic) / (len(x) * len(y)))


def cell_bounds(counts: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """Lowest and highest value each suppressed cell can take, given what the table publishes.

    What is published: every cell not suppressed, and every row and column total.  The
    suppressed cells are unknowns, at least zero, that must add up to those totals.  Linear
    programming (``scipy.optimize.linprog``) finds each unknown's range; the constraints of a
    two-way table have integer corners, so the range is exact.  A cell whose lowest and
    highest values are equal can be worked out.  Returns one row per suppressed cell: row,
    column, value, low, high.
    """
    from scipy.optimize import linprog

    values = counts.to_numpy(dtype=float)
    hidden = mask.to_numpy(dtype=bool)
    cells = [tuple(c) for c in np.argwhere(hidden)]
    if not cells:
        return pd.DataFrame(columns=["row", "column", "value", "low", "high"])
    index = {c: k for k, c in enumerate(cells)}
    a_eq, b_eq = [], []
    for axis in (0, 1):
        for i in range(values.shape[axis]):
            line = [c for c in cells if c[axis] == i]
            if not line:
                continue
            row = np.zeros(len(cells))
            row[[index[c] for c in line]] = 1
            a_eq.append(row)
            b_eq.append(sum(values[c] for c in line))  # the total less the published cells
    out = []
    for c in cells:
        objective = np.zeros(len(cells))
        objective[index[c]] = 1
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs").fun
        high = -linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs").fun
        out.append({"row": counts.index[c[0]], "column": counts.columns[c[1]], "value": values[c],
                    "low": round(low, 6), "high": round(high, 6)})
    return pd.DataFrame(out)


def suppression_mask(counts: pd.DataFrame) -> pd.DataFrame:
    """Which cells of a table of counts to suppress, when its row and column totals are published.

    Primary: cells from 1 to 9.  Secondary: while a row or column has exactly one
    suppressed cell (which its total would give away), also suppress that line's smallest
    other non-zero cell, or, when it has none, another cell even if it is zero (a zero
    shown beside a single [c] gives the [c] away).  Last, while :func:`cell_bounds` can
    still work out a suppressed cell exactly, also suppress the smallest cell shown in its
    row.

    Examples:
        >>> t = pd.DataFrame({"a": [5, 20, 30], "b": [40, 50, 60]})
        >>> suppression_mask(t)["a"].tolist(), suppression_mask(t)["b"].tolist()
        ([True, True, False], [True, True, False])
    """
    values = counts.to_numpy(dtype=float)
    mask = (values >= 1) & (values <= SUPPRESS_UP_TO)

    def pair_lines() -> bool:
        changed = False
        for axis in (0, 1):
            lines = mask.T if axis == 0 else mask
            vals = values.T if axis == 0 else values
            for i in range(lines.shape[0]):
                if lines[i].sum() != 1:
                    continue
                open_cells = ~lines[i]
                if not open_cells.any():
                    continue
                nonzero = open_cells & (vals[i] > 0)
                pool = nonzero if nonzero.any() else open_cells
                j = int(np.argmin(np.where(pool, vals[i], np.inf)))
                if axis == 0:
                    mask[j, i] = True
                else:
                    mask[i, j] = True
                changed = True
        return changed

    while pair_lines():
        pass
    while True:
        bounds = cell_bounds(counts, pd.DataFrame(mask, index=counts.index, columns=counts.columns))
        exact = bounds[bounds["low"] == bounds["high"]] if len(bounds) else bounds
        if not len(exact):
            break
        r = counts.index.get_loc(exact["row"].iloc[0])
        open_cells = ~mask[r]
        if not open_cells.any():
            open_cells = ~mask.any(axis=0)  # widen to another column
            if not open_cells.any():
                break
            mask[:, int(np.argmax(open_cells))] = True
        else:
            mask[r, int(np.argmin(np.where(open_cells, values[r], np.inf)))] = True
        while pair_lines():
            pass
    return pd.DataFrame(mask, index=counts.index, columns=counts.columns)


def suppress_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """The table as text with suppressed cells shown as ``[c]`` (see :func:`suppression_mask`)."""
    mask = suppression_mask(counts)
    shown = counts.map(lambda v: f"{int(v):,}")
    return shown.mask(mask, "[c]")
