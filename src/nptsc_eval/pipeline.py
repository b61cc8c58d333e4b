"""The pipeline runner: notebooks executed incrementally with papermill, then the book built.

The pipeline specification (``pipeline.yml`` at the project root) lists each notebook, the
files it reads (``inputs``), and one or more runs, each with its papermill parameters and the
files it writes (``outputs``).  A run whose inputs include another run's outputs runs after
it; runs that do not depend on each other run at the same time (``--jobs``).

A run is executed again only when its cache key changes: the code cells of its notebook, its
parameters, the contents of its input files, or the source of this package.  The build says
why each run was executed or skipped.  A notebook that raises stops the build with a message
naming the notebook, the cell and the exception; the executed copy with the error is kept in
``_build/failed/``; the published book in ``_build/html/`` is left as it was.  The book is
built with warnings treated as errors in ``_build/work/`` and swapped into ``_build/html/``
only when the build succeeds.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from nptsc_eval import paths
from nptsc_eval.errors import PipelineError
from nptsc_eval.paths import relative
from nptsc_eval.yaml_text import load_yaml

STATE_FILE = "pipeline-state.json"
BOOK_STATE_KEY = "__book__"
#: Environment variable that tells notebooks they run inside the pipeline.
PIPELINE_ENV = "NPTSC_EVAL_PIPELINE"
#: Kernels keep their own log quiet (notebook errors are reported by the build) and keep no
#: input history: batch runs have no use for it, and a reused kernel whose execution counter
#: is reset would otherwise clash with its own history.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]


class NotebookFailed(PipelineError):
    """A notebook raised an exception while it ran."""


# --------------------------------------------------------------------------------------
# Specification
# --------------------------------------------------------------------------------------


@dataclass
class Run:
    """One execution of a notebook with one set of parameters.

    ``inputs`` and ``outputs`` are paths relative to the project root (or absolute).  Each is a
    literal path unless it is in ``patterns``: only a wildcard written in ``pipeline.yml``
    itself makes a pattern, so a file name from a variable (``--survey``) that happens to
    hold ``[``, ``]``, ``*`` or ``?`` is still read as the file it names.
    """

    id: str
    notebook: Path
    parameters: dict[str, Any]
    inputs: list[str]
    outputs: list[str]
    executed: Path
    depends_on: set[str] = field(default_factory=set)
    patterns: set[str] = field(default_factory=set)

    def expand(self, entry: str, root: Path) -> list[Path]:
        """The files ``entry`` (an input or output) names now: the path itself, or a pattern's matches."""
        if entry in self.patterns:
            found = glob.glob(entry, root_dir=str(root), recursive=True)
            return sorted(p for p in (root / f for f in found) if p.is_file())
        path = root / entry
        return [path] if path.is_file() else []

    def input_files(self, root: Path) -> list[Path]:
        """Every file the run reads, patterns expanded, sorted; an input matching nothing is an error."""
        files: set[Path] = set()
        for entry in self.inputs:
            matches = self.expand(entry, root)
            if not matches:
                raise PipelineError(f"run '{self.id}': {_describe_missing(entry, entry in self.patterns, root)}")
            files.update(m.resolve() for m in matches)
        return sorted(files)


def _describe_missing(entry: str, pattern: bool, root: Path) -> str:
    if pattern:
        return f"input pattern {entry} matches no file"
    path = root / entry
    if path.is_dir():
        return f"input {entry} is a folder, not a file"
    return f"input file {entry} does not exist"


@dataclass
class Spec:
    runs: list[Run]
    defaults: dict[str, Any]
    path: Path


def _substitute(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, replacement in variables.items():
            value = value.replace("${" + name + "}", replacement)
        return value
    if isinstance(value, list):
        return [_substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, variables) for k, v in value.items()}
    return value


#: Characters that make an input or output a glob pattern, when pipeline.yml itself writes them.
PATTERN_CHARACTERS = "*?["


def _is_pattern(text: str) -> bool:
    """True when ``text`` as written in pipeline.yml (variables left out) holds a wildcard."""
    return any(ch in re.sub(r"\$\{[^}]*\}", "", text) for ch in PATTERN_CHARACTERS)


def _file_entries(entries: list[Any], variables: dict[str, str]) -> tuple[list[str], set[str]]:
    """Inputs or outputs with variables replaced, and which of them are patterns.

    In a pattern a variable's value is escaped, so it still matches only itself.
    """
    out: list[str] = []
    patterns: set[str] = set()
    for entry in entries:
        text = str(entry)
        if _is_pattern(text):
            text = _substitute(text, {k: glob.escape(v) for k, v in variables.items()})
            patterns.add(text)
        else:
            text = _substitute(text, variables)
        out.append(text)
    return out, patterns


def load_spec(path: Path | None = None, overrides: dict[str, str] | None = None, root: Path | None = None) -> Spec:
    """Read and check the pipeline specification.

    ``overrides`` replaces entries of its ``variables`` section (``--survey PATH`` sets
    ``survey``); ``${name}`` in parameters, inputs and outputs is replaced by the variable.
    """
    root = root or paths.PROJECT_ROOT
    path = path or root / "pipeline.yml"
    try:
        spec = load_yaml(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise PipelineError(f"pipeline specification {relative(path)} not found") from None
    except yaml.YAMLError as exc:
        raise PipelineError(f"{relative(path)} is not valid YAML: {exc}") from None
    variables = {k: str(v) for k, v in (spec.get("variables") or {}).items()}
    for key, value in (overrides or {}).items():
        if key not in variables:
            raise PipelineError(f"{relative(path)} has no variable '{key}' to override")
        variables[key] = value
    runs: list[Run] = []
    for i, entry in enumerate(spec.get("notebooks") or [], start=1):
        where = f"{relative(path)}, notebook entry {i}"
        if "notebook" not in entry:
            raise PipelineError(f"{where}: missing 'notebook'")
        notebook = root / entry["notebook"]
        if not notebook.exists():
            raise PipelineError(f"{where}: notebook {entry['notebook']} does not exist")
        entry_runs = entry.get("runs") or [{"id": notebook.stem}]
        for r in entry_runs:
            if "id" not in r:
                raise PipelineError(f"{where}: a run has no 'id'")
            params = _substitute(dict(r.get("parameters") or {}), variables)
            inputs, input_patterns = _file_entries(list(entry.get("inputs") or []) + list(r.get("inputs") or []), variables)
            outputs, output_patterns = _file_entries(list(entry.get("outputs") or []) + list(r.get("outputs") or []), variables)
            runs.append(Run(id=r["id"], notebook=notebook, parameters=params, inputs=inputs, outputs=outputs,
                            executed=root / "book" / "executed" / f"{r['id']}.ipynb",
                            patterns=input_patterns | output_patterns))
    ids = [r.id for r in runs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise PipelineError(f"{relative(path)}: run ids must be unique; repeated: {', '.join(duplicates)}")
    _link_dependencies(runs, root)
    return Spec(runs=runs, defaults=variables, path=path)


def _overlap(a: str, a_pattern: bool, b: str, b_pattern: bool) -> bool:
    """Whether an input and an output can name the same file (literal paths compare as paths)."""
    import fnmatch

    if a_pattern and b_pattern:
        return fnmatch.fnmatch(a, b) or fnmatch.fnmatch(b, a)
    if a_pattern:
        return fnmatch.fnmatch(b, a)
    if b_pattern:
        return fnmatch.fnmatch(a, b)
    return os.path.normpath(a) == os.path.normpath(b)


def produced_by_another_run(run: Run, entry: str, runs: list[Run]) -> bool:
    """Whether ``entry`` (an input of ``run``) is written by another run of the pipeline."""
    return any(_overlap(entry, entry in run.patterns, o, o in other.patterns)
               for other in runs if other is not run for o in other.outputs)


def _link_dependencies(runs: list[Run], root: Path) -> None:
    for run in runs:
        for other in runs:
            if other is run:
                continue
            if any(_overlap(i, i in run.patterns, o, o in other.patterns) for i in run.inputs for o in other.outputs):
                run.depends_on.add(other.id)
    # Reject cycles, naming them.
    state: dict[str, int] = {}
    by_id = {r.id: r for r in runs}

    def visit(rid: str, trail: list[str]) -> None:
        if state.get(rid) == 1:
            raise PipelineError("pipeline.yml: runs depend on each other in a cycle: " + " → ".join(trail + [rid]))
        if state.get(rid) == 2:
            return
        state[rid] = 1
        for dep in sorted(by_id[rid].depends_on):
            visit(dep, trail + [rid])
        state[rid] = 2

    for r in runs:
        visit(r.id, [])


# --------------------------------------------------------------------------------------
# Cache keys
# --------------------------------------------------------------------------------------


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


def package_hash() -> str:
    """Hash of the helper package's source files."""
    h = hashlib.sha256()
    for p in sorted(paths.PACKAGE_DIR.rglob("*.py")):
        h.update(p.relative_to(paths.PACKAGE_DIR).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _relative_to(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


#: Read by every notebook although no run lists it: the table of contents numbers the chapters,
#: and so every table and figure (``report.set_chapter``).
TOC_FILE = "_toc.yml"


def cache_parts(run: Run, root: Path, pkg: str) -> dict[str, Any]:
    inputs = {_relative_to(p, root): file_hash(p) for p in run.input_files(root)}
    if (root / TOC_FILE).is_file():
        inputs[TOC_FILE] = file_hash(root / TOC_FILE)
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


def completed_record(run: Run, root: Path, parts: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The state entry of a run whose outputs are all written: its cache key and its outputs' checksums."""
    return {"status": "done", "parts": parts, "seconds": round(seconds, 2),
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
        return "nptsc_eval package changed"
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


# --------------------------------------------------------------------------------------
# Executing one notebook
# --------------------------------------------------------------------------------------


def glued_text(nb: dict[str, Any], key: str) -> str | None:
    """The text/plain form of the value a notebook glued under ``key``, or None."""
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            scrapbook = out.get("metadata", {}).get("scrapbook", {})
            if scrapbook.get("name") == key:
                # With papermill installed, glue records its data under a MIME prefix.
                data = out.get("data", {})
                text = data.get(scrapbook.get("mime_prefix", "") + "text/plain", data.get("text/plain"))
                if text is None:
                    return None
                return text if isinstance(text, str) else "".join(text)
    return None


def _glued_value(nb: dict[str, Any], key: str) -> Any:
    text = glued_text(nb, key)
    if text is None:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def finish_executed_notebook(path: Path) -> None:
    """Prepare an executed notebook for the book.

    * A notebook that glues ``chapter_title`` gets that title as its first heading, so one
      parameterised notebook makes chapters with titles from its data.
    * Alt text that :func:`nptsc_eval.plots.show_figure` put in an image output's metadata
      is copied to the cell metadata, where MyST-NB reads it.
    * What changes from one execution to the next is removed (:func:`make_deterministic`),
      so two builds of the same sources give byte-identical executed notebooks.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    make_deterministic(nb)
    title = _glued_value(nb, "chapter_title")
    if title:
        nb["cells"].insert(0, {"cell_type": "markdown", "id": "chapter-title", "metadata": {},
                               "source": f"# {title}"})
    for cell in nb["cells"]:
        alts = [o.get("metadata", {}).get("image/png", {}).get("alt")
                for o in cell.get("outputs", []) or [] if "image/png" in o.get("data", {})]
        alts = [a for a in alts if a]
        if len(set(alts)) > 1:
            raise PipelineError(f"{relative(path)}: a cell shows {len(alts)} figures; show one figure per cell so each keeps its alt text")
        if alts:
            cell.setdefault("metadata", {}).setdefault("mystnb", {}).setdefault("image", {})["alt"] = alts[0]
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


#: papermill's notebook metadata that does not change between executions of the same sources.
PAPERMILL_KEPT = ("parameters", "default_parameters", "version")


def make_deterministic(nb: dict[str, Any]) -> None:
    """Remove what differs between two executions of the same notebook with the same data.

    papermill records start and end times, durations and the input and output paths (which
    name the build folder); nbclient records when each message arrived; papermill gives the
    cell it injects a random id.  The times and paths go, and the injected cell gets a fixed id.
    """
    metadata = nb.setdefault("metadata", {})
    papermill = metadata.get("papermill")
    if isinstance(papermill, dict):
        metadata["papermill"] = {k: papermill[k] for k in PAPERMILL_KEPT if k in papermill}
    for cell in nb.get("cells", []):
        cell_metadata = cell.get("metadata", {})
        cell_metadata.pop("papermill", None)
        cell_metadata.pop("execution", None)
        if "injected-parameters" in cell_metadata.get("tags", []):
            cell["id"] = "injected-parameters"


def refresh_prose(run: Run) -> bool:
    """Copy the notebook's Markdown cells into its executed copy (matched by cell id).

    Prose does not change results, so a change to it alone re-renders without re-executing.
    Returns True when the executed copy changed.
    """
    if not run.executed.exists():
        return False
    source = json.loads(run.notebook.read_text(encoding="utf-8"))
    executed = json.loads(run.executed.read_text(encoding="utf-8"))
    prose = {c.get("id"): c["source"] for c in source["cells"] if c["cell_type"] == "markdown"}
    changed = False
    for cell in executed["cells"]:
        if cell["cell_type"] == "markdown" and cell.get("id") in prose and cell["source"] != prose[cell["id"]]:
            cell["source"] = prose[cell["id"]]
            changed = True
    if changed:
        run.executed.write_text(json.dumps(executed, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


def execute_notebook(source: Path, target: Path, parameters: dict[str, Any] | None = None, **options: Any) -> Any:
    """Execute ``source`` with papermill into ``target``, its kernel started in the notebook's folder.

    The kernel's working folder is passed to nbclient rather than through papermill's ``cwd``,
    which changes the working folder of the whole Python process and so cannot be used from
    the pipeline's worker threads.
    """
    import papermill as pm

    options.setdefault("kernel_name", "python3")
    options.setdefault("progress_bar", False)
    options.setdefault("extra_arguments", KERNEL_ARGUMENTS)
    return pm.execute_notebook(
        str(source), str(target), parameters=parameters or {},
        resources={"metadata": {"path": str(Path(source).resolve().parent)}}, **options,
    )


# Cleared before a kernel runs its next notebook: the namespace, open figures, the working
# folder and the execution counter.  Imported modules (and the package's file caches, keyed
# on each file's modification time) stay: that is what makes a reused kernel fast.
_RESET_KERNEL = """\
get_ipython().run_line_magic("reset", "-f")
import os as _os, sys as _sys
_os.chdir({folder!r})
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
del _os, _sys
get_ipython().execution_count = 1
"""


class KernelPool:
    """Warm kernels: one per worker thread, reused from notebook to notebook within one build.

    Most of a fresh kernel's time on a short notebook goes on starting Python and importing
    pandas, matplotlib, seaborn and the package.  A reused kernel pays that once per worker.
    Before each further notebook the kernel is reset (``_RESET_KERNEL``), so the executed
    notebook matches one from a fresh kernel; ``tests/test_pipeline.py`` checks that on the
    real notebooks.  A kernel whose notebook failed, or that cannot be reset, is shut down
    and replaced.  With ``enabled=False`` every notebook gets a fresh kernel, as plain
    Jupyter does.
    """

    def __init__(self, enabled: bool = True, startup_timeout: float = 60) -> None:
        self.enabled = enabled
        self.startup_timeout = startup_timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._kernels: list[Any] = []
        self.started = 0
        self.reused = 0

    def acquire(self, folder: Path) -> Any | None:
        """This thread's kernel, reset and moved to ``folder``; ``None`` when kernels are not reused."""
        if not self.enabled:
            return None
        km = getattr(self._local, "km", None)
        if km is not None and not self._reset(km, folder, self.startup_timeout):
            self.discard()
            km = None
        if km is not None:
            with self._lock:
                self.reused += 1
        else:
            from jupyter_client.manager import AsyncKernelManager
            from jupyter_core.utils import run_sync

            km = AsyncKernelManager(kernel_name="python3")
            run_sync(km.start_kernel)(cwd=str(folder), extra_arguments=KERNEL_ARGUMENTS)
            self._local.km = km
            with self._lock:
                self._kernels.append(km)
                self.started += 1
        return km

    @staticmethod
    def _reset(km: Any, folder: Path, timeout: float = 60) -> bool:
        from jupyter_client.blocking import BlockingKernelClient

        client = BlockingKernelClient()
        client.load_connection_info(km.get_connection_info())
        client.start_channels()
        try:
            client.wait_for_ready(timeout=timeout)
            reply = client.execute_interactive(_RESET_KERNEL.format(folder=str(folder)), store_history=False,
                                               timeout=60, output_hook=lambda message: None)
            return reply["content"]["status"] == "ok"
        except (RuntimeError, TimeoutError):
            return False
        finally:
            client.stop_channels()

    def discard(self) -> None:
        """Shut down this thread's kernel (after a failure); the next notebook gets a fresh one."""
        km = getattr(self._local, "km", None)
        self._local.km = None
        if km is not None:
            with self._lock:
                self._kernels.remove(km)
            self._shutdown(km)

    @staticmethod
    def _shutdown(km: Any) -> None:
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)

    def close(self) -> None:
        """Shut down every kernel the pool started."""
        with self._lock:
            kernels, self._kernels = self._kernels, []
        for km in kernels:
            self._shutdown(km)


def execute_run(run: Run, root: Path, kernels: KernelPool | None = None) -> float:
    """Execute one run with papermill; return its wall time in seconds."""
    from papermill.exceptions import PapermillExecutionError

    work = root / "_build" / "executing"
    failed_dir = root / "_build" / "failed"
    work.mkdir(parents=True, exist_ok=True)
    scratch = work / f"{run.id}.ipynb"
    start = time.perf_counter()
    os.environ[PIPELINE_ENV] = "1"
    kernels = kernels or KernelPool(enabled=False)
    try:
        # km=None: papermill starts (and shuts down) a kernel of its own.
        execute_notebook(run.notebook, scratch, run.parameters, log_output=False,
                         request_save_on_cell_execute=False, km=kernels.acquire(run.notebook.parent),
                         start_timeout=kernels.startup_timeout)
    except PapermillExecutionError as exc:
        kernels.discard()
        failed_dir.mkdir(parents=True, exist_ok=True)
        kept = failed_dir / f"{run.id}.ipynb"
        shutil.move(str(scratch), kept)
        cell = _source_cell_number(kept, exc.cell_index)
        raise NotebookFailed(
            f"{relative(run.notebook)} (run '{run.id}') failed in cell {cell}: "
            f"{exc.ename}: {exc.evalue}\n  the executed notebook with the error is kept at {relative(kept)}"
        ) from None
    except (RuntimeError, TimeoutError) as exc:
        # nbclient and jupyter_client raise these when a kernel does not start or answer.
        kernels.discard()
        if not _is_kernel_failure(exc):
            raise
        raise KernelUnavailable(
            f"{relative(run.notebook)} (run '{run.id}'): the notebook's kernel did not start or stopped answering: "
            f"{' '.join(str(exc).split()) or type(exc).__name__}"
        ) from None
    except BaseException:
        kernels.discard()
        raise
    finish_executed_notebook(scratch)
    run.executed.parent.mkdir(parents=True, exist_ok=True)
    os.replace(scratch, run.executed)
    return time.perf_counter() - start


def _is_kernel_failure(exc: BaseException) -> bool:
    """Whether ``exc`` comes from the kernel machinery (nbclient, jupyter_client, zmq)."""
    module = type(exc).__module__ or ""
    text = str(exc).lower()
    return module.split(".")[0] in {"nbclient", "jupyter_client", "zmq"} or "kernel" in text


class KernelUnavailable(PipelineError):
    """A kernel could not be started or stopped answering."""


def check_loopback(timeout: float = 3.0) -> None:
    """Raise :class:`PipelineError` at once when the loopback network (127.0.0.1) does not work.

    Kernels talk to the build through sockets on 127.0.0.1.  Without that network a kernel
    starts but never answers, and the build would wait a minute before failing.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            with socket.create_connection(server.getsockname()[:2], timeout=timeout):
                pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise PipelineError(
            "notebooks cannot run: their kernels talk to the build over the loopback network "
            f"(127.0.0.1), which is not working here ({reason}); nothing was run"
        ) from None


#: Modules the worker threads use to execute notebooks.  They are imported before any worker
#: starts: two threads importing them at the same time can each see the other's module
#: half initialised ("ImportError: partially initialized module").
EXECUTION_MODULES = (
    "papermill", "papermill.engines", "papermill.exceptions", "papermill.iorw", "papermill.translators",
    "papermill.clientwrap", "papermill.execute", "papermill.parameterize", "papermill.inspection",
    "nbclient", "nbclient.client", "nbclient.exceptions", "nbformat", "nbformat.v4",
    "jupyter_client", "jupyter_client.manager", "jupyter_client.blocking", "jupyter_client.asynchronous",
    "jupyter_client.provisioning", "jupyter_client.provisioning.local_provisioner", "jupyter_client.kernelspec",
    "jupyter_core.utils", "jupyter_core.paths", "zmq", "zmq.asyncio", "ipykernel.kernelspec", "IPython.paths",
)


def preload_execution_modules(kernel_name: str = "python3") -> None:
    """Import everything the worker threads use, from the calling (main) thread.

    jupyter_client also imports modules lazily the first time a kernel starts: finding the
    kernel's specification imports IPython and ipykernel, and listing the local network
    addresses imports psutil.  Doing each of those once here leaves nothing to import later.
    """
    import importlib

    for name in EXECUTION_MODULES:
        importlib.import_module(name)
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from jupyter_client.localinterfaces import localhost
    from jupyter_client.provisioning import KernelProvisionerFactory

    with contextlib.suppress(NoSuchKernel):
        KernelSpecManager().get_kernel_spec(kernel_name)
    localhost()
    KernelProvisionerFactory.instance()


def _source_cell_number(executed: Path, index: int) -> int:
    """1-based number of the failing cell in the source notebook (papermill adds cells)."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    number = 0
    for i, cell in enumerate(cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags:
            continue
        number += 1
        if i == index:
            return number
    return index + 1


# --------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------


@dataclass
class RunResult:
    run_id: str
    action: str  # "executed", "skipped", "failed", "not run"
    reason: str
    seconds: float = 0.0


#: The build lock sits at the project root, outside ``_build/``, so ``make clean`` never
#: removes it while a build holds it.
LOCK_FILE = ".build.lock"


@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Only one build at a time in a project folder; a second one waits for the first."""
    lock_path = root / LOCK_FILE
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


def _load_state(root: Path, report: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The build state; a damaged one is reported in one line (when ``report`` is given) and discarded."""
    path = root / "_build" / STATE_FILE
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
        report(f"the build record {relative(path)} is damaged ({problem}); it is discarded and every notebook runs again")
    return {}


def _save_state(root: Path, state: dict[str, Any]) -> None:
    path = root / "_build" / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def missing_inputs(runs: list[Run], root: Path) -> list[str]:
    """Declared inputs that name no file and that no run of the pipeline writes."""
    problems = []
    for run in runs:
        for entry in run.inputs:
            if not run.expand(entry, root) and not produced_by_another_run(run, entry, runs):
                problems.append(f"run '{run.id}': {_describe_missing(entry, entry in run.patterns, root)}")
    return problems


def run_notebooks(spec: Spec, root: Path, *, force: bool = False, jobs: int = 1,
                  select: Callable[[Run], bool] | None = None, reuse_kernels: bool = True,
                  kernel_timeout: float = 60, report: Callable[[str], None] = print) -> list[RunResult]:
    """Execute the runs whose cache key changed, in dependency order, ``jobs`` at a time.

    Each worker reuses one warm kernel from run to run (see ``KernelPool``) unless
    ``reuse_kernels`` is false.  A kernel that does not answer within ``kernel_timeout``
    seconds of starting stops the build with a one-line message.

    A run's record changes together with its outputs: before a run starts, its record is
    replaced by "running" (saved at once); only when the notebook has finished and written
    every output is the completed record saved, with the checksum of each output.  A build
    killed in between leaves "running", so the next build runs it again.
    """
    state = _load_state(root, report)
    pkg = package_hash()
    runs = [r for r in spec.runs if select is None or select(r)]
    problems = missing_inputs(spec.runs, root)
    if problems:
        raise PipelineError("inputs declared in pipeline.yml are missing; nothing was run.\n  " + "\n  ".join(problems))
    by_id = {r.id: r for r in runs}
    pending = {r.id for r in runs}
    done: dict[str, RunResult] = {}
    total = len(runs)
    failure: PipelineError | None = None
    ready_to_execute = False

    def ready(rid: str) -> bool:
        return all(d in done or d not in by_id for d in by_id[rid].depends_on)

    def start(run: Run) -> tuple[str, dict[str, Any]] | None:
        parts = cache_parts(run, root, pkg)
        reason = why_run(run, parts, state.get(run.id), root, force)
        return (reason, parts) if reason else (None, parts)

    def complete(run: Run, reason: str, parts: dict[str, Any], seconds: float) -> None:
        state[run.id] = completed_record(run, root, parts, seconds)
        _save_state(root, state)
        done[run.id] = RunResult(run.id, "executed", reason, seconds)

    kernels = KernelPool(enabled=reuse_kernels, startup_timeout=kernel_timeout)
    with contextlib.ExitStack() as cleanup, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        cleanup.callback(kernels.close)
        running: dict[Future, tuple[Run, str, dict[str, Any]]] = {}
        while (pending or running) and failure is None:
            for rid in sorted(pending):
                if failure or not ready(rid) or len(running) >= max(1, jobs):
                    continue
                run = by_id[rid]
                pending.discard(rid)
                reason, parts = start(run)
                n = total - len(pending) - len(running)
                if reason is None:
                    note = " (prose refreshed)" if refresh_prose(run) else ""
                    if note:
                        state[run.id]["executed"] = file_hash(run.executed)
                        _save_state(root, state)
                    done[rid] = RunResult(rid, "skipped", "up to date" + note)
                    report(f"[{n}/{total}] {rid}: skipped, up to date{note}")
                    continue
                if not ready_to_execute:
                    # Before the first notebook: fail fast without a network, and import the
                    # execution machinery here rather than in several worker threads at once.
                    check_loopback()
                    preload_execution_modules()
                    ready_to_execute = True
                state[run.id] = {"status": "running"}
                _save_state(root, state)
                report(f"[{n}/{total}] {rid}: running ({reason})")
                running[pool.submit(execute_run, run, root, kernels)] = (run, reason, parts)
            if not running:
                continue
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in finished:
                run, reason, parts = running.pop(fut)
                try:
                    seconds = fut.result()
                except (NotebookFailed, KernelUnavailable) as exc:
                    done[run.id] = RunResult(run.id, "failed", str(exc))
                    state.pop(run.id, None)
                    _save_state(root, state)
                    failure = failure or exc
                    report(f"{run.id}: FAILED")
                    continue
                complete(run, reason, parts, seconds)
                report(f"{run.id}: done in {seconds:.1f} s")
        # Let runs already started finish before reporting the failure.
        for fut in list(running):
            run, reason, parts = running.pop(fut)
            try:
                complete(run, reason, parts, fut.result())
            except (NotebookFailed, KernelUnavailable) as exc:
                done[run.id] = RunResult(run.id, "failed", str(exc))
                state.pop(run.id, None)
    _save_state(root, state)
    if kernels.started:
        report(f"kernels: {kernels.started} started, reused for {kernels.reused} further notebooks")
    for rid in pending:
        done[rid] = RunResult(rid, "not run", "an earlier notebook failed")
    if failure is not None:
        raise failure
    return [done[r.id] for r in runs]


def book_sources_hash(root: Path) -> str:
    """Hash of everything the book is built from: configuration, pages, executed notebooks."""
    h = hashlib.sha256()
    files = [root / "_config.yml", root / "_toc.yml", root / "CITATION.cff"]
    # Raw files the book's Sphinx extensions read themselves (book/_ext/nptsc_glossary.py).
    files += [root / "data" / "raw" / "glossary.csv"]
    files += [p for p in (root / "book").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for p in sorted(f for f in files if f.is_file()):
        h.update(relative(p).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def build_book(root: Path, *, report: Callable[[str], None] = print, jobs: int = 1, builder: str = "html",
               quiet: bool = True) -> Path:
    """Build the book with warnings as errors in ``_build/work``; swap the HTML in on success."""
    from jupyter_book.sphinx import build_sphinx
    from myst_nb.ext.glue.crossref import read_glue_cache

    # MyST-NB keeps the glued values it has read in a cache for the life of the process; a
    # second build in the same process (tests, benchmarks) must read them afresh.
    read_glue_cache.cache_clear()
    work = root / "_build" / "work"
    out = work / builder
    log = root / "_build" / f"sphinx-{builder}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as handle, contextlib.redirect_stdout(handle), contextlib.redirect_stderr(handle):
        result = build_sphinx(
            str(root), str(out), doctreedir=str(work / ".doctrees"), path_config=str(root / "_config.yml"),
            # Serial: jupyter-book's sphinx_multitoc_numbering does not declare itself safe for
            # parallel reading, so with more than five pages Sphinx warns (an error here).
            builder=builder, warningiserror=True, keep_going=True, quiet=quiet, jobs=None,
            noconfig=True,
            confoverrides={"external_toc_path": (root / "_toc.yml").as_posix(), "latex_individualpages": False,
                           "nitpicky": True},
        )
    if result != 0:
        text = log.read_text(encoding="utf-8", errors="replace")
        problems = [line for line in text.splitlines() if "WARNING" in line or "ERROR" in line or "Error" in line]
        shown = "\n  ".join(problems[:20]) or text[-2000:]
        raise PipelineError(f"the book did not build (warnings are errors); the published book is unchanged.\n  {shown}\n  full log: {relative(log)}")
    if builder == "html":
        target = root / "_build" / "html"
        staged = root / "_build" / "html.new"
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(out, staged)
        old = root / "_build" / "html.old"
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(staged, target)
        shutil.rmtree(old, ignore_errors=True)
        report(f"book built in {time.perf_counter() - start:.1f} s → {relative(target / 'index.html')}")
        return target
    report(f"{builder} build done in {time.perf_counter() - start:.1f} s")
    return out


def build(*, root: Path | None = None, force: bool = False, jobs: int | None = None,
          overrides: dict[str, str] | None = None, book: bool = True, reuse_kernels: bool = True,
          kernel_timeout: float = 60, report: Callable[[str], None] = print) -> list[RunResult]:
    """The whole build: check raw data, run what changed, build the book if its sources changed."""
    from nptsc_eval.validate_raw import validate_raw_data

    root = root or paths.PROJECT_ROOT
    jobs = jobs or os.cpu_count() or 1
    started = time.perf_counter()
    with build_lock(root):
        errors = validate_raw_data(root / "data" / "raw")
        if errors:
            raise PipelineError("raw data is not valid; nothing was run or written.\n" + "\n".join(str(e) for e in errors))
        spec = load_spec(overrides=overrides, root=root)
        results = run_notebooks(spec, root, force=force, jobs=jobs, reuse_kernels=reuse_kernels,
                                kernel_timeout=kernel_timeout, report=report)
        executed = [r for r in results if r.action == "executed"]
        report(f"notebooks: {len(executed)} executed, {len(results) - len(executed)} skipped"
               + (f" ({sum(r.seconds for r in executed):.1f} s of notebook time)" if executed else " (nothing changed)"))
        # Provenance of every glued value and figure, for the book's appendix (nptsc_eval.provenance).
        from nptsc_eval.provenance import write_provenance

        write_provenance(spec, root)
        # Every processed file described as a Frictionless Data Package (nptsc_eval.datapackage).
        from nptsc_eval.datapackage import write_datapackage

        write_datapackage(root)
        if book:
            state = _load_state(root)
            key = book_sources_hash(root)
            html_ok = (root / "_build" / "html" / "index.html").exists()
            if not force and html_ok and state.get(BOOK_STATE_KEY) == key:
                report("book: skipped, up to date")
            else:
                build_book(root, report=report, jobs=jobs)
                state[BOOK_STATE_KEY] = key
                _save_state(root, state)
    report(f"build finished in {time.perf_counter() - started:.1f} s")
    return results
