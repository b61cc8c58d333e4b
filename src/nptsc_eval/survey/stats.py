"""Statistics for the survey: intervals, paired and two-group tests, disclosure control.

* :func:`wilson_interval`: 95 % Wilson score interval (statsmodels, ``method="wilson"``).
* :func:`paired_tests`: before/after ratings given at the same time, as paired ordinal data:
  Wilcoxon signed-rank (``zero_method="pratt"``), the sign test and Stuart-Maxwell marginal
  homogeneity.
* :func:`group_tests`: public against third sector, Mann-Whitney U and Brunner-Munzel.
* :func:`suppress_counts`: cells of 1 to 9 in a new cross-tabulation shown as ``[c]``, with
  secondary suppression so no suppressed cell can be worked out from its row or column.
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
        if self.n_higher > self.n_lower:
            return "more rated the situation higher after the programme than lower"
        if self.n_lower > self.n_higher:
            return "more rated the situation lower after the programme than higher"
        return "as many rated it higher after the programme as lower"


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
        p = self.probability_public_higher
        if np.isnan(p) or abs(p - 0.5) < 0.005:
            return "the two sectors answered alike"
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


def suppression_mask(counts: pd.DataFrame) -> pd.DataFrame:
    """Which cells of a table of counts to suppress.

    Primary: cells from 1 to 9.  Secondary: while a row or column has exactly one
    suppressed cell (which its total would give away), also suppress that line's smallest
    other non-zero cell.

    Examples:
        >>> t = pd.DataFrame({"a": [5, 20, 30], "b": [40, 50, 60]})
        >>> suppression_mask(t)["a"].tolist(), suppression_mask(t)["b"].tolist()
        ([True, True, False], [True, True, False])
    """
    values = counts.to_numpy(dtype=float)
    mask = (values >= 1) & (values <= SUPPRESS_UP_TO)
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines = mask.T if axis == 0 else mask
            vals = values.T if axis == 0 else values
            for i in range(lines.shape[0]):
                if lines[i].sum() == 1:
                    candidates = np.where(~lines[i] & (vals[i] > 0), vals[i], np.inf)
                    if np.isfinite(candidates).any():
                        j = int(np.argmin(candidates))
                        if axis == 0:
                            mask[j, i] = True
                        else:
                            mask[i, j] = True
                        changed = True
    return pd.DataFrame(mask, index=counts.index, columns=counts.columns)


def suppress_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """The table as text with suppressed cells shown as ``[c]`` (see :func:`suppression_mask`)."""
    mask = suppression_mask(counts)
    shown = counts.map(lambda v: f"{int(v):,}")
    return shown.mask(mask, "[c]")
