"""The whole build: check raw data, run what changed, write provenance, build the book if needed."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from collections.abc import Callable

from nptsc_eval.build.book import book_sources_hash, build_book
from nptsc_eval.build.kernels import KernelPool, check_loopback, kernel_environment, preload_execution_modules
from nptsc_eval.build.scheduler import RunResult, first_wave, run_notebooks
from nptsc_eval.build.spec import load_spec
from nptsc_eval.build.state import BOOK_STATE_KEY, build_lock, load_state, save_state
from nptsc_eval.errors import PipelineError
from nptsc_eval.project import Project


def warm_kernels(kernels: KernelPool, root: Path, overrides: dict[str, str] | None, force: bool, jobs: int) -> None:
    """Start the kernels the first notebooks will need while the raw data is checked (a cold or
    forced build only: a build with results from an earlier one may have nothing to run).

    Checking the raw data keeps one core busy for a second or two; the kernels start Python and
    import the libraries on the others meanwhile.  Nothing here reports an error: a bad
    pipeline.yml or a broken network is reported in its usual place, below.
    """
    if not kernels.enabled:
        return
    try:
        spec = load_spec(overrides=overrides, root=root)
        count = min(jobs, len(first_wave(spec.runs, load_state(root), force)))
        if count:
            check_loopback()
            preload_execution_modules(kernel_start_only=True)
            kernels.warm(count, spec.runs[0].notebook.parent, spec.preload)
            # papermill and nbformat (jsonschema's format checks: seconds) while the kernels start.
            preload_execution_modules()
    except PipelineError:
        return


def build(*, root: Path | None = None, force: bool = False, jobs: int | None = None,
          overrides: dict[str, str] | None = None, book: bool = True, reuse_kernels: bool = True,
          kernel_timeout: float = 60, report: Callable[[str], None] = print) -> list[RunResult]:
    """The whole build: check raw data, run what changed, build the book if its sources changed."""
    from nptsc_eval.validate_raw import validate_raw_data

    project = Project(root) if root is not None else Project.current()
    root = project.root
    jobs = jobs or os.cpu_count() or 1
    started = time.perf_counter()
    kernels = KernelPool(enabled=reuse_kernels, startup_timeout=kernel_timeout, environment=kernel_environment())
    with build_lock(root), contextlib.ExitStack() as cleanup:
        cleanup.callback(kernels.close)
        warm_kernels(kernels, root, overrides, force, jobs)
        errors = validate_raw_data(project.raw)
        if errors:
            raise PipelineError("raw data is not valid; nothing was run or written.\n" + "\n".join(str(e) for e in errors))
        spec = load_spec(overrides=overrides, root=root)
        results = run_notebooks(spec, root, force=force, jobs=jobs, reuse_kernels=reuse_kernels,
                                kernel_timeout=kernel_timeout, report=report, kernels=kernels)
        cleanup.close()  # the kernels are done with: shut them down before the book is built
        executed = [r for r in results if r.action == "executed"]
        report(f"notebooks: {len(executed)} executed, {len(results) - len(executed)} skipped"
               + (f" ({sum(r.seconds for r in executed):.1f} s of notebook time)" if executed else " (nothing changed)"))
        # Provenance of every glued value and figure, for the book's appendix (nptsc_eval.build.provenance).
        from nptsc_eval.build.provenance import write_provenance

        write_provenance(spec, root)
        # Every processed file described as a Frictionless Data Package (nptsc_eval.build.datapackage).
        from nptsc_eval.build.datapackage import write_datapackage

        write_datapackage(root)
        if book:
            state = load_state(root)
            key = book_sources_hash(root)
            html_ok = (project.html / "index.html").exists()
            if not force and html_ok and state.get(BOOK_STATE_KEY) == key:
                report("book: skipped, up to date")
            else:
                build_book(root, report=report, jobs=jobs)
                state[BOOK_STATE_KEY] = key
                save_state(root, state)
    report(f"build finished in {time.perf_counter() - started:.1f} s")
    return results
