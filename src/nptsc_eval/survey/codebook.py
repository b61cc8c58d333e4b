"""The survey codebook (``data/raw/survey_codebook.yml``): questions, scales and columns.

The codebook lists every question of the survey with its wording, who was asked, its answer
scale and the kind of question.  :func:`load_codebook` validates it and expands it into one
:class:`Column` per column of respondent-level data: a before/after question gives two
columns (``<id>_before``, ``<id>_after``), a stage question one per commissioning-cycle
stage, a multi-select question one true/false column per option.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationInfo, field_validator

from nptsc_eval.caching import cached_by_file
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.problems import Checked, Problem, RawDocument, RawRecord, RegexPattern, entry_label, one_of, validate_document
from nptsc_eval.yaml_text import read_yaml_mapping

CODEBOOK_FILE = "survey_codebook.yml"
DONT_KNOW = "Don't know"
KINDS = ("single", "before_after", "stages", "multi", "text")
ASKED = ("public", "third", "all")
SECTOR_LABELS = {"public": "Public sector", "third": "Third sector"}


@dataclass(frozen=True)
class Level:
    """One answer of a scale; ``score`` runs from 2 (most positive) to -2, None for "don't know"."""

    label: str
    score: int | None

    @property
    def polarity(self) -> str:
        if self.score is None:
            return "dont_know"
        return "positive" if self.score > 0 else "negative" if self.score < 0 else "neutral"


@dataclass(frozen=True)
class Column:
    """One column of respondent-level data."""

    id: str
    question_id: str
    text: str
    kind: str
    asked: str
    scale: str | None = None
    period: str | None = None
    stage: str | None = None
    option: str | None = None
    sub_label: str = "Response"
    required: bool = True

    @property
    def item_label(self) -> str:
        """What distinguishes this column within its question (stage, period or option)."""
        return self.sub_label


@dataclass(frozen=True)
class Codebook:
    """The validated codebook."""

    path: Path
    raw: dict[str, Any] = field(compare=False, hash=False)
    scales: dict[str, tuple[Level, ...]] = field(compare=False, hash=False)
    columns: tuple[Column, ...] = ()

    def column(self, column_id: str) -> Column:
        for c in self.columns:
            if c.id == column_id:
                return c
        raise KeyError(column_id)

    @property
    def profile(self) -> list[dict[str, Any]]:
        return list(self.raw["profile"])

    def profile_values(self, column_id: str) -> list[str]:
        for p in self.raw["profile"]:
            if p["id"] == column_id:
                return list(p.get("values", []))
        raise KeyError(column_id)

    @property
    def questions(self) -> list[dict[str, Any]]:
        return list(self.raw["questions"])

    def question(self, question_id: str) -> dict[str, Any]:
        for q in self.raw["questions"]:
            if q["id"] == question_id:
                return q
        raise KeyError(question_id)

    def assumed_option_columns(self, question_id: str) -> list[str]:
        """Columns of a multi-select question's options marked ``assumed: true``: options the
        source never printed, which the book labels as assumptions wherever it shows them."""
        return [f"{question_id}_{o['id']}" for o in self.question(question_id).get("options", []) if o.get("assumed")]

    def question_columns(self, question_id: str) -> list[Column]:
        return [c for c in self.columns if c.question_id == question_id]

    @property
    def stages(self) -> list[dict[str, str]]:
        return list(self.raw["stages"])

    @property
    def themes(self) -> list[dict[str, str]]:
        return list(self.raw.get("themes", []))

    def labels(self, scale: str) -> list[str]:
        return [lv.label for lv in self.scales[scale]]

    def scores(self, scale: str) -> dict[str, int | None]:
        return {lv.label: lv.score for lv in self.scales[scale]}

    @property
    def column_ids(self) -> list[str]:
        return [p["id"] for p in self.raw["profile"]] + [c.id for c in self.columns]


def _expand(q: dict[str, Any], raw: dict[str, Any]) -> list[Column]:
    base = dict(question_id=q["id"], text=q["text"], kind=q["kind"], asked=q["asked"],
                scale=q.get("scale"), required=q.get("required", True))
    if q["kind"] in ("single", "text"):
        sub = "Open-Ended Response" if q["kind"] == "text" else "Response"
        return [Column(id=q["id"], sub_label=sub, **base)]
    if q["kind"] == "before_after":
        return [Column(id=f"{q['id']}_{p['id']}", period=p["id"], sub_label=p["label"], **base) for p in raw["periods"]]
    if q["kind"] == "stages":
        return [Column(id=f"{q['id']}_{s['id']}", stage=s["id"], sub_label=s["label"], **base) for s in raw["stages"]]
    return [Column(id=f"{q['id']}_{o['id']}", option=o["id"], sub_label=o["label"], **base) for o in q["options"]]


class LevelEntry(RawRecord):
    """One answer of a scale in the file: its label and score (null for "don't know")."""

    label: str
    score: int | None


class Item(RawRecord):
    """A stage, period, sector or multi-select option: an id and the label readers see."""

    id: str
    label: str
    assumed: bool = False


class ProfileEntry(RawRecord):
    """A profile question (sector, organisation type, delivery partner)."""

    id: str
    text: str
    required: bool = True
    values: list[str] = []
    sector_of_value: dict[str, str] = {}


class QuestionEntry(RawRecord):
    """One question of the survey: wording, who was asked, kind and answer scale."""

    id: str
    text: str
    asked: str
    kind: str
    scale: str | None = None
    options: list[Item] = []
    required: bool = True
    source_location: str | None = None

    @field_validator("kind", "asked")
    @classmethod
    def _known(cls, value: str, info: ValidationInfo) -> str:
        return one_of(value, {"kind": KINDS, "asked": ASKED}[info.field_name or ""])


class ThemeEntry(RawRecord):
    """A theme of the free-text answers, matched by a regular expression."""

    id: str
    label: str = ""
    pattern: RegexPattern


class CodebookFile(RawDocument):
    """The whole codebook file."""

    notes: list[str] = []
    scales: dict[str, list[LevelEntry]]
    sectors: list[Item] = []
    profile: list[ProfileEntry]
    questions: list[QuestionEntry]
    stages: list[Item]
    periods: list[Item]
    themes: list[ThemeEntry] = []


#: The codebook's lists and maps, as its messages name their entries.
NOUNS = {"scales": "scale", "scales[]": "level", "profile": "profile entry", "questions": "question", "options": "option",
         "stages": "stage", "periods": "period", "sectors": "sector", "themes": "theme", "notes": "note"}


def _scale_checks(checked: Checked[CodebookFile]) -> Iterable[Problem]:
    """Every scale has a "don't know" level."""
    for name, levels in checked.document.scales.items():
        if DONT_KNOW not in [lv.label for lv in levels]:
            yield Problem(f'has no "{DONT_KNOW}" level', f"scale {name!r}")


def _question_checks(checked: Checked[CodebookFile]) -> Iterable[Problem]:
    """Question ids are unique; a scaled question names a scale; a multi-select question has options."""
    seen: dict[str, int] = {}
    doc = checked.document
    for index, q in checked.entries("questions"):
        where = entry_label(index, q.id, "question")
        if q.id in seen:
            yield Problem(f"repeats question {seen[q.id]}", where, "id", field="field")
        seen.setdefault(q.id, index + 1)
        if q.kind in ("single", "before_after", "stages") and q.scale not in doc.scales \
                and q.scale not in checked.invalid.get("scales", set()):
            what = (f"{q.scale!r} is not a scale of the codebook" if q.scale is not None
                    else f"is missing (a {q.kind} question needs a scale)")
            yield Problem(what, where, "scale", field="field")
        if q.kind == "multi" and not q.options:
            yield Problem("is required for a multi-select question", where, "options", field="field")


def validate_codebook(path: Path) -> Codebook:
    """Validate a codebook file; raise :class:`DataValidationError` naming question and field."""
    raw = read_yaml_mapping(path, "a codebook")
    doc = validate_document(path, raw, CodebookFile, nouns=NOUNS, checks=[_scale_checks, _question_checks])
    scales = {name: tuple(Level(lv.label, lv.score) for lv in levels) for name, levels in doc.scales.items()}
    columns = [c for q in raw["questions"] for c in _expand(q, raw)]
    return Codebook(path=Path(path), raw=raw, scales=scales, columns=tuple(columns))


@cached_by_file(maxsize=8)
def _cached(path: Path) -> Codebook:
    return validate_codebook(path)


def load_codebook(path: Path | None = None) -> Codebook:
    """The survey codebook, validated.

    Examples:
        >>> cb = load_codebook()
        >>> [c.id for c in cb.question_columns("ps_awareness")]
        ['ps_awareness_before', 'ps_awareness_after']
    """
    return _cached(Path(path or RAW_DIR / CODEBOOK_FILE))
