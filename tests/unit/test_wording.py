"""Prose helpers: ties are never reported as one "most common" item."""

from __future__ import annotations

import re

import pandas as pd

from nptsc_eval import wording
from nptsc_eval.strands import logic_model as logic_models


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
        yield logic_models.summary_sentence({"activities": n, "outputs": n, "outcomes": n, "impacts": n})
        for whole in (1, 2, 5, many):
            if n <= whole:
                yield wording.share(n, whole, "area")
                yield wording.share(n, whole, "case study", "case studies")
                yield logic_models.long_term_sentence({"impacts": whole, "long_term_impacts": n})
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
    assert logic_models.summary_sentence({"activities": 3, "outputs": 11, "outcomes": 6, "impacts": 1}) == (
        "This strand's model has three projects, 11 outputs and six outcomes, which lead to one impact.")
    assert wording.ordinal(2) == "second" and wording.ordinal(11) == "11th"


def test_checking_the_raw_data_does_not_import_inflect():
    """Importing inflect takes seconds; the build's raw data check (every build) needs no words."""
    import subprocess
    import sys

    code = ("import sys\nfrom nptsc_eval.validate_raw import validate_raw_data\n"
            "assert validate_raw_data() == []\nprint('inflect' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_words_still_come_from_inflect():
    assert wording.number(7) == "seven"


# Sentences the notebooks glue whole, made by the package: each rendered with counts of 0, 1, 2
# and many (and, where they compare two counts, every pair of them).
def _glued_sentences():
    import pandas as pd

    from nptsc_eval import kpi, report
    from nptsc_eval.claims.audit import basis_sentence, counts_by_basis
    from nptsc_eval.strands import partners

    many = 12
    for n in (0, 1, 2, many):
        for whole in (1, 2, 5, many):
            if 0 < whole and n <= whole:
                statuses = ["met"] * n + ["not met"] * (whole - n)
                yield kpi.chart_title(pd.DataFrame({"percent_of_target": [100.0] * whole, "status": statuses}))
        if n:
            rows = pd.DataFrame({"status": ["not comparable"] * n, "delivery_partner": ["IVAR"] * n,
                                 "kpi": ["Plans adopted"] * n, "interpretation": ["It measures plans agreed."] * n,
                                 "alternative_reading": ["x"] * n})
            yield partners.not_comparable_sentence(rows)
            yield partners.two_readings_sentence(rows)
            frame = pd.DataFrame({"evidence_basis": ["independent"] * n + ["synthetic"],
                                  "status": ["reproduced"] * n + ["not_checkable"]})
            yield basis_sentence(counts_by_basis(frame))
        if n:  # a zero is never glued as a bare number (see report.count_text)
            yield f"It ran {report.count_text(n)} of them."
        yield f"The report counts {kpi._sentence_number(n)} {'plan' if n == 1 else 'plans'}."


def test_glued_sentences_are_grammatical_for_zero_one_two_and_many():
    sentences = [s for s in _glued_sentences() if s]
    assert len(sentences) > 25
    problems = [(s, why) for s in sentences for pattern, why in BAD_GRAMMAR if why and pattern.search(s)]
    problems += [(s, "a plural after one") for s in sentences if re.search(r"\bone (?!of\b)[a-z]+s\b(?! of)", s)
                 and not re.search(r"\bone (?:is|was|has|rests|differs)\b", s)]
    problems += [(s, "a singular target after a plural count") for s in sentences
                 if re.search(r"\b(?:two|12) target\b|readings of \w+'s and \w+'s target\b", s)]
    assert not problems, problems


def test_a_glued_count_is_a_word_from_one_to_nine_and_a_figure_otherwise():
    from nptsc_eval import report

    assert [report.count_text(n) for n in (1, 5, 9, 10, 1460)] == ["one", "five", "nine", "10", "1,460"]
    assert report.count_text(0) == "0" and report.count_text(2.5, 1) == "2.5" and report.count_text(3.0) == "three"


def test_chart_title_states_the_message_in_words():
    import pandas as pd

    from nptsc_eval import kpi

    frame = pd.DataFrame({"percent_of_target": [120.0, 100.0, 100.0, 100.0, 100.0, 50.0, 50.0, 50.0],
                          "status": ["exceeded", "met", "met", "met", "met", "not met", "not met", "partly met"]})
    assert kpi.chart_title(frame) == "Five of the eight targets with a measuring figure were met or exceeded"
