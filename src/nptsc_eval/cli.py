"""The ``nptsc-eval`` command line (on :mod:`click`); the Makefile's targets are thin wrappers over it.

Every command works on the project it is run in (:meth:`nptsc_eval.project.Project.current`).
Errors that a user can fix (bad data, a failing notebook, a broken page) are printed as one
clear message and the command exits with status 1 (2 for a usage error, 130 when
interrupted), never with a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import click

from nptsc_eval.errors import DataValidationError, PipelineError
from nptsc_eval.project import Project


class UsageProblem(click.UsageError):
    """A usage error found after parsing (an option that needs another): printed as ``error: ...``, status 2."""


def _survey_options(command: Any) -> Any:
    """The options of reading an export, shared by ``validate`` and ``build``."""
    for decorator in reversed([
        click.option("--mapping", metavar="PATH", help="a reviewed column mapping written by 'nptsc-eval map'"),
        click.option("--keep-incomplete", is_flag=True,
                     help="keep incomplete responses (left out by default); each percentage then has its own base"),
        click.option("--sheet", metavar="NAME", help="the workbook sheet to read (name or number; default: the first)"),
    ]):
        command = decorator(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Build and check the NPTSC phase two impact evaluation."""


@cli.command()
@click.option("--force", is_flag=True, help="run every notebook and rebuild the book")
@click.option("--jobs", type=int, default=None, help="notebooks to run at once (default: number of cores)")
@click.option("--fresh-kernels", is_flag=True,
              help="start a new kernel for every notebook instead of reusing one per worker")
@click.option("--survey", metavar="PATH",
              help="a real survey export (CSV, XLSX or SPSS .sav) to use instead of the synthetic data")
@click.option("--no-book", is_flag=True, help="run the notebooks but do not build the book")
@click.option("--kernel-timeout", type=float, default=60, metavar="SECONDS", show_default=True,
              help="how long a notebook's kernel may take to start before the build stops")
@click.option("--survey-clearance", metavar="FILE",
              help="the reviewed sheet that clears free-text answers of --survey for publication "
                   "(default: EXPORT-NAME.clearance.csv beside the export, if there is one)")
@_survey_options
@click.option("--all", "all_problems", is_flag=True, help="list every problem cell of a bad --survey export")
@click.option("--dask-scheduler", metavar="ADDRESS", default=None,
              help="run the survey draws on the Dask cluster at ADDRESS (tcp://HOST:PORT) instead of local "
                   "processes; default: $DASK_SCHEDULER_ADDRESS, else local processes")
def build(force: bool, jobs: int | None, fresh_kernels: bool, survey: str | None, no_book: bool,
          kernel_timeout: float, survey_clearance: str | None, mapping: str | None, keep_incomplete: bool,
          sheet: str | None, all_problems: bool, dask_scheduler: str | None) -> None:
    """Run the notebooks that changed and build the book into _build/html/."""
    from nptsc_eval.build import build as run_build
    from nptsc_eval.survey_cli import clear_staging, prepare_survey

    project = Project.current()
    overrides: dict[str, str] = {}
    if survey:
        if not Path(survey).exists():
            raise UsageProblem(f"survey file {survey} not found")
        args = argparse.Namespace(survey=survey, mapping=mapping, keep_incomplete=keep_incomplete, sheet=sheet,
                                  all=all_problems, survey_clearance=survey_clearance)
        overrides.update(prepare_survey(args, project.root))  # checks the export; project-relative paths only
    elif mapping or keep_incomplete or sheet or survey_clearance:
        raise UsageProblem("--mapping, --keep-incomplete, --sheet and --survey-clearance need --survey PATH")
    else:
        clear_staging(root=project.root)  # a build on the synthetic data keeps no copy of an earlier export
    if dask_scheduler:
        from nptsc_eval.survey.robustness import SCHEDULER_ENV

        os.environ[SCHEDULER_ENV] = dask_scheduler  # the notebooks' kernels inherit it
    run_build(root=project.root, force=force, jobs=jobs, overrides=overrides, book=not no_book,
              reuse_kernels=not fresh_kernels, kernel_timeout=kernel_timeout,
              report=lambda m: print(m, flush=True))
    if survey:
        from nptsc_eval.survey.bounds_view import outside_bounds_message

        message = outside_bounds_message(project.processed / "survey_bounds.csv")
        if message:
            print(message, file=sys.stderr)


@cli.command("check-data")
def check_data() -> None:
    """Validate every file in data/raw/."""
    from nptsc_eval.validate_raw import validate_raw_data

    errors = validate_raw_data(Project.current().raw)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        raise click.exceptions.Exit(1)
    print("raw data: every file is valid")


@cli.command()
@click.argument("notebooks", nargs=-1)
def refresh(notebooks: tuple[str, ...]) -> None:
    """Re-execute notebooks in place so their stored outputs are current (for nbval).

    NOTEBOOKS are file names in notebooks/ (default: all).  The stored copies keep no
    papermill timings and no binary images (nbval does not compare them).
    """
    from nptsc_eval.build.executed import tidy_stored_notebook
    from nptsc_eval.build.kernels import PIPELINE_ENV, check_loopback, execute_notebook

    project = Project.current()
    os.environ.pop(PIPELINE_ENV, None)
    check_loopback()  # kernels need 127.0.0.1: say so now rather than after a minute's wait
    for path in refresh_targets(list(notebooks), project.notebooks):
        print(f"refreshing {project.relative(path)}", flush=True)
        execute_notebook(path, path)
        tidy_stored_notebook(path)


def refresh_targets(names: list[str] | None, folder: Path | None = None) -> list[Path]:
    """The notebooks ``refresh`` re-executes: each named one (``05-claims-audit.ipynb`` or
    ``notebooks/05-claims-audit.ipynb``) in ``folder`` (default: the current project's
    ``notebooks/``), or every numbered notebook when none is named."""
    notebooks_dir = folder or Project.current().notebooks
    if not names:
        return sorted(notebooks_dir.glob("[0-9]*.ipynb"))
    paths = []
    for name in names:
        path = notebooks_dir / Path(name).name
        if Path(name).parent not in (Path("."), Path("notebooks"), notebooks_dir) or not path.is_file():
            known = ", ".join(p.name for p in sorted(notebooks_dir.glob("[0-9]*.ipynb")))
            raise PipelineError(f"no notebook {name} in notebooks/ (there are: {known})")
        paths.append(path)
    return paths


@cli.command()
@click.option("--jobs", type=int, default=None, help="notebooks to run at once (default: number of cores)")
@click.option("--survey", metavar="PATH", help="a real survey export to use instead of the synthetic data")
@click.option("--survey-clearance", metavar="FILE",
              help="the reviewed sheet that clears free-text answers of --survey for publication")
def pdf(jobs: int | None, survey: str | None, survey_clearance: str | None) -> None:
    """The whole book as one PDF in _build/pdf/."""
    from nptsc_eval.build.pdf import build_pdf
    from nptsc_eval.survey_cli import prepare_survey

    project = Project.current()
    overrides: dict[str, str] = {}
    if survey:
        if not Path(survey).exists():
            raise PipelineError(f"survey file {survey} not found")
        # The same export and clearance, staged as build --survey stages them, so the PDF prints the same book.
        args = argparse.Namespace(survey=survey, survey_clearance=survey_clearance, mapping=None, keep_incomplete=False,
                                  sheet=None, all=False)
        overrides = prepare_survey(args, project.root)
    elif survey_clearance:
        raise UsageProblem("--survey-clearance needs --survey PATH")
    build_pdf(project.root, jobs=jobs, overrides=overrides, report=lambda m: print(m, flush=True))


def _synth_defaults() -> tuple[int, int]:
    from nptsc_eval.survey.synth import DEFAULT_SEED, PUBLISHED_N

    return PUBLISHED_N, DEFAULT_SEED


@cli.command()
@click.option("--n", "n", type=int, default=None, help="number of respondents (default: as published)")
@click.option("--seed", type=int, default=None, help="random seed (default: the project's)")
@click.option("--out", required=True, metavar="PATH",
              help="output file: .csv, .parquet or .xlsx (metadata written beside it)")
def synth(n: int | None, seed: int | None, out: str) -> None:
    """Write synthetic survey responses that reproduce the published numbers."""
    from nptsc_eval.survey_cli import _cmd_synth

    published_n, default_seed = _synth_defaults()
    _exit(_cmd_synth(argparse.Namespace(n=published_n if n is None else n,
                                        seed=default_seed if seed is None else seed, out=out)))


@cli.command()
@click.argument("path")
@_survey_options
@click.option("--all", "all_problems", is_flag=True, help="list every problem cell, not one line per kind of problem")
def validate(path: str, mapping: str | None, keep_incomplete: bool, sheet: str | None, all_problems: bool) -> None:
    """Check a survey file (export or synthetic) and list every problem.

    PATH is a CSV, XLSX, SPSS .sav or Parquet file in SurveyMonkey, Qualtrics or codebook layout.
    """
    from nptsc_eval.survey_cli import _cmd_validate

    _exit(_cmd_validate(argparse.Namespace(path=path, mapping=mapping, keep_incomplete=keep_incomplete, sheet=sheet,
                                           all=all_problems)))


@cli.command("map")
@click.argument("path")
@click.option("--out", metavar="PATH", help="mapping file to write (default: EXPORT-NAME.mapping.yml here)")
@click.option("--sheet", metavar="NAME", help="the workbook sheet to read (default: the first)")
@click.option("--overwrite", is_flag=True, help="replace an existing mapping file")
def map_command(path: str, out: str | None, sheet: str | None, overwrite: bool) -> None:
    """Propose a mapping from an export's columns to the codebook's questions."""
    from nptsc_eval.survey_cli import _cmd_map

    _exit(_cmd_map(argparse.Namespace(path=path, out=out, sheet=sheet, overwrite=overwrite)))


@cli.group()
def survey() -> None:
    """Work on a real survey export before it is published."""


@survey.command("review-text")
@click.argument("path")
@click.option("--out", metavar="FILE", help="review sheet to write (default: EXPORT-NAME.review-text.csv beside the export)")
@_survey_options
def review_text(path: str, out: str | None, mapping: str | None, keep_incomplete: bool, sheet: str | None) -> None:
    """Write a sheet for a person to clear the export's free-text answers for publication.

    One row per answer, after automatic redaction, with columns for the reviewer's decision
    (publish or withhold) and an optional shortened or anonymised text.  An existing file is
    never overwritten.
    """
    from nptsc_eval.survey_cli import _cmd_review_text

    _exit(_cmd_review_text(argparse.Namespace(path=path, out=out, mapping=mapping, keep_incomplete=keep_incomplete,
                                              sheet=sheet)))


def _exit(status: int) -> None:
    if status:
        raise click.exceptions.Exit(status)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return its exit status (0 done, 1 a problem to fix, 2 a usage error)."""
    try:
        result = cli.main(args=argv, prog_name="nptsc-eval", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except UsageProblem as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (PipelineError, DataValidationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, click.exceptions.Abort):
        print("interrupted", file=sys.stderr)
        return 130
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
