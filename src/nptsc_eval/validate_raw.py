"""Validate everything in ``data/raw/`` before any notebook runs.

CSV tables are checked against their ``.meta.yml`` (see :mod:`nptsc_eval.tables`).  Raw files
in other formats, and tables with rules across rows or files, have a validator in
:func:`validators`: a glob pattern inside ``data/raw/`` and the function, imported by name,
that takes the file's path and raises :class:`~nptsc_eval.errors.DataValidationError` naming
the file, row or key, and column.  Every file of ``data/raw/`` must be covered by one or the
other, or be documentation; a file that is not stops ``check-data`` and the build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR, relative
from nptsc_eval.problems import Problems
from nptsc_eval.project import Project

#: A validator: takes a raw file's path, raises an error naming file, row and column (what it returns is not used).
Validator = Callable[[Path], object]


def validators() -> list[tuple[str, Validator]]:
    """Each raw file pattern (inside ``data/raw/``) with the function that validates it.

    The modules are imported here rather than at the top so that reading this module stays
    cheap; the imports are ordinary ones, so a renamed function fails type checking and import.
    """
    from nptsc_eval.cases.quotations import validate_quotations
    from nptsc_eval.cases.records import validate_case_file
    from nptsc_eval.cases.stakeholders import validate_stakeholders
    from nptsc_eval.claims.register import validate_register_file
    from nptsc_eval.outcomes import validate_file as validate_outcomes_file
    from nptsc_eval.strands.sections import validate_strand_table
    from nptsc_eval.survey.bounds import validate_constraints_file
    from nptsc_eval.survey.codebook import validate_codebook
    from nptsc_eval.survey.export_mapping import validate_mapping
    from nptsc_eval.survey.text_coding import validate_coding_file

    return [
        ("case_studies/*.yml", validate_case_file),
        ("quotations.csv", validate_quotations),
        ("stakeholders.csv", validate_stakeholders),
        ("survey_codebook.yml", validate_codebook),
        ("survey_constraints.yml", validate_constraints_file),
        ("survey_export_mapping.yml", validate_mapping),
        ("claims_register.yml", validate_register_file),
        ("claims_register.yml", check_register_totals),
        ("logic_models.csv", validate_strand_table),
        ("table_5_3_action_learning_sets.csv", validate_strand_table),
        ("figure_5_2_acevo_outcomes.csv", validate_strand_table),
        ("outcome_evidence.csv", validate_outcomes_file),
        ("programme_costs.csv", validate_outcomes_file),
        ("conclusion_evidence.csv", validate_outcomes_file),
        ("ivar_action_plans.csv", validate_strand_table),
        ("project_figures.csv", validate_strand_table),
        ("project_findings.csv", validate_strand_table),
        ("survey_free_text_coding.csv", validate_coding_file),
    ]


#: The file patterns :func:`validators` covers (kept here so listing them imports nothing).
VALIDATED_PATTERNS = ("case_studies/*.yml", "quotations.csv", "stakeholders.csv", "survey_codebook.yml",
                      "survey_constraints.yml", "survey_export_mapping.yml", "claims_register.yml",
                      "logic_models.csv", "table_5_3_action_learning_sets.csv", "figure_5_2_acevo_outcomes.csv",
                      "outcome_evidence.csv", "programme_costs.csv", "conclusion_evidence.csv",
                      "ivar_action_plans.csv", "project_figures.csv", "project_findings.csv",
                      "survey_free_text_coding.csv")

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
    problems = Problems(path)
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
            problems.add(f"{claim.get('source_location', 'the source')} prints a total of {total:g}, but the parts "
                         f"given in this register add up to {computed:g}: {listed}; one of them differs from the source",
                         f"line {lines.get(ident, {}).get('expected', '?')}, claim '{ident}'", "expected", field="field")
    problems.raise_if_any()


def validate_raw_data(raw_dir: Path | None = None) -> list[Exception]:
    """Every problem in the raw data, as exceptions whose messages name file, row and column.

    A file that no metadata describes and no validator checks is a problem too.
    """
    from nptsc_eval.tables import validate_all

    folder = raw_dir or RAW_DIR
    errors: list[Exception] = list(validate_all(folder))
    project = Project.current(folder)
    for path in undocumented_raw_paths(folder):
        errors.append(DataValidationError(path, [
            f"no metadata file: expected {project.relative(_meta_for(path))} beside it "
            "(its source and a data dictionary), or a validator for this kind of file in nptsc_eval.validate_raw"]))
    for pattern, check in validators():
        for path in sorted(folder.glob(pattern)):
            try:
                check(path)
            except (DataValidationError, ValueError) as exc:
                errors.append(exc)
    return errors


def _meta_for(path: Path) -> Path:
    """Where the metadata of a raw file goes: ``name.meta.yml`` beside ``name.csv`` (or ``.xlsx``...)."""
    return path.with_name(path.name.split(".")[0] + ".meta.yml")


def undocumented_raw_paths(raw_dir: Path | None = None) -> list[Path]:
    """Raw files that are neither a described table, a validated file, nor documentation."""
    folder = raw_dir or RAW_DIR
    covered: set[Path] = set()
    for pattern in DOCUMENTATION + VALIDATED_PATTERNS + ("*.csv",):
        covered.update(folder.glob(pattern))
    return sorted(p for p in folder.rglob("*") if p.is_file() and p not in covered
                  and not _meta_for(p).exists()
                  and "__pycache__" not in p.parts and not p.name.startswith("."))


def undocumented_raw_files(raw_dir: Path | None = None) -> list[str]:
    """:func:`undocumented_raw_paths`, as paths relative to the project."""
    return [relative(p) for p in undocumented_raw_paths(raw_dir)]
