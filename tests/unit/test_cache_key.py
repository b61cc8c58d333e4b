"""The package part of a notebook's cache key covers only the modules the notebook uses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nptsc_eval import paths
from nptsc_eval.build import load_spec
from nptsc_eval.build.cache import cache_parts, why_run
from nptsc_eval.build.imports import PackageSources
from nptsc_eval.project import PACKAGE_DIR

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("[0-9]*.ipynb"))


@pytest.fixture
def package(tmp_path) -> Path:
    """A copy of the package's source that a test may edit."""
    copy = tmp_path / "nptsc_eval"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _keys(package: Path) -> dict[str, str]:
    sources = PackageSources(package)
    return {nb.name: sources.notebook_hash(nb) for nb in NOTEBOOKS}


@pytest.fixture(scope="module")
def unedited() -> dict[str, str]:
    """Each notebook's package key from the package as it is (a copy gives the same keys)."""
    return _keys(PACKAGE_DIR)


def _touch(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_a_copy_of_the_package_gives_the_same_keys(package, unedited):
    assert _keys(package) == unedited


@pytest.mark.parametrize("module", ["cli.py", "survey_cli.py", "build/pdf.py", "build/scheduler.py",
                                    "build/engine.py", "pipeline.py"])
def test_editing_the_command_line_pdf_or_build_engine_reruns_no_notebook(package, unedited, module):
    _touch(package / module)
    assert _keys(package) == unedited


def test_editing_kpi_reruns_only_the_notebooks_that_import_it(package, unedited):
    before = unedited
    _touch(package / "kpi.py")
    after = _keys(package)
    assert {name for name in before if before[name] != after[name]} == {"01-programme-outputs.ipynb", "03-strand.ipynb"}


def test_editing_a_module_every_chapter_uses_reruns_every_notebook(package, unedited):
    before = unedited
    _touch(package / "report" / "values.py")
    after = _keys(package)
    assert all(before[name] != after[name] for name in before)


def test_a_module_reached_only_through_another_counts(package):
    # 04-case-studies imports cases, which reads YAML with yaml_text; the notebook does not import yaml_text.
    notebook = paths.NOTEBOOKS_DIR / "04-case-studies.ipynb"
    assert "yaml_text" not in notebook.read_text(encoding="utf-8")
    before = PackageSources(package).notebook_hash(notebook)
    _touch(package / "yaml_text.py")
    assert PackageSources(package).notebook_hash(notebook) != before


def test_the_reason_names_the_modules_the_notebook_uses(package):
    spec = load_spec(root=paths.PROJECT_ROOT)
    run = next(r for r in spec.runs if r.id == "01-programme-outputs")
    previous = {"status": "done", "parts": cache_parts(run, paths.PROJECT_ROOT, PackageSources(package))}
    _touch(package / "kpi.py")
    now = cache_parts(run, paths.PROJECT_ROOT, PackageSources(package))
    assert why_run(run, now, previous, paths.PROJECT_ROOT, force=False) == "nptsc_eval modules the notebook uses changed"
