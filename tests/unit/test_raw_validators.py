"""Every rule of the survey and outcomes validators, on a broken copy of the real file.

Each test breaks one thing in a copy of a file of ``data/raw/`` and checks the exact message:
the entry (or row) with its key, the field (or column) and what is wrong, as every raw file's
check says it (:mod:`nptsc_eval.problems`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from nptsc_eval import cli, paths
from nptsc_eval.errors import DataValidationError
from nptsc_eval.outcomes import validate_file as validate_outcomes_file
from nptsc_eval.survey.bounds import validate_constraints_file
from nptsc_eval.survey.codebook import validate_codebook
from nptsc_eval.survey.export_mapping import validate_mapping
from nptsc_eval.survey.text_coding import load_coding, validate_coding_file

FIXTURES = paths.PROJECT_ROOT / "tests" / "fixtures"


def _broken_yaml(tmp_path: Path, name: str, change: Callable[[dict[str, Any]], Any]) -> Path:
    raw = yaml.safe_load((paths.RAW_DIR / name).read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _problems(validate: Callable[[Path], Any], path: Path) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        validate(path)
    assert info.value.path == path
    return info.value.problems


def _multi_without_options(raw: dict[str, Any]) -> None:
    for q in raw["questions"]:
        if q["kind"] == "multi":
            q.pop("options")


CODEBOOK_CASES = [
    (lambda r: r.pop("periods"), ["field 'periods': is missing"]),
    (lambda r: r.update(colour="blue"), ["field 'colour': is not a field this file has"]),
    # A scale's level without a score; the questions on that scale are not blamed for it.
    (lambda r: r["scales"]["agreement"][1].pop("score"), ["scale 'agreement', level 2, field 'score': is missing"]),
    (lambda r: r["scales"]["quality"].pop(), ["scale 'quality': has no \"Don't know\" level"]),
    (lambda r: r["questions"][4].pop("asked"), ["question 5 ('ps_bid_quality'), field 'asked': is missing"]),
    (lambda r: r["questions"][3].update(id="ps_stage_improved"),
     ["question 4 ('ps_stage_improved'), field 'id': repeats question 3"]),
    (lambda r: r["questions"][0].update(kind="grid"),
     ["question 1 ('ps_awareness'), field 'kind': 'grid' is not one of single, before_after, stages, multi, text"]),
    (lambda r: r["questions"][0].update(asked="everyone"),
     ["question 1 ('ps_awareness'), field 'asked': 'everyone' is not one of public, third, all"]),
    (lambda r: r["questions"][2].update(scale="stars"),
     ["question 3 ('ps_stage_improved'), field 'scale': 'stars' is not a scale of the codebook"]),
    (lambda r: r["questions"][5].pop("scale"),
     ["question 6 ('ps_practice_improved'), field 'scale': is missing (a single question needs a scale)"]),
    (_multi_without_options, ["question 13 ('support'), field 'options': is required for a multi-select question"]),
    (lambda r: r["questions"][12]["options"][0].pop("label"),
     ["question 13 ('support'), option 1 ('networking'), field 'label': is missing"]),
    (lambda r: r.update(themes=[{"id": "partnership", "pattern": "(partner"}]),
     ["theme 1 ('partnership'), field 'pattern': is not a valid pattern (missing ), unterminated subpattern at position 0)"]),
]


@pytest.mark.parametrize("change, expected", CODEBOOK_CASES)
def test_a_broken_codebook_names_entry_field_and_problem(tmp_path, change, expected):
    assert _problems(validate_codebook, _broken_yaml(tmp_path, "survey_codebook.yml", change)) == expected


def test_a_codebook_lists_every_problem_at_once(tmp_path):
    def change(raw):
        raw["questions"][2]["scale"] = "stars"
        raw["questions"][4].pop("asked")

    assert _problems(validate_codebook, _broken_yaml(tmp_path, "survey_codebook.yml", change)) == [
        "question 5 ('ps_bid_quality'), field 'asked': is missing",
        "question 3 ('ps_stage_improved'), field 'scale': 'stars' is not a scale of the codebook",
    ]


CONSTRAINT_CASES = [
    (lambda r: r.pop("findings"), ["field 'findings': is missing"]),
    (lambda r: r["findings"][0].pop("statement"), ["finding 1 ('responses_public_share'), field 'statement': is missing"]),
    (lambda r: r["findings"][1].update(id="responses_public_share"),
     ["finding 2 ('responses_public_share'), field 'id': repeats finding 1"]),
    (lambda r: [r["findings"][0].pop(k, None) for k in ("lower", "upper")],
     ["finding 1 ('responses_public_share'): needs a 'lower' or an 'upper' bound"]),
    (lambda r: r["findings"][0]["metric"].update(type="vibes"),
     ["finding 1 ('responses_public_share'), field 'metric.type': 'vibes' is not one of composition_share, share, "
      "share_change, share_range, share_difference, wilcoxon_p, improved_share, sign_test_p, top_options_margin"]),
    (lambda r: r["findings"][0]["metric"].update(kolumn="sector"),
     ["finding 1 ('responses_public_share'), field 'metric.kolumn': is not a field this file has"]),
    (lambda r: r["findings"][10]["metric"].update(columns=["no_such_column"]),
     ["finding 11 ('awareness_negative_after'), field 'metric.columns': 'no_such_column' is not a codebook column"]),
    (lambda r: r["findings"][8]["metric"].update(before="ps_awareness_earlier"),
     ["finding 9 ('awareness_top_two_rise'), field 'metric.before': 'ps_awareness_earlier' is not a codebook column"]),
    (lambda r: r["findings"][22]["metric"]["a"].update(columns=["nowhere"]),
     ["finding 23 ('third_stage_neutral_increasing'), field 'metric.a.columns': 'nowhere' is not a codebook column"]),
    (lambda r: r["findings"][7]["metric"].update(question="ps_awareness_of_everything"),
     ["finding 8 ('awareness_increase'), field 'metric.question': 'ps_awareness_of_everything' is not a question of "
      "the codebook"]),
    (lambda r: r["findings"][11].update(each="ps_stages"),
     ["finding 12 ('public_stage_positive'), field 'each': 'ps_stages' is not a question of the codebook"]),
    (lambda r: r["findings"][20].update(each=["ts_stage_capability_needs_analysis", "ts_stage_capability_nowhere"]),
     ["finding 21 ('third_stage_positive_needs_specification'), field 'each': 'ts_stage_capability_nowhere' is not a "
      "codebook column"]),
]


@pytest.mark.parametrize("change, expected", CONSTRAINT_CASES)
def test_a_broken_constraint_names_finding_field_and_problem(tmp_path, change, expected):
    path = _broken_yaml(tmp_path, "survey_constraints.yml", change)
    assert _problems(validate_constraints_file, path) == expected


MAPPING_CASES = [
    (lambda r: r.pop("identifying_columns"), ["field 'identifying_columns': is missing"]),
    (lambda r: r["layouts"]["qualtrics"].pop("respondent_id"), ["layout 'qualtrics', field 'respondent_id': is missing"]),
    (lambda r: r["layouts"]["qualtrics"]["columns"][1].update(column="nonsense"),
     ["layout 'qualtrics', column entry 2, field 'column': 'nonsense' is not a codebook column",
      "layout 'qualtrics', field 'columns': codebook column 'organisation_type' has no mapping"]),
    (lambda r: r["layouts"]["surveymonkey"]["columns"].pop(2),
     ["layout 'surveymonkey', field 'columns': codebook column 'delivery_partner' has no mapping"]),
    (lambda r: r["layouts"]["surveymonkey"]["columns"][0].update(questoin="Sector?"),
     ["layout 'surveymonkey', column entry 1, field 'questoin': is not a field this file has"]),
    (lambda r: r.update(identifying_pattern="(email"),
     ["field 'identifying_pattern': is not a valid pattern (missing ), unterminated subpattern at position 0)"]),
]


@pytest.mark.parametrize("change, expected", MAPPING_CASES)
def test_a_broken_export_mapping_names_layout_entry_field_and_problem(tmp_path, change, expected):
    assert _problems(validate_mapping, _broken_yaml(tmp_path, "survey_export_mapping.yml", change)) == expected


def _edit_csv(raw: Path, name: str, change: Callable[[pd.DataFrame], pd.DataFrame | None]) -> Path:
    path = raw / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    changed = change(frame)
    (frame if changed is None else changed).to_csv(path, index=False)
    return path


def _set(row: int, column: str, value: str) -> Callable[[pd.DataFrame], None]:
    def change(frame: pd.DataFrame) -> None:
        frame.loc[row, column] = value

    return change


CODING_CASES = [
    (_set(0, "quote_id", "implemented_99"),
     ["row 2, column 'quote_id': 'implemented_99' is not a quotation of survey_free_text_quotations.csv",
      "column 'quote_id': printed answers not coded: implemented_01"]),
    (_set(1, "answer", "Implemented full cost recovery."), ["row 3, column 'answer': differs from the quotation 'implemented_02'"]),
    (_set(0, "themes", "third_sector_involvement hope"),
     ["row 2, column 'themes': 'hope' is not a theme of survey_text_coding_frame.csv"]),
    (_set(1, "themes", "procurement procurement"), ["row 3, column 'themes': a code is given twice"]),
    (_set(1, "themes", "procurement other"), ["row 3, column 'themes': 'other' is used only when no other theme fits"]),
    (_set(1, "themes", " "), ["row 3, column 'themes': no code given"]),
    (lambda f: f[f["quote_id"] != "failed_01"], ["column 'quote_id': printed answers not coded: failed_01"]),
]


@pytest.mark.parametrize("change, expected", CODING_CASES)
def test_broken_free_text_coding_names_row_column_and_problem(raw_copy, change, expected):
    path = _edit_csv(raw_copy, "survey_free_text_coding.csv", change)
    assert _problems(validate_coding_file, path) == expected


def test_the_free_text_coding_is_read_when_valid():
    coding = load_coding()
    assert list(coding.columns) == ["quote_id", "answer", "themes", "coder_note"]
    assert coding.set_index("quote_id").at["implemented_02", "themes"] == "procurement third_sector_involvement"


def _costs(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "programme_costs_filled.csv", dtype=str, keep_default_na=False)


OUTCOME_CASES = [
    ("outcome_evidence.csv", _set(3, "item", "9"),
     ["row 5, columns 'strand', 'project_id', 'stage', 'item': no outcome box s1-cipfa_training-outcome-9 in "
      "logic_models.csv",
      "box s1-cipfa_training-outcome-2 of logic_models.csv has no row: add one (direction 'silent' if the source says "
      "nothing)"]),
    ("outcome_evidence.csv", _set(0, "coverage", "none"),
     ["row 2, column 'coverage': 'none' is only for a row whose direction is 'silent'"]),
    ("programme_costs.csv", lambda f: _costs(f).assign(cost_source=lambda c: c["cost_source"].where(c.index != 1, "")),
     ["row 3, column 'cost_source': must be filled when 'cost_gbp' is given"]),
    ("programme_costs.csv", lambda f: _costs(f).assign(project_id=lambda c: c["project_id"].where(c.index != 0, "cipfa")),
     ["row 2, column 'project_id': 'cipfa' is not a project of projects.csv"]),
    ("conclusion_evidence.csv", _set(0, "box_ids", "s9-impact-1"),
     ["row 2, column 'box_ids': 's9-impact-1' is not an outcome or impact box"]),
    ("conclusion_evidence.csv", lambda f: f[f["conclusion_id"] != "cycle"], ["conclusion 'cycle' has no row"]),
]


@pytest.mark.parametrize("name, change, expected", OUTCOME_CASES)
def test_broken_outcome_files_name_row_column_and_problem(raw_copy, name, change, expected):
    path = _edit_csv(raw_copy, name, change)
    assert _problems(validate_outcomes_file, path) == expected


def test_check_data_on_a_broken_codebook_exits_1_with_the_message(tmp_path, monkeypatch, capsys):
    import shutil

    raw = tmp_path / "data" / "raw"
    shutil.copytree(paths.RAW_DIR, raw)
    _broken_yaml(raw, "survey_codebook.yml", lambda r: r["questions"][0].update(kind="grid"))
    monkeypatch.chdir(tmp_path)  # the command line checks the project it is run in
    assert cli.main(["check-data"]) == 1
    err = capsys.readouterr().err
    assert "survey_codebook.yml is not valid (1 problem(s)):\n  - question 1 ('ps_awareness'), field 'kind': " \
           "'grid' is not one of single, before_after, stages, multi, text" in err
    assert "Traceback" not in err
