"""Loading real exports (SurveyMonkey, Qualtrics; CSV, XLSX) and rejecting broken ones."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from nptsc_eval import paths
from nptsc_eval.cli import main
from nptsc_eval.errors import DataValidationError
from nptsc_eval.survey import synth
from nptsc_eval.survey.exports import load_survey

FIXTURES = paths.PROJECT_ROOT / "tests" / "fixtures" / "survey"
BROKEN = FIXTURES / "broken"
IDENTIFYING = ["Email Address", "IP Address", "First Name", "Last Name", "Collector ID",
               "RecipientEmail", "IPAddress", "RecipientFirstName", "RecipientLastName"]


def _without_ids(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="respondent_id").reset_index(drop=True)


@pytest.mark.parametrize("name", ["surveymonkey_export.csv", "surveymonkey_export.xlsx"])
def test_surveymonkey_export_loads_to_the_codebook_layout(name):
    data = load_survey(FIXTURES / name)
    assert data.layout == "surveymonkey" and data.data_kind == "export"
    assert sorted(data.dropped_columns) == sorted(["Collector ID", "IP Address", "Email Address", "First Name", "Last Name"])
    pd.testing.assert_frame_equal(_without_ids(data.frame), _without_ids(synth.synthesise(180, seed=7)),
                                  check_dtype=False, check_categorical=False)
    assert data.frame["respondent_id"].iloc[0] == "11873000000"


@pytest.mark.parametrize("name", ["qualtrics_export.csv", "qualtrics_export.xlsx"])
def test_qualtrics_export_loads_to_the_codebook_layout(name):
    data = load_survey(FIXTURES / name)
    assert data.layout == "qualtrics"
    assert sorted(data.dropped_columns) == sorted(["IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail"])
    pd.testing.assert_frame_equal(_without_ids(data.frame), _without_ids(synth.synthesise(140, seed=11)),
                                  check_dtype=False, check_categorical=False)


def test_fixture_encodings_are_what_they_claim():
    sm = (FIXTURES / "surveymonkey_export.csv").read_bytes()
    assert b"Don\x92t know" in sm          # cp1252 right single quotation mark
    with pytest.raises(UnicodeDecodeError):
        sm.decode("utf-8")
    assert (FIXTURES / "qualtrics_export.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    assert load_survey(FIXTURES / "surveymonkey_export.csv").frame["ps_bid_quality_after"].eq("Don't know").sum() > 0


@pytest.mark.parametrize("name", ["surveymonkey_export.csv", "qualtrics_export.xlsx"])
def test_identifying_columns_never_reach_the_frame(name):
    frame = load_survey(FIXTURES / name).frame
    assert not set(IDENTIFYING) & set(frame.columns)
    text = frame.astype(str).to_csv()
    assert "@example.org" not in text and "192.0.2." not in text and "Firstname" not in text


BROKEN_CASES = [
    ("empty.csv", ["the file is empty"]),
    ("headers_only.csv", ["the file is empty: it has header rows but no responses"]),
    ("not_a_survey.txt", ["wrong format: '.txt' files are not survey exports"]),
    ("not_a_survey.csv", ["wrong format: not a recognised survey file"]),
    ("binary.csv", ["wrong format: the file is binary"]),
    ("unknown_answer.csv", ["row 4, column L (", "answer 'Quite good' is not on the question's scale"]),
    ("missing_question.csv", ["required question 'This programme met my expectations' (codebook column 'expectations') is missing"]),
    ("duplicate_id.csv", ["row 7, column A ('Respondent ID'): respondent id '501' repeats row 4"]),
    ("wrong_sector.csv", ["row 4, column AM (", "asked only of third sector respondents, but the respondent is public sector"]),
]


@pytest.mark.parametrize("name,expected", BROKEN_CASES)
def test_broken_export_gives_a_clear_error_and_exit_1(name, expected, capsys):
    path = BROKEN / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    for fragment in expected:
        assert fragment in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before   # the source file is never modified


def test_every_problem_is_listed_not_just_the_first(tmp_path):
    text = (BROKEN / "duplicate_id.csv").read_text(encoding="utf-8").splitlines()
    # Also give an unknown sector on the last line.
    text[-1] = text[-1].replace("Public sector", "Private sector").replace("Third sector", "Private sector")
    path = tmp_path / "two_problems.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_survey(path)
    assert any("repeats row 4" in p for p in info.value.problems)
    assert any("answer 'Private sector' is not one of" in p for p in info.value.problems)


def test_validate_reports_a_valid_file(capsys):
    assert main(["validate", str(FIXTURES / "qualtrics_export.csv")]) == 0
    out = capsys.readouterr().out
    assert "valid qualtrics survey file (export), 140 responses" in out
    assert "identifying columns dropped at load" in out


def test_missing_file_is_a_clear_error(capsys):
    assert main(["validate", str(BROKEN / "does_not_exist.csv")]) == 1
    assert "file not found" in capsys.readouterr().err


def test_a_response_missing_a_required_answer_is_left_out_as_incomplete_and_counted(capsys):
    # Before: one unanswered required question made the whole export invalid.
    assert main(["validate", str(BROKEN / "missing_answer.csv")]) == 0
    out = capsys.readouterr().out
    assert "11 responses used" in out
    assert "11 complete responses; 1 incomplete response left out" in out
    kept = load_survey(BROKEN / "missing_answer.csv", keep_incomplete=True)
    assert len(kept.frame) == 12 and kept.incomplete_kept == 1 and kept.frame["expectations"].isna().sum() == 1
