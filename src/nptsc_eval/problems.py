"""One way to say what is wrong with a data file: :class:`Problem`, its formatter, and a pydantic base.

Every problem names where it is (the row or entry, with its key when it has one), the column
or field, and what is wrong, in that order::

    entry 3 ('Q4'), field 'codebook_column': 'sector' is already given by entry 1

:class:`RawRecord` is the base of the pydantic models that describe one record of a raw file;
:func:`validate_records` checks a file's records against such a model (:func:`record_problems`
returns the problems instead), and :func:`validate_document` checks a whole YAML file against
one model, naming each entry by its list (``question 3 ('ps_stage_improved')``).  Both raise
one :class:`~nptsc_eval.errors.DataValidationError` listing every problem, formatted alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

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


def _what(error: Any) -> str:
    """What is wrong, from one pydantic error: a validator's own words, else pydantic's with the value found."""
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    what = _MESSAGES.get(error["type"]) or error["msg"][:1].lower() + error["msg"][1:]
    if error["type"] not in _MESSAGES and "input" in error and not isinstance(error["input"], (dict, list)):
        what += f" (found {error['input']!r})"
    return what


def problems_from(exc: ValidationError, where: str = "", field: str = "field") -> list[Problem]:
    """One :class:`Problem` per error of a pydantic validation: the field path and what is wrong."""
    problems = []
    for error in exc.errors():
        column = ".".join(str(p) for p in error["loc"]) or None
        problems.append(Problem(_what(error), where, column, field))
    return problems


#: Parts pydantic adds to an error's location that are not in the file (the union member it tried...).
_TYPE_TAGS = {"str", "int", "float", "bool", "list", "dict", "none"}


def locate(loc: Sequence[Any], data: Any, nouns: Mapping[str, str], key: str = "id") -> tuple[str, str | None]:
    """Where a pydantic error location is in a file's data, said as (where, field).

    A list or mapping named in ``nouns`` becomes a place: ``question 3 ('ps_awareness')``
    for the third item of ``questions`` (its ``key`` in brackets) or ``scale 'quality'`` for
    the entry ``quality`` of ``scales``; ``nouns["scales[]"]`` names the items of each such
    entry (``level 2``).  The rest of the path is the field.

    >>> data = {"questions": [{"id": "a"}, {"id": "b", "options": [{"id": "x"}]}]}
    >>> locate(("questions", 1, "options", 0, "label"), data, {"questions": "question", "options": "option"})
    ("question 2 ('b'), option 1 ('x')", 'label')
    >>> locate(("title",), data, {})
    ('', 'title')
    """
    places: list[str] = []
    fields: list[str] = []
    node: Any = data
    parts = [p for p in loc if not (isinstance(p, str) and (p in _TYPE_TAGS or p.startswith(("function-", "union[", "list[", "dict["))))]
    last = ""
    i = 0
    while i < len(parts):
        part = parts[i]
        step = parts[i + 1] if i + 1 < len(parts) else None
        if isinstance(part, int) and not fields and f"{last}[]" in nouns and isinstance(node, list):
            # the items of a list that is itself an entry of a named mapping (a scale's levels)
            node = node[part] if part < len(node) else None
            places.append(entry_label(part, node.get(key) if isinstance(node, dict) else None, nouns[f"{last}[]"]))
            last, i = f"{last}[]", i + 1
            continue
        child = node.get(part) if isinstance(node, dict) else None
        if isinstance(part, str) and part in nouns and step is not None:
            item = child[step] if isinstance(child, list) and isinstance(step, int) and step < len(child) else (
                child.get(step) if isinstance(child, dict) else None)
            if isinstance(step, int):
                places.append(entry_label(step, item.get(key) if isinstance(item, dict) else None, nouns[part]))
            else:
                places.append(f"{nouns[part]} {step!r}")
            fields, node, last, i = [], item, part, i + 2
            continue
        fields.append(str(part) if not isinstance(part, int) else f"[{part + 1}]")
        node = child if isinstance(node, dict) else node[part] if isinstance(node, list) and isinstance(part, int) \
            and part < len(node) else None
        i += 1
    field = ".".join(fields).replace(".[", "[") or None
    return ", ".join(places), field


class RawRecord(BaseModel):
    """Base of the models of one record of a raw file: unknown fields are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _compiles(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"is not a valid pattern ({exc})") from None
    return value


def one_of(value: str, choices: Sequence[str]) -> str:
    """``value`` when it is one of ``choices``; else the error a field validator raises.

    >>> one_of("multi", ("single", "multi"))
    'multi'
    >>> one_of("stars", ("single", "multi"))
    Traceback (most recent call last):
    ...
    ValueError: 'stars' is not one of single, multi
    """
    if value not in choices:
        raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
    return value


#: A field holding a regular expression: one that does not compile is a problem of the file.
RegexPattern = Annotated[str, AfterValidator(_compiles)]


class RawDocument(RawRecord):
    """Base of the models of a whole YAML file: its title and source come first, as in every raw file."""

    title: str
    source: dict[str, str]
    description: str = ""
    licence: str = ""


Model = TypeVar("Model", bound=RawRecord)


#: A check across a file's valid records, each with its 0-based position: yields problems.
RecordsCheck = Callable[[list[tuple[int, Model]]], Iterable[Problem]]


def record_problems(records: Sequence[Any], model: type[Model], *, key: Callable[[Any], Any] | None = None,
                    noun: str = "entry", start: int = 0, field: str = "field",
                    checks: Iterable[RecordsCheck[Model]] = ()) -> tuple[list[Model], list[Problem]]:
    """The valid records as models, and every problem of the records: :func:`validate_records` without raising."""
    valid: list[tuple[int, Model]] = []
    problems: list[Problem] = []
    for index, record in enumerate(records):
        name = key(record) if key is not None and isinstance(record, dict) else None
        try:
            valid.append((index, model.model_validate(record)))
        except ValidationError as exc:
            problems.extend(problems_from(exc, entry_label(index + start, name, noun), field))
    for check in checks:
        problems.extend(check(valid))
    return [m for _, m in valid], problems


def validate_records(path: Path | str, records: Sequence[Any], model: type[Model], *,
                     key: Callable[[Any], Any] | None = None, noun: str = "entry", start: int = 0,
                     field: str = "field", checks: Iterable[RecordsCheck[Model]] = ()) -> list[Model]:
    """Check every record of ``path`` against ``model``; raise one error listing every problem.

    ``key`` gives a record's name for messages (its id, say); ``checks`` look across the
    valid records (duplicates, references) and yield further problems.  For the rows of a
    CSV file, ``noun="row", start=1, field="column"`` numbers them as a spreadsheet does
    (the header is row 1).
    """
    valid, found = record_problems(records, model, key=key, noun=noun, start=start, field=field, checks=checks)
    problems = Problems(path)
    problems.extend(found)
    problems.raise_if_any()
    return valid


@dataclass(frozen=True)
class Checked(Generic[Model]):
    """A file's valid part, for the checks across its entries: the model and where each entry was.

    When some entries of a file's lists are invalid, the checks still run on the others;
    :meth:`entries` gives each remaining entry with its position in the file, so a check's
    message names the same entry number as the file.
    """

    document: Model
    positions: dict[str, list[int]]
    #: The entries left out as invalid: list positions or mapping keys, by list or mapping name.
    invalid: dict[str, set[Any]] = dataclass_field(default_factory=dict)

    def entries(self, name: str) -> list[tuple[int, Any]]:
        """The entries of the list ``name``, each with its 0-based position in the file."""
        items = list(getattr(self.document, name))
        return list(zip(self.positions.get(name, range(len(items))), items))


def _without(data: dict[str, Any], bad: dict[str, set[Any]]) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """``data`` without its invalid list items and mapping entries, and where the kept list items were."""
    kept = dict(data)
    positions: dict[str, list[int]] = {}
    for name, parts in bad.items():
        value = data.get(name)
        if isinstance(value, list):
            positions[name] = [i for i in range(len(value)) if i not in parts]
            kept[name] = [value[i] for i in positions[name]]
        elif isinstance(value, dict):
            kept[name] = {k: v for k, v in value.items() if k not in parts}
    return kept, positions


def validate_document(path: Path | str, data: Any, model: type[Model], *, nouns: Mapping[str, str] = {},
                      key: str = "id", checks: Iterable[Callable[[Checked[Model]], Iterable[Problem]]] = ()) -> Model:
    """Check a whole file's ``data`` (a YAML mapping, say) against one ``model``; raise one error listing every problem.

    Each problem is placed by :func:`locate` (``nouns`` names the file's lists, ``key`` the
    field that names an item).  ``checks`` look across the file's valid entries (duplicates,
    references; see :class:`Checked`) and yield further problems; they run even when some
    entries are invalid, as long as the rest of the file is.
    """
    problems = Problems(path)
    document: Model | None = None
    positions: dict[str, list[int]] = {}
    bad: dict[str, set[Any]] = {}
    try:
        document = model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            where, field = locate(error["loc"], data, nouns, key)
            problem = Problem(_what(error), where, field, "field")
            if problem not in problems.items:
                problems.items.append(problem)
            loc = error["loc"]
            if len(loc) >= 2 and loc[0] in nouns and isinstance(data, dict):
                bad.setdefault(str(loc[0]), set()).add(loc[1])
        if bad:
            kept, positions = _without(data, bad)
            try:
                document = model.model_validate(kept)
            except ValidationError:
                document = None
    if document is not None:
        for check in checks:
            problems.extend(check(Checked(document, positions, bad)))
    problems.raise_if_any()
    assert document is not None  # a failed validation has at least one problem
    return document


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
