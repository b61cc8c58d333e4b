"""The build's record of its runs (``_build/pipeline-state.json``) and the build lock."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterator

from nptsc_eval.project import Project


STATE_FILE = "pipeline-state.json"



BOOK_STATE_KEY = "__book__"



#: The build lock sits at the project root, outside ``_build/``, so ``make clean`` never
#: removes it while a build holds it.
LOCK_FILE = ".build.lock"



@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Only one build at a time in a project folder; a second one waits for the first."""
    lock_path = Project(root).lock_file
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("another build is running in this folder; waiting for it to finish", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield



def _state_problem(state: Any) -> str | None:
    """What is wrong with the shape of a loaded build state, or None when it is sound."""
    if not isinstance(state, dict):
        return f"it holds a {type(state).__name__}, not a mapping"
    for key, entry in state.items():
        if key == BOOK_STATE_KEY:
            if not isinstance(entry, str):
                return "the book's entry is not a checksum"
            continue
        if not isinstance(entry, dict):
            return f"the entry of run '{key}' is not a mapping"
        if entry.get("status") == "running":
            continue
        if entry.get("status", "done") != "done":
            return f"the entry of run '{key}' has an unknown status"
        parts = entry.get("parts")
        if not isinstance(parts, dict):
            return f"the entry of run '{key}' has no cache key"
        if not all(isinstance(parts.get(k, ""), str) for k in ("code", "parameters", "package")):
            return f"the cache key of run '{key}' is not text"
        for name in ("inputs", "outputs"):
            mapping = parts.get(name, {}) if name == "inputs" else entry.get(name, {})
            if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                        for k, v in mapping.items()):
                return f"the {name} of run '{key}' are not a mapping of files to checksums"
        if not isinstance(entry.get("executed", ""), str):
            return f"the executed notebook checksum of run '{key}' is not text"
    return None



def load_state(root: Path, report: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The build state; a damaged one is reported in one line (when ``report`` is given) and discarded."""
    path = Project(root).state_file
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        problem = _state_problem(state)
    except FileNotFoundError:
        return {}
    except (UnicodeDecodeError, ValueError) as exc:
        problem = f"not readable as JSON: {type(exc).__name__}"
    except OSError as exc:
        problem = f"cannot be read: {exc.strerror or exc}"
    if problem is None:
        return state
    if report is not None:
        report(f"the build record {Project(root).relative(path)} is damaged ({problem}); it is discarded and every notebook runs again")
    return {}



def save_state(root: Path, state: dict[str, Any]) -> None:
    path = Project(root).state_file
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
