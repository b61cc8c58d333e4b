"""Cache keys: what a run's result depends on, and why a run must execute again.

A run is executed again only when its cache key changes: the code cells of its notebook, its
parameters, the contents of its input files, or the source of the package modules the
notebook imports, directly or through other modules (:mod:`nptsc_eval.build.imports`).  :func:`why_run` says which.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from nptsc_eval.build.imports import PackageSources
from nptsc_eval.build.spec import Run
from nptsc_eval.project import PACKAGE_DIR, Project


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()



def file_hash(path: Path) -> str:
    return _sha(path.read_bytes())



def notebook_code_hash(path: Path) -> str:
    """Hash of a notebook's code cells (their source only: outputs and prose do not count)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
            for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    return _sha(json.dumps(code).encode())



def package_hash() -> PackageSources:
    """The package's sources, read once per build: each run's key covers the modules its notebook uses.

    Editing a module no notebook imports (the command line, the PDF, the build engine) so
    re-runs nothing; editing :mod:`nptsc_eval.kpi` re-runs the notebooks that import it,
    directly or through another module.
    """
    return PackageSources(PACKAGE_DIR)



def _relative_to(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)



#: Read by every notebook although no run lists it: the table of contents numbers the chapters,
#: and so every table and figure (``report.set_chapter``).
TOC_FILE = "_toc.yml"



def cache_parts(run: Run, root: Path, pkg: PackageSources | str | None = None) -> dict[str, Any]:
    """The cache key of ``run``: its notebook's code, parameters, input files and package modules.

    ``pkg`` is the package's sources (:func:`package_hash`, read once per build), or a
    package hash to use as it is.
    """
    if not isinstance(pkg, str):
        pkg = (pkg or package_hash()).notebook_hash(run.notebook)
    inputs = {_relative_to(p, root): file_hash(p) for p in run.input_files(root)}
    toc = Project(root).toc_file
    if toc.is_file():
        inputs[TOC_FILE] = file_hash(toc)
    return {
        "code": notebook_code_hash(run.notebook),
        "parameters": _sha(json.dumps(run.parameters, sort_keys=True).encode()),
        "inputs": inputs,
        "package": pkg,
    }



def output_hashes(run: Run, root: Path) -> dict[str, str]:
    """SHA-256 of every file the run's outputs name now, keyed by path relative to ``root``."""
    found: dict[str, str] = {}
    for entry in run.outputs:
        for path in run.expand(entry, root):
            found[_relative_to(path, root)] = file_hash(path)
    return found



def completed_record(run: Run, root: Path, parts: dict[str, Any], seconds: float, kernel: str = "fresh") -> dict[str, Any]:
    """The state entry of a run whose outputs are all written: its cache key, its outputs' checksums, and
    its kernel: ``"pool"`` (a kernel kept from notebook to notebook) or ``"fresh"`` (one of its own)."""
    return {"status": "done", "parts": parts, "seconds": round(seconds, 2), "kernel": kernel,
            "outputs": output_hashes(run, root), "executed": file_hash(run.executed)}



def why_run(run: Run, parts: dict[str, Any], previous: dict[str, Any] | None, root: Path, force: bool) -> str | None:
    """Why ``run`` must execute, or None when its cached result stands.

    Only a completed record counts: a run the last build started but did not finish (killed,
    or its outputs half written) runs again, as does one whose outputs or executed notebook
    no longer match the checksums recorded when it finished.
    """
    if force:
        return "forced (--force)"
    if previous is None:
        return "never run before"
    status = previous.get("status")
    if status == "running":
        return "the last build stopped before this run finished"
    if status not in ("done", None):  # None: a record from before runs had a status (it was written when done)
        return "no record that this run finished"
    old = previous.get("parts", {})
    if old.get("code") != parts["code"]:
        return "notebook code changed"
    if old.get("parameters") != parts["parameters"]:
        return "parameters changed"
    changed = sorted(k for k in set(parts["inputs"]) | set(old.get("inputs", {}))
                     if parts["inputs"].get(k) != old.get("inputs", {}).get(k))
    if changed:
        more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
        return f"input changed: {changed[0]}{more}"
    if old.get("package") != parts["package"]:
        return "nptsc_eval modules the notebook uses changed"
    if not run.executed.exists():
        return "executed notebook missing"
    if "executed" in previous and file_hash(run.executed) != previous["executed"]:
        return "executed notebook changed or damaged since the run wrote it"
    missing = [o for o in run.outputs if not run.expand(o, root)]
    if missing:
        return f"output missing: {missing[0]}"
    if "outputs" not in previous:
        return None
    recorded = previous["outputs"]
    now = output_hashes(run, root)
    differ = sorted(k for k in set(now) | set(recorded) if now.get(k) != recorded.get(k))
    if differ:
        what = "missing" if differ[0] not in now else "changed or damaged since the run wrote it"
        return f"output {what}: {differ[0]}"
    return None
