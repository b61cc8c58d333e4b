"""Which of the source's survey findings follow from its published figures.

Two views of the consistent set of :mod:`nptsc_eval.survey.bounds`:

* **Exact, for linear findings.**  A finding that is linear in the cell counts is
  *implied* when it holds for every dataset that meets all the *other* published facts
  (each of its constraints stays within range at both of its bounds over that set),
  *contradicted* when no such dataset meets it, and *compatible* otherwise.
* **Many consistent datasets, for every finding.**  K draws spread across the set: each
  draw picks random targets for every answer distribution (within nothing but the
  scale), a random joint before/after table for every paired question, and random
  composition counts, then takes the consistent dataset nearest to those targets (least
  absolute difference, an integer programme).  Each finding is evaluated on each draw by
  :func:`nptsc_eval.survey.findings.evaluate_findings`, the same rules as the claims
  audit, including the paired tests.  A finding that is not linear (p-values, differences
  of shares whose bases move) gets its verdict from the draws: implied when it holds in
  every draw, compatible in some, contradicted in none.

Draws run in parallel with joblib; each draw's randomness comes from its own child of one
seed, so the result does not depend on how the draws are split between processes.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, hstack, identity, vstack

from nptsc_eval.survey import bounds as bd
from nptsc_eval.survey import findings as fnd

DEFAULT_DRAWS = 1000
DEFAULT_SEED = 20110131
#: Branch-and-bound nodes per draw: enough for a consistent dataset close to the targets.
NODE_LIMIT = 20
#: Consistent datasets solved for; the draws combine their independent blocks.
DEFAULT_POOL = 40
ROBUSTNESS_COLUMNS = ["finding_id", "statement", "verdict", "share_of_draws", "draws", "basis", "lowest", "highest",
                      "allowed_lower", "allowed_upper"]


def _targets(cs: bd.ConsistentSet, rng: np.random.Generator, centre: np.ndarray) -> np.ndarray:
    """Random target counts: for every group of cells that sums to a total (an answer
    distribution, a joint before/after table, a composition), a random distribution drawn
    around the calibration ``centre`` with a random spread, so some draws stray far from it."""
    t = np.zeros(cs.n)
    groups: dict[tuple, list[int]] = {}
    for key, i in cs.index.items():
        kind = key[0]
        if kind == "multi":
            t[i] = rng.beta(1 + centre[i], 1 + cs.ub[i] - centre[i]) * cs.ub[i]
            continue
        g = (kind, key[2]) if kind == "partner" else (kind,) + tuple(key[1:3]) if kind != "org" else ("org",)
        groups.setdefault(g, []).append(i)
    for g, idx in groups.items():
        total = cs.ub[idx[0]] if g[0] != "partner" else cs.sizes[g[1]]
        p = centre[idx] / max(centre[idx].sum(), 1)
        t[idx] = rng.dirichlet(rng.uniform(2, 60) * p + 0.3) * total
    return t


def blocks(cs: bd.ConsistentSet) -> list[tuple[np.ndarray, LinearConstraint | None]]:
    """The programme split into independent blocks: variables that no constraint links are
    solved apart, which makes each draw a handful of tiny integer programmes."""
    rows = cs.rows()
    parent = list(range(cs.n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for r in rows:
        keys = [k for k in r.expr if k is not None]
        for k in keys[1:]:
            parent[find(k)] = find(keys[0])
    groups: dict[int, list[int]] = {}
    for v in range(cs.n):
        groups.setdefault(find(v), []).append(v)
    con = bd._matrix(rows, cs.n)
    A = con.A.tocsc()
    out = []
    for vars_ in groups.values():
        idx = np.array(vars_)
        sub = A[:, idx]
        used = np.flatnonzero(np.diff(sub.tocsr().indptr) > 0)
        if len(used) == 0:
            out.append((idx, None))
            continue
        out.append((idx, LinearConstraint(sub.tocsr()[used], con.lb[used], con.ub[used])))
    return out


@contextmanager
def _quiet_solver():
    """Silence HiGHS's own messages (it prints a reached node limit on the process's output)."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError):
            pass
    try:
        saved = [os.dup(1), os.dup(2)]
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved + [devnull]:
            os.close(fd)


def _nearest(t: np.ndarray, ub: np.ndarray, con: LinearConstraint | None, jitter: np.ndarray) -> np.ndarray | None:
    """Integer counts meeting ``con`` with the least absolute difference from ``t``."""
    n = len(t)
    if con is None:
        return np.clip(np.round(t), 0, ub)
    eye = identity(n, format="csr")
    A = vstack([hstack([con.A, csr_array((con.A.shape[0], n))]), hstack([-eye, eye]), hstack([eye, eye])]).tocsr()
    lo = np.concatenate([con.lb, -t, t])
    hi = np.concatenate([con.ub, np.full(2 * n, np.inf)])
    c = np.concatenate([np.zeros(n), 1 + jitter])
    with _quiet_solver():
        res = milp(c, constraints=LinearConstraint(A, lo, hi), integrality=np.concatenate([np.ones(n), np.zeros(n)]),
                   bounds=Bounds(np.zeros(2 * n), np.concatenate([ub, np.full(n, np.inf)])),
                   options={"node_limit": NODE_LIMIT})
    return None if res.x is None else np.round(res.x[:n])


def draw(cs: bd.ConsistentSet, seed: np.random.SeedSequence, parts: list, centre: np.ndarray) -> np.ndarray | None:
    """One consistent dataset's cell counts: one near random targets (a deterministic,
    node-limited search in each block, so the same seed gives the same dataset anywhere)."""
    rng = np.random.default_rng(seed)
    t = _targets(cs, rng, centre)
    jitter = rng.uniform(0, 0.01, cs.n)
    ub = np.asarray(cs.ub, dtype=float)
    x = np.zeros(cs.n)
    for idx, con in parts:
        y = _nearest(t[idx], ub[idx], con, jitter[idx])
        if y is None:
            return None
        x[idx] = y
    return x


def _pool_chunk(cs: bd.ConsistentSet, seeds: list[np.random.SeedSequence], centre: np.ndarray) -> list[np.ndarray]:
    parts = blocks(cs)
    return [x for x in (draw(cs, s, parts, centre) for s in seeds) if x is not None]


def _paired_scores(cs: bd.ConsistentSet, x: np.ndarray, question: str, sector: str) -> tuple[np.ndarray, np.ndarray]:
    scale = cs.cb.scales[cs.cb.column(f"{question}_before").scale]
    score = [np.nan if lv.score is None else lv.score for lv in scale]
    k = len(scale)
    cells = [(i, j, int(x[cs.index[("joint", question, sector, i, j)]])) for i in range(k) for j in range(k)]
    before = np.repeat([score[i] for i, _, _ in cells], [c for _, _, c in cells])
    after = np.repeat([score[j] for _, j, _ in cells], [c for _, _, c in cells])
    return before, after


def evaluator(cs: bd.ConsistentSet, m: dict[str, Any]):
    """A function from cell counts to a finding's metric, with the rules of
    :func:`nptsc_eval.survey.findings.compute_metric` (a test checks they agree)."""
    from scipy.stats import binomtest

    from nptsc_eval.survey import stats

    kind, sector = m["type"], m.get("sector", "all")
    if kind == "wilcoxon_p":
        return lambda x: float(stats.paired_tests(*_paired_scores(cs, x, m["question"], sector)).wilcoxon_p)
    if kind == "sign_test_p":
        col = cs.cb.column(m["question"])
        scale = cs.cb.scales[col.scale]
        keys = [(i, (scale[key[3]].score or 0)) for key, i in cs.index.items()
                if key[:2] == ("answer", m["question"]) and sector in ("all", key[2])]
        pos_i = [i for i, sc in keys if sc > 0]
        neg_i = [i for i, sc in keys if sc < 0]

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


def holds(cs: bd.ConsistentSet, x: np.ndarray, evaluators: list | None = None) -> np.ndarray:
    """Whether each check of the constraints file holds on the dataset with counts ``x``."""
    evaluators = evaluators or [evaluator(cs, f["metric"]) for f in cs.checks]
    out = np.zeros(len(cs.checks), dtype=bool)
    for j, (f, ev) in enumerate(zip(cs.checks, evaluators)):
        v = ev(x)
        out[j] = bool(not np.isnan(v) and f.get("lower", -np.inf) <= v <= f.get("upper", np.inf))
    return out


def _eval_chunk(cs: bd.ConsistentSet, xs: list[np.ndarray]) -> list[np.ndarray]:
    evaluators = [evaluator(cs, f["metric"]) for f in cs.checks]
    return [holds(cs, x, evaluators) for x in xs]


def run_draws(cs: bd.ConsistentSet, centre: np.ndarray, k: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
              n_jobs: int = 2, pool: int = DEFAULT_POOL, chunk: int = 10) -> np.ndarray:
    """A (draws × checks) boolean array: whether each finding holds on each consistent draw.

    The programme splits into independent blocks (a question, or questions a finding links),
    so any choice of one solution per block is a consistent dataset.  ``pool`` datasets are
    solved for, each near its own random targets around the calibration ``centre`` (the
    synthetic data's counts); each of the ``k`` draws then takes each block from a randomly
    chosen one of them.  Draws run through joblib (``n_jobs`` processes).
    """
    from joblib import Parallel, delayed

    seeds = np.random.SeedSequence(seed).spawn(pool + 1)
    chunks = [seeds[i:i + chunk] for i in range(0, pool, chunk)]
    run = Parallel(n_jobs=n_jobs) if n_jobs != 1 else None
    parts = run(delayed(_pool_chunk)(cs, c, centre) for c in chunks) if run else \
        [_pool_chunk(cs, c, centre) for c in chunks]
    solutions = np.array([x for p in parts for x in p])
    rng = np.random.default_rng(seeds[-1])
    pick = rng.integers(0, len(solutions), size=(k, len(cs.index)))
    groups = blocks(cs)
    xs = []
    for d in range(k):
        x = np.zeros(cs.n)
        for b, (idx, _) in enumerate(groups):
            x[idx] = solutions[pick[d, b], idx]
        xs.append(x)
    size = max(1, k // (4 * max(1, n_jobs if n_jobs > 0 else 2)))
    batches = [xs[i:i + size] for i in range(0, k, size)]
    held = run(delayed(_eval_chunk)(cs, b) for b in batches) if run else [_eval_chunk(cs, b) for b in batches]
    rows = [r for p in held for r in p]
    return np.array(rows, dtype=bool).reshape(len(rows), len(cs.checks))


def exact_verdict(cs: bd.ConsistentSet, fid: str) -> tuple[str, float, float]:
    """Verdict of a linear finding over the set of all the other facts, and its metric's range there."""
    rows = cs.rows(skip=fid)
    mine = cs.findings[fid]
    if not bd.feasible(cs, rows + mine):
        return "contradicted", np.nan, np.nan
    implied = True
    for r in mine:
        if np.isfinite(r.lo) and implied:
            x = bd.solve(cs, r.expr, rows)
            implied = x is not None and bd.evaluate(r.expr, x) >= r.lo - 1e-9
        if np.isfinite(r.hi) and implied:
            x = bd.solve(cs, bd._scaled(r.expr, -1), rows)
            implied = x is not None and bd.evaluate(r.expr, x) <= r.hi + 1e-9
    check = next(f for f in cs.checks if f["id"] == fid)
    terms = bd.metric_expression(cs, check["metric"]) if check["metric"]["type"] not in (
        "share_range", "top_options_margin") else None
    lo = hi = np.nan
    if terms and len(terms) == 1:
        lo, hi = bd.ratio_bounds(cs, terms[0][1], rows)
    elif terms and all(bd._is_constant(r.den) for _, r in terms):
        e: dict = {}
        for sign, r in terms:
            e = bd._add(e, bd._scaled(r.num, 100 * sign / r.den[None]))
        a, b = bd.solve(cs, e, rows), bd.solve(cs, bd._scaled(e, -1), rows)
        lo, hi = bd.evaluate(e, a), bd.evaluate(e, b)
    return ("implied" if implied else "compatible"), lo, hi


def findings_robustness(cs: bd.ConsistentSet, centre: np.ndarray, k: int = DEFAULT_DRAWS,
                        seed: int = DEFAULT_SEED, n_jobs: int = 2, pool: int = DEFAULT_POOL) -> pd.DataFrame:
    """One row per check of ``survey_constraints.yml``: verdict, share of draws where it holds, draws.

    ``centre`` (the synthetic data's counts) is also a witness: a finding that holds on it
    is at least compatible with the published facts.
    """
    bd.check_consistent(cs)
    held = run_draws(cs, centre, k, seed, n_jobs, pool)
    witness = holds(cs, centre)
    out = []
    for j, f in enumerate(cs.checks):
        share = float(held[:, j].mean()) if len(held) else np.nan
        if f["id"] in cs.findings:
            verdict, lo, hi = exact_verdict(cs, f["id"])
            basis = "exact: range over every dataset meeting the other published facts"
        else:
            verdict = "implied" if share == 1 else "compatible" if share > 0 or witness[j] else "contradicted"
            lo, hi = np.nan, np.nan
            basis = "draws: not linear in the counts"
        out.append({"finding_id": f["id"], "statement": f["statement"], "verdict": verdict, "share_of_draws": share,
                    "draws": len(held), "basis": basis, "lowest": lo, "highest": hi,
                    "allowed_lower": f.get("lower", np.nan), "allowed_upper": f.get("upper", np.nan)})
    return pd.DataFrame(out, columns=ROBUSTNESS_COLUMNS)


def build_outputs(survey_frame: pd.DataFrame | None, synthetic_frame: pd.DataFrame, k: int = DEFAULT_DRAWS,
                  seed: int = DEFAULT_SEED, n_jobs: int = 2, pool: int = DEFAULT_POOL) -> dict[str, Any]:
    """Everything the chapter section shows: the bounds table, the findings' verdicts and timings.

    ``survey_frame`` is a real export (None with synthetic data): its values are set
    against the bounds, and ``outside_bounds`` flags any that fall outside.
    """
    import time

    cs = bd.build()
    bd.check_consistent(cs)
    started = time.perf_counter()
    table = bd.survey_bounds(cs, synthetic_frame, survey_frame)
    bounds_seconds = time.perf_counter() - started
    started = time.perf_counter()
    verdicts = findings_robustness(cs, bd.counts_from_frame(cs, synthetic_frame), k, seed, n_jobs, pool)
    draws_seconds = time.perf_counter() - started
    return {"bounds": table, "robustness": verdicts, "bounds_seconds": bounds_seconds,
            "draws_seconds": draws_seconds, "nonlinear": list(cs.nonlinear), "consistent_set": cs}
