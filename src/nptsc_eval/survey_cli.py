"""What the survey commands of ``nptsc-eval`` do (:mod:`nptsc_eval.cli` declares them): ``synth``
(synthetic data), ``validate`` (check a survey file) and ``map`` (propose a column mapping for an
export whose wording differs from the codebook).

Also :func:`prepare_survey`, which ``build --survey`` uses: it checks the export first, says
what was left out, and gives the pipeline a project-relative path, so that no absolute path
(which can name the user's home folder) reaches the book.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

#: Where ``build --survey`` keeps a copy of an export that lies outside the project (never published).
STAGING_DIR = ".survey-input"
#: Most names listed on one line of ``validate``'s report.
MAX_NAMES = 12


def _names(names: list[str]) -> str:
    """Names for one line of output: at most :data:`MAX_NAMES`, the rest counted."""
    shown = ", ".join(names[:MAX_NAMES])
    return shown + (f" and {len(names) - MAX_NAMES:,} more" if len(names) > MAX_NAMES else "")


def _load_options(args: argparse.Namespace) -> dict[str, Any]:
    return {"keep_incomplete": bool(getattr(args, "keep_incomplete", False)), "sheet": getattr(args, "sheet", None),
            "column_map": getattr(args, "mapping", None), "all_problems": bool(getattr(args, "all", False))}


def _cmd_synth(args: argparse.Namespace) -> int:
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


def describe(data: Any, shown: str) -> list[str]:
    """What ``validate`` and ``build --survey`` say about a loaded survey file."""
    sectors = data.frame["sector"].value_counts()
    detail = ", ".join(f"{k.lower()} {v:,}" for k, v in sectors.items())
    lines = [f"{shown}: valid {data.layout} survey file ({data.data_kind}), {len(data.frame):,} responses used ({detail})",
             f"  {data.response_summary()}"]
    lines += [f"  note: {n}" for n in data.notes]
    if data.dropped_columns:
        lines.append(f"  identifying columns dropped at load: {_names(data.dropped_columns)}")
    if data.ignored_columns:
        lines.append(f"  columns not in the codebook, ignored ({len(data.ignored_columns):,}): {_names(data.ignored_columns)}")
    if data.redactions:
        lines.append(f"  {data.redaction_summary()}")
    return lines


def _cmd_validate(args: argparse.Namespace) -> int:
    from nptsc_eval.survey.exports import load_survey

    data = load_survey(args.path, **_load_options(args))  # raises DataValidationError: main() prints it, exit 1
    print("\n".join(describe(data, args.path)))
    return 0


def _cmd_review_text(args: argparse.Namespace) -> int:
    from nptsc_eval.survey.clearance import REVIEW_FIELDS, sibling_clearance, write_review_sheet

    export = Path(args.path)
    options = {k: v for k, v in _load_options(args).items() if k != "all_problems"}
    out, rows = write_review_sheet(export, Path(args.out) if args.out else None, **options)
    print(f"wrote {out}: {rows:,} free-text answers to review, and its columns described in "
          f"{out.with_name(out.stem + '.meta.yml').name}")
    print(f"  possible_names: {REVIEW_FIELDS['possible_names']}")
    print(f"  fill in decision (publish or withhold) and, where needed, published_text; then save the sheet as "
          f"{sibling_clearance(export).name} beside the export, or give it to the build with --survey-clearance")
    return 0


def _cmd_map(args: argparse.Namespace) -> int:
    from nptsc_eval.survey.mapping import CHECK_BELOW, propose_mapping, write_mapping_file

    export = Path(args.path)
    out = Path(args.out) if args.out else Path(f"{export.stem}.mapping.yml")
    if out.exists() and not args.overwrite:
        print(f"error: {out} exists; give another --out or --overwrite", file=sys.stderr)
        return 2
    proposals = propose_mapping(export, sheet=args.sheet)
    questions = [p for p in proposals if p.role == "question"]
    placed = [p for p in questions if p.codebook_column]
    print(f"{export.name}: {len(questions):,} question columns, {len(placed):,} placed, "
          f"{len(questions) - len(placed):,} not placed")
    for p in proposals:
        text = p.text if len(p.text) <= 70 else p.text[:67] + "..."
        if p.role != "question":
            print(f"  {p.letter:>3} {text!r}: {p.role}")
        elif p.codebook_column:
            flag = "  (check)" if p.confidence < CHECK_BELOW else ""
            print(f"  {p.letter:>3} {text!r} -> {p.codebook_column} (confidence {p.confidence:g}){flag}")
        else:
            print(f"  {p.letter:>3} {text!r}: NOT PLACED (best match {p.best_guess}, confidence {p.confidence:g})")
    write_mapping_file(proposals, export, out)
    print(f"wrote {out}: check it, then use it with --mapping {out}")
    return 0


def _stage(path: Path, root: Path, role: str = "") -> str:
    """A project-relative path for ``path``: itself when inside the project, else a copy in :data:`STAGING_DIR`.

    The export is copied to the folder itself and any other file (``role``: "mapping", "clearance")
    to a folder of its own inside it, so a mapping or clearance with the export's name, from
    another folder, never takes the export's place.
    """
    resolved = path.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        pass
    folder = root / STAGING_DIR / role if role else root / STAGING_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if not target.exists() or target.read_bytes() != resolved.read_bytes():
        tmp = folder / f".{path.name}.part"
        shutil.copyfile(resolved, tmp)
        tmp.replace(target)
    return target.relative_to(root).as_posix()


def prepare_survey(args: argparse.Namespace, root: Path | None = None) -> dict[str, str]:
    """Check ``build --survey``'s export and options; return the pipeline variables to override.

    The export is validated before anything runs (so a bad export stops the build with its
    problems listed); the counts of responses used and left out are printed.  The survey and
    mapping paths handed to the notebooks are project-relative: an export outside the project
    is copied into :data:`STAGING_DIR` (ignored by git, never published) of the project at
    ``root`` (default: :meth:`Project.current() <nptsc_eval.project.Project.current>`).
    """
    from nptsc_eval.errors import DataValidationError
    from nptsc_eval.project import Project

    root = Project(root).root if root is not None else Project.current().root
    from nptsc_eval.survey.exports import check_file, file_sha256, load_survey

    survey = Path(args.survey)
    check_file(survey)
    options = _load_options(args)
    data = load_survey(survey, **options)
    print("\n".join(describe(data, survey.name)), flush=True)
    chosen: dict[str, Any] = {}
    if options["keep_incomplete"]:
        chosen["keep_incomplete"] = True
    if options["sheet"]:
        chosen["sheet"] = options["sheet"]
    if options["column_map"]:
        mapping = Path(options["column_map"])
        if not mapping.is_file():
            raise DataValidationError(mapping, ["mapping file not found"])
        chosen["mapping"] = _stage(mapping, root, "mapping")
        chosen["mapping_sha256"] = file_sha256(mapping)  # so that an edited mapping runs the notebooks again
    clearance = find_clearance(survey, getattr(args, "survey_clearance", None), data)
    overrides = {}
    if clearance is not None:
        chosen["clearance"] = overrides["survey_clearance"] = _stage(clearance, root, "clearance")
    staged = _stage(survey, root)
    clear_staging(keep={staged, chosen.get("mapping"), chosen.get("clearance")}, root=root)
    return {"survey": staged, "survey_options": json.dumps(chosen, sort_keys=True), **overrides}


def find_clearance(survey: Path, given: str | None, data: Any) -> Path | None:
    """The clearance file of the export's free-text answers: ``given`` (``--survey-clearance``), else
    ``<export stem>.clearance.csv`` beside the export, else none.  It is checked against the export's
    answers now (a bad file stops the build with its problems), and the build's output says which
    file is used and how many answers it clears, or that every answer is withheld.
    """
    from nptsc_eval.errors import DataValidationError
    from nptsc_eval.survey.analysis import text_answers
    from nptsc_eval.survey.clearance import read_clearance, sibling_clearance
    from nptsc_eval.survey.codebook import load_codebook

    answers = text_answers(data.frame, load_codebook())
    sibling = sibling_clearance(survey)
    if given:
        path, how = Path(given), "given with --survey-clearance"
        if not path.is_file():
            raise DataValidationError(path, ["clearance file not found"])
    elif sibling.is_file():
        path, how = sibling, "found beside the export"
    else:
        print(f"  free-text answers: no clearance file ({sibling.name} beside the export, or --survey-clearance); "
              f"all {len(answers):,} are withheld from the book", flush=True)
        return None
    cleared = read_clearance(path, answers, survey.name)
    print(f"  free-text answers: clearance file {path.name} ({how}): {len(cleared):,} of {len(answers):,} cleared "
          f"for publication, {len(answers) - len(cleared):,} withheld", flush=True)
    return path


def clear_staging(keep: set[str | None] | None = None, root: Path | None = None) -> None:
    """Delete the copies of earlier exports in :data:`STAGING_DIR` (they hold personal data), except ``keep``."""
    from nptsc_eval.project import Project

    root = Project(root).root if root is not None else Project.current().root
    folder = root / STAGING_DIR
    for old in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if old.is_file() and old.relative_to(root).as_posix() not in (keep or set()):
            old.unlink()
