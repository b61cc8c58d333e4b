"""One contract for every raw file: each is described by metadata or checked by a validator, or check-data fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nptsc_eval import cli, paths
from nptsc_eval.validate_raw import VALIDATED_PATTERNS, undocumented_raw_files, validate_raw_data, validators


@pytest.fixture
def raw_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project holding only a copy of data/raw/ and pipeline.yml, as the working folder."""
    root = tmp_path / "project"
    shutil.copytree(paths.RAW_DIR, root / "data" / "raw")
    shutil.copy(paths.PIPELINE_FILE, root / "pipeline.yml")
    monkeypatch.chdir(root)
    return root


def test_the_validators_are_functions_and_their_patterns_are_listed_once():
    table = validators()
    assert all(callable(check) for _, check in table)
    assert sorted({pattern for pattern, _ in table}) == sorted(VALIDATED_PATTERNS)
    assert len(VALIDATED_PATTERNS) == len(set(VALIDATED_PATTERNS))


@pytest.mark.parametrize("name", ["survey_extra.yml", "interview_notes.json", "table_9_9.xlsx"])
def test_check_data_fails_on_a_raw_file_without_metadata(raw_project, capsys, name):
    orphan = raw_project / "data" / "raw" / name
    orphan.write_text("x: 1\n", encoding="utf-8")
    assert cli.main(["check-data"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    stem = name.rsplit("/", 1)[-1].split(".")[0]
    assert f"data/raw/{name} is not valid (1 problem(s)):" in err, err
    assert f"no metadata file: expected data/raw/{name.rsplit('/', 1)[0] + '/' if '/' in name else ''}{stem}.meta.yml" in err
    # With its metadata beside it the file counts as described, and check-data passes again.
    orphan.with_name(stem + ".meta.yml").write_text("title: an extra file\n", encoding="utf-8")
    assert cli.main(["check-data"]) == 0
    assert undocumented_raw_files(raw_project / "data" / "raw") == []


def test_a_raw_file_without_metadata_stops_the_build_check_too(raw_project):
    (raw_project / "data" / "raw" / "survey_extra.yml").write_text("x: 1\n", encoding="utf-8")
    messages = [str(e) for e in validate_raw_data(raw_project / "data" / "raw")]
    found = [m for m in messages if "survey_extra.yml" in m]
    assert len(found) == 1
    assert found[0].split("data/raw/", 1)[1] == (
        "survey_extra.yml is not valid (1 problem(s)):\n  - no metadata file: expected "
        "data/raw/survey_extra.meta.yml beside it (its source and a data dictionary), or a validator for this "
        "kind of file in nptsc_eval.validate_raw")


def test_the_real_raw_data_has_no_undescribed_file(raw_project):
    assert cli.main(["check-data"]) == 0


def test_metadata_problems_name_the_key_or_entry_and_field_like_every_other_file(raw_copy):
    from nptsc_eval.tables import validate_all

    meta = raw_copy / "projects.meta.yml"
    text = meta.read_text(encoding="utf-8")
    assert text.startswith("title:") and "- {name: project_id, type: string," in text
    broken = text.replace("- {name: project_id, type: string,", "- {name: project_id, type: text, colour: red,", 1)
    meta.write_text(broken.replace("title:", "heading:", 1), encoding="utf-8")
    messages = [e.problems for e in validate_all(raw_copy) if "projects.meta.yml" in str(e)]
    assert messages == [["key 'title': is missing"]]
    meta.write_text(broken, encoding="utf-8")
    messages = [e.problems for e in validate_all(raw_copy) if "projects.meta.yml" in str(e)]
    assert messages == [["entry 1 ('project_id'), field 'type': input should be 'string', 'integer', 'number' or "
                         "'boolean' (found 'text')",
                         "entry 1 ('project_id'), field 'colour': is not a field this file has"]]
