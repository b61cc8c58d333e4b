"""Shared fixtures: the real pipeline, built once per test session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nptsc_eval import paths

from shared_builds import HOSTILE_NAME, build_hostile_export, copy_project, shared_once


def pytest_configure(config: pytest.Config) -> None:
    """Anchor nbval's sanitize file at the project root, whatever the working folder is later."""
    sanitize = getattr(config.option, "nbval_sanitize_with", None)
    if sanitize and not Path(sanitize).is_absolute():
        config.option.nbval_sanitize_with = str(config.rootpath / sanitize)


#: Tests in the fast folders (``tests/unit``, ``tests/data``) that run a whole stage end to end:
#: thousands of survey draws, a Dask cluster, every chart rendered, a project copy built.  Each
#: takes several seconds, so ``make check`` leaves them to ``make test`` (they are marked ``slow``).
END_TO_END = {
    "tests/unit/test_survey_bounds.py": {
        "test_draws_on_a_dask_cluster_give_identical_files",
        "test_outside_bounds_message_names_each_value",
        "test_the_cache_reuses_a_result_and_notices_a_changed_input",
        "test_an_export_of_another_size_is_measured_on_its_own_respondents",
        "test_a_build_with_findings_that_cannot_all_hold_stops_and_keeps_the_old_book",
        "test_a_real_value_outside_its_bounds_is_flagged",
        "test_check_data_names_conflicting_findings_and_exits_1",
        "test_conflicting_findings_are_named",
    },
    "tests/unit/test_chart_legibility.py": {"test_every_chart_keeps_its_text_inside_the_image_at_a_readable_size"},
}


#: Test files that take longest, most of it in one fixture, longest first.  ``make test`` sends
#: whole files to each process in collection order (``--dist loadfile --no-loadscope-reorder``),
#: so these go first: the one process that takes the browser audit works on it while the other
#: goes through everything else, rather than the audit starting last.
LONGEST_FIRST = [
    "tests/browser/test_book_in_browser.py",
    "tests/browser/test_hostile_export.py",
    "tests/browser/test_pdf.py",
    "tests/browser/test_chart_text_in_browser.py",
    "tests/build/test_pipeline.py",
    "tests/unit/test_safe_output.py",
    "tests/notebooks/test_notebooks.py",
]


def _longest_first(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the tests of :data:`LONGEST_FIRST` first, in that order; the others keep theirs."""
    rank: dict[str, int] = {}
    for item in items:
        try:
            relative = Path(str(item.path)).resolve().relative_to(config.rootpath).as_posix()
        except ValueError:
            relative = ""
        rank[item.nodeid] = LONGEST_FIRST.index(relative) if relative in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=lambda item: rank[item.nodeid])  # a stable sort: the rest keep their order


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests by what they cost, so ``make check`` can leave out the slow ones.

    A test that reads the built book is a build test, whether or not it says so: ``make check``
    leaves out build tests (``-m "not build"``), and a test that asks for the ``built_book``
    fixture would otherwise start the whole build from the fast lane.  The end-to-end tests named
    in :data:`END_TO_END` are marked ``slow``.  The files of :data:`LONGEST_FIRST` go first.
    """
    _longest_first(config, items)
    for item in items:
        if "built_book" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.build)
        path = Path(str(item.path)).resolve()
        try:
            relative = path.relative_to(config.rootpath).as_posix()
        except ValueError:
            continue
        if getattr(item, "originalname", item.name) in END_TO_END.get(relative, ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def session_start() -> float:
    """When the test session started (before any build in it)."""
    import time

    return time.time()


@pytest.fixture(scope="session")
def built_book(session_start: float, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book built by the real pipeline (incrementally: only what changed is re-run).

    Returns the ``_build/html`` folder.  Build tests and browser tests read it.  The build runs
    once for the test run (see :func:`shared_once`): a second process does not build again, so
    it does not wait for the project's build lock while another process makes the PDF.
    """
    from nptsc_eval.build import build

    shared_once(tmp_path_factory, "real-book-build", lambda folder: build(report=lambda message: None))
    html = paths.HTML_DIR
    assert (html / "index.html").exists()
    return html


@pytest.fixture
def notebook_in():
    """Copy a notebook of ``notebooks/`` into ``ROOT/notebooks/`` and return the copy's path.

    A notebook's kernel runs in the folder of the notebook, and the notebook works on the
    project around that folder: executed from the copy, it reads and writes only in ``ROOT``.
    """
    import shutil

    def copy(root: Path, name: str) -> Path:
        target = root / "notebooks" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(paths.NOTEBOOKS_DIR / name, target)
        return target

    return copy


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A private copy of data/raw/ that a test may change without touching the real one."""
    import shutil

    target = tmp_path / "raw"
    shutil.copytree(paths.RAW_DIR, target)
    return target


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A buildable copy of the project in ``tmp_path/project``: its configuration, notebooks,
    raw data and book pages (no executed notebooks), for a test that runs the command line there."""
    return copy_project(tmp_path / "project")


#: Environment variable naming the source report's text (not part of the repository).
SOURCE_TEXT_ENV = "NPTSC_EVAL_SOURCE_TEXT"


@pytest.fixture(scope="session")
def source_report_text() -> str:
    """The source report's text, from the file ``$NPTSC_EVAL_SOURCE_TEXT`` names; skips the test without it.

    The report's text is not in the repository, so tests never name a path outside it: the
    machine that has the text says where it is (``make test`` passes it on when set).
    """
    import os

    location = os.environ.get(SOURCE_TEXT_ENV)
    if not location or not Path(location).is_file():
        pytest.skip(f"the source report's text is not available (set {SOURCE_TEXT_ENV} to its file)")
    return Path(location).read_text(encoding="utf-8")



@pytest.fixture(scope="session")
def hostile_build(built_book: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The whole book built, in a copy of the project, from a hostile real-layout survey export.

    Built once for the test run (see :func:`shared_once`) and only read by the tests that use
    it: the hostile-export browser tests, the real-export evidence test and the claims audit on
    a real export.  It starts from the notebook runs of the real build (``built_book``).
    Returns the project ``root``, the export's folder (``home``), the ``export`` and the
    command's ``stdout`` and ``stderr``.
    """
    base = shared_once(tmp_path_factory, "hostile-export-build", build_hostile_export)
    stdout = (base / "stdout").read_text(encoding="utf-8")
    stderr = (base / "stderr").read_text(encoding="utf-8")
    assert (base / "returncode").read_text() == "0", stdout[-3000:] + stderr[-3000:]
    home = base / "home" / "jo.bloggs" / "exports"
    return {"root": base / "project", "home": home, "export": home / HOSTILE_NAME, "stdout": stdout, "stderr": stderr}
