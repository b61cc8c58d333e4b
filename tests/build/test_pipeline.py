"""The pipeline runner on a small project of its own: caching, reasons, order, failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from nptsc_eval.build.state import load_state
from nptsc_eval.errors import PipelineError
from nptsc_eval.build import NotebookFailed, build_book, load_spec, run_notebooks


def _notebook(path: Path, params: str, code: str, markdown: str = "# A chapter") -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    md = nbformat.v4.new_markdown_cell(markdown)
    md.id = "prose"
    p = nbformat.v4.new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    p.id = "params"
    c = nbformat.v4.new_code_cell(code)
    c.id = "work"
    nb.cells = [md, p, c]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Two raw files; 'count' reads a.txt and writes count.txt; 'double' reads count.txt."""
    root = tmp_path / "p"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "raw" / "a.txt").write_text("1 2 3\n")
    (root / "data" / "raw" / "b.txt").write_text("unused by count\n")
    for name in ("a", "b"):  # every raw file is described, or the build refuses to start
        (root / "data" / "raw" / f"{name}.meta.yml").write_text(f"title: Test file {name}\nsource: made by the test\n")
    (root / "data" / "processed").mkdir(parents=True)
    _notebook(root / "notebooks" / "count.ipynb", "factor = 1  # multiplier",
              "from pathlib import Path\nn = len(Path('../data/raw/a.txt').read_text().split()) * factor\n"
              "Path('../data/processed/count.txt').write_text(str(n))\nprint(n)")
    _notebook(root / "notebooks" / "double.ipynb", "label = 'x'  # a label",
              "from pathlib import Path\nprint(2 * int(Path('../data/processed/count.txt').read_text()))")
    (root / "pipeline.yml").write_text(textwrap.dedent("""
        variables:
          source: data/raw/a.txt
        notebooks:
          - notebook: notebooks/double.ipynb
            inputs: [data/processed/count.txt]
          - notebook: notebooks/count.ipynb
            inputs: ["${source}"]
            runs:
              - id: count
                parameters: {factor: 1}
                outputs: [data/processed/count.txt]
    """))
    return root


def _run(root: Path, **kwargs) -> dict[str, tuple[str, str]]:
    messages: list[str] = []
    results = run_notebooks(load_spec(root=root, overrides=kwargs.pop("overrides", None)), root,
                            report=messages.append, **kwargs)
    return {r.run_id: (r.action, r.reason) for r in results}


def _printed(executed: Path) -> str:
    nb = json.loads(executed.read_text())
    return "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []) if o.get("name") == "stdout")


def test_runs_in_dependency_order_then_skips_what_did_not_change(project):
    first = _run(project)
    assert first == {"double": ("executed", "never run before"), "count": ("executed", "never run before")}
    assert _printed(project / "book" / "executed" / "double.ipynb").strip() == "6"
    second = _run(project)
    assert {k: v[0] for k, v in second.items()} == {"double": "skipped", "count": "skipped"}


def test_parallel_runs_never_move_the_process_working_folder(project, monkeypatch):
    # Worker threads share one working folder, so no run may change it; each kernel still
    # starts in its notebook's folder (the notebooks read '../data/raw/a.txt').
    # (papermill's file reader re-enters the current folder, which moves nothing.)
    moves: list[str] = []
    real_chdir = os.chdir
    monkeypatch.setattr(os, "chdir", lambda path: (moves.append(str(path)), real_chdir(path)))
    before = os.getcwd()
    result = _run(project, jobs=2)
    assert {k: v[0] for k, v in result.items()} == {"double": "executed", "count": "executed"}
    assert _printed(project / "book" / "executed" / "count.ipynb").strip() == "3"
    assert set(moves) <= {before}
    assert os.getcwd() == before


def test_a_changed_input_reruns_only_the_notebooks_that_read_it(project):
    _run(project)
    (project / "data" / "raw" / "b.txt").write_text("changed, but nobody reads it\n")
    assert {k: v[0] for k, v in _run(project).items()} == {"double": "skipped", "count": "skipped"}
    (project / "data" / "raw" / "a.txt").write_text("1 2 3 4\n")
    result = _run(project)
    assert result["count"] == ("executed", "input changed: data/raw/a.txt")
    # count.txt changed from 3 to 4, so the notebook that reads it runs too.
    assert result["double"] == ("executed", "input changed: data/processed/count.txt")
    assert _printed(project / "book" / "executed" / "double.ipynb").strip() == "8"


def test_reasons_for_code_parameter_and_forced_runs(project):
    _run(project)
    nb = project / "notebooks" / "count.ipynb"
    nb.write_text(nb.read_text().replace("multiplier", "multiplier of the count"))
    assert _run(project)["count"] == ("executed", "notebook code changed")
    spec = project / "pipeline.yml"
    spec.write_text(spec.read_text().replace("{factor: 1}", "{factor: 2}"))
    result = _run(project)
    assert result["count"] == ("executed", "parameters changed")
    assert _printed(project / "book" / "executed" / "count.ipynb").strip() == "6"
    assert _run(project, force=True)["double"] == ("executed", "forced (--force)")


def test_prose_changes_refresh_the_executed_copy_without_running(project):
    _run(project)
    nb = project / "notebooks" / "double.ipynb"
    nb.write_text(nb.read_text().replace("# A chapter", "# A better chapter"))
    result = _run(project)
    assert result["double"] == ("skipped", "up to date (prose refreshed)")
    assert "# A better chapter" in (project / "book" / "executed" / "double.ipynb").read_text()
    # The refreshed copy is recorded as the run's own: the next build leaves it alone.
    assert _run(project)["double"] == ("skipped", "up to date")


def test_a_variable_override_changes_parameters_and_inputs(project):
    (project / "data" / "raw" / "other.txt").write_text("1 2 3 4 5\n")
    result = _run(project, overrides={"source": "data/raw/other.txt"})
    assert result["count"][0] == "executed"
    with pytest.raises(PipelineError, match="no variable 'nonsense'"):
        load_spec(root=project, overrides={"nonsense": "x"})


def test_an_input_that_is_an_empty_variable_names_no_file_until_the_variable_is_set(project):
    """An optional input file (the survey's clearance file) is a variable left empty by default."""
    spec_file = project / "pipeline.yml"
    spec_file.write_text(spec_file.read_text().replace("  source: data/raw/a.txt", "  source: data/raw/a.txt\n  extra: ''")
                         .replace('inputs: ["${source}"]', 'inputs: ["${source}", "${extra}"]'))
    count = next(r for r in load_spec(root=project).runs if r.id == "count")
    assert count.inputs == ["data/raw/a.txt"]
    assert count.input_files(project) == [(project / "data" / "raw" / "a.txt").resolve()]
    count = next(r for r in load_spec(root=project, overrides={"extra": "data/raw/b.txt"}).runs if r.id == "count")
    assert count.inputs == ["data/raw/a.txt", "data/raw/b.txt"]
    assert len(count.input_files(project)) == 2


def test_a_failing_notebook_names_notebook_cell_and_exception_and_keeps_the_error(project):
    _run(project)
    nb = project / "notebooks" / "double.ipynb"
    nb.write_text(nb.read_text().replace("print(2 * int(", "raise ValueError('no such county') #"))
    with pytest.raises(NotebookFailed) as failure:
        _run(project)
    message = str(failure.value)
    assert "notebooks/double.ipynb" in message or "double.ipynb" in message
    assert "cell 3" in message
    assert "ValueError: no such county" in message
    kept = project / "_build" / "failed" / "double.ipynb"
    assert kept.exists() and "no such county" in kept.read_text()
    # The last good executed copy stays for the book; the failed run is retried next time.
    assert _printed(project / "book" / "executed" / "double.ipynb").strip() == "6"
    with pytest.raises(NotebookFailed):
        _run(project)


def test_specification_errors_are_named(project):
    spec = project / "pipeline.yml"
    spec.write_text("notebooks:\n  - notebook: notebooks/missing.ipynb\n")
    with pytest.raises(PipelineError, match="notebooks/missing.ipynb does not exist"):
        load_spec(root=project)
    spec.write_text("notebooks:\n  - notebook: notebooks/count.ipynb\n    runs: [{id: a}, {id: a}]\n")
    with pytest.raises(PipelineError, match="repeated: a"):
        load_spec(root=project)
    spec.write_text(textwrap.dedent("""
        notebooks:
          - notebook: notebooks/count.ipynb
            inputs: [data/processed/y.txt]
            outputs: [data/processed/x.txt]
          - notebook: notebooks/double.ipynb
            inputs: [data/processed/x.txt]
            outputs: [data/processed/y.txt]
    """))
    with pytest.raises(PipelineError, match="cycle"):
        load_spec(root=project)


def test_a_broken_book_leaves_the_published_book_intact(project):
    (project / "_config.yml").write_text("title: Test\nonly_build_toc_files: true\nexecute:\n  execute_notebooks: 'off'\n")
    (project / "_toc.yml").write_text("format: jb-book\nroot: book/index\n")
    (project / "book").mkdir(exist_ok=True)
    (project / "book" / "index.md").write_text("# Test book\n\nFirst edition.\n")
    build_book(project, report=lambda m: None)
    published = project / "_build" / "html" / "book" / "index.html"
    assert "First edition." in published.read_text()
    (project / "book" / "index.md").write_text("# Test book\n\nSecond edition with {ref}`a-missing-label`.\n")
    with pytest.raises(PipelineError, match="did not build"):
        build_book(project, report=lambda m: None)
    assert "First edition." in published.read_text()


def test_the_command_line_reports_a_failing_notebook_without_a_traceback(project):
    nb = project / "notebooks" / "count.ipynb"
    nb.write_text(nb.read_text().replace("print(n)", "1 / 0"))
    env = dict(os.environ)  # the command finds the project from its working folder
    result = subprocess.run([sys.executable, "-m", "nptsc_eval.cli", "build", "--no-book", "--jobs", "1"],
                            env=env, capture_output=True, text=True, cwd=project)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "count.ipynb" in result.stderr and "cell 3" in result.stderr and "ZeroDivisionError" in result.stderr


def _comparable(executed: Path) -> list[tuple]:
    """What a reader of an executed notebook sees: each cell's source, count and outputs."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    return [(c["cell_type"], c["source"], c.get("execution_count"), json.dumps(c.get("outputs", []), sort_keys=True))
            for c in nb["cells"]]


#: Files the whole build writes into ``data/processed/`` after the notebooks (its provenance record).
WRITTEN_AFTER_THE_NOTEBOOKS = {"provenance.csv", "provenance_runs.csv"}


def test_the_build_record_says_which_kind_of_kernel_ran_each_notebook(project):
    _run(project, jobs=1)
    assert {rid: load_state(project)[rid]["kernel"] for rid in ("count", "double")} == {"count": "pool", "double": "pool"}
    _run(project, jobs=1, force=True, reuse_kernels=False)
    assert {rid: load_state(project)[rid]["kernel"] for rid in ("count", "double")} == {"count": "fresh", "double": "fresh"}


def _notebook_runs(root: Path) -> dict[str, dict[str, object]]:
    """Each run's executed notebook (as a reader sees it, and its bytes), and the processed CSV files."""
    spec = load_spec(root=root)
    return {
        "notebooks": {run.id: _comparable(run.executed) for run in spec.runs},
        "bytes": {run.id: run.executed.read_bytes() for run in spec.runs},
        "processed": {p.name: p.read_bytes() for p in sorted((root / "data" / "processed").glob("*.csv"))},
    }


@pytest.mark.build
def test_reused_kernels_execute_the_real_notebooks_exactly_as_fresh_kernels_do(built_book, tmp_path):
    """The project's own build (kernels reused from notebook to notebook) and a run of every notebook
    in a fresh kernel of its own, in another folder, give byte-identical notebooks and files.

    The reused-kernel side is the real build the test run already made (``built_book``: the build
    reuses kernels, two workers for ten runs); only the fresh-kernel side runs here.
    """
    import shutil

    from nptsc_eval import paths
    from nptsc_eval.build.state import build_lock

    with build_lock(paths.PROJECT_ROOT):  # no build half way through writing them
        reused = _notebook_runs(paths.PROJECT_ROOT)
        kernels = {rid: record.get("kernel") for rid, record in load_state(paths.PROJECT_ROOT).items()
                   if isinstance(record, dict) and rid in reused["bytes"]}
    # The project's notebooks must come from kept kernels (the build's default), or this compares fresh with
    # fresh: after a build with --fresh-kernels, or one older than this record, run `make rebuild` first.
    assert set(kernels.values()) == {"pool"} and len(kernels) == 10, kernels
    root = tmp_path / "fresh"
    shutil.copytree(paths.NOTEBOOKS_DIR, root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(paths.RAW_DIR, root / "data" / "raw")
    shutil.copy(paths.PIPELINE_FILE, root / "pipeline.yml")
    spec = load_spec(root=root)
    results = run_notebooks(spec, root, jobs=2, reuse_kernels=False, report=lambda message: None)
    assert [r.action for r in results] == ["executed"] * len(spec.runs)
    fresh = _notebook_runs(root)
    assert len(fresh["notebooks"]) == 10
    assert reused["notebooks"] == fresh["notebooks"]
    # Every file the notebooks wrote is the same; the real build also wrote its provenance record.
    assert {name: reused["processed"][name] for name in fresh["processed"]} == fresh["processed"]
    assert set(reused["processed"]) - set(fresh["processed"]) == WRITTEN_AFTER_THE_NOTEBOOKS
    # Builds in two folders give byte-identical executed notebooks: no times, durations, folder
    # paths or random cell ids.
    for run_id, content in fresh["bytes"].items():
        assert content == reused["bytes"][run_id], run_id
    # A reset kernel counts its cells from 1 again, as a fresh one does.
    for run_id, cells in reused["notebooks"].items():
        assert [cell[2] for cell in cells if cell[0] == "code"][0] == 1, run_id


def test_refresh_takes_a_notebook_by_name_or_by_path_and_names_one_it_cannot_find():
    from nptsc_eval.cli import refresh_targets
    from nptsc_eval.paths import NOTEBOOKS_DIR

    by_name = refresh_targets(["05-claims-audit.ipynb"])
    assert by_name == [NOTEBOOKS_DIR / "05-claims-audit.ipynb"]
    assert refresh_targets(["notebooks/05-claims-audit.ipynb"]) == by_name
    assert refresh_targets(None) == sorted(NOTEBOOKS_DIR.glob("[0-9]*.ipynb"))
    with pytest.raises(PipelineError, match="no notebook notebooks/99-missing.ipynb in notebooks/"):
        refresh_targets(["notebooks/99-missing.ipynb"])


def test_refresh_of_an_unknown_notebook_is_one_line_without_a_traceback():
    result = subprocess.run([sys.executable, "-m", "nptsc_eval.cli", "refresh", "notebooks/99-missing.ipynb"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "no notebook notebooks/99-missing.ipynb" in result.stderr and "Traceback" not in result.stderr
