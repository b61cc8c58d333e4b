"""The survey codebook (``data/raw/survey_codebook.yml``): questions, scales and columns.

The codebook lists every question of the survey with its wording, who was asked, its answer
scale and the kind of question.  :func:`load_codebook` validates it and expands it into one
:class:`Column` per column of respondent-level data: a before/after question gives two
columns (``<id>_before``, ``<id>_after``), a stage question one per commissioning-cycle
stage, a multi-select question one true/false column per option.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any


from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR
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


def validate_codebook(path: Path) -> Codebook:
    """Validate a codebook file; raise :class:`DataValidationError` naming question and field."""
    raw = read_yaml_mapping(path, "a codebook")
    problems = [f"missing key '{k}'" for k in ("title", "source", "scales", "profile", "questions", "stages", "periods")
                if k not in raw]
    if problems:
        raise DataValidationError(path, problems)
    scales: dict[str, tuple[Level, ...]] = {}
    for name, levels in raw["scales"].items():
        try:
            scales[name] = tuple(Level(str(lv["label"]), lv.get("score")) for lv in levels)
        except (KeyError, TypeError):
            problems.append(f"scale '{name}': every level needs a label and a score")
            continue
        if DONT_KNOW not in [lv.label for lv in scales[name]]:
            problems.append(f"scale '{name}': has no \"{DONT_KNOW}\" level")
    seen: set[str] = set()
    columns: list[Column] = []
    for i, q in enumerate(raw["questions"], start=1):
        where = f"question {i} ('{q.get('id', '?')}')"
        for key in ("id", "text", "asked", "kind"):
            if key not in q:
                problems.append(f"{where}: missing field '{key}'")
        if any(k not in q for k in ("id", "text", "asked", "kind")):
            continue
        if q["id"] in seen:
            problems.append(f"{where}: field 'id' repeats an earlier question")
        seen.add(q["id"])
        if q["kind"] not in KINDS:
            problems.append(f"{where}: field 'kind' is {q['kind']!r}, not one of {', '.join(KINDS)}")
            continue
        if q["asked"] not in ASKED:
            problems.append(f"{where}: field 'asked' is {q['asked']!r}, not one of {', '.join(ASKED)}")
        if q["kind"] in ("single", "before_after", "stages") and q.get("scale") not in scales:
            problems.append(f"{where}: field 'scale' is {q.get('scale')!r}, not a scale of the codebook")
        if q["kind"] == "multi" and not q.get("options"):
            problems.append(f"{where}: field 'options' is required for a multi-select question")
            continue
        columns.extend(_expand(q, raw))
    for j, t in enumerate(raw.get("themes", []) or [], start=1):
        import re

        try:
            re.compile(t["pattern"])
        except (KeyError, re.error) as exc:
            problems.append(f"theme {j} ('{t.get('id', '?')}'): field 'pattern' is not a valid pattern ({exc})")
    if problems:
        raise DataValidationError(path, problems)
    return Codebook(path=Path(path), raw=raw, scales=scales, columns=tuple(columns))


@lru_cache(maxsize=8)
def _cached(path: Path, _mtime: int) -> Codebook:
    return validate_codebook(path)


def load_codebook(path: Path | None = None) -> Codebook:
    """The survey codebook, validated.

    Examples:
        >>> cb = load_codebook()
        >>> [c.id for c in cb.question_columns("ps_awareness")]
        ['ps_awareness_before', 'ps_awareness_after']
    """
    path = Path(path or RAW_DIR / CODEBOOK_FILE)
    return _cached(path, path.stat().st_mtime_ns if path.exists() else 0)
