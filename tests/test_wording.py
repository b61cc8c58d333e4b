"""Prose helpers: ties are never reported as one "most common" item."""

from __future__ import annotations

import pandas as pd

from nptsc_eval import wording


def test_a_five_way_tie_names_all_five():
    counts = pd.Series({"Funding": 4, "Engagement": 4, "Timing": 4, "Scale": 4, "Support": 4, "Other": 1})
    assert wording.commonness_sentence(counts, "barrier", "barriers", "cases") == (
        "Five barriers were equally common, each in 4 cases: funding, engagement, timing, scale and support.")


def test_a_single_most_common_item_is_named_alone():
    counts = pd.Series({"Funding": 2, "Timing": 5})
    assert wording.commonness_sentence(counts, "barrier", "barriers", "cases") == (
        "The most common barrier was timing, in 5 cases.")


def test_least_common_handles_ties_too():
    counts = pd.Series({"A": 1, "B": 3, "C": 1})
    assert wording.commonness_sentence(counts, "outcome", "outcomes", "cases", most=False) == (
        "Two outcomes were equally common, each in 1 case: a and c.")
    assert wording.extremes(counts, most=False) == (["A", "C"], 1)


def test_listing():
    assert wording.listing(["a", "b", "c"]) == "a, b and c"
