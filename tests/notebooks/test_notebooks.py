"""nbval guards the stored outputs: a change in the data fails it until the notebook is refreshed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from nptsc_eval import paths


def test_nbval_fails_when_the_data_behind_a_figure_changes(tmp_path: Path):
    """Two copies of the project, one with a changed count behind a figure, checked by one nbval run:
    the changed copy fails on the figure's text form, the unchanged copy passes."""
    notebook = "notebooks/01-programme-outputs.ipynb"
    for name in ("changed", "unchanged"):
        root = tmp_path / name
        shutil.copytree(paths.RAW_DIR, root / "data" / "raw")
        (root / "data" / "processed").mkdir(parents=True)
        (root / "notebooks").mkdir()
        shutil.copy(paths.PROJECT_ROOT / notebook, root / "notebooks")
    outputs = tmp_path / "changed" / "data" / "raw" / "table_2_1_programme_outputs.csv"
    text = outputs.read_text()
    assert "london_councils_pilot,participants,28," in text
    outputs.write_text(text.replace("london_councils_pilot,participants,28,", "london_councils_pilot,participants,30,"))
    shutil.copy(paths.PROJECT_ROOT / "tests" / "nbval_sanitize.cfg", tmp_path / "sanitize.cfg")
    env = dict(os.environ)  # each notebook's kernel finds the project from the notebook's folder
    cmd = [sys.executable, "-m", "pytest", "--nbval", "--nbval-sanitize-with", "sanitize.cfg", "-p", "no:cacheprovider",
           "-o", "addopts=", "-q", "-rA", f"changed/{notebook}", f"unchanged/{notebook}"]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 1, done.stdout[-2000:]
    results = [line.split(" ", 1) for line in done.stdout.splitlines() if line.startswith(("PASSED ", "FAILED "))]
    failed = {where.split(" ")[0] for outcome, where in results if outcome == "FAILED"}
    passed = {where.split(" ")[0] for outcome, where in results if outcome == "PASSED"}
    assert failed and all(where.startswith(f"changed/{notebook}::") for where in failed), done.stdout[-2000:]
    assert "Figure (data" in done.stdout  # the figure's text form is what differs
    # Every cell of the unchanged copy ran and passed.
    cells = {where.removeprefix("changed/") for where in failed | passed if where.startswith("changed/")}
    assert {where.removeprefix("unchanged/") for where in passed if where.startswith("unchanged/")} == cells
