"""What a notebook run writes is recorded and checked against the run's ``outputs`` in pipeline.yml."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nptsc_eval.build.written import Recorder, read_log

RUN = "06-data-sources"


def _only_run(root: Path, change) -> dict:
    """Keep in the copy's pipeline.yml only the data sources notebook, its outputs changed by ``change``."""
    spec = yaml.safe_load((root / "pipeline.yml").read_text(encoding="utf-8"))
    spec["notebooks"] = [n for n in spec["notebooks"] if any(r["id"] == RUN for r in n["runs"])]
    run = spec["notebooks"][0]["runs"][0]
    run["outputs"] = change(list(run["outputs"]))
    (root / "pipeline.yml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return run


def _build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nptsc_eval.cli", "build", "--jobs", "1"], cwd=root,
                          env=dict(os.environ), capture_output=True, text=True, timeout=600)


def _old_book(root: Path) -> Path:
    page = root / "_build" / "html" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("the book of an earlier build", encoding="utf-8")
    return page


@pytest.mark.slow
def test_a_file_written_but_not_declared_fails_the_build_and_keeps_the_old_book(project_copy):
    root = project_copy
    _only_run(root, lambda outputs: [o for o in outputs if o != "data/processed/data_sources.csv"])
    page = _old_book(root)
    result = _build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert ("notebooks/06-data-sources.ipynb (run '06-data-sources') wrote data/processed/data_sources.csv, "
            "which its outputs in pipeline.yml do not declare") in result.stderr
    assert page.read_text(encoding="utf-8") == "the book of an earlier build"
    assert not (root / "book" / "executed" / "06-data-sources.ipynb").exists()
    assert (root / "_build" / "failed" / "06-data-sources.ipynb").exists()


@pytest.mark.slow
def test_an_output_declared_but_not_written_fails_the_build_and_keeps_the_old_book(project_copy):
    root = project_copy
    _only_run(root, lambda outputs: [*outputs, "data/processed/never_written.csv"])
    (root / "data" / "processed").mkdir(parents=True)
    # A file left by an earlier build does not count: this run did not write it.
    (root / "data" / "processed" / "never_written.csv").write_text("old\n", encoding="utf-8")
    page = _old_book(root)
    result = _build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert ("notebooks/06-data-sources.ipynb (run '06-data-sources') did not write "
            "data/processed/never_written.csv, which its outputs in pipeline.yml declare") in result.stderr
    assert "data_sources.csv" not in result.stderr  # the declared file it wrote is not named
    assert page.read_text(encoding="utf-8") == "the book of an earlier build"


def test_the_recorder_keeps_project_files_written_and_left(tmp_path):
    root = tmp_path
    log = root / "_build" / "written" / "run.log"
    recorder = Recorder(root, log)
    processed = root / "data" / "processed"
    processed.mkdir(parents=True)
    for name in ("kept.csv", "moved.tmp", "deleted.csv"):
        (processed / name).write_text("x", encoding="utf-8")
    recorder.event("open", (str(processed / "kept.csv"), "w", 0))
    recorder.event("open", (str(processed / "appended.csv"), None, os.O_WRONLY | os.O_CREAT))
    (processed / "appended.csv").write_text("x", encoding="utf-8")
    recorder.event("open", (str(root / "data" / "raw" / "read.csv"), "r", 0))
    recorder.event("open", (str(processed / "moved.tmp"), "wb", 0))
    os.replace(processed / "moved.tmp", processed / "moved.csv")
    recorder.event("os.rename", (str(processed / "moved.tmp"), str(processed / "moved.csv"), None, None))
    recorder.event("open", (str(processed / "deleted.csv"), "w", 0))
    recorder.event("os.remove", (str(processed / "deleted.csv"), None))
    recorder.event("open", (str(root / "src" / "__pycache__" / "m.pyc"), None, os.O_WRONLY | os.O_CREAT))
    recorder.event("open", (str(tmp_path.parent / "outside.csv"), "w", 0))
    recorder.event("open", (3, "w", 0))  # a file descriptor
    recorder.close()
    assert read_log(log, root) == {"data/processed/kept.csv", "data/processed/appended.csv",
                                   "data/processed/moved.csv"}
