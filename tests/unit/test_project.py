"""One Project object names every path; a build of another folder reads and writes only there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nptsc_eval import paths
from nptsc_eval.project import SOURCE_ROOT, Project, find_root


def test_every_path_is_inside_the_root(tmp_path):
    project = Project(tmp_path)
    for name in ("raw", "processed", "downloads", "notebooks", "book", "executed", "build_dir", "html", "cache",
                 "state_file", "lock_file", "pipeline_file", "toc_file", "config_file"):
        assert getattr(project, name).is_relative_to(tmp_path.resolve()), name
    assert project.relative(tmp_path / "data" / "raw" / "a.csv") == "data/raw/a.csv"
    assert project.relative("/elsewhere/a.csv") == "/elsewhere/a.csv"


def test_the_current_project_is_found_from_the_working_folder(tmp_path, monkeypatch):
    root = tmp_path / "copy"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "notebooks").mkdir()
    assert Project.current(root / "notebooks").root == root.resolve()  # where a notebook's kernel runs
    monkeypatch.chdir(root / "notebooks")
    assert Project.current().root == root.resolve()
    outside = tmp_path / "nowhere"
    outside.mkdir()
    assert find_root(outside) is None
    assert Project.current(outside).root == SOURCE_ROOT  # no project around: the package's own checkout


def _snapshot(folders: list[Path]) -> dict[str, tuple[int, int]]:
    found = {}
    for folder in folders:
        for path in [folder, *folder.rglob("*")] if folder.exists() else []:
            stat = path.stat()
            found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


@pytest.mark.build
def test_a_build_of_a_copy_writes_only_inside_the_copy(tmp_path):
    """The build runs from a copy of the package in a checkout of its own, whose project no other
    test writes to (the real checkout's is written by the tests that build or run its notebooks
    at the same time): nothing of that checkout changes."""
    import json
    import os
    import subprocess
    import sys

    checkout = tmp_path / "checkout"  # the package's own checkout, with its project
    shutil.copytree(paths.RAW_DIR, checkout / "data" / "raw")
    shutil.copytree(Path(paths.__file__).parent, checkout / "src" / "nptsc_eval", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("_toc.yml", "pipeline.yml"):
        shutil.copy(paths.PROJECT_ROOT / name, checkout / name)
    root = tmp_path / "copy"
    shutil.copytree(paths.RAW_DIR, root / "data" / "raw")
    (root / "notebooks").mkdir()
    shutil.copy(paths.NOTEBOOKS_DIR / "01-programme-outputs.ipynb", root / "notebooks")
    shutil.copy(paths.PROJECT_ROOT / "_toc.yml", root)
    spec = paths.PIPELINE_FILE.read_text(encoding="utf-8")
    (root / "pipeline.yml").write_text(spec[: spec.index("  - notebook: notebooks/02-survey.ipynb")], encoding="utf-8")
    real = Project(checkout)
    watched = [real.root / "data", real.executed, real.build_dir, real.root / ".survey-input", real.lock_file]
    before = _snapshot(watched)
    script = ("import json, sys; from nptsc_eval import paths; from nptsc_eval.build import build; "
              "results = build(root=sys.argv[1], book=False, jobs=1, report=lambda message: None); "
              "print(json.dumps([str(paths.PROJECT_ROOT), [[r.run_id, r.action] for r in results]]))")
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    env.pop("NPTSC_EVAL_PIPELINE", None)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run([sys.executable, "-c", script, str(root)], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    package_root, results = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(package_root) == checkout.resolve()  # the copy of the package ran
    assert results == [["01-programme-outputs", "executed"]]
    assert _snapshot(watched) == before
    written = Project(root)
    assert (written.processed / "kpi_attainment.csv").is_file()
    assert (written.processed / "provenance.csv").is_file()
    assert (written.executed / "01-programme-outputs.ipynb").is_file()
    assert written.state_file.is_file() and written.lock_file.is_file()
