"""Case records: the pydantic model of a case study, and loading and checking the case files.

Each case study is one YAML record in ``data/raw/case_studies/`` (``<case_id>.yml``),
checked against :class:`CaseRecord` when it is loaded, so that a bad record gives a
:class:`~nptsc_eval.errors.DataValidationError` naming the file and the field.  Cases are
found by glob: a new record file joins the chapter and the cross-case matrix with no code
change.  Each case is coded against the themes of ``data/raw/coding_frame.csv`` (outcomes
and barriers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import ConfigDict, Field, ValidationError, field_validator

from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.problems import Problem, RawRecord
from nptsc_eval.tables import load_table
from nptsc_eval.yaml_text import read_yaml_mapping

#: Folder of the case records, inside ``data/raw/``.
CASES_FOLDER = "case_studies"


#: Types of beneficiary a case can describe.
BeneficiaryType = Literal["commissioner", "third_sector_organisation", "infrastructure_body"]


#: How the book names each type of beneficiary.
BENEFICIARY_LABELS = {
    "commissioner": "commissioner",
    "third_sector_organisation": "third sector organisation",
    "infrastructure_body": "infrastructure body",
}

_ID = r"^[a-z][a-z0-9_]*$"


class _Strict(RawRecord):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class SourceRef(_Strict):
    """A place in the source report that the record draws on."""

    location: str = Field(min_length=1)
    chapter: str = Field(min_length=1)


class Coding(_Strict):
    """One theme of the coding frame applied to the case, with the evidence for it."""

    theme: str = Field(pattern=_ID)
    evidence: str = Field(min_length=1)


class Count(_Strict):
    """A number the source gives for the case."""

    id: str = Field(pattern=_ID)
    value: float
    unit: str = Field(min_length=1)
    description: str = Field(min_length=1)
    source_location: str = Field(min_length=1)


class DateRef(_Strict):
    """A date the source gives: ``date`` in ISO form (or a year, or ``start/end``), ``as_printed`` verbatim."""

    id: str = Field(pattern=_ID)
    event: str = Field(min_length=1)
    date: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?$")
    as_printed: str = Field(min_length=1)
    source_location: str = Field(min_length=1)


class Form(_Strict):
    """One of the forms in which the source states a fact.

    ``printed`` is false when ``text`` is not the source's words but our reading of it (a
    date the source implies, cells of a table put into words); such a form is never shown in
    quotation marks.
    """

    text: str = Field(min_length=1)
    source_location: str = Field(min_length=1)
    printed: bool = True


class Discrepancy(_Strict):
    """A fact the source states twice in different forms: both forms, and a note."""

    id: str = Field(pattern=_ID)
    item: str = Field(min_length=1)
    forms: list[Form] = Field(min_length=2)
    note: str = Field(min_length=1)


class CaseRecord(_Strict):
    """One case study: who was supported, how, what came of it and what got in the way."""

    case_id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    strand: Literal[1, 2, 3]
    project_id: str = Field(min_length=1)
    action_learning_set: str | None = Field(default=None, pattern=_ID)
    delivery_partner: str = Field(min_length=1)
    beneficiary_types: list[BeneficiaryType] = Field(min_length=1)
    place: str = Field(min_length=1)
    sources: list[SourceRef] = Field(min_length=1)
    licence: str = Field(min_length=1)
    evidence: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    support_received: list[str] = Field(min_length=1)
    outcomes: list[str] = Field(min_length=1)
    barriers: list[str] = Field(default_factory=list)
    deadweight: list[str] = Field(default_factory=list)
    lessons: list[str] = Field(default_factory=list)
    future_support: list[str] = Field(default_factory=list)
    coding: list[Coding] = Field(min_length=1)
    counts: list[Count] = Field(default_factory=list)
    dates: list[DateRef] = Field(default_factory=list)
    discrepancies: list[Discrepancy] = Field(default_factory=list)

    @field_validator("coding")
    @classmethod
    def _themes_once(cls, value: list[Coding]) -> list[Coding]:
        themes = [c.theme for c in value]
        repeated = sorted({t for t in themes if themes.count(t) > 1})
        if repeated:
            raise ValueError(f"theme coded more than once: {', '.join(repeated)}")
        return value

    @field_validator("counts", "dates", "discrepancies")
    @classmethod
    def _ids_once(cls, value: list) -> list:
        ids = [item.id for item in value]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"id used more than once: {', '.join(repeated)}")
        return value

    def count(self, count_id: str) -> float:
        """The value of one of the record's counts."""
        for c in self.counts:
            if c.id == count_id:
                return c.value
        raise KeyError(f"{self.case_id} has no count {count_id!r}")


def _field_path(loc: tuple) -> str:
    """``('coding', 2, 'theme')`` → ``coding[2].theme`` (items numbered from 1, as people count)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(record)"


def _pydantic_problems(exc: ValidationError) -> list[Problem]:
    """One :class:`Problem` per error of a case record, its field named as people count items."""
    problems = []
    for err in exc.errors():
        field = _field_path(tuple(err["loc"]))
        if err["type"] == "missing":
            what = "required but missing"
        elif err["type"] == "extra_forbidden":
            what = "not a field of a case record"
        else:
            what = f"{err['msg']} (got {err.get('input')!r})"
        problems.append(Problem(what, column=field, field="field"))
    return problems


def read_case(path: Path, themes: set[str] | None = None, projects: set[str] | None = None,
              sets: dict[str, str] | None = None) -> CaseRecord:
    """Read and validate one case record.

    ``themes`` and ``projects``, when given, are the theme codes of the coding frame and the
    project ids of ``projects.csv`` the record may use; ``sets`` maps each action learning
    set of Table 5.3 to its project, which a record that follows a set must share.  Raises
    ``DataValidationError`` naming the file and each bad field.
    """
    data = read_yaml_mapping(path, "a case record")
    try:
        record = CaseRecord.model_validate(data)
    except ValidationError as exc:
        raise DataValidationError(path, [str(p) for p in _pydantic_problems(exc)]) from None
    problems: list[Problem] = []
    if record.case_id != path.stem:
        problems.append(Problem(f"{record.case_id!r} must match the file name ({path.stem!r})", column="case_id", field="field"))
    if themes is not None:
        for i, c in enumerate(record.coding, start=1):
            if c.theme not in themes:
                problems.append(Problem(f"{c.theme!r} is not a theme of coding_frame.csv", column=f"coding[{i}].theme",
                                        field="field"))
    if projects is not None and record.project_id not in projects:
        problems.append(Problem(f"{record.project_id!r} is not a project of projects.csv", column="project_id", field="field"))
    if sets is not None and record.action_learning_set is not None:
        if record.action_learning_set not in sets:
            problems.append(Problem(f"{record.action_learning_set!r} is not a set of table_5_3_action_learning_sets.csv",
                                    column="action_learning_set", field="field"))
        elif sets[record.action_learning_set] != record.project_id:
            problems.append(Problem(f"{record.project_id!r}, but Table 5.3 puts the set {record.action_learning_set!r} "
                                    f"in project {sets[record.action_learning_set]!r}", column="project_id", field="field"))
    if problems:
        raise DataValidationError(path, [str(p) for p in problems])
    return record


def _raw_dir_of_case(path: Path) -> Path:
    return path.parent.parent


def _known_themes(raw_dir: Path) -> set[str] | None:
    if not (raw_dir / "coding_frame.csv").exists():
        return None
    return set(load_table("coding_frame", raw_dir)["theme_id"])


def _known_projects(raw_dir: Path) -> set[str] | None:
    if not (raw_dir / "projects.csv").exists():
        return None
    return set(load_table("projects", raw_dir)["project_id"])


def _known_sets(raw_dir: Path) -> dict[str, str] | None:
    if not (raw_dir / "table_5_3_action_learning_sets.csv").exists():
        return None
    sets = load_table("table_5_3_action_learning_sets", raw_dir)
    return dict(zip(sets["set_id"], sets["project_id"]))


def validate_case_file(path: Path) -> None:
    """Validator for :func:`nptsc_eval.validate_raw.validators`: one case record, cross-checked."""
    raw_dir = _raw_dir_of_case(Path(path))
    try:
        themes, projects, sets = _known_themes(raw_dir), _known_projects(raw_dir), _known_sets(raw_dir)
    except DataValidationError:
        themes = projects = sets = None  # the table's own error is reported by the table check
    read_case(Path(path), themes, projects, sets)


def case_files(raw_dir: Path | None = None) -> list[Path]:
    """Every case record file, found by glob."""
    return sorted(((raw_dir or RAW_DIR) / CASES_FOLDER).glob("*.yml"))


def load_cases(raw_dir: Path | None = None) -> list[CaseRecord]:
    """Every case record, validated, in book order: by strand, delivery partner, then name."""
    raw_dir = raw_dir or RAW_DIR
    themes, projects, sets = _known_themes(raw_dir), _known_projects(raw_dir), _known_sets(raw_dir)
    records = [read_case(p, themes, projects, sets) for p in case_files(raw_dir)]
    if not records:
        raise DataValidationError(raw_dir / CASES_FOLDER, ["no case records (*.yml) found"])
    return sorted(records, key=lambda r: (r.strand, r.delivery_partner.lower(), r.name.lower()))


def coding_frame(raw_dir: Path | None = None) -> pd.DataFrame:
    """The themes, in the order of the file (outcomes, then barriers)."""
    return load_table("coding_frame", raw_dir)


def form_text(form: Form) -> str:
    """A form as the book shows it: the source's words in quotation marks, our reading without.

    Examples:
        >>> form_text(Form(text="14 January 2010", source_location="Appendix 3"))
        '“14 January 2010”'
        >>> form_text(Form(text="January 2011, our inference", source_location="Appendix 3", printed=False))
        'January 2011, our inference'
    """
    return f"“{form.text}”" if form.printed else form.text
