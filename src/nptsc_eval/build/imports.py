"""The package's own import graph, read from its source with :mod:`ast` (nothing is imported).

It serves two purposes: the cache key of a notebook covers only the package modules the
notebook's results can depend on (:func:`modules_used`), and a test checks that no module
imports itself through others.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from nptsc_eval.project import PACKAGE_DIR

#: A string that may name a module, as module registries write them ("nptsc_eval.x:function");
#: only names of the package's own modules become edges of the graph.
_MODULE_STRING = re.compile(r"^([A-Za-z_]\w*(?:\.\w+)+)(?::\w+)?$")


def module_name(path: Path, package: Path) -> str:
    """``nptsc_eval.build.spec`` for ``.../nptsc_eval/build/spec.py`` (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(tree: ast.AST, name: str, is_package: bool) -> set[str]:
    """Every module name ``tree`` imports, anywhere (inside functions too), relative imports resolved.

    ``from a import b`` gives both ``a`` and ``a.b`` (``b`` may be a module); a string
    literal naming a package module (``"nptsc_eval.kpi:check"``) counts as an import too.
    """
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _MODULE_STRING.match(node.value)
            if match:
                found.add(match.group(1))
    return found


def _edges(targets: set[str], modules: set[str], name: str = "") -> set[str]:
    """The package modules that importing ``targets`` runs: each one and the packages above it."""
    edges: set[str] = set()
    for target in targets:
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            candidate = ".".join(parts[:i])
            if candidate in modules and candidate != name and not name.startswith(candidate + "."):
                edges.add(candidate)
    return edges


@dataclass
class PackageSources:
    """The package's modules: their import graph and the SHA-256 of each one's source."""

    package: Path = PACKAGE_DIR
    graph: dict[str, set[str]] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        files = {module_name(p, self.package): p for p in sorted(self.package.rglob("*.py"))}
        templates = self.package / "templates"
        named = {path.relative_to(templates).as_posix(): path.read_bytes() for path in sorted(templates.rglob("*.j2"))}
        for name, path in files.items():
            source = path.read_bytes()
            digest = hashlib.sha256(source)
            # A template is code of the module that names it ("cases/case_page.md.j2"): editing one
            # reruns the notebooks that use that module, and no others.
            for relative, text in named.items():
                if f'"{relative}"'.encode() in source:
                    digest.update(relative.encode() + b"\0" + text)
            self.hashes[name] = digest.hexdigest()
            tree = ast.parse(source, filename=str(path))
            self.graph[name] = _edges(imported_names(tree, name, path.name == "__init__.py"), set(files), name)

    def closure(self, roots: set[str]) -> set[str]:
        """``roots`` and every package module they import, however indirectly."""
        seen: set[str] = set()
        todo = list(_edges(roots, set(self.graph)))
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                todo.extend(self.graph[module] - seen)
        return seen

    def modules_used(self, notebook: Path) -> set[str]:
        """The package modules a notebook's code imports, directly or through other modules."""
        return self.closure(notebook_imports(notebook))

    def hash_of(self, modules: set[str]) -> str:
        """One SHA-256 over the names and sources of ``modules``."""
        return hashlib.sha256(json.dumps({m: self.hashes[m] for m in sorted(modules)}).encode()).hexdigest()

    def notebook_hash(self, notebook: Path) -> str:
        """The package part of a notebook's cache key: the sources of the modules it uses."""
        return self.hash_of(self.modules_used(notebook))


def notebook_imports(notebook: Path) -> set[str]:
    """Module names imported by a notebook's code cells (IPython magics and shell lines left out)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    found: set[str] = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(code)
        except SyntaxError:
            # Code the package cannot read (it would fail when run anyway): count every module.
            return set(PackageSources().graph)
        found |= imported_names(tree, "", False)
    return found
