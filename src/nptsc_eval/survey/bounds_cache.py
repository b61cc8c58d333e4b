"""A content-addressed cache of the survey bounds and the findings' verdicts.

The bounds and the draws depend only on the published facts in ``data/raw/`` (the
constraints, the codebook, Table 1.1 and the respondent profile), on the synthetic and real
respondent data, on the number of draws and the seed, and on the code that computes them.
:func:`cached` hashes all of these into a key and keeps the result under that key in a cache
folder shared by every checkout of the project on the machine, so a build in a fresh copy
(as the tests make) reuses a result an earlier build computed instead of paying for it again.
A change to any input or to the code gives a new key, so a stale result is never used.

The folder is ``$NPTSC_EVAL_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/nptsc-eval``, else
``~/.cache/nptsc-eval``.  Setting ``NPTSC_EVAL_CACHE_DIR`` to ``off`` turns the cache off.
Entries are kept by :class:`nptsc_eval.caching.DiskCache` (atomic writes; a damaged entry is
computed again; an entry is computed once even when two processes ask for it at the same time).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from nptsc_eval.caching import DiskCache
from nptsc_eval.paths import RAW_DIR

CACHE_ENV = "NPTSC_EVAL_CACHE_DIR"
#: Raw files the consistent set is built from (glob patterns in ``data/raw/``).
INPUT_PATTERNS = ("survey_constraints.yml", "survey_codebook.yml", "survey_table_1_1_respondents.*",
                  "survey_respondent_profile.*")
#: Modules whose code decides the result.
CODE_MODULES = ("bounds", "bounds_model", "bounds_solver", "robustness", "draw_metrics", "findings", "codebook", "stats", "bounds_cache")


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is turned off."""
    value = os.environ.get(CACHE_ENV)
    if value is not None and value.strip().lower() in ("off", "0", "none", ""):
        return None
    if value:
        return Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nptsc-eval"


def _frame_digest(frame: pd.DataFrame | None) -> str:
    if frame is None:
        return "none"
    hashed = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    return hashlib.sha256(hashed + ",".join(map(str, frame.columns)).encode()).hexdigest()


def key(raw_dir: Path, frames: dict[str, pd.DataFrame | None], parameters: dict[str, Any]) -> str:
    """The hash of every input, the parameters, the code and the versions of the libraries used."""
    import highspy
    import numpy
    import scipy

    h = hashlib.sha256()
    for pattern in INPUT_PATTERNS:
        for path in sorted(Path(raw_dir).glob(pattern)):
            h.update(path.name.encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    here = Path(__file__).parent
    for module in CODE_MODULES:
        h.update((here / f"{module}.py").read_bytes())
    for name, frame in sorted(frames.items()):
        h.update(f"{name}={_frame_digest(frame)}".encode())
    h.update(repr(sorted(parameters.items())).encode())
    versions = (numpy.__version__, pd.__version__, scipy.__version__, highspy.Highs().version())
    h.update(repr(versions).encode())
    return h.hexdigest()


def cached(compute: Callable[[], dict[str, Any]], frames: dict[str, pd.DataFrame | None],
           parameters: dict[str, Any], raw_dir: Path | None = None) -> dict[str, Any]:
    """``compute()``'s result for these inputs: from the cache when there, else computed and kept.

    The result gets ``cache_hit`` (True when it came from the cache) and ``cache_key``.  When two
    processes ask for the same missing entry at once (the survey notebooks of one build), one
    computes it and the other waits for it (:meth:`nptsc_eval.caching.DiskCache.get`).
    """
    folder = cache_dir()
    if folder is None:
        return {**compute(), "cache_hit": False, "cache_key": ""}
    k = key(raw_dir or RAW_DIR, frames, parameters)
    found, result = DiskCache(folder, "survey-bounds").get(k, compute)
    return {**result, "cache_hit": found, "cache_key": k}
