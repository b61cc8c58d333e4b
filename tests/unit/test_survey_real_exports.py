"""Exports as SurveyMonkey and Qualtrics really write them, and files that are not what they seem.

The real-layout fixtures (``surveymonkey_real.csv``, ``qualtrics_real.csv``) are written by
``tests/fixtures/survey/make_real_exports.py``: partial responses, survey previews, test
responses, unfinished responses, location columns, personal data in free text.
"""

from __future__ import annotations

import io
import json
import os
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nptsc_eval import paths
from nptsc_eval.cli import main
from nptsc_eval.errors import DataValidationError
from nptsc_eval.survey import analysis, export_files, exports, synth
from nptsc_eval.survey.codebook import load_codebook
from nptsc_eval.survey.exports import load_survey

FIXTURES = paths.PROJECT_ROOT / "tests" / "fixtures" / "survey"
sys.path.insert(0, str(FIXTURES))  # the export writers that make test fixtures live beside them
from export_writers import to_qualtrics, to_surveymonkey, write_grid  # noqa: E402
SM_REAL = FIXTURES / "surveymonkey_real.csv"
Q_REAL = FIXTURES / "qualtrics_real.csv"
PERSONAL = ["jane.doe@example.org", "0161 496 0123", "07700 900456", "SE1 7PB"]


def _grid(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, header=None, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")


# --------------------------------------------------------------------------------------
# Incomplete responses, previews, tests, location columns
# --------------------------------------------------------------------------------------


def test_fixtures_have_the_real_layouts():
    sm, q = _grid(SM_REAL), _grid(Q_REAL)
    assert sm.iloc[0, :4].tolist() == ["Respondent ID", "Collector ID", "Start Date", "End Date"]
    assert len(sm) == 2 + 192
    names = q.iloc[0].tolist()
    for column in ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
                   "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                   "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"]:
        assert column in names
    assert json.loads(q.iloc[2, 0]) == {"ImportId": "startDate"}
    status = q.iloc[3:, names.index("Status")]
    assert (status == "Survey Preview").sum() == 4 and (status == "Survey Test").sum() == 2
    assert (q.iloc[3:, names.index("Finished")] == "False").sum() == 7


def test_surveymonkey_partial_responses_are_left_out_and_counted(capsys):
    data = load_survey(SM_REAL)
    assert len(data.frame) == 180 and data.left_out == {"incomplete": 12, "preview": 0, "test": 0}
    assert data.response_summary() == "180 complete responses; 12 incomplete responses left out"
    assert data.frame["expectations"].notna().all()
    assert main(["validate", str(SM_REAL)]) == 0
    assert "180 complete responses; 12 incomplete responses left out" in capsys.readouterr().out


def test_qualtrics_previews_tests_and_unfinished_responses_are_left_out_and_counted():
    data = load_survey(Q_REAL)
    assert len(data.frame) == 140
    assert data.left_out == {"incomplete": 7, "preview": 4, "test": 2}
    assert data.response_summary() == ("140 complete responses; 7 incomplete responses left out; "
                                       "4 survey preview responses left out; 2 test responses left out")
    # The unfinished response that answered every question (Finished False, Progress 96) is left out too.
    grid = _grid(Q_REAL)
    names = grid.iloc[0].tolist()
    unfinished_ids = set(grid.iloc[3:][grid.iloc[3:, names.index("Finished")] == "False"][names.index("ResponseId")])
    assert len(unfinished_ids) == 7 and not unfinished_ids & set(data.frame["respondent_id"])


def test_qualtrics_location_and_recipient_columns_are_dropped():
    data = load_survey(Q_REAL)
    for column in ["LocationLatitude", "LocationLongitude", "IPAddress", "RecipientEmail", "ExternalReference",
                   "RecipientFirstName", "RecipientLastName"]:
        assert column in data.dropped_columns
    text = data.frame.astype(str).to_csv()
    assert "51.5" not in text and "198.51.100." not in text and "recipient1@example.org" not in text
    assert not {"Status", "Progress", "Finished", "DistributionChannel", "UserLanguage"} & set(data.ignored_columns)


def test_keep_incomplete_keeps_them_with_per_question_bases(capsys):
    data = load_survey(Q_REAL, keep_incomplete=True)
    assert len(data.frame) == 147 and data.incomplete_kept == 7 and data.left_out["incomplete"] == 0
    dist = analysis.distributions(data.frame, load_codebook())
    row = dist[(dist["column"] == "expectations") & (dist["group"] == analysis.ALL)].iloc[0]
    answered = int(data.frame["expectations"].notna().sum())
    assert answered < 147 and row["answered"] == answered      # the base is the people who answered
    # Six kept responses stopped before the multi-select support question: out of its base, not "not chosen".
    support = analysis.support_by_sector(data.frame, load_codebook())
    assert set(support["all_base"]) == {141} and data.frame["support_networking"].isna().sum() == 6
    assert main(["validate", "--keep-incomplete", str(Q_REAL)]) == 0
    assert "7 incomplete responses kept (each percentage has its own base)" in capsys.readouterr().out


# --------------------------------------------------------------------------------------
# One line per kind of problem
# --------------------------------------------------------------------------------------


def _bad_column(tmp_path: Path, value: str = "Maybe") -> Path:
    frame = synth.synthesise(180, seed=7)
    grid = to_surveymonkey(frame)
    j = grid.iloc[0].tolist().index("This programme met my expectations")
    grid.iloc[2:, j] = value
    return write_grid(grid, tmp_path / "bad_column.csv")


def test_one_bad_column_gives_one_grouped_line(tmp_path, capsys):
    path = _bad_column(tmp_path)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert lines[0].endswith("is not valid (180 problems):")
    assert len(lines) == 2
    letter = exports._column_letter(to_surveymonkey(synth.synthesise(3, seed=1)).iloc[0].tolist()
                                    .index("This programme met my expectations"))
    assert lines[1].startswith(f"  - column {letter} ('This programme met my expectations'): 180 answers not on the "
                               "question's scale")
    assert lines[1].endswith("('Maybe'), rows 3–182")


def test_all_lists_every_cell(tmp_path, capsys):
    path = _bad_column(tmp_path)
    assert main(["validate", "--all", str(path)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0].endswith("(180 problems):") and len(lines) == 181
    assert lines[1].startswith("  - row 3, column ") and "answer 'Maybe' is not on the question's scale" in lines[1]


def test_many_kinds_of_problem_stay_within_thirty_lines_with_the_true_count(tmp_path, capsys):
    grid = to_surveymonkey(synth.synthesise(60, seed=3))
    # Every scale question of every row gets an answer that is not on its scale.
    for j in range(11, grid.shape[1]):
        if grid.iloc[2:, j].notna().any() and grid.iloc[1, j] not in ("Open-Ended Response",):
            grid.iloc[2:, j] = grid.iloc[2:, j].where(grid.iloc[2:, j].isna(), "Perhaps")
    path = write_grid(grid, tmp_path / "many.csv")
    with pytest.raises(DataValidationError) as info:
        load_survey(path)
    true_count = info.value.count
    assert true_count > 500 and len(info.value.problems) <= 30
    assert "run 'nptsc-eval validate --all'" in info.value.problems[-1]
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"({true_count:,} problems)" in err and len(err.strip().splitlines()) <= 31


def test_row_ranges():
    assert exports.row_ranges([3, 4, 5, 9, 11, 12]) == "rows 3–5, 9, 11–12"
    assert exports.row_ranges(range(1, 40, 2), limit=3) == "rows 1, 3, 5 and 17 more ranges"


def test_validate_never_prints_thousands_of_column_names_on_one_line(tmp_path, capsys):
    frame = synth.synthesise(40, seed=2)
    extra = pd.DataFrame({f"extra_column_{i}": ["x"] * len(frame) for i in range(3000)})
    path = tmp_path / "wide.csv"
    pd.concat([frame, extra], axis=1).to_csv(path, index=False)
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "columns not in the codebook, ignored (3,000): extra_column_0, " in out
    assert "and 2,988 more" in out
    assert max(len(line) for line in out.splitlines()) < 400


# --------------------------------------------------------------------------------------
# Question wording that differs: nptsc-eval map
# --------------------------------------------------------------------------------------

REWORDING = [("How would you rate", "Please rate"), ("organisation", "organization"), ("TSOs", "third sector organisations"),
             ("Which sector does your organization belong to?", "Your organization's sector"),
             ("This programme met my expectations", "Overall, the programme met my expectations")]


def _reworded_qualtrics(tmp_path: Path) -> Path:
    grid = to_qualtrics(synth.synthesise(60, seed=5))
    for j in range(grid.shape[1]):
        text = str(grid.iloc[1, j])
        for old, new in REWORDING:
            text = text.replace(old, new)
        grid.iloc[1, j] = text
        if grid.iloc[0, j].startswith("Q"):
            grid.iloc[0, j] = f"V{j}"
            grid.iloc[2, j] = json.dumps({"ImportId": f"X{j}"})
    grid[grid.shape[1]] = ["V99", "What is your favourite colour?", json.dumps({"ImportId": "X99"})] + ["Blue"] * 60
    return write_grid(grid, tmp_path / "reworded.csv")


def test_without_a_mapping_a_reworded_export_names_what_is_missing(tmp_path):
    with pytest.raises(DataValidationError) as info:
        load_survey(_reworded_qualtrics(tmp_path))
    assert any("is missing from the file" in p for p in info.value.problems)


def test_map_proposes_every_column_and_names_the_one_it_cannot_place(tmp_path, capsys):
    path = _reworded_qualtrics(tmp_path)
    out = tmp_path / "reworded.mapping.yml"
    assert main(["map", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "'What is your favourite colour?': NOT PLACED" in printed
    import yaml

    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    by_export = {e["export"]: e for e in doc["columns"]}
    assert by_export["V99"]["codebook_column"] is None and "not placed" in by_export["V99"]["note"]
    # The sector question, reworded past recognition, is named with its best guess, not placed.
    assert "\"Your organization's sector\": NOT PLACED (best match sector, confidence" in printed
    assert by_export["V7"]["codebook_column"] is None and "best: sector" in by_export["V7"]["note"]
    # Every other question column is placed on the right codebook column, with its confidence.
    mapping = exports.load_mapping()["layouts"]["qualtrics"]["columns"]
    grid = to_qualtrics(synth.synthesise(3, seed=5))
    names = grid.iloc[0].tolist()
    for entry in mapping:
        j = names.index(entry["name"])
        proposed = by_export[f"V{j}"]
        if entry["column"] == "sector":
            continue
        assert proposed["codebook_column"] == entry["column"], (entry, proposed)
        assert 70 <= proposed["confidence"] <= 100
    assert "41 question columns, 39 placed, 2 not placed" in printed
    assert by_export["ResponseId"]["codebook_column"] == "respondent_id"
    assert by_export["RecipientEmail"]["role"].startswith("identifying")


def test_mapping_file_is_used_by_validate(tmp_path, capsys):
    path = _reworded_qualtrics(tmp_path)
    out = tmp_path / "m.yml"
    assert main(["map", str(path), "--out", str(out)]) == 0
    capsys.readouterr()
    # As proposed, the sector column is not placed, so the export still lacks a required question.
    assert main(["validate", "--mapping", str(out), str(path)]) == 1
    assert "required question 'Which sector does your organisation belong to?'" in capsys.readouterr().err
    # The reviewer places it by hand.
    import yaml

    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    next(e for e in doc["columns"] if e["export"] == "V7")["codebook_column"] = "sector"
    out.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert main(["validate", "--mapping", str(out), str(path)]) == 0
    assert "valid qualtrics survey file (export), 60 responses used" in capsys.readouterr().out
    data = load_survey(path, column_map=out)
    expected = synth.synthesise(60, seed=5)
    pd.testing.assert_frame_equal(data.frame.drop(columns="respondent_id"), expected.drop(columns="respondent_id"),
                                  check_dtype=False, check_categorical=False)


def test_a_mapping_naming_a_column_twice_is_refused(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("columns:\n- {export: A, codebook_column: sector}\n- {export: B, codebook_column: sector}\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_survey(Q_REAL, column_map=bad)
    assert "entry 2 ('B'), field 'codebook_column': 'sector' is already given by entry 1" in str(info.value)


# --------------------------------------------------------------------------------------
# SPSS
# --------------------------------------------------------------------------------------


def test_spss_sav_with_value_labels_is_read(tmp_path):
    import pyreadstat

    cb = load_codebook()
    frame = synth.synthesise(50, seed=9)
    spec = exports.load_mapping()["layouts"]["qualtrics"]["columns"]
    data, value_labels, column_labels = {"ResponseId": frame["respondent_id"].astype(str)}, {}, ["Response ID"]
    for entry in spec:
        cid, name = entry["column"], entry["name"]
        if cid in [p["id"] for p in cb.profile]:
            labels = cb.profile_values(cid)
        else:
            col = cb.column(cid)
            labels = cb.labels(col.scale) if col.scale else [col.sub_label]
        s = frame[cid]
        if isinstance(s.dtype, pd.CategoricalDtype):
            data[name] = [float(labels.index(v) + 1) if isinstance(v, str) else np.nan for v in s.astype(object)]
            value_labels[name] = {float(i + 1): lab for i, lab in enumerate(labels)}
        elif isinstance(s.dtype, pd.BooleanDtype):
            data[name] = [1.0 if v is True else np.nan for v in s.astype(object)]
            value_labels[name] = {1.0: labels[0]}
        else:
            data[name] = ["" if v is None or v is pd.NA else str(v) for v in s.astype(object)]
        column_labels.append(cid)
    path = tmp_path / "survey.sav"
    pyreadstat.write_sav(pd.DataFrame(data), str(path), column_labels=column_labels, variable_value_labels=value_labels)
    loaded = load_survey(path)
    assert loaded.layout == "qualtrics"
    pd.testing.assert_frame_equal(loaded.frame.drop(columns="respondent_id"), frame.drop(columns="respondent_id"),
                                  check_dtype=False, check_categorical=False)


# --------------------------------------------------------------------------------------
# Files that are not what they seem
# --------------------------------------------------------------------------------------


def test_utf16_csv_is_read(tmp_path, capsys):
    text = (FIXTURES / "qualtrics_export.csv").read_bytes().decode("utf-8-sig")
    path = tmp_path / "utf16.csv"
    path.write_bytes(text.encode("utf-16"))
    assert len(load_survey(path).frame) == 140
    assert main(["validate", str(path)]) == 0
    assert "read as UTF-16 text" in capsys.readouterr().out


@pytest.mark.parametrize("sep_line", [False, True])
def test_semicolon_separated_files_are_read(tmp_path, sep_line):
    grid = _grid(FIXTURES / "qualtrics_export.csv")
    buffer = io.StringIO()
    grid.to_csv(buffer, sep=";", header=False, index=False)
    path = tmp_path / "semicolon.csv"
    path.write_text(("sep=;\n" if sep_line else "") + buffer.getvalue(), encoding="utf-8")
    data = load_survey(path)
    assert len(data.frame) == 140 and any("semicolons" in n for n in data.notes)


def test_codebook_layout_semicolons_and_windows_1252(tmp_path, capsys):
    frame = synth.synthesise(30, seed=4)
    path = tmp_path / "cp1252.csv"
    frame.to_csv(path, index=False, sep=";", encoding="cp1252")
    assert "–".encode("cp1252") in path.read_bytes()    # an en dash from the free text, as Windows writes it
    data = load_survey(path)
    pd.testing.assert_frame_equal(data.frame.drop(columns="respondent_id"), frame.drop(columns="respondent_id"),
                                  check_dtype=False, check_categorical=False)
    assert main(["validate", str(path)]) == 0
    assert "read as Windows-1252" in capsys.readouterr().out


def _two_sheet_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "two_sheets.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["Notes about this export"], ["nothing to see"]]).to_excel(writer, sheet_name="Read me", header=False, index=False)
        to_surveymonkey(synth.synthesise(40, seed=8)).to_excel(writer, sheet_name="Responses", header=False, index=False)
    return path


def test_a_workbook_with_several_sheets_says_which_it_read_and_sheet_chooses(tmp_path, capsys):
    path = _two_sheet_workbook(tmp_path)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "not a recognised survey file" in err
    with pytest.raises(DataValidationError):
        load_survey(path)
    assert main(["validate", "--sheet", "Responses", str(path)]) == 0
    out = capsys.readouterr().out
    assert "40 responses used" in out and "read sheet 'Responses'" in out
    valid = tmp_path / "valid_first.xlsx"
    with pd.ExcelWriter(valid) as writer:
        to_surveymonkey(synth.synthesise(40, seed=8)).to_excel(writer, sheet_name="Responses", header=False, index=False)
        pd.DataFrame([["x"]]).to_excel(writer, sheet_name="Summary", header=False, index=False)
    notes = load_survey(valid).notes
    assert notes == ["the workbook has 2 sheets ('Responses', 'Summary'): read the first, 'Responses'; choose another with --sheet"]
    assert main(["validate", "--sheet", "Nope", str(valid)]) == 1
    assert "the workbook has no sheet 'Nope'; its sheets are 'Responses', 'Summary'" in capsys.readouterr().err


def test_password_protected_workbook_says_so(tmp_path, capsys):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    to_surveymonkey(synth.synthesise(20, seed=1)).to_excel(plain, header=False, index=False)
    path = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)      # as Excel's "Encrypt with password" writes it
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "password-protected" in err and "calamine" not in err and "Traceback" not in err


def test_a_zip_that_is_not_a_workbook_gets_a_clear_message(tmp_path, capsys):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("responses.csv", "a,b\n1,2\n")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "a zip archive but not an Excel workbook (it holds 'responses.csv')" in err and "KeyError" not in err


@pytest.mark.parametrize("layout", ["codebook", "qualtrics"])
def test_a_duplicated_column_name_gets_a_message(tmp_path, capsys, layout):
    path = tmp_path / "dup.csv"
    if layout == "codebook":
        frame = synth.synthesise(20, seed=1)
        frame.insert(5, "sector_copy", frame["sector"])
        text = frame.to_csv(index=False).replace("sector_copy", "sector", 1)
        path.write_text(text, encoding="utf-8")
        expected = "columns B and F have the same name 'sector'"
    else:
        grid = to_qualtrics(synth.synthesise(20, seed=1))
        grid.iloc[0, 8] = grid.iloc[0, 7]
        write_grid(grid, path)
        expected = f"columns H and I have the same name '{grid.iloc[0, 7]}'"
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_a_named_pipe_is_refused_at_once(tmp_path, capsys):
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    assert main(["validate", str(fifo)]) == 1      # returns without opening it (opening would wait for a writer)
    assert "this is a named pipe (FIFO), not a survey file" in capsys.readouterr().err


def test_a_device_file_and_a_folder_are_refused(tmp_path, capsys):
    assert main(["validate", "/dev/zero"]) == 1
    assert "this is a device file, not a survey file" in capsys.readouterr().err
    folder = tmp_path / "export.csv"
    folder.mkdir()
    assert main(["validate", str(folder)]) == 1
    assert "this is a folder, not a survey file" in capsys.readouterr().err


def test_a_file_over_the_size_limit_is_refused_with_the_limit(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(export_files, "MAX_BYTES", 1024 * 1024)  # where check_file reads it
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (2 * 1024 * 1024))
    assert main(["validate", str(path)]) == 1
    assert "the file is 2 MB, over the limit of 1 MB for a survey file" in capsys.readouterr().err


def test_an_export_too_small_to_analyse_is_refused_with_the_minimum(tmp_path, capsys):
    grid = _grid(FIXTURES / "qualtrics_export.csv").iloc[:4]
    path = tmp_path / "one.csv"
    write_grid(grid, path)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "too few responses to analyse: 1 usable" in err
    assert f"needs at least {exports.MIN_RESPONSES} complete responses, with at least one from each sector" in err


def test_redaction_of_personal_data_in_free_text():
    data = load_survey(SM_REAL)
    text = data.frame[["implemented", "intend", "failed"]].astype(str).to_csv()
    for value in PERSONAL:
        assert value not in text
    assert "[email address removed]" in text and "[phone number removed]" in text and "[postcode removed]" in text
    assert data.redactions == {"email": 1, "phone": 2, "postcode": 1}
    assert "1 email address" in data.redaction_summary()
