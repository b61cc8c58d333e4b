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
    ("case_studies/*.yml", "nptsc_eval.cases.records:validate_case_file"),
    ("quotations.csv", "nptsc_eval.cases.quotations:validate_quotations"),
    ("stakeholders.csv", "nptsc_eval.cases.stakeholders:validate_stakeholders"),
    ("survey_codebook.yml", "nptsc_eval.survey.findings:validate_codebook_file"),
    ("survey_constraints.yml", "nptsc_eval.survey.bounds:validate_constraints_file"),
    ("survey_export_mapping.yml", "nptsc_eval.survey.findings:validate_mapping_file"),
    ("claims_register.yml", "nptsc_eval.claims.register:validate_register_file"),
    ("claims_register.yml", "nptsc_eval.validate_raw:check_register_totals"),
    ("logic_models.csv", "nptsc_eval.strands.sections:validate_strand_table"),
    ("table_5_3_action_learning_sets.csv", "nptsc_eval.strands.sections:validate_strand_table"),
    ("figure_5_2_acevo_outcomes.csv", "nptsc_eval.strands.sections:validate_strand_table"),
    ("outcome_evidence.csv", "nptsc_eval.outcomes:validate_file"),
    ("programme_costs.csv", "nptsc_eval.outcomes:validate_file"),
    ("conclusion_evidence.csv", "nptsc_eval.outcomes:validate_file"),
    ("ivar_action_plans.csv", "nptsc_eval.strands.sections:validate_strand_table"),
    ("project_figures.csv", "nptsc_eval.strands.sections:validate_strand_table"),
    ("project_findings.csv", "nptsc_eval.strands.sections:validate_strand_table"),
    ("survey_free_text_coding.csv", "nptsc_eval.survey.text_coding:validate_coding_file"),
]

#: Files that need no validation: documentation and the tables' own metadata.
DOCUMENTATION = ("README.md", "*.meta.yml", "case_studies/README.md")


def _claim_lines(text: str) -> dict[str, dict[str, int]]:
    """Line numbers (1-based) of each claim's fields in the register: claim id → field → line."""
    import yaml

    from nptsc_eval.yaml_text import SafeLoader

    lines: dict[str, dict[str, int]] = {}
    root = yaml.compose(text, Loader=SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value != "claims" or not isinstance(value, yaml.SequenceNode):
            continue
        for item in value.value:
            if not isinstance(item, yaml.MappingNode):
                continue
            fields = {k.value: v.start_mark.line + 1 for k, v in item.value if isinstance(k, yaml.ScalarNode)}
            ident = next((v.value for k, v in item.value if k.value == "id" and isinstance(v, yaml.ScalarNode)), None)
            if ident is not None:
                lines[ident] = fields
    return lines


def check_register_totals(path: Path) -> None:
    """The parts the claims register transcribes against the total the source prints with them.

    A ``sums_to`` claim whose evidence is a sum of facts states a printed total (Table 1.1's
    250, for instance).  When every one of those facts has its own ``equals`` claim giving the
    value the source prints for it, those values must add up to the total: if they do not, a
    value was mistyped here, and the claims audit would otherwise blame the source.  The error
    names the file, the line and field of the total, and each part with its line.
    """
    from nptsc_eval.yaml_text import read_yaml_mapping

    register = read_yaml_mapping(path, "the claims register")
    claims = [c for c in register.get("claims") or [] if isinstance(c, dict)]
    stated: dict[str, tuple[str, float]] = {}
    for claim in claims:
        evidence = claim.get("evidence")
        expected = claim.get("expected")
        if (claim.get("kind") == "equals" and isinstance(evidence, dict) and set(evidence) == {"fact"}
                and isinstance(expected, (int, float)) and not isinstance(expected, bool)):
            stated.setdefault(str(evidence["fact"]), (str(claim.get("id")), expected))
    lines = _claim_lines(Path(path).read_text(encoding="utf-8"))
    problems = []
    for claim in claims:
        evidence = claim.get("evidence")
        total = claim.get("expected")
        if claim.get("kind") != "sums_to" or not isinstance(evidence, dict) or not isinstance(evidence.get("sum"), list):
            continue
        if not isinstance(total, (int, float)) or isinstance(total, bool):
            continue
        facts = [str(f) for f in evidence["sum"]]
        if not facts or not all(f in stated for f in facts):
            continue
        parts = [stated[f] for f in facts]
        computed = sum(value for _, value in parts)
        if abs(computed - total) > 1e-9:
            ident = str(claim.get("id"))
            listed = ", ".join(f"'{pid}' {value:g} (line {lines.get(pid, {}).get('expected', '?')})" for pid, value in parts)
            problems.append(
                f"line {lines.get(ident, {}).get('expected', '?')}, claim '{ident}', field 'expected': "
                f"{claim.get('source_location', 'the source')} prints a total of {total:g}, but the parts given in "
                f"this register add up to {computed:g}: {listed}; one of them differs from the source"
            )
    if problems:
        raise DataValidationError(path, problems)


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
