"""Expensive things several test files read, made once per test run (see ``shared_once``).

``tests/conftest.py`` turns them into session fixtures; the constants are imported by the tests
that check what the hostile export did.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from nptsc_eval import paths


def shared_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder ``make(folder)`` fills once for the whole test run, whichever process asks first.

    Under pytest-xdist each worker has its own session, so a session fixture would run once per
    worker.  The workers share the parent of their temporary folders: the first to take the
    lock there makes the folder and leaves a marker; the others wait, then read the same folder.
    Without xdist the folder is in the session's own temporary folder.
    """
    import fcntl
    import shutil

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder, done = shared / name, shared / f"{name}.done"
    with open(shared / f"{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


#: Free-text answers of the hostile export: markup and script, and a spreadsheet formula.
HOSTILE_TEXT = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>"]
FORMULA = "=HYPERLINK(\"http://example.org\",\"click\")"
#: The hostile export's file name (one backtick: breaks out of `...`).
HOSTILE_NAME = "survey` <img src=x onerror=alert(1)> <svg onload=alert(1)>.csv"
#: Personal data typed into the free text of the export (kept out of the answers that get the hostile text).
PERSONAL = ["jane.doe@example.org", "0161 496 0123", "07700 900456", "SE1 7PB"]
#: Names, a job title, a place and an organisation typed into two answers of the export, which redaction
#: cannot find: the clearance publishes the first answer in ANONYMISED words and withholds the second.
NAMES = ["Priya", "Raman", "head of commissioning", "Wessex Voluntary Action", "Hardcastle", "Barsetshire"]
ANONYMISED = "A senior officer now runs the bidding clinics with a local voluntary sector body."


def copy_project(root: Path) -> Path:
    """A buildable copy of the project at ``root``: its configuration, notebooks, raw data and book
    pages, without executed notebooks, caches or checkpoints.  Returns ``root``."""
    import shutil

    for name in ("_config.yml", "_toc.yml", "pipeline.yml", "book", "notebooks", "data/raw"):
        source = paths.PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name,
                            ignore=shutil.ignore_patterns("executed", "__pycache__", ".ipynb_checkpoints"))
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    return root


def copy_notebook_runs(source: Path, root: Path) -> None:
    """Give the project copy at ``root`` the notebook runs of the project at ``source``.

    The executed notebooks, the processed files they wrote and the build state that records
    them (without the book's entry: the copy's book is always built).  The copy's build then
    runs only the notebooks whose inputs differ there, by the build's own cache keys: with a
    survey export, those that read the survey.  Taken under the source's build lock, so a
    build running there cannot be copied half done; a source never built gives nothing.
    """
    import json
    import shutil

    from nptsc_eval.build.state import BOOK_STATE_KEY, build_lock
    from nptsc_eval.project import Project

    with build_lock(source):
        state_file = Project(source).state_file
        if not state_file.is_file() or not (source / "book" / "executed").is_dir():
            return
        state = json.loads(state_file.read_text(encoding="utf-8"))
        state.pop(BOOK_STATE_KEY, None)
        shutil.copytree(source / "book" / "executed", root / "book" / "executed", dirs_exist_ok=True)
        shutil.copytree(source / "data" / "processed", root / "data" / "processed", dirs_exist_ok=True)
        target = Project(root).state_file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(state, indent=1), encoding="utf-8")


def build_hostile_export(base: Path) -> None:
    """Copy the project to ``base/project`` and build it with a hostile real-layout export.

    The export is the SurveyMonkey fixture (180 complete responses) with markup, script and a
    formula in its free text, kept outside the project (as a user's would be, in their home
    folder) under a hostile file name.  The command's exit code and output are kept beside it.
    The copy starts from the project's own notebook runs (:func:`copy_notebook_runs`), so the
    build runs again only the notebooks that the export changes, then builds the whole book.
    """
    import subprocess
    import sys

    import pandas as pd

    root = copy_project(base / "project")
    (root / "data" / "processed").mkdir(parents=True, exist_ok=True)
    copy_notebook_runs(paths.PROJECT_ROOT, root)
    home = base / "home" / "jo.bloggs" / "exports"
    home.mkdir(parents=True)
    grid = pd.read_csv(paths.PROJECT_ROOT / "tests" / "fixtures" / "survey" / "surveymonkey_real.csv", header=None,
                       dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    columns = {grid.iloc[0, j]: j for j in range(grid.shape[1]) if isinstance(grid.iloc[0, j], str)}
    intend = next(j for q, j in columns.items() if "intend to implement" in q)
    answered = [i for i in range(2, len(grid)) if isinstance(grid.iloc[i, intend], str)
                and not any(p in grid.iloc[i, intend] for p in PERSONAL)]
    for k, text in enumerate(HOSTILE_TEXT + [FORMULA]):
        grid.iloc[answered[k], intend] = f"{text} We will do more."
    export = home / HOSTILE_NAME
    grid.to_csv(export, header=False, index=False, encoding="utf-8")
    env = dict(os.environ)  # the command finds the project from its working folder
    env.pop("NPTSC_EVAL_PIPELINE", None)
    clear_hostile_answers(export, root, env)
    done = subprocess.run([sys.executable, "-m", "nptsc_eval.cli", "build", "--survey", str(export), "--jobs", "2"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=1200)
    (base / "returncode").write_text(str(done.returncode))
    (base / "stdout").write_text(done.stdout, encoding="utf-8")
    (base / "stderr").write_text(done.stderr, encoding="utf-8")


def clear_hostile_answers(export: Path, root: Path, env: dict[str, str]) -> None:
    """Review the export's free-text answers as a person would: write the review sheet with the command
    line, publish the hostile answers as they are and the first named answer in anonymised words,
    withhold the second, leave the others undecided; save it beside the export, where the build finds it."""
    import subprocess
    import sys

    import pandas as pd

    from nptsc_eval.survey.clearance import default_review_path, sibling_clearance

    done = subprocess.run([sys.executable, "-m", "nptsc_eval.cli", "survey", "review-text", str(export)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    sheet = pd.read_csv(default_review_path(export), dtype=str, keep_default_na=False)
    hostile = sheet["answer"].str.contains("We will do more.", regex=False)
    sheet.loc[hostile, "decision"] = "publish"
    named = sheet["answer"].str.contains(NAMES[0], regex=False)
    sheet.loc[named, ["decision", "published_text"]] = ["publish", ANONYMISED]
    sheet.loc[sheet["answer"].str.contains(NAMES[-1], regex=False), "decision"] = "withhold"
    assert hostile.sum() == len(HOSTILE_TEXT) + 1 and named.sum() == 1
    sheet.to_csv(sibling_clearance(export), index=False, encoding="utf-8")
