"""Loading and validating raw tables: types, rules, and clear errors for bad files."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd

import pytest

from nptsc_eval.errors import DataValidationError
from nptsc_eval.tables import data_dictionary, load_table, raw_tables, table_meta, validate_all
from nptsc_eval.validate_raw import undocumented_raw_files, validate_raw_data


def test_every_raw_table_is_valid_and_documented():
    assert validate_raw_data() == []
    assert undocumented_raw_files() == []


def test_load_table_gives_declared_types():
    projects = load_table("projects")
    assert str(projects["strand"].dtype) == "Int64"
    assert sorted(projects["strand"].unique().tolist()) == [1, 2, 3]
    outputs = load_table("table_2_1_programme_outputs")
    assert str(outputs["value"].dtype) == "Int64"
    assert str(outputs["updated_after_interviews"].dtype) == "boolean"
    row = outputs.set_index(["project_id", "measure"]).loc[("acevo_tendering_support", "organisations")]
    assert (row["value"], row["value_including_phase_one"], bool(row["updated_after_interviews"])) == (11, 21, True)


def test_missing_values_stay_apart_from_zero():
    outputs = load_table("table_2_1_programme_outputs").set_index(["project_id", "measure"])
    assert outputs.loc[("bursary_scheme", "organisations"), "value_status"] == "not_available"
    assert outputs.loc[("sec_new_markets", "participants"), "value_status"] == "not_applicable"
    assert outputs.loc[("cipfa_training", "organisations"), "value_status"] == "blank"
    assert outputs.loc[outputs["value_status"] != "reported", "value"].isna().all()
    assert (outputs["value"] == 0).sum() == 0


def test_load_table_returns_a_fresh_copy():
    first = load_table("projects")
    first.loc[0, "project"] = "changed"
    assert load_table("projects").loc[0, "project"] != "changed"


def test_every_table_has_provenance_and_a_dictionary():
    for name in raw_tables():
        meta = table_meta(name)
        assert meta.source.get("location"), name
        assert meta.source.get("document"), name
        assert all(f.description for f in meta.fields), name
    dictionary = data_dictionary()
    assert {"table", "column", "type", "description", "source"} <= set(dictionary.columns)
    assert "table_2_1_programme_outputs.csv" in set(dictionary["table"])


def _rewrite(raw: Path, name: str, edit) -> None:
    path = raw / f"{name}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = edit(frame)
    frame.to_csv(path, index=False)


def _errors(raw: Path) -> str:
    errors = validate_all(raw)
    assert errors, "expected the bad file to be rejected"
    return "\n".join(str(e) for e in errors)


def test_a_value_of_the_wrong_type_names_file_row_and_column(raw_copy):
    def edit(frame):
        frame.loc[2, "value"] = "twenty"
        return frame

    _rewrite(raw_copy, "table_2_1_programme_outputs", edit)
    message = _errors(raw_copy)
    assert "table_2_1_programme_outputs.csv" in message
    assert "row 4, column 'value'" in message
    assert "'twenty'" in message


def test_a_value_outside_the_allowed_set_is_named(raw_copy):
    def edit(frame):
        frame.loc[0, "strand"] = "4"
        return frame

    _rewrite(raw_copy, "projects", edit)
    message = _errors(raw_copy)
    assert "projects.csv" in message and "row 2, column 'strand'" in message and "allowed" in message


def test_a_repeated_key_is_named(raw_copy):
    _rewrite(raw_copy, "projects", lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True))
    message = _errors(raw_copy)
    assert "repeats a key" in message and "row 14" in message


def test_a_missing_required_column_and_an_unknown_column_are_named(raw_copy):
    _rewrite(raw_copy, "projects", lambda f: f.drop(columns=["objective"]).assign(extra="x"))
    message = _errors(raw_copy)
    assert "required column 'objective' is missing" in message
    assert "column 'extra' is not in the data dictionary" in message


def test_a_reported_value_must_be_filled(raw_copy):
    def edit(frame):
        frame.loc[0, "value"] = ""
        return frame

    _rewrite(raw_copy, "table_2_1_programme_outputs", edit)
    assert "row 2, column 'value': must be filled when 'value_status' is 'reported'" in _errors(raw_copy)


def test_a_published_total_that_does_not_add_up_is_named(raw_copy):
    meta = raw_copy / "projects.meta.yml"
    meta.write_text(meta.read_text() + "totals:\n  - {column: strand, expected: 99, label: sum of strands}\n")
    message = _errors(raw_copy)
    assert "sum of strands is 27 but the source publishes 99" in message


def test_an_empty_file_and_a_missing_metadata_file_are_named(raw_copy):
    (raw_copy / "projects.csv").write_text("")
    (raw_copy / "orphan.csv").write_text("a\n1\n")
    message = _errors(raw_copy)
    assert "projects.csv" in message and "empty" in message
    assert "orphan.csv" in message and "no metadata file" in message


def test_a_bad_file_fails_the_command_line_cleanly_and_writes_nothing(tmp_path):
    root = tmp_path / "project"
    raw = root / "data" / "raw"
    import shutil

    from nptsc_eval.paths import RAW_DIR

    shutil.copytree(RAW_DIR, raw)
    before = {p.relative_to(raw): p.read_bytes() for p in raw.rglob("*") if p.is_file()}
    path = raw / "kpi_targets.csv"
    text = path.read_text().replace("london_councils_pilot,london_trained,Councillors and non-executive directors trained,people,count,2010-03,50,50",
                                    "london_councils_pilot,london_trained,Councillors and non-executive directors trained,people,count,2010-03,fifty,50")
    path.write_text(text)
    env = dict(os.environ, NPTSC_EVAL_ROOT=str(root))
    result = subprocess.run([sys.executable, "-m", "nptsc_eval.cli", "build"], env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "kpi_targets.csv" in result.stderr and "column 'target_low'" in result.stderr and "'fifty'" in result.stderr
    assert not (root / "data" / "processed").exists()
    assert not (root / "_build" / "html").exists()
    after = {p.relative_to(raw): p.read_bytes() for p in raw.rglob("*") if p.is_file()}
    assert set(after) == set(before)


# ---------------------------------------------------------------------------------------
# Printed totals: a typo in our data is caught before any notebook runs, with its place
# ---------------------------------------------------------------------------------------


def _replace_line(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_typo_in_a_part_of_a_printed_total_names_the_rows_and_column(raw_copy):
    _replace_line(raw_copy / "table_4_2_ivar_attendees.csv", "Dacorum,33\n", "Dacorum,34\n")
    message = _errors(raw_copy)
    assert "table_4_2_ivar_attendees.csv is not valid" in message
    assert ("rows 2–6, column 'attendees': total attendees is 103 but the source publishes 102 "
            "(Table 4.2, total row); one of these cells differs from the source") in message


def test_a_typo_in_table_5_3_names_the_rows_of_the_total_it_breaks(raw_copy):
    _replace_line(raw_copy / "table_5_3_action_learning_sets.csv", "Plymouth,8,8,false", "Plymouth,8,9,false")
    message = _errors(raw_copy)
    assert "rows 2–8, column 'organisations': total organisations engaged is 37 but the source publishes 36" in message
    assert "column 'individuals'" not in message


@pytest.mark.parametrize("old, new, expected", [
    ("ivar_area_support,participants,102,", "ivar_area_support,participants,103,",
     "row 8, column 'value': IVAR's participants is 103 but the source publishes 102 (Table 4.2, total row"),
    ("bassac_codesign,participants,49,", "bassac_codesign,participants,48,",
     "row 16, column 'value': bassac's co-design participants is 48 but the source publishes 49 (Table 5.3, total row"),
    ("bassac_codesign,organisations,36,", "bassac_codesign,organisations,63,",
     "row 17, column 'value': bassac's co-design organisations is 63 but the source publishes 36 (Table 5.3, total row"),
])
def test_a_table_2_1_cell_that_another_table_prints_as_its_total_is_checked(raw_copy, old, new, expected):
    _replace_line(raw_copy / "table_2_1_programme_outputs.csv", old, new)
    message = _errors(raw_copy)
    assert "table_2_1_programme_outputs.csv is not valid (1 problem(s))" in message
    assert expected in message


def test_a_typo_in_table_1_1_names_the_rows_and_column_of_the_total_it_breaks(raw_copy):
    table = raw_copy / "survey_table_1_1_respondents.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("CIPFA,209,", "CIPFA,210,"), encoding="utf-8")
    errors = validate_raw_data(raw_copy)
    message = "\n".join(str(e) for e in errors)
    assert len(errors) == 1 and "survey_table_1_1_respondents.csv is not valid" in message
    assert ("rows 2–8, column 'respondents': total respondents is 251 but the source publishes 250 "
            "(Table 1.1, TOTAL row)") in message


def test_register_parts_given_as_facts_must_add_up_to_the_total_the_source_prints(tmp_path):
    from nptsc_eval.errors import DataValidationError
    from nptsc_eval.validate_raw import check_register_totals

    register = tmp_path / "claims_register.yml"
    register.write_text(textwrap.dedent("""\
        claims:
          - id: part-a
            kind: equals
            expected: 210
            evidence: {fact: t.a}
          - id: part-b
            kind: equals
            expected: 41
            evidence: {fact: t.b}
          - id: total
            source_location: Table 9.9
            kind: sums_to
            expected: 250
            evidence: {sum: [t.a, t.b]}
        """), encoding="utf-8")
    with pytest.raises(DataValidationError) as failure:
        check_register_totals(register)
    message = str(failure.value)
    assert "line 13, claim 'total', field 'expected': Table 9.9 prints a total of 250, but the parts" in message
    assert "add up to 251: 'part-a' 210 (line 4), 'part-b' 41 (line 8)" in message
    register.write_text(register.read_text(encoding="utf-8").replace("expected: 41", "expected: 40"), encoding="utf-8")
    check_register_totals(register)


def test_a_raw_typo_stops_check_data_and_the_build_before_any_notebook_runs(tmp_path):
    import shutil

    from nptsc_eval.paths import PIPELINE_FILE, RAW_DIR

    root = tmp_path / "project"
    shutil.copytree(RAW_DIR, root / "data" / "raw")
    shutil.copy(PIPELINE_FILE, root / "pipeline.yml")
    _replace_line(root / "data" / "raw" / "table_2_1_programme_outputs.csv",
                  "ivar_area_support,participants,102,", "ivar_area_support,participants,103,")
    env = dict(os.environ, NPTSC_EVAL_ROOT=str(root))
    for command in (["check-data"], ["build"]):
        result = subprocess.run([sys.executable, "-m", "nptsc_eval.cli", *command], env=env, capture_output=True,
                                text=True, cwd=root)
        assert result.returncode == 1, command
        assert "Traceback" not in result.stderr
        assert "table_2_1_programme_outputs.csv" in result.stderr
        assert "row 8, column 'value': IVAR's participants is 103 but the source publishes 102" in result.stderr
    assert not (root / "data" / "processed").exists()
    assert not (root / "book" / "executed").exists()
