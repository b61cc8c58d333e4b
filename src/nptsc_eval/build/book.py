"""Book assembly: Jupyter Book built with warnings as errors, swapped in only when it succeeds."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
from pathlib import Path
from collections.abc import Callable

from nptsc_eval.errors import PipelineError
from nptsc_eval.project import Project


def book_sources_hash(root: Path) -> str:
    """Hash of everything the book is built from: configuration, pages, executed notebooks."""
    project = Project(root)
    h = hashlib.sha256()
    files = [project.config_file, project.toc_file, project.root / "CITATION.cff"]
    # Raw files the book's Sphinx extensions read themselves (book/_ext/nptsc_glossary.py).
    files += [project.raw / "glossary.csv"]
    files += [p for p in project.book.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for p in sorted(f for f in files if f.is_file()):
        h.update(project.relative(p).encode())
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
    project = Project(root)
    work = project.build_dir / "work"
    out = work / builder
    log = project.build_dir / f"sphinx-{builder}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as handle, contextlib.redirect_stdout(handle), contextlib.redirect_stderr(handle):
        result = build_sphinx(
            str(project.root), str(out), doctreedir=str(work / ".doctrees"), path_config=str(project.config_file),
            # Serial: jupyter-book's sphinx_multitoc_numbering does not declare itself safe for
            # parallel reading, so with more than five pages Sphinx warns (an error here).
            builder=builder, warningiserror=True, keep_going=True, quiet=quiet, jobs=None,
            noconfig=True,
            confoverrides={"external_toc_path": project.toc_file.as_posix(), "latex_individualpages": False,
                           "nitpicky": True},
        )
    if result != 0:
        text = log.read_text(encoding="utf-8", errors="replace")
        problems = [line for line in text.splitlines() if "WARNING" in line or "ERROR" in line or "Error" in line]
        shown = "\n  ".join(problems[:20]) or text[-2000:]
        raise PipelineError(f"the book did not build (warnings are errors); the published book is unchanged.\n  {shown}\n  full log: {project.relative(log)}")
    if builder == "html":
        target = project.html
        staged = project.build_dir / "html.new"
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(out, staged)
        old = project.build_dir / "html.old"
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(staged, target)
        shutil.rmtree(old, ignore_errors=True)
        report(f"book built in {time.perf_counter() - start:.1f} s → {project.relative(target / 'index.html')}")
        return target
    report(f"{builder} build done in {time.perf_counter() - start:.1f} s")
    return out
