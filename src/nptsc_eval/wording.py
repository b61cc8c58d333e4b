"""Small helpers that turn computed results into plain English for the book's prose.

:func:`number`, :func:`count`, :func:`share` and :func:`ordinal` write counts the way the
publishing conventions ask: numbers one to nine in words, larger ones in figures with commas,
a noun that agrees with its number ("one impact", "no impacts"), "all five areas" rather
than "5 of the 5 areas". Plurals and number words come from the ``inflect`` library (imported
without typeguard's import-time instrumentation: :func:`import_inflect`).

:func:`extremes` finds every item that shares the highest (or lowest) count, so that a tie is
never reported as one "most common" item; :func:`commonness_sentence` says it in words.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import pandas as pd


def import_inflect() -> Any:
    """The ``inflect`` module, imported without typeguard's run-time argument checks.

    inflect 7 decorates its methods with typeguard's ``@typechecked``, which parses and compiles
    the whole of inflect's source once for each decorated method as the module is imported:
    about 2.5 s in every kernel and process that writes words (a known upstream problem,
    jaraco/inflect#212 and agronholm/typeguard#468).  The checks only reject arguments of the
    wrong type, and the package passes inflect plain words and numbers, so inflect is imported
    with ``typechecked`` as a no-op, the same as under ``python -O`` (typeguard's documented
    behaviour there): the words are the same.  The real typeguard module is put back at once.
    A process that has imported inflect already keeps its own.
    """
    import sys
    import types

    if "inflect" in sys.modules:
        return sys.modules["inflect"]
    stub = types.ModuleType("typeguard")
    stub.typechecked = lambda target=None, **_options: target if target is not None else (lambda f: f)  # type: ignore[attr-defined]
    real = sys.modules.get("typeguard")
    sys.modules["typeguard"] = stub
    try:
        import inflect
    finally:
        if real is None:
            del sys.modules["typeguard"]
        else:
            sys.modules["typeguard"] = real
    return inflect


@functools.cache
def _engine() -> Any:
    """The ``inflect`` engine, made on first use (see :func:`import_inflect`)."""
    return import_inflect().engine()

def number(n: int, zero: str = "no") -> str:
    """A count for running text: words from one to nine, figures with commas from 10.

    Examples:
        >>> number(0), number(1), number(9), number(10), number(1460)
        ('no', 'one', 'nine', '10', '1,460')
    """
    n = int(n)
    if n == 0:
        return zero
    if 0 < n < 10:
        return str(_engine().number_to_words(n))
    return f"{n:,}"


def plural(noun: str, n: int, plural_form: str | None = None) -> str:
    """The noun in the form that agrees with ``n`` ("case", "cases"; "case study", "case studies").

    Examples:
        >>> plural("case study", 1), plural("case study", 2), plural("impact", 0)
        ('case study', 'case studies', 'impacts')
    """
    if int(n) == 1:
        return noun
    return plural_form or str(_engine().plural_noun(noun))


def count(n: int, noun: str, plural_form: str | None = None, zero: str = "no") -> str:
    """A count with its noun: 'no impacts', 'one impact', 'two impacts', '1,460 places'.

    Examples:
        >>> count(0, "impact"), count(1, "impact"), count(2, "week"), count(12, "case study")
        ('no impacts', 'one impact', 'two weeks', '12 case studies')
    """
    return f"{number(n, zero)} {plural(noun, n, plural_form)}"


def share(part: int, whole: int, noun: str, plural_form: str | None = None) -> str:
    """``part`` of ``whole`` things, as a reader would write it.

    Examples:
        >>> share(5, 5, "area"), share(2, 2, "area"), share(0, 5, "area"), share(3, 5, "area")
        ('all five areas', 'both areas', 'none of the five areas', 'three of the five areas')
        >>> share(1, 1, "area"), share(0, 1, "area"), share(1, 12, "case study")
        ('the one area', 'no area', 'one of the 12 case studies')
    """
    part, whole = int(part), int(whole)
    if part > whole or part < 0:
        raise ValueError(f"share: {part} is not a part of {whole}")
    if whole == 1:
        return f"the one {noun}" if part == 1 else f"no {noun}"
    things = plural(noun, whole, plural_form)
    if part == whole:
        return f"both {things}" if whole == 2 else f"all {number(whole)} {things}"
    if part == 0:
        return f"neither {noun}" if whole == 2 else f"none of the {number(whole)} {things}"
    return f"{number(part)} of the {number(whole)} {things}"


def ordinal(n: int) -> str:
    """An ordinal in words up to ninth, in figures after: 'first', 'ninth', '10th'.

    Examples:
        >>> ordinal(1), ordinal(9), ordinal(10), ordinal(22)
        ('first', 'ninth', '10th', '22nd')
    """
    n = int(n)
    return str(_engine().ordinal(_engine().number_to_words(n) if 0 < n < 10 else n))


def capitalise(text: str) -> str:
    """The text with its first letter in capitals ('no impacts' → 'No impacts')."""
    return text[:1].upper() + text[1:]


def listing(items: Iterable[str]) -> str:
    """Items joined for prose: 'a', 'a and b', 'a, b and c'.

    Examples:
        >>> listing(["x", "y", "z"]), listing(["x"]), listing([])
        ('x, y and z', 'x', '')
    """
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def extremes(counts: pd.Series, most: bool = True) -> tuple[list[str], float]:
    """Every label that shares the highest count (``most``) or the lowest, in the series' order.

    Examples:
        >>> extremes(pd.Series({"a": 4, "b": 4, "c": 2}))
        (['a', 'b'], 4)
        >>> extremes(pd.Series({"a": 4, "b": 4, "c": 2}), most=False)
        (['c'], 2)
    """
    if counts.empty:
        return [], 0
    value = counts.max() if most else counts.min()
    return [str(label) for label, n in counts.items() if n == value], (value.item() if hasattr(value, "item") else value)


def commonness_sentence(counts: pd.Series, noun: str, plural: str, unit: str, most: bool = True,
                        lower: bool = True) -> str:
    """One sentence naming the most (or least) common item, or every item of a tie.

    ``counts`` maps each label to its count; ``noun``/``plural`` name the items ("barrier",
    "barriers"); ``unit`` names what is counted, in the plural ("cases", "answers").

    Examples:
        >>> commonness_sentence(pd.Series({"Timing": 4, "Funding": 2}), "barrier", "barriers", "cases")
        'The most common barrier was timing, in four cases.'
        >>> commonness_sentence(pd.Series({"A": 4, "B": 4, "C": 1}), "barrier", "barriers", "cases")
        'Two barriers were equally common, each in four cases: a and b.'
        >>> commonness_sentence(pd.Series({"A": 4, "B": 4, "C": 1}), "outcome", "outcomes", "cases", most=False)
        'The least common outcome was c, in one case.'
    """
    labels, n = extremes(counts, most)
    if not labels:
        return f"No {plural} were coded."
    shown = [label.lower() if lower else label for label in labels]
    singular_unit = _engine().singular_noun(unit) or unit
    where = count(n, singular_unit, unit)
    if len(labels) == 1:
        return f"The {'most' if most else 'least'} common {noun} was {shown[0]}, in {where}."
    tied = number(len(labels))
    if len(labels) == len(counts):
        tied = "both" if len(labels) == 2 else f"all {tied}"
        return f"{capitalise(tied)} {plural} were equally common, each in {where}: {listing(shown)}."
    return f"{capitalise(tied)} {plural} were equally common, each in {where}: {listing(shown)}."


def licence_sentence(without_licence: int) -> str:
    """Whether every data file carries a licence note.

    Examples:
        >>> licence_sentence(0), licence_sentence(1), licence_sentence(12)
        ('Every file carries a licence note.', 'One file carries no licence note.', '12 files carry no licence note.')
    """
    if without_licence == 0:
        return "Every file carries a licence note."
    verb = "carries" if without_licence == 1 else "carry"
    return f"{capitalise(count(without_licence, 'file'))} {verb} no licence note."
