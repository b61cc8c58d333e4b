"""One way to say what is wrong with a data file: :class:`Problem`, its formatter, and a pydantic base.

Every problem names where it is (the row or entry, with its key when it has one), the column
or field, and what is wrong, in that order::

    entry 3 ('Q4'), field 'codebook_column': 'sector' is already given by entry 1

:class:`RawRecord` is the base of the pydantic models that describe one record of a raw file;
:func:`validate_records` checks a file's records against such a model and raises one
:class:`~nptsc_eval.errors.DataValidationError` listing every problem, formatted alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from nptsc_eval.errors import DataValidationError

#: pydantic's messages for the commonest errors, said the way the rest of the project says them.
_MESSAGES = {
    "missing": "is missing",
    "extra_forbidden": "is not a field this file has",
}


@dataclass(frozen=True)
class Problem:
    """What is wrong (``what``), where (``where``: the row or entry) and in which column or field.

    >>> str(Problem("'fifty' is not a number", "row 5", "target_low"))
    "row 5, column 'target_low': 'fifty' is not a number"
    >>> str(Problem("is missing", "entry 2 ('b')", "export", field="field"))
    "entry 2 ('b'), field 'export': is missing"
    """

    what: str
    where: str = ""
    column: str | None = None
    field: str = "column"

    def __str__(self) -> str:
        place = ", ".join(p for p in (self.where, f"{self.field} '{self.column}'" if self.column else "") if p)
        return f"{place}: {self.what}" if place else self.what


def entry_label(index: int, key: Any = None, noun: str = "entry") -> str:
    """``entry 3`` or ``entry 3 ('Q4')`` for the record at 0-based ``index``.

    >>> entry_label(2, "Q4"), entry_label(0, noun="row")
    ("entry 3 ('Q4')", 'row 1')
    """
    return f"{noun} {index + 1}" + (f" ({key!r})" if key not in (None, "") else "")


def problems_from(exc: ValidationError, where: str = "", field: str = "field") -> list[Problem]:
    """One :class:`Problem` per error of a pydantic validation: the field path and what is wrong."""
    problems = []
    for error in exc.errors():
        column = ".".join(str(p) for p in error["loc"]) or None
        what = _MESSAGES.get(error["type"]) or error["msg"][:1].lower() + error["msg"][1:]
        if error["type"] not in _MESSAGES and "input" in error and not isinstance(error["input"], (dict, list)):
            what += f" (found {error['input']!r})"
        problems.append(Problem(what, where, column, field))
    return problems


class RawRecord(BaseModel):
    """Base of the models of one record of a raw file: unknown fields are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Model = TypeVar("Model", bound=RawRecord)


def validate_records(path: Path | str, records: Sequence[Any], model: type[Model], *,
                     key: Callable[[Any], Any] | None = None, noun: str = "entry",
                     checks: Iterable[Callable[[list[tuple[int, Model]]], Iterable[Problem]]] = ()) -> list[Model]:
    """Check every record of ``path`` against ``model``; raise one error listing every problem.

    ``key`` gives a record's name for messages (its id, say); ``checks`` look across the
    valid records (duplicates, references) and yield further problems.
    """
    valid: list[tuple[int, Model]] = []
    problems = Problems(path)
    for index, record in enumerate(records):
        name = key(record) if key is not None and isinstance(record, dict) else None
        try:
            valid.append((index, model.model_validate(record)))
        except ValidationError as exc:
            problems.extend(problems_from(exc, entry_label(index, name, noun)))
    for check in checks:
        problems.extend(check(valid))
    problems.raise_if_any()
    return [m for _, m in valid]


class Problems:
    """The one collector of a file's problems: add them as they are found, raise them all at once.

    >>> problems = Problems("data/raw/x.csv")
    >>> problems.add("'fifty' is not a number", "row 5", "target_low")
    >>> len(problems), bool(problems)
    (1, True)
    >>> problems.raise_if_any()
    Traceback (most recent call last):
    ...
    nptsc_eval.errors.DataValidationError: data/raw/x.csv is not valid (1 problem(s)):
      - row 5, column 'target_low': 'fifty' is not a number
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.items: list[Problem] = []

    def add(self, what: str, where: str = "", column: str | None = None, *, field: str = "column") -> None:
        """Record one problem: what is wrong, where (row or entry), in which column or field."""
        self.items.append(Problem(what, where, column, field))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record problems found elsewhere (a model's validation, a cross-check)."""
        self.items.extend(problems)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        """Raise one :class:`~nptsc_eval.errors.DataValidationError` listing every problem, if there are any."""
        if self.items:
            raise DataValidationError(self.path, [str(p) for p in self.items])
