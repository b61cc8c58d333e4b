"""Validate everything in ``data/raw/`` before any notebook runs.

CSV tables are checked against their ``.meta.yml`` (see :mod:`nptsc_eval.tables`).  Raw files
in other formats register a validator here: a glob pattern inside ``data/raw/`` and the
function (``module:function``) that takes the file's path and raises an error whose message
names the file and field.  Every file of ``data/raw/`` must be covered by one or the other,
or be documentation.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR, relative

#: Validators for raw files that are not metadata-described CSV tables.
VALIDATORS: list[tuple[str, str]] = [
    ("case_studies/*.yml", "nptsc_eval.cases:validate_case_file"),
    ("quotations.csv", "nptsc_eval.cases:validate_quotations"),
    ("stakeholders.csv", "nptsc_eval.cases:validate_stakeholders"),
    ("survey_codebook.yml", "nptsc_eval.survey.findings:validate_codebook_file"),
    ("survey_constraints.yml", "nptsc_eval.survey.findings:validate_constraints_file"),
    ("survey_export_mapping.yml", "nptsc_eval.survey.findings:validate_mapping_file"),
    ("claims_register.yml", "nptsc_eval.claims:validate_register_file"),
    ("logic_models.csv", "nptsc_eval.strands:validate_strand_table"),
    ("table_5_3_action_learning_sets.csv", "nptsc_eval.strands:validate_strand_table"),
    ("figure_5_2_acevo_outcomes.csv", "nptsc_eval.strands:validate_strand_table"),
    ("ivar_action_plans.csv", "nptsc_eval.strands:validate_strand_table"),
    ("project_figures.csv", "nptsc_eval.strands:validate_strand_table"),
    ("project_findings.csv", "nptsc_eval.strands:validate_strand_table"),
    ("survey_free_text_coding.csv", "nptsc_eval.survey.text_coding:validate_coding_file"),
]

#: Files that need no validation: documentation and the tables' own metadata.
DOCUMENTATION = ("README.md", "*.meta.yml", "case_studies/README.md")


def validate_raw_data(raw_dir: Path | None = None) -> list[Exception]:
    """Every problem in the raw data, as exceptions whose messages name file, row and column."""
    from nptsc_eval.tables import validate_all

    folder = raw_dir or RAW_DIR
    errors: list[Exception] = list(validate_all(folder))
    for pattern, target in VALIDATORS:
        module, func = target.split(":")
        check = getattr(importlib.import_module(module), func)
        for path in sorted(folder.glob(pattern)):
            try:
                check(path)
            except (DataValidationError, ValueError) as exc:
                errors.append(exc)
    return errors


def undocumented_raw_files(raw_dir: Path | None = None) -> list[str]:
    """Raw files that are neither a described table, a validated file, nor documentation."""
    folder = raw_dir or RAW_DIR
    covered: set[Path] = set()
    for pattern in DOCUMENTATION + tuple(p for p, _ in VALIDATORS) + ("*.csv",):
        covered.update(folder.glob(pattern))
    return sorted(relative(p) for p in folder.rglob("*") if p.is_file() and p not in covered)
