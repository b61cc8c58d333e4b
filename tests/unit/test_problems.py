"""One error formatter and one pydantic base for raw records: file, entry, field, what is wrong."""

from __future__ import annotations

import pytest

from nptsc_eval.errors import DataValidationError
from nptsc_eval.problems import RawRecord, validate_records
from nptsc_eval.survey.column_map import read_column_map


class Target(RawRecord):
    id: str
    low: int
    high: int | None = None


def test_every_problem_of_every_record_is_listed_with_entry_key_and_field(tmp_path):
    records = [{"id": "a", "low": 1}, {"id": "b", "low": "fifty"}, {"id": "c"}, {"id": "d", "low": 2, "hgih": 3}]
    with pytest.raises(DataValidationError) as info:
        validate_records(tmp_path / "targets.yml", records, Target, key=lambda r: r.get("id"))
    assert info.value.problems == [
        "entry 2 ('b'), field 'low': input should be a valid integer, unable to parse string as an integer (found 'fifty')",
        "entry 3 ('c'), field 'low': is missing",
        "entry 4 ('d'), field 'hgih': is not a field this file has",
    ]
    assert str(info.value).startswith(f"{tmp_path / 'targets.yml'} is not valid (3 problem(s)):")


def test_valid_records_come_back_as_models(tmp_path):
    checked = validate_records(tmp_path / "t.yml", [{"id": "a", "low": 1, "high": 4}], Target)
    assert checked == [Target(id="a", low=1, high=4)]


@pytest.mark.parametrize("entries, message", [
    ("- {codebook_column: sector}", "entry 1, field 'export': is missing"),
    ("- {export: A, codebook_column: nonsense}", "entry 1 ('A'), field 'codebook_column': 'nonsense' is not a codebook column"),
    ("- {export: A, codebook: sector}", "entry 1 ('A'), field 'codebook': is not a field this file has"),
])
def test_a_column_mapping_names_entry_field_and_problem(tmp_path, entries, message):
    path = tmp_path / "map.yml"
    path.write_text(f"columns:\n{entries}\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        read_column_map(path)
    assert info.value.problems == [message]


def test_a_column_mapping_reads_numbers_as_column_names(tmp_path):
    path = tmp_path / "map.yml"
    path.write_text("columns:\n- {export: 7, codebook_column: sector}\n- {export: Q9}\n", encoding="utf-8")
    assert read_column_map(path) == {"7": "sector", "Q9": None}


@pytest.mark.parametrize("text, message", [
    ("notebooks:\n  - notebook: notebooks/a.ipynb\n    runs: [{parameters: {}}]\n",
     "pipeline.yml, notebook entry 1, run 1, field 'id': is missing"),
    ("notebooks:\n  - inputs: []\n", "pipeline.yml, notebook entry 1, field 'notebook': is missing"),
    # A misspelt key was once ignored, so the run silently had no outputs.
    ("notebooks:\n  - notebook: notebooks/a.ipynb\n    ouputs: [x]\n",
     "pipeline.yml, notebook entry 1, field 'ouputs': is not a field this file has"),
])
def test_pipeline_yml_problems_name_entry_run_and_field(tmp_path, text, message):
    from nptsc_eval.build import load_spec
    from nptsc_eval.errors import PipelineError

    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "a.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "pipeline.yml").write_text(text, encoding="utf-8")
    with pytest.raises(PipelineError) as info:
        load_spec(root=tmp_path)
    assert str(info.value) == message
