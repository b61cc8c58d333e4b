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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nptsc_eval.survey import bounds as bd
from nptsc_eval.survey.draw_metrics import evaluate_many, holds, metric_vars

DEFAULT_DRAWS = 1000
DEFAULT_SEED = 20110131
#: Branch-and-bound nodes per draw: enough for a consistent dataset close to the targets.
NODE_LIMIT = 20
#: Consistent datasets solved for; the draws combine their independent blocks.
DEFAULT_POOL = 200
#: Seeds solved in order on one worker (fixed, so results do not depend on the workers).
POOL_CHUNK = 25
#: Environment variable naming a Dask scheduler to run the draws on (as ``--dask-scheduler``).
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
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


@dataclass
class Block:
    """One independent block of the programme: its variables and its constraints."""

    idx: np.ndarray
    rows: list


def blocks(cs: bd.ConsistentSet) -> list[Block]:
    """The programme split into independent blocks: variables that no constraint links are
    solved apart, which makes each draw a handful of tiny integer programmes."""
    rows = cs.rows()
    comp = bd.components(cs.n, rows)
    out = []
    for c in range(int(comp.max()) + 1):
        idx = np.flatnonzero(comp == c)
        mine = set(idx.tolist())
        out.append(Block(idx, [r for r in rows if any(k in mine for k in r.expr if k is not None)]))
    return out


class NearestModel:
    """One block's "nearest consistent counts" programme, built once and reused.

    Variables are the block's counts ``x`` (integer) and their distances ``d`` from the
    targets (continuous), with ``d >= x - t`` and ``d >= t - x``; the objective is the sum of
    ``d`` (slightly jittered, so ties break at random).  A new draw changes only the target
    rows' bounds and the objective, and HiGHS starts from the previous solve.
    """

    def __init__(self, cs: bd.ConsistentSet, block: Block):
        import highspy

        self.idx = block.idx
        n = len(block.idx)
        self.n = n
        self.h = None
        if not block.rows:
            return
        local = {int(v): i for i, v in enumerate(block.idx)}
        rows = list(block.rows)
        for i, v in enumerate(block.idx):  # d_i - x_i >= -t_i and d_i + x_i >= t_i; targets set per draw
            rows.append(bd.Row({int(v): -1.0, ("d", i): 1.0}, -np.inf, np.inf, "distance"))
            rows.append(bd.Row({int(v): 1.0, ("d", i): 1.0}, -np.inf, np.inf, "distance"))
        for i in range(n):
            local[("d", i)] = n + i
        ub = np.concatenate([np.asarray(cs.ub, dtype=float)[block.idx], np.full(n, highspy.kHighsInf)])
        self.model = bd.PairedModel(ub, rows, local, integer=np.arange(2 * n) < n,
                                    options={"mip_max_nodes": NODE_LIMIT, "mip_rel_gap": 1e-4})
        self.h = self.model.mip
        self.first_target_row = len(block.rows)

    def solve(self, t: np.ndarray, jitter: np.ndarray, ub: np.ndarray) -> np.ndarray | None:
        """Consistent counts near ``t`` (rounded to whole counts, so a relaxation whose corners
        are whole counts, as with plain totals, often needs no branch and bound)."""
        t = np.round(t)
        if self.h is None:
            return np.clip(t, 0, ub)
        import highspy

        n, inf = self.n, highspy.kHighsInf
        rows = np.arange(self.first_target_row, self.first_target_row + 2 * n, dtype=np.int32)
        lower = np.empty(2 * n)
        lower[0::2], lower[1::2] = -t, t
        for h in self.model.models():
            h.changeRowsBounds(2 * n, rows, lower, np.full(2 * n, inf))
            h.changeColsCost(n, np.arange(n, 2 * n, dtype=np.int32), 1 + jitter)
        x = self.model.solve()
        return None if x is None else np.round(x[:n])


def draw(cs: bd.ConsistentSet, seed: np.random.SeedSequence, parts: list, centre: np.ndarray,
         models: list[NearestModel] | None = None) -> np.ndarray | None:
    """One consistent dataset's cell counts: one near random targets (a deterministic,
    node-limited search in each block)."""
    rng = np.random.default_rng(seed)
    t = _targets(cs, rng, centre)
    jitter = rng.uniform(0, 0.01, cs.n)
    ub = np.asarray(cs.ub, dtype=float)
    models = models or [NearestModel(cs, b) for b in parts]
    x = np.zeros(cs.n)
    for b, m in zip(parts, models):
        y = m.solve(t[b.idx], jitter[b.idx], ub[b.idx])
        if y is None:
            return None
        x[b.idx] = y
    return x


def _pool_chunk(cs: bd.ConsistentSet, seeds: list[np.random.SeedSequence], centre: np.ndarray) -> list[np.ndarray]:
    """Consistent datasets for a fixed chunk of seeds, solved in order with one model per block
    (so the result depends only on the chunk, not on which process or cluster ran it)."""
    parts = blocks(cs)
    models = [NearestModel(cs, b) for b in parts]
    return [x for x in (draw(cs, s, parts, centre, models) for s in seeds) if x is not None]


def _pool_chunks(pool: int, chunk: int, seed: int) -> tuple[list[list[np.random.SeedSequence]], np.random.SeedSequence]:
    seeds = np.random.SeedSequence(seed).spawn(pool + 1)
    return [seeds[i:min(i + chunk, pool)] for i in range(0, pool, chunk)], seeds[-1]


def scheduler_address(address: str | None = None) -> str | None:
    """The Dask scheduler to use: ``address``, else ``DASK_SCHEDULER_ADDRESS``, else None (local)."""
    return address or os.environ.get(SCHEDULER_ENV) or None


def solve_pool(cs: bd.ConsistentSet, centre: np.ndarray, pool: int, seed: int, n_jobs: int = 2,
               scheduler: str | None = None, chunk: int = POOL_CHUNK) -> np.ndarray:
    """``pool`` consistent datasets, each near its own random targets, as a (pool × cells) array.

    The seeds are split into fixed chunks of ``chunk``; each chunk is solved in order on one
    worker: local processes through joblib (``n_jobs``) by default, or the workers of the
    Dask cluster at ``scheduler`` (see :func:`scheduler_address`).  The chunks and their seeds
    do not depend on where they run, so the result is the same either way.
    """
    chunks, _ = _pool_chunks(pool, chunk, seed)
    scheduler = scheduler_address(scheduler)
    if scheduler:
        from distributed import Client

        with Client(scheduler, set_as_default=False) as client:
            shared = client.scatter(cs, broadcast=True)
            futures = [client.submit(_pool_chunk, shared, c, centre, pure=False) for c in chunks]
            parts = client.gather(futures)
    elif n_jobs == 1 or len(chunks) == 1:
        parts = [_pool_chunk(cs, c, centre) for c in chunks]
    else:
        from joblib import Parallel, delayed

        parts = Parallel(n_jobs=n_jobs)(delayed(_pool_chunk)(cs, c, centre) for c in chunks)
    return np.array([x for p in parts for x in p])


def run_draws(cs: bd.ConsistentSet, centre: np.ndarray, k: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
              n_jobs: int = 2, pool: int = DEFAULT_POOL, scheduler: str | None = None,
              chunk: int = POOL_CHUNK) -> np.ndarray:
    """A (draws × checks) boolean array: whether each finding holds on each consistent draw.

    The programme splits into independent blocks (a question, or questions a finding links),
    so any choice of one solution per block is a consistent dataset.  ``pool`` datasets are
    solved for (:func:`solve_pool`), each near its own random targets around the calibration
    ``centre`` (the synthetic data's counts); each of the ``k`` draws then takes each block
    from a randomly chosen one of them.  A finding reads a few blocks, so it is evaluated once
    for each distinct combination of their solutions among the draws, vectorised over those
    combinations where it is linear; every draw then gets its combination's result.
    """
    solutions = solve_pool(cs, centre, pool, seed, n_jobs, scheduler, chunk)
    _, pick_seed = _pool_chunks(pool, chunk, seed)
    rng = np.random.default_rng(pick_seed)
    parts = blocks(cs)
    block_of = np.zeros(cs.n, dtype=int)
    for b, part in enumerate(parts):
        block_of[part.idx] = b
    pick = rng.integers(0, len(solutions), size=(k, len(parts)))
    held = np.zeros((k, len(cs.checks)), dtype=bool)
    for j, f in enumerate(cs.checks):
        used = sorted({int(block_of[v]) for v in metric_vars(cs, f["metric"])})
        combos, inverse = np.unique(pick[:, used], axis=0, return_inverse=True)
        X = np.zeros((len(combos), cs.n))
        for c, b in enumerate(used):
            X[:, parts[b].idx] = solutions[combos[:, c]][:, parts[b].idx]
        v = evaluate_many(cs, f["metric"], X)
        ok = ~np.isnan(v) & (v >= f.get("lower", -np.inf)) & (v <= f.get("upper", np.inf))
        held[:, j] = ok[np.asarray(inverse).reshape(-1)]
    return held


def exact_verdict(cs: bd.ConsistentSet, fid: str) -> tuple[str, float, float]:
    """Verdict of a linear finding over the set of all the other facts, and its metric's range there."""
    rows = cs.rows(skip=fid)
    mine = cs.findings[fid]
    touched = {k: 0.0 for r in mine for k in r.expr if k is not None}
    if bd.BlockSolver(cs, rows + mine).minimise(touched) is None:
        return "contradicted", np.nan, np.nan
    solver = bd.BlockSolver(cs, rows)
    implied = True
    for r in mine:
        if np.isfinite(r.lo) and implied:
            x = solver.minimise(r.expr)
            implied = x is not None and bd.evaluate(r.expr, x) >= r.lo - 1e-9
        if np.isfinite(r.hi) and implied:
            x = solver.minimise(bd._scaled(r.expr, -1))
            implied = x is not None and bd.evaluate(r.expr, x) <= r.hi + 1e-9
    check = next(f for f in cs.checks if f["id"] == fid)
    terms = bd.metric_expression(cs, check["metric"]) if check["metric"]["type"] not in (
        "share_range", "top_options_margin") else None
    lo = hi = np.nan
    if terms and len(terms) == 1:
        lo, hi = bd.ratio_bounds(cs, terms[0][1], solver=solver)
    elif terms and all(bd._is_constant(r.den) for _, r in terms):
        e: dict = {}
        for sign, r in terms:
            e = bd._add(e, bd._scaled(r.num, 100 * sign / r.den[None]))
        a, b = solver.minimise(e), solver.minimise(bd._scaled(e, -1))
        lo, hi = bd.evaluate(e, a), bd.evaluate(e, b)
    return ("implied" if implied else "compatible"), lo, hi


def findings_robustness(cs: bd.ConsistentSet, centre: np.ndarray, k: int = DEFAULT_DRAWS,
                        seed: int = DEFAULT_SEED, n_jobs: int = 2, pool: int = DEFAULT_POOL,
                        scheduler: str | None = None, chunk: int = POOL_CHUNK) -> pd.DataFrame:
    """One row per check of ``survey_constraints.yml``: verdict, share of draws where it holds, draws.

    ``centre`` (the synthetic data's counts) is also a witness: a finding that holds on it
    is at least compatible with the published facts.
    """
    bd.check_consistent(cs)
    held = run_draws(cs, centre, k, seed, n_jobs, pool, scheduler, chunk)
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
                  seed: int = DEFAULT_SEED, n_jobs: int = 2, pool: int = DEFAULT_POOL,
                  scheduler: str | None = None) -> dict[str, Any]:
    """Everything the chapter section shows: the bounds table, the findings' verdicts and timings.

    ``survey_frame`` is a real export (None with synthetic data): its values are set
    against the bounds, and ``outside_bounds`` flags any that fall outside.  The bounds table
    comes from :func:`cached_bounds`, the entry the survey chapter reads too.
    """
    import time

    cs = bd.build()
    bd.check_consistent(cs)
    started = time.perf_counter()
    verdicts = findings_robustness(cs, bd.counts_from_frame(cs, synthetic_frame), k, seed, n_jobs, pool, scheduler)
    draws_seconds = time.perf_counter() - started
    # The bounds table is the survey chapter's too: taken from the same cache entry, so a build
    # computes it once (the draws come first, while the survey notebook computes it).
    started = time.perf_counter()
    table = cached_bounds(survey_frame, synthetic_frame)
    bounds_seconds = time.perf_counter() - started
    return {"bounds": table, "robustness": verdicts, "bounds_seconds": bounds_seconds,
            "draws_seconds": draws_seconds, "nonlinear": list(cs.nonlinear), "consistent_set": cs}


def cached_outputs(survey_frame: pd.DataFrame | None, synthetic_frame: pd.DataFrame, k: int = DEFAULT_DRAWS,
                   seed: int = DEFAULT_SEED, pool: int = DEFAULT_POOL, n_jobs: int = 2,
                   scheduler: str | None = None) -> dict[str, Any]:
    """:func:`build_outputs`, kept in the shared cache of :mod:`nptsc_eval.survey.bounds_cache`.

    Where the draws run (``n_jobs``, ``scheduler``) is not part of the key: it does not
    change the result.
    """
    from nptsc_eval.survey import bounds_cache

    def compute() -> dict[str, Any]:
        out = build_outputs(survey_frame, synthetic_frame, k, seed, n_jobs, pool, scheduler)
        out.pop("consistent_set")
        return out

    return bounds_cache.cached(compute, {"survey": survey_frame, "synthetic": synthetic_frame},
                               {"what": "bounds and draws", "draws": k, "seed": seed, "pool": pool})


def cached_bounds(survey_frame: pd.DataFrame | None, synthetic_frame: pd.DataFrame) -> pd.DataFrame:
    """The bounds table alone (no draws), through the shared cache: what the survey chapter's
    charts and tables show beside each percentage."""
    from nptsc_eval.survey import bounds_cache

    def compute() -> dict[str, Any]:
        cs = bd.build()
        return {"bounds": bd.survey_bounds(cs, synthetic_frame, survey_frame)}

    return bounds_cache.cached(compute, {"survey": survey_frame, "synthetic": synthetic_frame},
                               {"what": "bounds"})["bounds"]
