"""What makes a cold build fast, on a small project: the longest run starts first, and kernels warmed
while the build checks its data are the ones used, with the environment of any kernel of the build."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from nptsc_eval.build import build, load_spec, run_notebooks
from nptsc_eval.build.kernels import PIPELINE_ENV, KernelPool, kernel_environment
from test_pipeline import _notebook, _printed

pytestmark = pytest.mark.slow

_PRINT = f"import os, sys\nprint(name, os.environ.get('{PIPELINE_ENV}'), 'pandas' in sys.modules)"


def _project(tmp_path: Path, pipeline: str) -> Path:
    root = tmp_path / "p"
    for name in ("a-short", "z-long"):
        _notebook(root / "notebooks" / f"{name}.ipynb", f"name = {name!r}", _PRINT)
    (root / "pipeline.yml").write_text(textwrap.dedent(pipeline))
    return root


def test_the_longest_run_starts_first(tmp_path):
    root = _project(tmp_path, """
        notebooks:
          - notebook: notebooks/a-short.ipynb
            runs: [{id: a-short, cost: 1}]
          - notebook: notebooks/z-long.ipynb
            runs: [{id: z-long, cost: 30}]
    """)
    messages: list[str] = []
    run_notebooks(load_spec(root=root), root, jobs=1, report=messages.append)
    started = [m.split("] ")[1].split(":")[0] for m in messages if ": running" in m]
    assert started == ["z-long", "a-short"]
    assert _printed(root / "book" / "executed" / "z-long.ipynb").split()[:2] == ["z-long", "1"]


def test_a_warm_kernel_is_the_one_the_first_notebook_gets_and_unused_ones_are_shut_down(tmp_path):
    from jupyter_core.utils import run_sync

    root = _project(tmp_path, """
        notebooks:
          - notebook: notebooks/a-short.ipynb
          - notebook: notebooks/z-long.ipynb
    """)
    pool = KernelPool(environment=kernel_environment())
    pool.warm(2, root / "notebooks", ("pandas",))
    kernels = list(pool._warming)
    try:
        results = run_notebooks(load_spec(root=root), root, jobs=1, kernels=pool, report=lambda m: None)
        # The caller's pool is left open for the caller to close.
        assert len(pool._kernels) == 2
    finally:
        pool.close()
    assert [r.action for r in results] == ["executed", "executed"]
    # Two kernels started (both warm), one reused for the second notebook; none started for a notebook.
    assert (pool.started, pool.reused) == (2, 1)
    # The warm kernel had imported pandas before the notebook, which itself imports nothing, and it
    # was started with the pool's environment.
    for name in ("a-short", "z-long"):
        assert _printed(root / "book" / "executed" / f"{name}.ipynb").split()[1:] == ["1", "True"]
    assert not any(run_sync(f.result().is_alive)() for f in kernels)


@pytest.mark.parametrize("preload, imported", [("kernel_preload: [pandas]", "True"), ("", "False")])
def test_a_cold_build_runs_its_first_notebooks_in_kernels_warmed_with_the_build_environment(tmp_path, preload, imported):
    # The kernels start before the build runs a notebook; they must still know they run in the pipeline.
    # What they import first is the project's choice (pipeline.yml's kernel_preload), not the engine's:
    # without one they start bare.
    root = _project(tmp_path, f"""
        {preload}
        notebooks:
          - notebook: notebooks/a-short.ipynb
          - notebook: notebooks/z-long.ipynb
    """)
    messages: list[str] = []
    build(root=root, jobs=2, book=False, report=messages.append)
    assert "kernels: 2 started, reused for 0 further notebooks" in messages
    for name in ("a-short", "z-long"):
        assert _printed(root / "book" / "executed" / f"{name}.ipynb").split()[1:] == ["1", imported]
    # A second build has nothing to run, so it starts no kernel.
    messages.clear()
    build(root=root, jobs=2, book=False, report=messages.append)
    assert not any(m.startswith("kernels:") for m in messages)


def test_the_report_s_kernels_preload_what_its_notebooks_import_first():
    from nptsc_eval.project import Project

    assert load_spec(root=Project.current().root).preload == ("nptsc_eval.kernel_preload",)
