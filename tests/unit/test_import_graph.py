"""The package's import graph: no module imports itself through others, and the build engine stands apart."""

from __future__ import annotations

import graphlib

import pytest

from nptsc_eval.build.imports import PackageSources
from nptsc_eval.project import PACKAGE_DIR


def test_the_package_has_no_import_cycle():
    graph = PackageSources(PACKAGE_DIR).graph
    assert "nptsc_eval.build.spec" in graph["nptsc_eval.build.engine"]
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        pytest.fail("modules import each other in a cycle: " + " → ".join(exc.args[1]))


@pytest.mark.parametrize("b_source", [
    "def f():\n    from pkg import a\n",          # an import inside a function
    "from . import a\n",                          # a relative import
    "REGISTRY = ['pkg.a:check']\n",               # a module named in a string, imported later by name
])
def test_the_graph_sees_every_way_of_importing(tmp_path, b_source):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import f\n")
    (package / "b.py").write_text(b_source)
    graph = PackageSources(package).graph
    assert graph["pkg.a"] >= {"pkg.b"} and "pkg.a" in graph["pkg.b"]
    with pytest.raises(graphlib.CycleError):
        graphlib.TopologicalSorter(graph).prepare()


def test_chapter_modules_do_not_import_the_build_engine():
    graph = PackageSources(PACKAGE_DIR).graph
    engine = ("nptsc_eval.build", "nptsc_eval.cli", "nptsc_eval.pipeline", "nptsc_eval.survey_cli")
    leaks = {m: sorted(t for t in targets if t.startswith("nptsc_eval.build"))
             for m, targets in graph.items() if not m.startswith(engine)}
    assert {m: t for m, t in leaks.items() if t} == {}
