"""The ``nptsc-eval`` command line; the Makefile's targets are thin wrappers over it.

Errors that a user can fix (bad data, a failing notebook, a broken page) are printed as one
clear message and the command exits with status 1 (2 for a usage error), never with a
traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable

#: Subcommands contributed by modules: name → "module:function" taking (subparsers).
EXTRA_COMMANDS: list[str] = [
    "nptsc_eval.survey_cli:add_commands",
    "nptsc_eval.pdf:add_commands",
]


def _cmd_build(args: argparse.Namespace) -> int:
    from nptsc_eval.pipeline import build

    overrides = {}
    if args.survey:
        if not Path(args.survey).exists():
            print(f"error: survey file {args.survey} not found", file=sys.stderr)
            return 2
        from nptsc_eval.survey_cli import prepare_survey

        overrides.update(prepare_survey(args))  # checks the export; project-relative paths only
    elif args.mapping or args.keep_incomplete or args.sheet:
        print("error: --mapping, --keep-incomplete and --sheet need --survey PATH", file=sys.stderr)
        return 2
    else:
        from nptsc_eval.survey_cli import clear_staging

        clear_staging()  # a build on the synthetic data keeps no copy of an earlier export
    if args.dask_scheduler:
        from nptsc_eval.survey.robustness import SCHEDULER_ENV

        os.environ[SCHEDULER_ENV] = args.dask_scheduler  # the notebooks' kernels inherit it
    build(force=args.force, jobs=args.jobs, overrides=overrides, book=not args.no_book,
          reuse_kernels=not args.fresh_kernels, kernel_timeout=args.kernel_timeout,
          report=lambda m: print(m, flush=True))
    if args.survey:
        from nptsc_eval.paths import processed
        from nptsc_eval.survey.bounds_view import outside_bounds_message

        message = outside_bounds_message(processed("survey_bounds.csv"))
        if message:
            print(message, file=sys.stderr)
    return 0


def _cmd_check_data(args: argparse.Namespace) -> int:
    from nptsc_eval.validate_raw import validate_raw_data

    errors = validate_raw_data()
    for e in errors:
        print(e, file=sys.stderr)
    if not errors:
        print("raw data: every file is valid")
    return 1 if errors else 0


def _cmd_refresh(args: argparse.Namespace) -> int:
    """Re-execute source notebooks in place so their stored outputs match the data (for nbval)."""
    from nptsc_eval.paths import relative
    from nptsc_eval.pipeline import PIPELINE_ENV, check_loopback, execute_notebook

    os.environ.pop(PIPELINE_ENV, None)
    check_loopback()  # kernels need 127.0.0.1: say so now rather than after a minute's wait
    for path in refresh_targets(args.notebooks):
        print(f"refreshing {relative(path)}", flush=True)
        execute_notebook(path, path)
        _strip_papermill_metadata(path)
    return 0


def refresh_targets(names: list[str] | None) -> list[Path]:
    """The notebooks ``refresh`` re-executes: each named one (``05-claims-audit.ipynb`` or
    ``notebooks/05-claims-audit.ipynb``), or every numbered notebook when none is named."""
    from nptsc_eval.errors import PipelineError
    from nptsc_eval.paths import NOTEBOOKS_DIR

    if not names:
        return sorted(NOTEBOOKS_DIR.glob("[0-9]*.ipynb"))
    paths = []
    for name in names:
        path = NOTEBOOKS_DIR / Path(name).name
        if Path(name).parent not in (Path("."), Path("notebooks"), NOTEBOOKS_DIR) or not path.is_file():
            known = ", ".join(p.name for p in sorted(NOTEBOOKS_DIR.glob("[0-9]*.ipynb")))
            raise PipelineError(f"no notebook {name} in notebooks/ (there are: {known})")
        paths.append(path)
    return paths


def _strip_papermill_metadata(path: Path) -> None:
    """Keep stored notebooks clean: drop papermill's timings, which change on every run."""
    import json

    nb = json.loads(path.read_text(encoding="utf-8"))
    nb.get("metadata", {}).pop("papermill", None)
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nptsc-eval", description="Build and check the NPTSC phase two impact evaluation.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="run the notebooks that changed and build the book into _build/html/")
    b.add_argument("--force", action="store_true", help="run every notebook and rebuild the book")
    b.add_argument("--jobs", type=int, default=None, help="notebooks to run at once (default: number of cores)")
    b.add_argument("--fresh-kernels", action="store_true",
                   help="start a new kernel for every notebook instead of reusing one per worker")
    b.add_argument("--survey", metavar="PATH", help="a real survey export (CSV, XLSX or SPSS .sav) to use instead of the synthetic data")
    b.add_argument("--no-book", action="store_true", help="run the notebooks but do not build the book")
    b.add_argument("--kernel-timeout", type=float, default=60, metavar="SECONDS",
                   help="how long a notebook's kernel may take to start before the build stops (default: 60)")
    from nptsc_eval.survey_cli import add_survey_options

    add_survey_options(b)
    b.add_argument("--all", action="store_true", help="list every problem cell of a bad --survey export")
    b.add_argument("--dask-scheduler", metavar="ADDRESS", default=None,
                   help="run the survey draws on the Dask cluster at ADDRESS (tcp://HOST:PORT) instead of local "
                        "processes; default: $DASK_SCHEDULER_ADDRESS, else local processes")
    b.set_defaults(func=_cmd_build)

    c = sub.add_parser("check-data", help="validate every file in data/raw/")
    c.set_defaults(func=_cmd_check_data)

    r = sub.add_parser("refresh", help="re-execute notebooks in place so their stored outputs are current (for nbval)")
    r.add_argument("notebooks", nargs="*", help="notebook file names in notebooks/ (default: all)")
    r.set_defaults(func=_cmd_refresh)

    import importlib

    for target in EXTRA_COMMANDS:
        module, func = target.split(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        getattr(mod, func)(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    from nptsc_eval.errors import DataValidationError, PipelineError

    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (PipelineError, DataValidationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
