"""nbval guards the stored outputs: a change in the data fails it until the notebook is refreshed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from nptsc_eval import paths


def test_nbval_fails_when_the_data_behind_a_figure_changes(tmp_path: Path):
    root = tmp_path / "project"
    shutil.copytree(paths.RAW_DIR, root / "data" / "raw")
    (root / "data" / "processed").mkdir(parents=True)
    (root / "notebooks").mkdir()
    shutil.copy(paths.NOTEBOOKS_DIR / "01-programme-outputs.ipynb", root / "notebooks")
    shutil.copy(paths.PROJECT_ROOT / "tests" / "nbval_sanitize.cfg", root / "sanitize.cfg")
    outputs = root / "data" / "raw" / "table_2_1_programme_outputs.csv"
    outputs.write_text(outputs.read_text().replace("london_councils_pilot,participants,28,", "london_councils_pilot,participants,30,"))
    env = dict(os.environ)  # the command finds the project from its working folder
    cmd = [sys.executable, "-m", "pytest", "--nbval", "--nbval-sanitize-with", "sanitize.cfg", "-p", "no:cacheprovider",
           "-o", "addopts=", "-q", "notebooks/01-programme-outputs.ipynb"]
    changed = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    assert changed.returncode == 1, changed.stdout[-2000:]
    assert "Figure (data" in changed.stdout  # the figure's text form is what differs
    outputs.write_text(outputs.read_text().replace("london_councils_pilot,participants,30,", "london_councils_pilot,participants,28,"))
    unchanged = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    assert unchanged.returncode == 0, unchanged.stdout[-2000:]
