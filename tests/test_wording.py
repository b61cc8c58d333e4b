"""Prose helpers: ties are never reported as one "most common" item."""

from __future__ import annotations

import re

import pandas as pd

from nptsc_eval import wording


def test_a_five_way_tie_names_all_five():
    counts = pd.Series({"Funding": 4, "Engagement": 4, "Timing": 4, "Scale": 4, "Support": 4, "Other": 1})
    assert wording.commonness_sentence(counts, "barrier", "barriers", "cases") == (
        "Five barriers were equally common, each in four cases: funding, engagement, timing, scale and support.")


def test_a_single_most_common_item_is_named_alone():
    counts = pd.Series({"Funding": 2, "Timing": 5})
    assert wording.commonness_sentence(counts, "barrier", "barriers", "cases") == (
        "The most common barrier was timing, in five cases.")


def test_least_common_handles_ties_too():
    counts = pd.Series({"A": 1, "B": 3, "C": 1})
    assert wording.commonness_sentence(counts, "outcome", "outcomes", "cases", most=False) == (
        "Two outcomes were equally common, each in one case: a and c.")
    assert wording.extremes(counts, most=False) == (["A", "C"], 1)


def test_listing():
    assert wording.listing(["a", "b", "c"]) == "a, b and c"


# Every glued sentence pattern, rendered with counts of 0, 1, 2 and many: none may read
# "1 impacts", "5 of the 5 areas", "0 files" or put a number from one to nine in figures.
BAD_GRAMMAR = [
    (re.compile(r"\b1 [a-z]+s\b"), "a singular count with a plural noun"),
    (re.compile(r"\b(\d+|[a-z]+) of (?:the |its )?\1\b"), "'n of the n' instead of 'all n'"),
    (re.compile(r"(?<![\d,.])[0-9](?![\d,.%])"), "a number from zero to nine in figures"),
    (re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine) [a-z]+\b"), None),
    (re.compile(r"\bone (?:impacts|projects|outputs|outcomes|files|areas|case studies|cases)\b"), "one with a plural"),
    (re.compile(r"\b(?:two|three|four|five|six|seven|eight|nine) (?:impact|project|output|outcome|file|area|case(?! stud)|case study)(?![a-z])"),
     "a plural count with a singular noun"),
]


def _sentences():
    many = 12
    for n in (0, 1, 2, many):
        yield wording.count(n, "impact")
        yield wording.count(n, "case study")
        yield wording.licence_sentence(n)
        yield wording.logic_model_summary({"activities": n, "outputs": n, "outcomes": n, "impacts": n})
        for whole in (1, 2, 5, many):
            if n <= whole:
                yield wording.share(n, whole, "area")
                yield wording.share(n, whole, "case study", "case studies")
                yield wording.long_term_sentence({"impacts": whole, "long_term_impacts": n})
        if n:
            counts = pd.Series({"A": n, "B": n, "C": 0}) if n else pd.Series(dtype=int)
            yield wording.commonness_sentence(counts, "barrier", "barriers", "cases")
            yield wording.commonness_sentence(pd.Series({"A": n}), "outcome", "outcomes", "cases")


def test_every_sentence_pattern_is_grammatical_for_zero_one_two_and_many():
    sentences = list(_sentences())
    assert len(sentences) > 50
    problems = [(s, why) for s in sentences for pattern, why in BAD_GRAMMAR if why and pattern.search(s)]
    assert not problems, problems


def test_the_examples_the_guidance_names():
    assert wording.share(5, 5, "area") == "all five areas"
    assert wording.share(8, 8, "case study", "case studies") == "all eight case studies"
    assert wording.count(1, "impact") == "one impact"
    assert wording.count(1, "week") == "one week"
    assert wording.logic_model_summary({"activities": 3, "outputs": 11, "outcomes": 6, "impacts": 1}) == (
        "This strand's model has three projects, 11 outputs and six outcomes, which lead to one impact.")
    assert wording.ordinal(2) == "second" and wording.ordinal(11) == "11th"
