"""How the build orders its runs: cost hints in pipeline.yml, timings from the last build, start priority."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
import pytest

from nptsc_eval.build.scheduler import expected_seconds, first_wave, start_priority
from nptsc_eval.build.spec import Run, load_spec
from nptsc_eval.errors import PipelineError
from nptsc_eval.project import SOURCE_ROOT


def _project(tmp_path: Path, runs: str) -> Path:
    root = tmp_path / "p"
    (root / "notebooks").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), root / "notebooks" / "n.ipynb")
    (root / "pipeline.yml").write_text("notebooks:\n  - notebook: notebooks/n.ipynb\n    runs:\n"
                                       + textwrap.indent(textwrap.dedent(runs), "      "))
    return root


def _run(rid: str, after: tuple[str, ...] = (), cost: float | None = None) -> Run:
    return Run(rid, Path(f"{rid}.ipynb"), {}, [], [], Path(f"{rid}.out"), set(after), cost=cost)


def test_a_cost_in_pipeline_yml_reaches_the_run(tmp_path):
    root = _project(tmp_path, """
        - id: long
          cost: 12.5
        - id: plain
    """)
    runs = {r.id: r for r in load_spec(root=root).runs}
    assert runs["long"].cost == 12.5
    assert runs["plain"].cost is None


@pytest.mark.parametrize("value", ["-3", "0", "soon", ".nan"])
def test_a_cost_that_is_not_a_positive_number_is_refused_with_its_place(tmp_path, value):
    root = _project(tmp_path, f"""
        - id: first
        - id: second
          cost: {value}
    """)
    with pytest.raises(PipelineError) as failure:
        load_spec(root=root)
    message = str(failure.value)
    assert "pipeline.yml" in message and "run 2" in message and "cost" in message


def test_the_last_timing_comes_before_the_cost_in_pipeline_yml_and_the_cost_before_the_default():
    run = _run("a", cost=7.0)
    assert expected_seconds(run, {"status": "done", "seconds": 3.25}) == 3.25
    assert expected_seconds(run, {"status": "running"}) == 7.0
    assert expected_seconds(run, None) == 7.0
    assert expected_seconds(_run("b"), {"seconds": True}) == 1.0


def test_a_run_that_a_long_chain_waits_for_comes_before_a_longer_run_on_its_own():
    runs = [_run("alone"), _run("first"), _run("then", after=("first",)), _run("last", after=("then", "alone"))]
    priority = start_priority(runs, {"alone": 6.0, "first": 2.0, "then": 5.0, "last": 1.0})
    assert priority == {"alone": 7.0, "first": 8.0, "then": 6.0, "last": 1.0}
    assert sorted(priority, key=lambda rid: (-priority[rid], rid))[:2] == ["first", "alone"]


def test_the_real_pipeline_starts_the_survey_bounds_and_the_survey_first():
    # Started in alphabetical order, the longest run (02b) started third, after 01 and 02.
    spec = load_spec(root=SOURCE_ROOT)
    priority = start_priority(spec.runs, {r.id: expected_seconds(r, None) for r in spec.runs})
    ready = [r.id for r in first_wave(spec.runs, {})]
    assert sorted(ready, key=lambda rid: (-priority[rid], rid))[:2] == ["02b-survey-bounds", "02-survey"]


def test_the_first_wave_leaves_out_completed_runs_and_runs_waiting_for_others():
    runs = [_run("a"), _run("b", after=("a",)), _run("c"), _run("d", after=("c",))]
    state = {"c": {"status": "done", "seconds": 1.0}}
    assert [r.id for r in first_wave(runs, state)] == ["a", "d"]
    assert [r.id for r in first_wave(runs, state, force=True)] == ["a", "c"]


def test_kernel_preload_reaches_the_spec_and_a_name_that_is_not_a_module_is_refused(tmp_path):
    root = _project(tmp_path, "- id: only\n")
    pipeline = root / "pipeline.yml"
    body = pipeline.read_text()
    assert load_spec(root=root).preload == ()
    pipeline.write_text("kernel_preload: [pandas, matplotlib.pyplot]\n" + body)
    assert load_spec(root=root).preload == ("pandas", "matplotlib.pyplot")
    pipeline.write_text("kernel_preload: [pandas, 'os; import shutil']\n" + body)
    with pytest.raises(PipelineError) as failure:
        load_spec(root=root)
    assert "pipeline.yml" in str(failure.value) and "kernel_preload" in str(failure.value)
