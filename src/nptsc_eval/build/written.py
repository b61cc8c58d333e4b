"""What a notebook run writes: recorded inside its kernel, checked against its ``outputs``.

Before a notebook runs, the build asks its kernel to :func:`start` recording into a log file.
From then on every file the kernel opens for writing (``open``, ``pandas.DataFrame.to_csv``,
``savefig``, ``shutil.copy``...) or renames into place is appended to the log, as long as the
file lies inside the project and outside the build folder (``_build/``) and ``__pycache__``.
A file the kernel deletes again is struck off.  Recording uses a Python audit hook
(:func:`sys.addaudithook`), so it sees every write whichever library makes it.

After the run the build reads the log (:func:`read_log`) and compares it with the outputs that
``pipeline.yml`` declares for the run (:func:`undeclared_and_unwritten`): a file written but not
declared, or an output declared but not written, stops the build.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     root = Path(folder)
...     log = root / "_build" / "written" / "run.log"
...     recorder = Recorder(root, log)
...     recorder.event("open", (str(root / "data" / "processed" / "a.csv"), "w", 0))
...     recorder.event("open", (str(root / "data" / "raw" / "b.csv"), "r", 0))
...     recorder.event("open", (str(root / "_build" / "c.json"), "w", 0))
...     recorder.event("open", (str(root / "data" / "processed" / "tmp.csv"), "w", 0))
...     recorder.event("os.remove", (str(root / "data" / "processed" / "tmp.csv"), None))
...     recorder.close()
...     (root / "data" / "processed").mkdir(parents=True)
...     _ = (root / "data" / "processed" / "a.csv").write_text("x")
...     sorted(read_log(log, root))
['data/processed/a.csv']
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

#: Flags of :func:`os.open` that mean the file is written.
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _is_write(mode: Any, flags: Any) -> bool:
    """Whether an ``open`` audit event opens its file for writing."""
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


class Recorder:
    """Appends to ``log`` the project files written, one line each: ``+path`` written, ``-path`` removed."""

    def __init__(self, root: Path, log: Path) -> None:
        self.root = Path(root).resolve()
        self.skip = (self.root / "_build", )
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log.resolve()
        self._file: TextIO | None = open(log, "w", encoding="utf-8")  # noqa: SIM115 (kept open while recording)
        self._busy = threading.local()

    def _inside(self, path: Any) -> str | None:
        """``path`` relative to the root when it is a project file the run may write, else None."""
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, (str, os.PathLike)):
            return None  # a file descriptor
        full = Path(os.path.abspath(path))
        if "__pycache__" in full.parts or ".ipynb_checkpoints" in full.parts:
            return None
        try:
            relative = full.relative_to(self.root)
        except ValueError:
            return None
        if any(full == s or s in full.parents for s in self.skip):
            return None
        return relative.as_posix()

    def _write(self, sign: str, path: Any) -> None:
        relative = self._inside(path)
        if relative is not None and self._file is not None:
            self._file.write(f"{sign}{relative}\n")
            self._file.flush()

    def event(self, name: str, args: tuple[Any, ...]) -> None:
        """Handle one audit event (only ``open``, ``os.rename`` and ``os.remove`` matter)."""
        if self._file is None or getattr(self._busy, "on", False):
            return
        self._busy.on = True
        try:
            if name == "open" and len(args) >= 3 and _is_write(args[1], args[2]):
                self._write("+", args[0])
            elif name == "os.rename" and len(args) >= 2:
                self._write("-", args[0])
                self._write("+", args[1])
            elif name in ("os.remove", "os.unlink") and args:
                self._write("-", args[0])
        finally:
            self._busy.on = False

    def close(self) -> None:
        """Stop recording and close the log."""
        if self._file is not None:
            self._file.close()
            self._file = None


_current: Recorder | None = None
_hooked = False


def _hook(name: str, args: tuple[Any, ...]) -> None:
    recorder = _current
    if recorder is not None:
        recorder.event(name, args)


def start(root: str, log: str) -> None:
    """Record, from now on and into ``log``, the files of the project at ``root`` that this process writes.

    Called in a notebook's kernel by the build before the notebook runs.  An audit hook cannot be
    removed, so it is added once per process; each call points it at a new log.
    """
    global _current, _hooked
    stop()
    _current = Recorder(Path(root), Path(log))
    if not _hooked:
        sys.addaudithook(_hook)
        _hooked = True


def stop() -> None:
    """Stop recording (the log is complete)."""
    global _current
    if _current is not None:
        recorder, _current = _current, None
        recorder.close()


def start_code(root: Path, log: Path) -> str:
    """One line of Python that starts recording in a kernel and leaves no name behind."""
    return f"__import__('nptsc_eval.build.written').build.written.start({str(root)!r}, {str(log)!r})"


def read_log(log: Path, root: Path) -> set[str]:
    """The files (relative to ``root``) a run wrote and did not delete, from its log."""
    written: set[str] = set()
    if not log.exists():
        return written
    for line in log.read_text(encoding="utf-8").splitlines():
        sign, path = line[:1], line[1:]
        if sign == "+":
            written.add(path)
        elif sign == "-":
            written.discard(path)
    return {p for p in written if (Path(root) / p).is_file()}


def undeclared_and_unwritten(written: set[str], outputs: list[str], patterns: set[str] | frozenset[str] = frozenset(),
                             root: Path | None = None) -> tuple[list[str], list[str]]:
    """Files written that no declared output names, and declared outputs that name no written file.

    ``outputs`` are paths relative to ``root`` (or absolute); those in ``patterns`` are wildcards.

    >>> undeclared_and_unwritten({"data/processed/a.csv", "data/processed/downloads/p-1.csv", "x.csv"},
    ...                          ["data/processed/a.csv", "data/processed/downloads/p-*", "data/processed/b.csv"],
    ...                          {"data/processed/downloads/p-*"})
    (['x.csv'], ['data/processed/b.csv'])
    """
    def relative(entry: str) -> str:
        if root is not None and Path(entry).is_absolute():
            with contextlib.suppress(ValueError):
                return Path(entry).relative_to(Path(root).resolve()).as_posix()
        return entry

    def matches(path: str, entry: str) -> bool:
        target = relative(entry)
        return fnmatch.fnmatchcase(path, target) if entry in patterns else path == target

    undeclared = sorted(p for p in written if not any(matches(p, o) for o in outputs))
    unwritten = [o for o in outputs if not any(matches(p, o) for p in written)]
    return undeclared, unwritten
