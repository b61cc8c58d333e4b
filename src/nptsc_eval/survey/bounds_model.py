"""The consistent set as data: linear expressions over cell counts, constraint rows, ratios and quantities.

A :class:`ConsistentSet` names every variable (a count of respondents in one cell) with its upper
bound and holds the constraints: the published composition facts and each linear finding.
:mod:`nptsc_eval.survey.bounds` builds it from the raw files; :mod:`nptsc_eval.survey.bounds_solver`
solves over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nptsc_eval.survey.codebook import DONT_KNOW, SECTOR_LABELS, Codebook


SECTORS = ("public", "third")
GROUP_LABELS = {**SECTOR_LABELS, "all": "All respondents"}
BOUNDS_COLUMNS = ["quantity_id", "question_id", "group", "description", "lower", "upper", "synthetic_value"]
#: Findings whose metric is never linear in the counts.
NONLINEAR_METRICS = ("wilcoxon_p", "sign_test_p")

Expr = dict  # variable index (or None for the constant term) -> coefficient


def _add(*exprs: Expr) -> Expr:
    out: Expr = {}
    for e in exprs:
        for k, v in e.items():
            out[k] = out.get(k, 0.0) + v
    return out


def _scaled(e: Expr, s: float) -> Expr:
    return {k: s * v for k, v in e.items()}


def _is_constant(e: Expr) -> bool:
    return all(k is None or v == 0 for k, v in e.items())


def evaluate(e: Expr, x: np.ndarray) -> float:
    """The value of a linear expression at counts ``x``."""
    return float(sum(v * (1.0 if k is None else x[k]) for k, v in e.items()))


def evaluate_rows(e: Expr, X: np.ndarray) -> np.ndarray:
    """The value of a linear expression at each row of counts ``X``."""
    keys = [k for k in e if k is not None]
    out = np.full(X.shape[0], float(e.get(None, 0.0)))
    if keys:
        out += X[:, keys] @ np.array([e[k] for k in keys], dtype=float)
    return out


@dataclass
class Row:
    """One linear constraint ``lo <= expr <= hi`` and the published fact it comes from."""

    expr: Expr
    lo: float
    hi: float
    fact: str


@dataclass
class Ratio:
    """A percentage: ``100 * num / den``."""

    num: Expr
    den: Expr

    def value(self, x: np.ndarray) -> float:
        d = evaluate(self.den, x)
        return float("nan") if d == 0 else 100.0 * evaluate(self.num, x) / d


@dataclass
class Quantity:
    """A survey percentage the book shows, as a ratio of cell counts.

    ``parts`` is set for a share pooled over several questions: its range is then the outer
    limits of the parts' exact ranges (a pooled share is a weighted mean of its parts, so it lies
    between the smallest lower and the largest upper bound), because the exact programme of a
    pooled share spans every question it pools and can take too long to solve.
    """

    quantity_id: str
    question_id: str
    group: str
    description: str
    ratio: Ratio
    parts: tuple[Ratio, ...] = ()


@dataclass
class ConsistentSet:
    """The integer programme: variables (cell counts), their upper bounds and the constraints.

    ``fixed`` are the published composition facts; ``findings`` maps each check of
    ``survey_constraints.yml`` that is linear to its rows; ``nonlinear`` lists the others.
    """

    cb: Codebook
    sizes: dict[str, int]
    names: list[str] = field(default_factory=list)
    ub: list[int] = field(default_factory=list)
    index: dict[tuple, int] = field(default_factory=dict)
    fixed: list[Row] = field(default_factory=list)
    findings: dict[str, list[Row]] = field(default_factory=dict)
    nonlinear: list[str] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)

    # -- variables --------------------------------------------------------------------
    def var(self, key: tuple, ub: int) -> int:
        self.index[key] = len(self.names)
        self.names.append("/".join(map(str, key)))
        self.ub.append(ub)
        return self.index[key]

    @property
    def n(self) -> int:
        return len(self.names)

    def sectors_of(self, column: str, group: str) -> list[str]:
        asked = self.cb.column(column).asked
        return [s for s in SECTORS if (asked in ("all", s)) and group in ("all", s)]

    def level_count(self, column: str, group: str, labels: list[str]) -> Expr:
        """Count of answers to ``column`` in ``labels`` among ``group``'s respondents."""
        col = self.cb.column(column)
        all_labels = self.cb.labels(col.scale)
        out: Expr = {}
        for s in self.sectors_of(column, group):
            for lab in labels:
                li = all_labels.index(lab)
                if col.kind == "before_after":
                    k = len(all_labels)
                    cells = [(col.question_id, s, li, j) for j in range(k)] if col.period == "before" else \
                        [(col.question_id, s, i, li) for i in range(k)]
                    for c in cells:
                        out[self.index[("joint",) + c]] = out.get(self.index[("joint",) + c], 0.0) + 1.0
                else:
                    out[self.index[("answer", column, s, li)]] = 1.0
        return out

    def group_size(self, column: str, group: str) -> float:
        return float(sum(self.sizes[s] for s in self.sectors_of(column, group)))

    def chosen(self, column: str, group: str) -> Expr:
        return {self.index[("multi", column, s)]: 1.0 for s in self.sectors_of(column, group)}

    def share(self, columns: list[str], group: str, polarity=None, levels=None, base: str = "valid") -> Ratio:
        """The pooled share of :func:`nptsc_eval.survey.analysis.share`, as a ratio of counts."""
        num: Expr = {}
        den: Expr = {}
        polarity = set(polarity or [])
        for column in columns:
            col = self.cb.column(column)
            if col.kind == "multi":
                num = _add(num, self.chosen(column, group))
                den = _add(den, {None: self.group_size(column, group)})
                continue
            scale = self.cb.scales[col.scale]
            hits = [lv.label for lv in scale if (lv.polarity in polarity or (levels and lv.label in levels))
                    and (base == "all" or lv.score is not None)]
            num = _add(num, self.level_count(column, group, hits))
            den = _add(den, {None: self.group_size(column, group)})
            if base != "all":
                den = _add(den, _scaled(self.level_count(column, group, [DONT_KNOW]), -1.0))
        return Ratio(num, den)

    def improved(self, question: str, sector: str) -> Ratio:
        """Share of respondents answering both who rate 'after' above 'before'."""
        return self.paired_share(question, sector, 1)

    def paired_share(self, question: str, sector: str, direction: int) -> Ratio:
        """Share of respondents answering both (neither "don't know") who rate 'after' above 'before'
        (``direction`` 1), below it (-1) or the same (0)."""
        scale = self.cb.scales[self.cb.column(f"{question}_before").scale]
        num: Expr = {}
        den: Expr = {}
        for i, a in enumerate(scale):
            for j, b in enumerate(scale):
                if a.score is None or b.score is None:
                    continue
                v = self.index[("joint", question, sector, i, j)]
                den[v] = 1.0
                if (b.score > a.score) - (b.score < a.score) == direction:
                    num[v] = 1.0
        return Ratio(num, den)

    # -- solving ------------------------------------------------------------------------
    def rows(self, skip: str | None = None, only: set[str] | None = None) -> list[Row]:
        rows = list(self.fixed)
        for fid, rs in self.findings.items():
            if fid != skip and (only is None or fid in only):
                rows += rs
        return rows
