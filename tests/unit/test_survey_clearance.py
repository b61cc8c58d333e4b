"""Clearing a real export's free-text answers for publication (nptsc_eval.survey.clearance).

The review sheet (``nptsc-eval survey review-text``), the clearance file's checks and what the
survey chapter publishes with and without one, on the SurveyMonkey real-layout fixture, whose
answers name people, a job title, a place and an organisation.  No notebook runs here.
"""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
import yaml

from nptsc_eval import paths, survey_chapter
from nptsc_eval.cli import main
from nptsc_eval.errors import DataValidationError
from nptsc_eval.survey import analysis, chapter_data, clearance
from nptsc_eval.survey.codebook import load_codebook
from nptsc_eval.survey.exports import load_survey

FIXTURES = paths.PROJECT_ROOT / "tests" / "fixtures" / "survey"
FORMULA = '=HYPERLINK("http://example.org","click") We shall see.'
NAMED = "Hardcastle"
HOSTILE = "=1+1 <img src=x onerror=alert(1)>"
ANONYMISED = "A senior officer now runs the bidding clinics with a local voluntary sector body."


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """The SurveyMonkey real-layout fixture, with a spreadsheet formula typed into one answer, in a folder of its own."""
    folder = tmp_path_factory.mktemp("exports")
    grid = pd.read_csv(FIXTURES / "surveymonkey_real.csv", header=None, dtype=str, keep_default_na=False,
                       na_values=[""], encoding="utf-8-sig")
    intend = next(j for j in range(grid.shape[1]) if "intend to implement" in str(grid.iloc[0, j]))
    row = next(i for i in range(2, len(grid)) if isinstance(grid.iloc[i, intend], str) and "@" not in grid.iloc[i, intend])
    grid.iloc[row, intend] = FORMULA
    path = folder / "survey export.csv"
    grid.to_csv(path, header=False, index=False, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sheet_path(export):
    assert main(["survey", "review-text", str(export)]) == 0
    return clearance.default_review_path(export)


@pytest.fixture(scope="module")
def sheet(sheet_path):
    return pd.read_csv(sheet_path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def answers(export):
    return analysis.free_text_answers(load_survey(export).frame, load_codebook())


def test_the_review_sheet_has_one_row_per_answer_with_stable_ids_that_name_no_one(export, sheet, tmp_path):
    assert list(sheet.columns) == ["answer_id", "question_id", "question", "answer", "possible_names", "decision",
                                   "published_text"]
    assert len(sheet) == 35 and sheet["answer_id"].is_unique
    assert sheet["question_id"].value_counts().to_dict() == {"intend": 15, "implemented": 12, "failed": 8}
    assert all(re.fullmatch(r"(implemented|intend|failed)-[0-9a-f]{12}", i) for i in sheet["answer_id"])
    # The ids hash the respondent id: neither it nor the respondent's name or email address is in the sheet.
    text = sheet.to_csv()
    assert "11873" not in text and "Firstname" not in text and "Lastname" not in text and "person1@" not in text
    # The same export gives the same ids, whoever writes the sheet.
    again = tmp_path / "again.csv"
    assert main(["survey", "review-text", str(export), "--out", str(again)]) == 0
    assert pd.read_csv(again, dtype=str)["answer_id"].tolist() == sheet["answer_id"].tolist()


def test_the_review_sheet_shows_answers_after_redaction_and_flags_possible_names(sheet, sheet_path):
    text = sheet.to_csv()
    assert "jane.doe@example.org" not in text and "0161 496 0123" not in text and "SE1 7PB" not in text
    assert sheet["answer"].str.contains("[email address removed]", regex=False).sum() == 1
    named = sheet.set_index("answer")["possible_names"]
    assert named["The chief executive, Tom Hardcastle, left Barsetshire council before we could start."] == \
        "Tom; Hardcastle; Barsetshire"
    assert named["Priya Raman, our head of commissioning, now runs the bidding clinics with Wessex Voluntary Action."] == \
        "Raman; Wessex; Voluntary; Action"
    # Known programme words and the words of the source's printed answers are not flagged.
    assert not sheet.loc[sheet["answer"].str.contains("VCS"), "possible_names"].str.contains("VCS").any()
    assert (sheet["possible_names"] != "").sum() == 3  # the two above and the formula's HYPERLINK
    assert set(sheet["decision"]) == {""} and set(sheet["published_text"]) == {""}
    # A formula typed into an answer cannot run in a spreadsheet.
    assert (sheet["answer"] == "'" + FORMULA).sum() == 1
    # The data dictionary beside it says that possible_names is a hint only.
    about = yaml.safe_load(sheet_path.with_name(sheet_path.stem + ".meta.yml").read_text(encoding="utf-8"))
    described = {f["name"]: f["description"] for f in about["fields"]}
    assert "A hint only" in described["possible_names"] and set(described) == set(sheet.columns)


def test_the_review_sheet_never_overwrites_a_file_and_never_goes_into_data_raw(export, sheet_path, capsys):
    before = sheet_path.read_bytes()
    assert main(["survey", "review-text", str(export)]) == 1
    err = capsys.readouterr().err
    assert "already exists and is not overwritten" in err and "Traceback" not in err
    assert sheet_path.read_bytes() == before
    inside = paths.RAW_DIR / "review-sheet-test.csv"
    assert main(["survey", "review-text", str(export), "--out", str(inside)]) == 1
    assert "never written inside data/raw/" in capsys.readouterr().err
    assert not inside.exists()


def _clearance(sheet: pd.DataFrame, tmp_path, name: str = "clearance.csv", **changes) -> pd.DataFrame:
    cleared = sheet.copy()
    cleared.loc[cleared["answer"].str.contains("Priya"), ["decision", "published_text"]] = ["publish", ANONYMISED]
    cleared.loc[cleared["answer"].str.contains(NAMED), "decision"] = "withhold"
    cleared.loc[cleared["answer"].str.startswith("We have recently been involved"), "decision"] = "Publish "
    cleared.loc[cleared["answer"].str.startswith("Tweaked"), ["decision", "published_text"]] = \
        ["publish", "Tweaked our processes; ask jo@example.org."]
    return cleared


def test_a_clearance_publishes_only_the_answers_marked_publish_in_the_words_given(sheet, answers, tmp_path):
    path = tmp_path / "clearance.csv"
    _clearance(sheet, tmp_path).to_csv(path, index=False)
    published = clearance.published_answers(answers, path, "survey export.csv")
    assert len(published) == 3
    texts = published.set_index("question_id")["answer"]
    assert sorted(texts["implemented"]) == [
        ANONYMISED, "Tweaked our processes; ask [email address removed].",  # the reviewer's words are redacted too
        "We have recently been involved in commissioning community advice services and VCS infrastructure support "
        "services within the city with VCS providers using our e-procurement system."]
    assert not published["answer"].str.contains("Priya|Hardcastle").any()
    # Without a clearance file nothing is published.
    assert clearance.published_answers(answers, None, "survey export.csv").empty


def _problems(sheet: pd.DataFrame, answers: pd.DataFrame, path) -> list[str]:
    sheet.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as error:
        clearance.read_clearance(path, answers, "survey export.csv")
    assert error.value.path == path
    return error.value.problems


def test_clearance_problems_name_file_row_and_column(sheet, answers, tmp_path):
    bad = _clearance(sheet, tmp_path)
    bad.loc[4, "decision"] = "yes"
    bad.loc[6, "answer_id"] = "intend-000000000000"
    bad.loc[8, "answer_id"] = bad.loc[2, "answer_id"]
    assert _problems(bad, answers, tmp_path / "bad.csv") == [
        "row 6, column 'decision': 'yes' is not a decision: write publish or withhold (or leave it empty)",
        "row 8, column 'answer_id': 'intend-000000000000' is not an answer of survey export.csv",
        f"row 10, column 'answer_id': {bad.loc[2, 'answer_id']!r} is given twice (first in row 4)",
    ]
    assert _problems(sheet.drop(columns=["decision"]), answers, tmp_path / "no-decision.csv") == [
        "header row, column 'decision': is missing (the review sheet's columns are needed: answer_id, decision, "
        "published_text)"]
    other = sheet.assign(answer_id=[f"intend-{i:012x}" for i in range(len(sheet))])
    assert _problems(other, answers, tmp_path / "other.csv") == [
        "column 'answer_id': none of its 35 answer ids is an answer of survey export.csv: it was made for another "
        "export; write a review sheet for this one"]
    assert _problems(sheet.iloc[:0], answers, tmp_path / "empty.csv") == [
        "column 'answer_id': has no rows, but survey export.csv has 35 free-text answers: write a review sheet for "
        "this export and fill it in"]


def test_build_stops_on_a_bad_clearance_with_one_message_before_anything_runs(export, sheet, tmp_path, capsys):
    bad = sheet.copy()
    bad.loc[0, "decision"] = "maybe"
    path = tmp_path / "bad clearance.csv"
    bad.to_csv(path, index=False)
    assert main(["build", "--survey", str(export), "--survey-clearance", str(path)]) == 1
    err = capsys.readouterr().err
    assert "bad clearance.csv is not valid (1 problem(s))" in err
    assert "row 2, column 'decision': 'maybe' is not a decision" in err and "Traceback" not in err


def test_build_finds_the_clearance_beside_the_export_and_says_so(export, sheet, tmp_path, capsys):
    from nptsc_eval.survey_cli import find_clearance

    folder = tmp_path / "exports"
    folder.mkdir()
    moved = folder / export.name
    shutil.copy(export, moved)
    data = load_survey(moved)
    assert find_clearance(moved, None, data) is None
    assert "no clearance file (survey export.clearance.csv beside the export, or --survey-clearance); all 35 are " \
           "withheld from the book" in capsys.readouterr().out
    _clearance(sheet, tmp_path).to_csv(clearance.sibling_clearance(moved), index=False)
    assert find_clearance(moved, None, data) == folder / "survey export.clearance.csv"
    assert "clearance file survey export.clearance.csv (found beside the export): 3 of 35 cleared for publication, " \
           "32 withheld" in capsys.readouterr().out


@pytest.fixture
def written(tmp_path, monkeypatch):
    """Processed files and downloads of the chapter go to ``tmp_path``; glued values are kept, and what the
    chapter displays is in ``values["shown"]``."""
    import IPython.display

    from nptsc_eval import report

    values: dict[str, str] = {"shown": ""}
    real_glue = report.glue

    def spy(key, value, kind="number", digits=0, evidence=None):
        values[key] = str(real_glue(key, value, kind=kind, digits=digits, evidence=evidence))
        return values[key]

    def display(obj, *args, **kwargs):
        for method in ("_repr_html_", "_repr_markdown_"):
            if getattr(obj, method, None) and getattr(obj, method)() is not None:
                values["shown"] += getattr(obj, method)()
                return

    for module in (survey_chapter, chapter_data):
        monkeypatch.setattr(module, "processed", lambda name: tmp_path / name)
    monkeypatch.setattr(report.numbering, "downloads_dir", lambda: tmp_path)
    monkeypatch.setattr(report, "glue", spy)
    monkeypatch.setattr(IPython.display, "display", display)
    return values


def test_without_a_clearance_the_chapter_publishes_no_answer_text_but_says_how_many_are_withheld(
        export, written, tmp_path):
    ch = survey_chapter.load(str(export))
    survey_chapter.glue_profile(ch)
    survey_chapter.glue_free_text(ch)
    survey_chapter.show_free_text(ch)
    shown = written["shown"]
    assert written["text_answers"] == "35" and written["text_intend"] == "15"
    # The hand coding covers the answers the original report printed, not this export's: the method says so.
    assert written["text_method"].startswith("We coded by hand the answers that the original report printed")
    assert written["survey_redaction_note"].endswith(
        "All 35 answers are withheld until a person has checked them for names and other personal details; the README "
        "says how to clear them for publication.")
    # The theme counts are shown; no answer is, in the chapter or in its processed files.
    assert "Free-text answers coded to each theme" in shown and "Respondents' answers" not in shown
    published = pd.read_csv(tmp_path / "survey_free_text_answers.csv", dtype=str)
    assert published.empty and list(published.columns) == ["Question", "Answer (verbatim)", "Themes", "Coder's note"]
    written_files = shown + "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.csv"))
    for text in ("Hardcastle", "Priya", "Wessex", "e-procurement", "HYPERLINK"):
        assert text not in written_files


def test_with_a_clearance_the_chapter_publishes_the_cleared_answers_only(export, sheet, written, tmp_path):
    path = tmp_path / "clearance.csv"
    cleared = _clearance(sheet, tmp_path)
    # The reviewer's own words are hostile input too: escaped in the page, no formula in the CSV file.
    cleared.loc[cleared["answer"].str.contains("HYPERLINK"), ["decision", "published_text"]] = ["publish", HOSTILE]
    cleared.to_csv(path, index=False)
    ch = survey_chapter.load(str(export), {"clearance": str(path)})
    survey_chapter.glue_profile(ch)
    survey_chapter.show_free_text(ch)
    shown = written["shown"]
    assert written["survey_redaction_note"].endswith("Of the 35 answers, 31 are withheld until a person has checked them "
                                                     "for names and other personal details; the README says how to clear "
                                                     "them for publication.")
    published = pd.read_csv(tmp_path / "survey_free_text_answers.csv", dtype=str)
    assert len(published) == 4 and (published["Answer (verbatim)"] == ANONYMISED).sum() == 1
    assert (published["Answer (verbatim)"] == "'" + HOSTILE).sum() == 1
    assert "<img src=x" not in shown and "=1+1 &lt;img src=x onerror=alert(1)&gt;" in shown
    assert ANONYMISED in shown and "cleared for publication" in shown
    assert "Hardcastle" not in shown + published.to_csv() and "Priya" not in shown + published.to_csv()


def test_the_clearance_file_is_an_input_of_the_survey_chapter_only_when_there_is_one():
    """Editing the clearance file runs the chapter again: the build hashes every input of a run."""
    from nptsc_eval.build import load_spec

    def inputs(**overrides):
        return {r.id: r.inputs for r in load_spec(root=paths.PROJECT_ROOT, overrides=overrides).runs}

    staged = ".survey-input/export.clearance.csv"
    assert staged in inputs(survey_clearance=staged)["02-survey"]
    assert staged not in inputs(survey_clearance=staged)["02b-survey-bounds"]
    assert "" not in inputs()["02-survey"] and len(inputs()["02-survey"]) == len(inputs(survey_clearance=staged)["02-survey"]) - 1


def test_a_clearance_with_the_export_s_name_from_another_folder_is_staged_beside_it_not_over_it(tmp_path):
    from nptsc_eval.survey_cli import STAGING_DIR, _stage, clear_staging

    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    export, sheet = tmp_path / "a" / "survey.csv", tmp_path / "b" / "survey.csv"
    export.write_text("the export\n")
    sheet.write_text("the clearance\n")
    staged = {role: _stage(path, root, role) for path, role in ((export, ""), (sheet, "clearance"))}
    assert staged == {"": f"{STAGING_DIR}/survey.csv", "clearance": f"{STAGING_DIR}/clearance/survey.csv"}
    assert [(root / staged[r]).read_text() for r in ("", "clearance")] == ["the export\n", "the clearance\n"]
    clear_staging(keep={staged[""]}, root=root)
    assert (root / staged[""]).exists() and not (root / staged["clearance"]).exists()
