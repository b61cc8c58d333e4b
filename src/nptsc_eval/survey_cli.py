"""Survey subcommands of ``nptsc-eval``: ``synth`` (synthetic data) and ``validate`` (check a survey file)."""

from __future__ import annotations

import argparse
import sys


def _cmd_synth(args: argparse.Namespace) -> int:
    from pathlib import Path

    from nptsc_eval.survey.synth import write_synthetic

    if args.n < 1:
        print("error: --n must be at least 1", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet", ".xlsx"):
        print("error: --out must end in .csv, .parquet or .xlsx", file=sys.stderr)
        return 2
    write_synthetic(args.n, args.seed, out)
    print(f"wrote {args.n:,} synthetic responses (seed {args.seed}) to {out} and its metadata to {out.with_suffix('.meta.yml')}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from nptsc_eval.survey.exports import load_survey

    data = load_survey(args.path)  # raises DataValidationError: main() prints every problem, exit 1
    sectors = data.frame["sector"].value_counts()
    detail = ", ".join(f"{k.lower()} {v:,}" for k, v in sectors.items())
    print(f"{args.path}: valid {data.layout} survey file ({data.data_kind}), {len(data.frame):,} responses ({detail})")
    if data.dropped_columns:
        print(f"  identifying columns dropped at load: {', '.join(data.dropped_columns)}")
    if data.ignored_columns:
        print(f"  columns not in the codebook, ignored: {', '.join(data.ignored_columns)}")
    return 0


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add ``synth`` and ``validate`` to the ``nptsc-eval`` command line."""
    from nptsc_eval.survey.synth import DEFAULT_SEED, PUBLISHED_N

    s = subparsers.add_parser("synth", help="write synthetic survey responses that reproduce the published numbers")
    s.add_argument("--n", type=int, default=PUBLISHED_N, help=f"number of respondents (default {PUBLISHED_N})")
    s.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    s.add_argument("--out", required=True, metavar="PATH", help="output file: .csv, .parquet or .xlsx (metadata written beside it)")
    s.set_defaults(func=_cmd_synth)

    v = subparsers.add_parser("validate", help="check a survey file (export or synthetic) and list every problem")
    v.add_argument("path", help="survey file: CSV, XLSX or Parquet; SurveyMonkey, Qualtrics or codebook layout")
    v.set_defaults(func=_cmd_validate)
