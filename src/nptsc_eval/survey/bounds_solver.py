"""Solving over the consistent set with HiGHS: exact integer bounds of linear expressions and of ratios.

The programme splits into independent blocks of questions; each block keeps one HiGHS model whose
objective changes from solve to solve (:class:`BlockSolver`), and the linear relaxation is tried first.
A share whose base is itself a variable is a ratio of two linear expressions; its exact optimum is
found by Dinkelbach's method, a short sequence of integer programmes (:func:`ratio_bounds`).
"""

from __future__ import annotations

from typing import Any

import numpy as np


from nptsc_eval.survey.bounds_model import ConsistentSet, Expr, Ratio, Row, _add, _is_constant, _scaled, evaluate

def _matrix(rows: list[Row], n: int) -> Any:
    """The rows as one SciPy ``LinearConstraint`` (None for no rows)."""
    from scipy.optimize import LinearConstraint
    from scipy.sparse import csr_array

    if not rows:
        return None
    data, ri, ci, lo, hi = [], [], [], [], []
    for r, row in enumerate(rows):
        const = row.expr.get(None, 0.0)
        for k, v in row.expr.items():
            if k is not None and v != 0:
                data.append(v)
                ri.append(r)
                ci.append(k)
        lo.append(row.lo - const)
        hi.append(row.hi - const)
    return LinearConstraint(csr_array((data, (ri, ci)), shape=(len(rows), n)), lo, hi)


def components(n: int, rows: list[Row]) -> np.ndarray:
    """The independent block of each variable: variables that no chain of constraints links
    fall in different blocks, and each block can be solved on its own."""
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for r in rows:
        keys = [k for k, v in r.expr.items() if k is not None and v != 0]
        for k in keys[1:]:
            a, b = find(k), find(keys[0])
            if a != b:
                parent[a] = b
    roots = np.array([find(v) for v in range(n)])
    _, comp = np.unique(roots, return_inverse=True)
    return comp


def highs_model(ub: np.ndarray, rows: list[Row], local: dict[int, int], integer: np.ndarray | None = None):
    """A silent, single-threaded HiGHS model (``highspy``) of ``rows`` over the variables in
    ``local`` (global index -> column), with bounds 0..ub and an exact optimality gap."""
    import highspy

    n = len(ub)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-9)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.asarray(ub, dtype=float)
    inf = highspy.kHighsInf
    lo, hi, start, index, value = [], [], [0], [], []
    for row in rows:
        const = row.expr.get(None, 0.0)
        for k, v in row.expr.items():
            if k is not None and v != 0:
                index.append(local[k])
                value.append(float(v))
        start.append(len(index))
        lo.append(max(row.lo - const, -inf))
        hi.append(min(row.hi - const, inf))
    lp.row_lower_ = np.array(lo, dtype=float)
    lp.row_upper_ = np.array(hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(start, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = len(rows)
    integer = np.ones(n, dtype=bool) if integer is None else integer
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    h.passModel(lp)
    return h


def _run(h) -> np.ndarray | None:
    """Run a HiGHS model; its column values, or None when it found no feasible solution."""
    h.run()
    if h.getInfo().primal_solution_status != 2:  # 2: a feasible solution
        return None
    return np.asarray(h.getSolution().col_value)


class PairedModel:
    """The same programme twice: its linear relaxation and the integer programme.

    :meth:`solve` runs the relaxation first (a simplex solve, far cheaper than branch and
    bound).  When its optimum is already whole counts it is the integer optimum too, since no
    integer solution can beat the relaxation; only otherwise does it run the integer programme.
    ``integer`` marks the columns that must be whole (the others, such as distances, need not).
    """

    def __init__(self, ub: np.ndarray, rows: list[Row], local: dict, integer: np.ndarray | None = None,
                 options: dict[str, Any] | None = None):
        n = len(ub)
        self.integer = np.ones(n, dtype=bool) if integer is None else np.asarray(integer, dtype=bool)
        self.lp = highs_model(ub, rows, local, integer=np.zeros(n, dtype=bool))
        self.mip = highs_model(ub, rows, local, integer=self.integer)
        for k, v in (options or {}).items():
            self.mip.setOptionValue(k, v)
        self.n = n
        self.relaxation_hits = 0

    def models(self):
        return (self.lp, self.mip)

    def solve(self) -> np.ndarray | None:
        x = _run(self.lp)
        if x is None:
            return None  # the relaxation has no solution, so neither has the integer programme
        whole = x[self.integer]
        if np.all(np.abs(whole - np.round(whole)) <= 1e-9):
            self.relaxation_hits += 1
            return x
        return _run(self.mip)


class BlockSolver:
    """Exact integer programmes over the consistent set, solved block by block with HiGHS.

    The constraints split the cell counts into independent blocks (a question, or the
    questions a finding links).  An objective touches a few blocks; only those are solved,
    and each set of blocks keeps one HiGHS model (with its relaxation, see
    :class:`PairedModel`) whose objective and extra rows change from one solve to the next,
    instead of a new model of every variable for each solve.
    """

    def __init__(self, cs: ConsistentSet, rows: list[Row]):
        self.cs = cs
        self.rows = rows
        self.comp = components(cs.n, rows)
        self.row_comp = []
        for r in rows:
            keys = [k for k in r.expr if k is not None]
            self.row_comp.append(self.comp[keys[0]] if keys else -1)
        self._models: dict[tuple, tuple[PairedModel, np.ndarray, dict[int, int]]] = {}
        self.solves = 0

    def _model(self, comps: tuple):
        if comps not in self._models:
            wanted = set(comps)
            vars_ = np.flatnonzero(np.isin(self.comp, comps))
            local = {int(v): i for i, v in enumerate(vars_)}
            rows = [r for r, c in zip(self.rows, self.row_comp) if c in wanted or c == -1]
            model = PairedModel(np.asarray(self.cs.ub, dtype=float)[vars_], rows, local)
            self._models[comps] = (model, vars_, local)
        return self._models[comps]

    def minimise(self, objective: Expr, extra: list[Row] | None = None) -> np.ndarray | None:
        """Counts minimising ``objective`` (zero outside the blocks it touches); None when infeasible."""
        extra = extra or []
        keys = [k for e in [objective] + [r.expr for r in extra] for k in e if k is not None]
        comps = tuple(sorted({int(self.comp[k]) for k in keys})) or (int(self.comp[0]),)
        model, vars_, local = self._model(comps)
        cost = np.zeros(len(vars_))
        for k, v in objective.items():
            if k is not None:
                cost[local[k]] += v
        cols = np.arange(len(vars_), dtype=np.int32)
        base_rows = model.lp.getNumRow()
        for h in model.models():
            h.changeColsCost(len(vars_), cols, cost)
            for r in extra:
                const = r.expr.get(None, 0.0)
                idx = [local[k] for k in r.expr if k is not None]
                val = [float(v) for k, v in r.expr.items() if k is not None]
                h.addRow(float(r.lo - const), float(min(r.hi - const, 1e30)), len(idx),
                         np.array(idx, dtype=np.int32), np.array(val, dtype=float))
        y = model.solve()
        self.solves += 1
        x = None
        if y is not None:
            x = np.zeros(self.cs.n)
            x[vars_] = np.round(y)
        if extra:
            for h in model.models():
                h.deleteRows(len(extra), np.arange(base_rows, base_rows + len(extra), dtype=np.int32))
        return x

    def feasible(self) -> bool:
        """Whether every block has a solution."""
        return all(self._block_feasible(c) for c in sorted(set(int(c) for c in self.comp)))

    def _block_feasible(self, c: int) -> bool:
        v = int(np.flatnonzero(self.comp == c)[0])
        return self.minimise({v: 0.0}) is not None


def solve(cs: ConsistentSet, objective: Expr | np.ndarray, rows: list[Row] | None = None,
          extra: list[Row] | None = None, solver: BlockSolver | None = None) -> np.ndarray | None:
    """Minimise a linear objective over the integer programme; None when there is no solution.

    Only the blocks the objective touches are solved (the others are left at zero), so
    the result is a full solution only for those blocks.
    """
    solver = solver or BlockSolver(cs, cs.rows() if rows is None else rows)
    if not isinstance(objective, dict):
        objective = {i: float(v) for i, v in enumerate(np.asarray(objective, dtype=float)) if v != 0}
    return solver.minimise(objective, extra)


def feasible(cs: ConsistentSet, rows: list[Row]) -> bool:
    return BlockSolver(cs, rows).feasible()


def ratio_bounds(cs: ConsistentSet, q: Ratio, rows: list[Row] | None = None,
                 solver: BlockSolver | None = None) -> tuple[float, float]:
    """Exact minimum and maximum of ``100 * num / den`` over the programme (den at least 1)."""
    solver = solver or BlockSolver(cs, cs.rows() if rows is None else rows)
    if _is_constant(q.den):
        d = q.den.get(None, 0.0)
        lo = solver.minimise(q.num)
        hi = solver.minimise(_scaled(q.num, -1))
        if lo is None or hi is None:
            return float("nan"), float("nan")
        return 100 * evaluate(q.num, lo) / d, 100 * evaluate(q.num, hi) / d
    positive = [Row(q.den, 1, np.inf, "base of the share")]
    out = []
    for sign in (1, -1):
        x = solver.minimise(_scaled(q.num, sign), positive)
        if x is None:
            return float("nan"), float("nan")
        lam = sign * q.value(x)
        for _ in range(50):  # Dinkelbach: min sign*100*num - lam*den; stops when the optimum is 0
            obj = _add(_scaled(q.num, 100 * sign), _scaled(q.den, -lam))
            y = solver.minimise(obj, positive)
            if y is None or evaluate(obj, y) >= -1e-9:
                break
            x, lam = y, sign * q.value(y)
        out.append(q.value(x))
    return out[0], out[1]
