"""Small helpers that turn computed results into plain English for the book's prose.

:func:`extremes` finds every item that shares the highest (or lowest) count, so that a tie is
never reported as one "most common" item; :func:`commonness_sentence` says it in words.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: Number words for prose ("Five barriers were equally common").
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


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
        'The most common barrier was timing, in 4 cases.'
        >>> commonness_sentence(pd.Series({"A": 4, "B": 4, "C": 1}), "barrier", "barriers", "cases")
        'Two barriers were equally common, each in 4 cases: a and b.'
        >>> commonness_sentence(pd.Series({"A": 4, "B": 4, "C": 1}), "outcome", "outcomes", "cases", most=False)
        'The least common outcome was c, in 1 case.'
    """
    labels, n = extremes(counts, most)
    if not labels:
        return f"No {plural} were coded."
    shown = [label.lower() if lower else label for label in labels]
    what = unit if n != 1 else unit.rstrip("s")
    if len(labels) == 1:
        return f"The {'most' if most else 'least'} common {noun} was {shown[0]}, in {n:,} {what}."
    count = NUMBER_WORDS.get(len(labels), f"{len(labels):,}")
    if len(labels) == len(counts):
        return f"All {count} {plural} were equally common, each in {n:,} {what}: {listing(shown)}."
    count = count.capitalize()
    return f"{count} {plural} were equally common, each in {n:,} {what}: {listing(shown)}."
