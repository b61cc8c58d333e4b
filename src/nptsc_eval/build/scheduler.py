"""The scheduler: the runs whose cache key changed, executed in dependency order, ``jobs`` at a time."""

from __future__ import annotations

import contextlib
import graphlib
import os
import shutil
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Callable

from nptsc_eval.build.cache import cache_parts, completed_record, file_hash, package_hash, why_run
from nptsc_eval.build.executed import finish_executed_notebook, refresh_prose, source_cell_number
from nptsc_eval.build.kernels import (PIPELINE_ENV, KernelPool, KernelUnavailable, check_loopback, execute_notebook,
                                      is_kernel_failure, kernel_environment, prepare_arguments,
                                      preload_execution_modules)
from nptsc_eval.build.spec import Run, Spec, describe_missing, produced_by_another_run
from nptsc_eval.build.state import load_state, save_state
from nptsc_eval.build.written import read_log, start_code, undeclared_and_unwritten
from nptsc_eval.errors import PipelineError
from nptsc_eval.project import Project


class NotebookFailed(PipelineError):
    """A notebook raised an exception while it ran."""


class OutputsMismatch(PipelineError):
    """A run wrote a file its ``outputs`` in pipeline.yml do not declare, or did not write one they do."""


def check_outputs(run: Run, written: set[str], root: Path) -> None:
    """Raise :class:`OutputsMismatch` when what ``run`` wrote differs from its declared outputs."""
    undeclared, unwritten = undeclared_and_unwritten(written, run.outputs, run.patterns, root)
    if not undeclared and not unwritten:
        return
    notebook = Project(root).relative(run.notebook)
    lines = [f"{notebook} (run '{run.id}') wrote {path}, which its outputs in pipeline.yml do not declare"
             for path in undeclared]
    lines += [f"{notebook} (run '{run.id}') did not write {entry}, which its outputs in pipeline.yml declare"
              for entry in unwritten]
    raise OutputsMismatch("what a notebook wrote does not match pipeline.yml; the book was not rebuilt.\n  "
                          + "\n  ".join(lines)
                          + "\n  declare each file the notebook writes under its run's outputs, and only those")



@dataclass
class RunResult:
    run_id: str
    action: str  # "executed", "skipped", "failed", "not run"
    reason: str
    seconds: float = 0.0



#: How many kernels a run may try before the build stops: a kernel can fail to start for a reason
#: that does not come back (two kernels starting at once can pick the same free port on 127.0.0.1).
KERNEL_ATTEMPTS = 2


def execute_run(run: Run, root: Path, kernels: KernelPool | None = None,
                report: Callable[[str], None] = lambda message: None) -> float:
    """Execute one run with papermill; return its wall time in seconds.

    When the kernel does not start or stops answering, the run starts again from its first cell
    in a new kernel, up to :data:`KERNEL_ATTEMPTS` times in all (``report`` says so); a notebook
    that fails in a cell is not run again.
    """
    project = Project(root)
    relative = project.relative
    work = project.cache / "executing"
    failed_dir = project.cache / "failed"
    work.mkdir(parents=True, exist_ok=True)
    scratch = work / f"{run.id}.ipynb"
    log = project.cache / "written" / f"{run.id}.log"
    record = start_code(project.root, log)
    start = time.perf_counter()
    os.environ[PIPELINE_ENV] = "1"
    kernels = kernels or KernelPool(enabled=False)
    for attempt in range(1, KERNEL_ATTEMPTS + 1):
        log.unlink(missing_ok=True)  # what the run writes is recorded afresh by each attempt
        if _attempt(run, scratch, record, kernels, failed_dir, relative, attempt, report):
            break
    try:
        check_outputs(run, read_log(log, project.root), project.root)
    except OutputsMismatch:
        failed_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(str(scratch), failed_dir / f"{run.id}.ipynb")
        raise
    finish_executed_notebook(scratch)
    run.executed.parent.mkdir(parents=True, exist_ok=True)
    os.replace(scratch, run.executed)
    return time.perf_counter() - start


def _attempt(run: Run, scratch: Path, record: str, kernels: KernelPool, failed_dir: Path,
             relative: Callable[[Path], str], attempt: int, report: Callable[[str], None]) -> bool:
    """Run the notebook once into ``scratch``: True when it ran, False when its kernel failed and
    another attempt is allowed; raises when the notebook failed or the last attempt's kernel did."""
    from papermill.exceptions import PapermillExecutionError

    try:
        # km=None: papermill starts (and shuts down) a kernel of its own, which starts recording itself.
        km = kernels.acquire(run.notebook.parent, prepare=record)
        execute_notebook(run.notebook, scratch, run.parameters, log_output=False,
                         request_save_on_cell_execute=False, km=km,
                         extra_arguments=prepare_arguments("" if km else record),
                         start_timeout=kernels.startup_timeout)
        return True
    except PapermillExecutionError as exc:
        kernels.discard()
        failed_dir.mkdir(parents=True, exist_ok=True)
        kept = failed_dir / f"{run.id}.ipynb"
        shutil.move(str(scratch), kept)
        cell = source_cell_number(kept, exc.cell_index)
        raise NotebookFailed(
            f"{relative(run.notebook)} (run '{run.id}') failed in cell {cell}: "
            f"{exc.ename}: {exc.evalue}\n  the executed notebook with the error is kept at {relative(kept)}"
        ) from None
    except (RuntimeError, TimeoutError) as exc:
        # nbclient and jupyter_client raise these when a kernel does not start or answer.
        kernels.discard()
        if not is_kernel_failure(exc):
            raise
        what = ' '.join(str(exc).split()) or type(exc).__name__
        if attempt < KERNEL_ATTEMPTS:
            report(f"{run.id}: the notebook's kernel did not start or stopped answering ({what}); "
                   "running the notebook again in a new kernel")
            return False
        raise KernelUnavailable(
            f"{relative(run.notebook)} (run '{run.id}'): the notebook's kernel did not start or stopped answering "
            f"({attempt} kernels tried): {what}"
        ) from None
    except BaseException:
        kernels.discard()
        raise



#: Seconds assumed for a run with neither a timing from an earlier build nor a ``cost`` in pipeline.yml.
DEFAULT_COST = 1.0


def expected_seconds(run: Run, record: Any) -> float:
    """How long ``run`` should take: its time in the last build that ran it (``record``, its entry in
    the build state), else its ``cost`` in pipeline.yml, else :data:`DEFAULT_COST`."""
    seconds = record.get("seconds") if isinstance(record, dict) else None
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds > 0:
        return float(seconds)
    return run.cost or DEFAULT_COST


def start_priority(runs: list[Run], expected: dict[str, float]) -> dict[str, float]:
    """Each run's longest chain: its expected seconds plus the longest chain among the runs that
    read its outputs.

    Ready runs start in decreasing order of this (ties by id), so a long run, or one that a long
    chain waits for, starts first and short runs fill the other workers around it; started in
    alphabetical order, a long run can start last and leave the other workers idle at the end.

    Examples:
        >>> from pathlib import Path
        >>> def run(rid, after=()):
        ...     return Run(rid, Path(f"{rid}.ipynb"), {}, [], [], Path(f"{rid}.out"), set(after))
        >>> runs = [run("a"), run("b"), run("c", after=["a"])]
        >>> start_priority(runs, {"a": 2.0, "b": 5.0, "c": 4.0})
        {'a': 6.0, 'b': 5.0, 'c': 4.0}
    """
    readers: dict[str, list[str]] = {r.id: [] for r in runs}
    for r in runs:
        for d in r.depends_on:
            if d in readers:
                readers[d].append(r.id)
    chain: dict[str, float] = {}
    order = list(graphlib.TopologicalSorter({r.id: r.depends_on & readers.keys() for r in runs}).static_order())
    for rid in reversed(order):
        chain[rid] = expected[rid] + max((chain[c] for c in readers[rid]), default=0.0)
    return {r.id: chain[r.id] for r in runs}


def first_wave(runs: list[Run], state: dict[str, Any], force: bool = False) -> list[Run]:
    """The runs that will surely execute and can start at once: with ``force`` or never completed by
    a build, and reading no output of another such run.  (A completed run may still execute when
    its inputs changed; that is found out only as it starts.)"""
    done = {r.id for r in runs if not force and isinstance(state.get(r.id), dict) and state[r.id].get("status") == "done"}
    to_run = {r.id for r in runs} - done
    return [r for r in runs if r.id in to_run and not (r.depends_on & to_run)]


def missing_inputs(runs: list[Run], root: Path) -> list[str]:
    """Declared inputs that name no file and that no run of the pipeline writes."""
    problems = []
    for run in runs:
        for entry in run.inputs:
            if not run.expand(entry, root) and not produced_by_another_run(run, entry, runs):
                problems.append(f"run '{run.id}': {describe_missing(entry, entry in run.patterns, root)}")
    return problems



def run_notebooks(spec: Spec, root: Path, *, force: bool = False, jobs: int = 1,
                  select: Callable[[Run], bool] | None = None, reuse_kernels: bool = True,
                  kernel_timeout: float = 60, report: Callable[[str], None] = print,
                  kernels: KernelPool | None = None) -> list[RunResult]:
    """Execute the runs whose cache key changed, in dependency order, ``jobs`` at a time.

    Each worker reuses one warm kernel from run to run (see ``KernelPool``) unless
    ``reuse_kernels`` is false.  A kernel that does not answer within ``kernel_timeout``
    seconds of starting stops the build with a one-line message.  ``kernels`` is a pool the caller
    made (and closes), perhaps warmed already; by default the run makes and closes its own.

    A run's record changes together with its outputs: before a run starts, its record is
    replaced by "running" (saved at once); only when the notebook has finished and written
    every output is the completed record saved, with the checksum of each output.  A build
    killed in between leaves "running", so the next build runs it again.
    """
    state = load_state(root, report)
    pkg = package_hash()
    runs = [r for r in spec.runs if select is None or select(r)]
    problems = missing_inputs(spec.runs, root)
    if problems:
        raise PipelineError("inputs declared in pipeline.yml are missing; nothing was run.\n  " + "\n  ".join(problems))
    by_id = {r.id: r for r in runs}
    priority = start_priority(runs, {r.id: expected_seconds(r, state.get(r.id)) for r in runs})
    pending = {r.id for r in runs}
    done: dict[str, RunResult] = {}
    total = len(runs)
    failure: PipelineError | None = None
    ready_to_execute = False

    def ready(rid: str) -> bool:
        return all(d in done or d not in by_id for d in by_id[rid].depends_on)

    def start(run: Run) -> tuple[str | None, dict[str, Any]]:
        """Why the run must execute (None when its result stands), and its cache key."""
        parts = cache_parts(run, root, pkg)
        return why_run(run, parts, state.get(run.id), root, force), parts

    owned = kernels is None
    kernels = kernels or KernelPool(enabled=reuse_kernels, startup_timeout=kernel_timeout,
                                    environment=kernel_environment())
    kernel_kind = "pool" if kernels.enabled else "fresh"

    def complete(run: Run, reason: str, parts: dict[str, Any], seconds: float) -> None:
        state[run.id] = completed_record(run, root, parts, seconds, kernel_kind)
        save_state(root, state)
        done[run.id] = RunResult(run.id, "executed", reason, seconds)

    with contextlib.ExitStack() as cleanup, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        if owned:
            cleanup.callback(kernels.close)
        running: dict[Future, tuple[Run, str, dict[str, Any]]] = {}
        while (pending or running) and failure is None:
            for rid in sorted(pending, key=lambda rid: (-priority[rid], rid)):
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
                        save_state(root, state)
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
                save_state(root, state)
                report(f"[{n}/{total}] {rid}: running ({reason})")
                running[pool.submit(execute_run, run, root, kernels, report)] = (run, reason, parts)
            if not running:
                continue
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in finished:
                run, reason, parts = running.pop(fut)
                try:
                    seconds = fut.result()
                except (NotebookFailed, KernelUnavailable, OutputsMismatch) as exc:
                    done[run.id] = RunResult(run.id, "failed", str(exc))
                    state.pop(run.id, None)
                    save_state(root, state)
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
            except (NotebookFailed, KernelUnavailable, OutputsMismatch) as exc:
                done[run.id] = RunResult(run.id, "failed", str(exc))
                state.pop(run.id, None)
    save_state(root, state)
    if kernels.started:
        report(f"kernels: {kernels.started} started, reused for {kernels.reused} further notebooks")
    for rid in pending:
        done[rid] = RunResult(rid, "not run", "an earlier notebook failed")
    if failure is not None:
        raise failure
    return [done[r.id] for r in runs]
