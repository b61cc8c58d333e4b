"""Faults the build must survive: odd file names, killed builds, damaged records, races, no network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nptsc_eval import paths
from nptsc_eval.build import scheduler, state
from nptsc_eval.errors import PipelineError
from nptsc_eval.build.spec import load_spec
from nptsc_eval.build.state import STATE_FILE, build_lock
from test_pipeline import _notebook, _printed, _run, project  # noqa: F401 - the shared project fixture

PROJECT_ROOT = paths.PROJECT_ROOT


def _cli(root: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ)  # the command finds the project from its working folder
    return subprocess.run([sys.executable, "-m", "nptsc_eval.cli", *args], env=env, capture_output=True,
                           text=True, cwd=root, timeout=300, **kwargs)


# --------------------------------------------------------------------------------------
# A glob that swallows a path
# --------------------------------------------------------------------------------------


def _count_reads_its_source(project: Path, variable: str = "source") -> None:
    """Make the project's 'count' run read the file the variable names (a parameter), as 02-survey does.

    A relative path is relative to the project root (the notebook runs in notebooks/).
    """
    _notebook(project / "notebooks" / "count.ipynb", "factor = 1  # multiplier\nsource = '../data/raw/a.txt'",
              "from pathlib import Path\nn = len((Path('..') / source).read_text().split()) * factor\n"
              "Path('../data/processed/count.txt').write_text(str(n))\nprint(n)")
    (project / "pipeline.yml").write_text(textwrap.dedent("""
        variables:
          VARIABLE: data/raw/a.txt
        notebooks:
          - notebook: notebooks/double.ipynb
            inputs: [data/processed/count.txt]
          - notebook: notebooks/count.ipynb
            inputs: ["${VARIABLE}"]
            runs:
              - id: count
                parameters: {factor: 1, source: "${VARIABLE}"}
                outputs: [data/processed/count.txt]
    """).replace("VARIABLE", variable))


@pytest.mark.parametrize("name, namesake", [("export [v2].txt", "export v.txt"), ("export *final*.txt", "export final.txt"),
                                            ("export?.txt", "exportX.txt"), ("[a-z] export.txt", "a export.txt")])
def test_a_path_with_wildcard_characters_is_read_as_itself_and_its_edits_are_noticed(project, name, namesake):
    _count_reads_its_source(project)
    export = project / "tmp" / name
    export.parent.mkdir()
    export.write_text("1 2 3 4 5\n")
    # A namesake the name would match as a pattern: it is not an input.
    (project / "tmp" / namesake).write_text("1\n")
    overrides = {"source": str(export)}
    first = _run(project, overrides=overrides)
    assert first["count"][0] == "executed"
    assert _printed(project / "book" / "executed" / "count.ipynb").strip() == "5"
    export.write_text("1 2\n")
    second = _run(project, overrides=overrides)
    assert second["count"] == ("executed", f"input changed: tmp/{name}")
    assert _printed(project / "book" / "executed" / "count.ipynb").strip() == "2"
    spec = load_spec(root=project, overrides=overrides)
    assert next(r for r in spec.runs if r.id == "count").input_files(project) == [export.resolve()]


def test_the_command_line_notices_an_edited_survey_export_with_brackets_in_its_name(project):
    _count_reads_its_source(project, variable="survey")
    # build --survey checks the export against the codebook first: give the project the real
    # codebook and a valid export (the synthetic responses) under a name with brackets.
    from nptsc_eval import paths

    for name in ("survey_codebook.yml", "survey_constraints.yml", "survey_export_mapping.yml"):
        shutil.copy(paths.RAW_DIR / name, project / "data" / "raw" / name)
    spec = project / "pipeline.yml"
    spec.write_text(spec.read_text().replace("variables:\n", "variables:\n  survey_options: '{}'\n", 1))
    export = project / "tmp" / "export [v2].csv"
    export.parent.mkdir()
    rows = (paths.RAW_DIR / "survey_responses_synthetic.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    export.write_text("".join(rows[:-1]), encoding="utf-8")
    first = _cli(project, "build", "--no-book", "--jobs", "1", "--survey", "tmp/export [v2].csv")
    assert first.returncode == 0, first.stderr
    assert (project / "data" / "processed" / "count.txt").read_text() == str(len("".join(rows[:-1]).split()))
    export.write_text("".join(rows), encoding="utf-8")
    second = _cli(project, "build", "--no-book", "--jobs", "1", "--survey", "tmp/export [v2].csv")
    assert second.returncode == 0, second.stderr
    assert "count: running (input changed:" in second.stdout
    words = len("".join(rows).split())
    assert (project / "data" / "processed" / "count.txt").read_text() == str(words)


def test_a_declared_input_that_matches_nothing_stops_the_build_before_anything_runs(project):
    spec = project / "pipeline.yml"
    text = spec.read_text()
    spec.write_text(text.replace('inputs: ["${source}"]', 'inputs: ["${source}", "data/raw/extra-*.txt"]'))
    with pytest.raises(PipelineError) as failure:
        _run(project)
    assert "run 'count': input pattern data/raw/extra-*.txt matches no file" in str(failure.value)
    assert not (project / "book" / "executed").exists()
    spec.write_text(text.replace('inputs: ["${source}"]', 'inputs: ["${source}", data/raw/extra.txt]'))
    with pytest.raises(PipelineError, match="run 'count': input file data/raw/extra.txt does not exist"):
        _run(project)
    (project / "data" / "raw" / "extra-1.txt").write_text("now there is one\n")
    spec.write_text(text.replace('inputs: ["${source}"]', 'inputs: ["${source}", "data/raw/extra-*.txt"]'))
    assert _run(project)["count"][0] == "executed"


# --------------------------------------------------------------------------------------
# Killed builds and damaged outputs
# --------------------------------------------------------------------------------------


def test_a_build_killed_after_a_run_wrote_its_outputs_runs_it_again(project, monkeypatch):
    _run(project)
    count = project / "data" / "processed" / "count.txt"
    assert count.read_text() == "3"
    (project / "data" / "raw" / "a.txt").write_text("1 2 3 4\n")
    real = scheduler.execute_run

    def killed_after_outputs(run, root, kernels=None, report=print):
        seconds = real(run, root, kernels, report)
        if run.id == "count":
            raise KeyboardInterrupt  # the build is killed before it records the run
        return seconds

    monkeypatch.setattr(scheduler, "execute_run", killed_after_outputs)
    with pytest.raises(KeyboardInterrupt):
        _run(project, jobs=1)
    monkeypatch.setattr(scheduler, "execute_run", real)
    assert count.read_text() == "4"  # the outputs of the new data are on disk
    # The input goes back to what the last completed record says: the run must still run again.
    (project / "data" / "raw" / "a.txt").write_text("1 2 3\n")
    result = _run(project)
    assert result["count"] == ("executed", "the last build stopped before this run finished")
    assert count.read_text() == "3"
    assert result["double"][0] == "skipped"
    assert _printed(project / "book" / "executed" / "double.ipynb").strip() == "6"


def test_a_failed_state_write_after_a_run_leaves_it_to_run_again(project, monkeypatch):
    _run(project)
    (project / "data" / "raw" / "a.txt").write_text("1 2 3 4\n")
    real = scheduler.save_state

    def full_disk(root, state):
        if state.get("count", {}).get("status") == "done" and state["count"]["outputs"]:
            if (project / "data" / "processed" / "count.txt").read_text() == "4":
                raise OSError(28, "No space left on device")
        real(root, state)

    monkeypatch.setattr(scheduler, "save_state", full_disk)
    with pytest.raises(OSError):
        _run(project, jobs=1)
    monkeypatch.setattr(scheduler, "save_state", real)
    (project / "data" / "raw" / "a.txt").write_text("1 2 3\n")
    assert _run(project)["count"] == ("executed", "the last build stopped before this run finished")
    assert (project / "data" / "processed" / "count.txt").read_text() == "3"


@pytest.mark.parametrize("damage", ["truncate", "edit", "delete"])
def test_a_damaged_output_runs_its_run_again(project, damage):
    _run(project)
    count = project / "data" / "processed" / "count.txt"
    if damage == "truncate":
        count.write_text("")
    elif damage == "edit":
        count.write_text("30")
    else:
        count.unlink()
    result = _run(project)
    reason = "output missing" if damage == "delete" else "output changed or damaged since the run wrote it"
    assert result["count"] == ("executed", f"{reason}: data/processed/count.txt")
    assert count.read_text() == "3"
    state = json.loads((project / "_build" / STATE_FILE).read_text())
    assert state["count"]["outputs"] == {"data/processed/count.txt": scheduler.file_hash(count)}


# --------------------------------------------------------------------------------------
# Damaged build record and executed notebooks
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("content, force", [
    (bytes(range(256)) * 4, False),
    (b'[1, 2, 3]', False),
    (b'{"count": "done", "double": 7}', True),
    (b'{"count": {"status": "done", "parts": {"code": 1}}}', False),
    (b'{"count": {"status": "done", "parts": {"code": "a", "parameters": "b", "package": "c", "inputs": []}}}', False),
])
def test_a_damaged_build_record_is_reported_in_one_line_and_everything_runs_again(project, content, force):
    assert _cli(project, "build", "--no-book", "--jobs", "1").returncode == 0
    (project / "_build" / STATE_FILE).write_bytes(content)
    result = _cli(project, "build", "--no-book", "--jobs", "1", *(["--force"] if force else []))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    damaged = [line for line in result.stdout.splitlines() if "damaged" in line]
    assert damaged == [damaged[0]] and "_build/pipeline-state.json" in damaged[0], result.stdout
    assert "every notebook runs again" in damaged[0]
    assert "notebooks: 2 executed, 0 skipped" in result.stdout
    state = json.loads((project / "_build" / STATE_FILE).read_text())
    assert {state["count"]["status"], state["double"]["status"]} == {"done"}


def test_a_damaged_executed_notebook_is_run_again(project):
    _run(project)
    executed = project / "book" / "executed" / "double.ipynb"
    executed.write_bytes(b'{"cells": [ \x00\x01 truncated')
    result = _run(project)
    assert result["double"] == ("executed", "executed notebook changed or damaged since the run wrote it")
    assert result["count"][0] == "skipped"
    assert _printed(executed).strip() == "6"


# --------------------------------------------------------------------------------------
# Import race
# --------------------------------------------------------------------------------------

_RACE = textwrap.dedent("""
    import sys, threading
    first_importer = {}

    class Watch:
        def find_spec(self, name, path, target=None):
            if name not in sys.modules:
                first_importer.setdefault(name, threading.current_thread().name)
            return None

    sys.meta_path.insert(0, Watch())
    from pathlib import Path
    from nptsc_eval.build import load_spec, run_notebooks

    root = Path(sys.argv[1])
    results = run_notebooks(load_spec(root=root), root, jobs=2, reuse_kernels=sys.argv[2] == "reuse",
                            report=lambda message: None)
    print("actions", sorted(r.action for r in results))
    late = sorted(n for n, t in first_importer.items()
                  if t != "MainThread" and n.split(".")[0] not in sys.stdlib_module_names)
    print("imported by workers", late)
""")


@pytest.mark.parametrize("kernels", ["reuse", "fresh"])
def test_two_workers_starting_at_once_import_nothing_themselves(tmp_path, kernels):
    # Two notebooks that depend on nothing start together in two worker threads of a fresh
    # interpreter.  Every module the workers use must already be imported by the main thread.
    root = tmp_path / "p"
    for name in ("first", "second"):
        _notebook(root / "notebooks" / f"{name}.ipynb", "n = 1", f"print('{name}', n)")
    (root / "pipeline.yml").write_text("notebooks:\n  - notebook: notebooks/first.ipynb\n"
                                       "  - notebook: notebooks/second.ipynb\n")
    result = subprocess.run([sys.executable, "-c", _RACE, str(root), kernels], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "actions ['executed', 'executed']" in result.stdout
    assert "imported by workers []" in result.stdout, result.stdout


# --------------------------------------------------------------------------------------
# The lock
# --------------------------------------------------------------------------------------


def test_a_build_started_after_make_clean_still_waits_for_the_running_build(project):
    shutil.copy(PROJECT_ROOT / "Makefile", project / "Makefile")
    assert _cli(project, "build", "--no-book", "--jobs", "1").returncode == 0
    env = dict(os.environ)  # the command finds the project from its working folder
    with build_lock(project):  # a build is running
        clean = subprocess.Popen(["make", "-s", "clean"], cwd=project, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        second = subprocess.Popen([sys.executable, "-m", "nptsc_eval.cli", "build", "--no-book", "--jobs", "1"],
                                  env=env, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first_line = second.stdout.readline()
        assert first_line.strip() == "another build is running in this folder; waiting for it to finish"
        assert (project / state.LOCK_FILE).exists()
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert clean.wait(timeout=300) == 0, clean.stderr.read()
    assert (project / state.LOCK_FILE).exists()


# --------------------------------------------------------------------------------------
# No network
# --------------------------------------------------------------------------------------


def _refuse(*args, **kwargs):
    raise OSError(101, "Network is unreachable")


def test_without_a_loopback_network_the_build_says_so_before_starting_a_kernel(project, monkeypatch):
    import socket

    monkeypatch.setattr(socket.socket, "connect", lambda self, address: _refuse())
    with pytest.raises(PipelineError) as failure:
        _run(project)
    message = str(failure.value)
    assert "loopback network (127.0.0.1)" in message and "Network is unreachable" in message
    assert "\n" not in message
    assert not (project / "book" / "executed").exists()


def _network_namespaces() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _network_namespaces(), reason="needs unshare -rn (a network namespace without loopback)")
def test_a_build_with_every_network_down_fails_at_once_with_one_line(project):
    # In a new network namespace even the loopback interface is down.
    env = dict(os.environ)  # the command finds the project from its working folder
    for command in (["build", "--no-book"], ["refresh", "count.ipynb"]):
        result = subprocess.run(["unshare", "-rn", sys.executable, "-m", "nptsc_eval.cli", *command],
                                env=env, cwd=project, capture_output=True, text=True, timeout=300)
        assert result.returncode == 1, command
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: notebooks cannot run"), result.stderr
        assert "loopback network (127.0.0.1)" in lines[0]
    assert not (project / "book" / "executed").exists()


@pytest.mark.parametrize("reuse", [True, False])
def test_a_kernel_that_never_answers_stops_the_build_with_one_line_after_the_timeout(project, tmp_path, monkeypatch,
                                                                                      reuse):
    # A kernel specification whose process starts but never answers, found before the real one.
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    silent = "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(120)"
    (spec / "kernel.json").write_text(json.dumps({"argv": [sys.executable, "-c", silent, "{connection_file}"],
                                                  "display_name": "silent", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # A kernel that never answered is stopped at once, not asked to stop and waited for.
    from jupyter_client.manager import AsyncKernelManager

    stops: list[bool] = []
    real_shutdown = AsyncKernelManager.shutdown_kernel

    async def shutdown(self, now=False, restart=False):
        stops.append(now)
        return await real_shutdown(self, now=now, restart=restart)

    monkeypatch.setattr(AsyncKernelManager, "shutdown_kernel", shutdown)
    with pytest.raises(scheduler.KernelUnavailable) as failure:
        _run(project, jobs=1, reuse_kernels=reuse, kernel_timeout=2)
    assert stops and all(stops), stops
    message = str(failure.value)
    assert "\n" not in message
    assert "count.ipynb (run 'count'): the notebook's kernel did not start or stopped answering" in message
    assert f"({scheduler.KERNEL_ATTEMPTS} kernels tried)" in message
    assert "2 seconds" in message
    state = json.loads((project / "_build" / STATE_FILE).read_text())
    assert "count" not in state and not (project / "book" / "executed" / "count.ipynb").exists()


@pytest.mark.parametrize("reuse", [True, False])
def test_a_kernel_that_dies_once_is_replaced_and_the_build_goes_on(project, monkeypatch, reuse):
    # Two kernels starting at once can pick the same free port: the second dies at start with
    # "Address already in use".  The run starts again in a new kernel instead of stopping the build.
    real = scheduler.execute_notebook
    calls: list[str] = []

    def dies_once(source, target, *args, **kwargs):
        calls.append(Path(source).name)
        if Path(source).name == "count.ipynb" and calls.count("count.ipynb") == 1:
            raise RuntimeError("Kernel died before replying to kernel_info: zmq.error.ZMQError: Address already in use")
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(scheduler, "execute_notebook", dies_once)
    messages: list[str] = []
    results = scheduler.run_notebooks(load_spec(root=project), project, jobs=1, reuse_kernels=reuse,
                                      report=messages.append)
    assert {r.run_id: r.action for r in results} == {"count": "executed", "double": "executed"}
    assert calls.count("count.ipynb") == 2 and calls.count("double.ipynb") == 1
    retried = [m for m in messages if "running the notebook again in a new kernel" in m]
    assert len(retried) == 1 and retried[0].startswith("count: ") and "Address already in use" in retried[0]
    assert (project / "data" / "processed" / "count.txt").read_text() == "3"
    assert _printed(project / "book" / "executed" / "double.ipynb").strip() == "6"


# --------------------------------------------------------------------------------------
# Reproducible executed notebooks
# --------------------------------------------------------------------------------------


def test_two_clean_builds_give_byte_identical_executed_notebooks(project, tmp_path):
    copies = [tmp_path / "one", tmp_path / "two"]
    for copy in copies:
        shutil.copytree(project, copy)
    _run(copies[0], jobs=1)
    _run(copies[1], jobs=2, reuse_kernels=False)
    for name in ("count.ipynb", "double.ipynb"):
        one, two = (c / "book" / "executed" / name for c in copies)
        assert one.read_bytes() == two.read_bytes(), name
    nb = json.loads((copies[0] / "book" / "executed" / "count.ipynb").read_text())
    assert set(nb["metadata"]["papermill"]) <= {"parameters", "default_parameters", "version"}
    assert nb["metadata"]["papermill"]["parameters"] == {"factor": 1}
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert [c["id"] for c in injected] == ["injected-parameters"]
    assert not any({"papermill", "execution"} & set(c["metadata"]) for c in nb["cells"])
