"""The claims audit appendix's functions (nptsc_eval.claims_chapter), tested without running the notebook."""

import doctest

import pandas as pd
import pytest

from nptsc_eval import claims_chapter
from nptsc_eval.claims.register import load_register
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.templating import passage


@pytest.mark.parametrize("bases, expected", [(["synthetic"], "synthetic"), (["real_survey", "real_survey"], "real_survey"),
                                             (["real_survey", "synthetic"], "mixed"), ([], "")])
def test_survey_basis_and_its_note(bases, expected):
    basis = claims_chapter.survey_basis(pd.DataFrame({"evidence_basis": bases}, dtype=object))
    assert basis == expected
    note = passage(claims_chapter.PASSAGES, "survey_verdict_note", basis=basis)
    assert note and "\n" not in note and "{" not in note


def test_each_survey_basis_has_its_own_note_and_notice():
    notes = {b: passage(claims_chapter.PASSAGES, "survey_verdict_note", basis=b) for b in ("synthetic", "real_survey", "mixed", "")}
    assert len(set(notes.values())) == 4
    assert notes[""] == "No survey statement has been evaluated in this build."
    notice = {b: passage(claims_chapter.PASSAGES, "survey_notice", basis=b) for b in ("synthetic", "real_survey", "mixed", "")}
    assert notice["synthetic"] == notice["mixed"] and notice["synthetic"].startswith("**Synthetic data.** The survey statements")
    assert notice["real_survey"].startswith("The survey verdicts in this appendix come from the survey export")
    assert notice[""] == ""


def test_differs_and_pending_sentences_agree_in_number():
    assert claims_chapter.differs_sentence(2) == "Two statements in this build do."
    assert claims_chapter.pending_heading(1).startswith("## Statements awaiting evidence\n\nOne further statement is in the register")
    assert "\n\n12 further statements are in the register" in claims_chapter.pending_heading(12)


def test_phrases_table_gives_each_range_of_the_register():
    phrases = claims_chapter.phrases_table(load_register(RAW_DIR / "claims_register.yml")).set_index("Phrase")
    assert phrases.loc["approximately half"].to_dict() == {
        "From (share of the whole)": "0.40", "To (share of the whole)": "0.60", "Lower end": "included",
        "Reading": "Within ten percentage points of a half."}
    assert phrases.at["virtually none", "To (share of the whole)"] == "0.05"


def test_the_examples_in_the_module_hold():
    result = doctest.testmod(claims_chapter)
    assert result.attempted >= 4 and result.failed == 0
