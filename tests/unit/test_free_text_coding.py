"""The survey's free-text answers are coded by hand, from a table a reviewer can audit."""

from __future__ import annotations

import pandas as pd
import pytest

from nptsc_eval.errors import DataValidationError
from nptsc_eval.survey import analysis, text_coding
from nptsc_eval.survey.codebook import load_codebook
from nptsc_eval.tables import load_table


@pytest.fixture(scope="module")
def coding() -> pd.DataFrame:
    return text_coding.load_coding()


def test_every_printed_answer_is_coded_once(coding):
    quotes = load_table("survey_free_text_quotations")
    assert len(quotes) == 31
    assert sorted(coding["quote_id"]) == sorted(quotes["quote_id"])
    texts = dict(zip(quotes["quote_id"], quotes["text"]))
    assert all(text_coding.normalise(a) == text_coding.normalise(texts[q]) for q, a in zip(coding["quote_id"], coding["answer"]))
    assert coding["coder_note"].str.len().min() > 10


def test_codes_come_from_the_coding_frame(coding):
    frame = set(text_coding.coding_frame()["theme_id"])
    used = {code for codes in coding["themes"] for code in codes.split()}
    assert used <= frame
    assert all(codes.split() for codes in coding["themes"])


def test_no_longer_involved_is_not_partnership_working(coding):
    row = coding.set_index("quote_id").loc["failed_01"]
    assert row["answer"].startswith("No longer involved in [this work]")
    assert row["themes"].split() == ["no_comment"]
    # Words alone do not decide: service users' involvement is not third sector involvement.
    assert coding.set_index("quote_id").at["intend_11", "themes"].split() == ["social_value", "barriers"]


def test_the_chapter_counts_come_from_the_hand_coding():
    cb = load_codebook()
    quotes = load_table("survey_free_text_quotations")
    questions = [q["id"] for q in cb.questions if q["kind"] == "text"]
    frame = pd.DataFrame([{qid: (row.text if qid == row.question_id else None) for qid in questions}
                          for row in quotes.itertuples()])
    answers = analysis.free_text_answers(frame, cb)
    failed = answers[answers["answer"].str.startswith("No longer involved")].iloc[0]
    assert failed["themes"] == "No longer involved or unable to say"
    assert not failed["third_sector_involvement"]
    counts = analysis.theme_counts(answers, cb).set_index("theme")
    assert counts.at["Involving the third sector and partnership working", "total"] == 11
    assert counts.at["No longer involved or unable to say", "failed"] == 1
    assert "Not coded" not in counts.index


def test_an_answer_not_in_the_table_is_not_coded_not_guessed():
    cb = load_codebook()
    frame = pd.DataFrame({"implemented": ["We built a partnership forum with the voluntary sector."],
                          "intend": [None], "failed": [None]})
    answers = analysis.free_text_answers(frame, cb)
    assert answers.iloc[0]["themes"] == text_coding.NOT_CODED
    assert not answers.iloc[0]["third_sector_involvement"]
    assert analysis.theme_counts(answers, cb).set_index("theme").at["Not coded", "total"] == 1


def test_a_bad_code_or_a_missing_answer_is_named(raw_copy):
    path = raw_copy / "survey_free_text_coding.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "themes"] = "third_sector_involvement hope"
    frame = frame[frame["quote_id"] != "failed_01"]
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as caught:
        text_coding.load_coding(raw_copy)
    assert caught.value.problems == [
        "row 2, column 'themes': 'hope' is not a theme of survey_text_coding_frame.csv",
        "column 'quote_id': printed answers not coded: failed_01",
    ]
