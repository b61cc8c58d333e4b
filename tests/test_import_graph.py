"""The package's import graph: no module imports itself through others, and the build engine stands apart."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "nptsc_eval"


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports, anywhere in its code (inside functions too).

    Importing ``a.b.c`` runs ``a/__init__.py`` and ``a/b/__init__.py`` first, so a module
    also depends on the packages above each module it imports.
    """
    files = {_module_name(p, package): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                for alias in node.names:
                    targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base)
        edges: set[str] = set()
        for target in targets:
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                candidate = ".".join(parts[:i])
                if candidate in files and candidate != name and not name.startswith(candidate + "."):
                    edges.add(candidate)
        graph[name] = edges
    return graph


def test_the_package_has_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert "nptsc_eval.build.engine" in graph and "nptsc_eval.build.spec" in graph["nptsc_eval.build.engine"]
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        pytest.fail("modules import each other in a cycle: " + " → ".join(exc.args[1]))


def test_the_cycle_check_finds_a_cycle_through_a_function_level_import(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import f\n")
    (package / "b.py").write_text("def f():\n    from pkg import a\n")
    with pytest.raises(graphlib.CycleError):
        graphlib.TopologicalSorter(import_graph(package)).prepare()


def test_chapter_modules_do_not_import_the_build_engine():
    graph = import_graph(PACKAGE)
    chapters = [m for m in graph if not m.startswith(("nptsc_eval.build", "nptsc_eval.cli", "nptsc_eval.pipeline",
                                                      "nptsc_eval.survey_cli"))]
    leaks = {m: sorted(t for t in graph[m] if t.startswith("nptsc_eval.build")) for m in chapters}
    assert {m: t for m, t in leaks.items() if t} == {}
