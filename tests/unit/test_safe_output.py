"""Values from outside published safely: escaped in HTML and Markdown, harmless in spreadsheets,
no absolute path, personal data redacted, and pages of bounded size whatever the export's size."""

from __future__ import annotations

import argparse
import json
import shutil

import pandas as pd
import pytest

from nptsc_eval import paths, report
from nptsc_eval.build.provenance import provenance_page, public_parameters
from nptsc_eval.redact import redact
from nptsc_eval.safe_text import markdown_code, spreadsheet_safe, spreadsheet_value

FIXTURES = paths.PROJECT_ROOT / "tests" / "fixtures" / "survey"
HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> <svg onload=alert(1)>"


@pytest.fixture
def shown(monkeypatch, tmp_path):
    """What report.show_table / show_notice display: a list of (kind, text).

    Tables are numbered in a chapter of the book, with their downloads in a private folder.
    """
    import IPython.display

    monkeypatch.setattr(report.numbering, "downloads_dir", lambda: tmp_path)
    report.set_chapter("02-survey")

    out: list[tuple[str, str]] = []

    def display(obj, *args, **kwargs):
        if hasattr(obj, "_repr_html_") and obj._repr_html_() is not None:
            out.append(("html", obj._repr_html_()))
        elif hasattr(obj, "_repr_markdown_"):
            out.append(("markdown", obj._repr_markdown_()))

    monkeypatch.setattr(IPython.display, "display", display)
    return out


def test_show_table_escapes_cells_headers_caption_and_notes(shown):
    frame = pd.DataFrame({HOSTILE: [HOSTILE, "Don't know & more"], "n": [1, 2]})
    report.show_table(frame, f"Answers from {HOSTILE}", "t", notes=HOSTILE, source=f"the survey export {HOSTILE}")
    html = shown[0][1]
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5     # cell, header, caption, source, note
    assert "Don't know & more" in html      # quotes and a lone ampersand are left as they were


def test_show_table_categorical_cells_are_escaped_too(shown):
    report.show_table(pd.DataFrame({"a": pd.Categorical(["<b>x</b>"])}), "c", "t2", source="Our own test data")
    assert "&lt;b&gt;x&lt;/b&gt;" in shown[0][1] and "<b>" not in shown[0][1]


def test_show_table_escapes_cells_that_are_not_text(shown):
    """A list, a dict or any other object in a cell is shown as its text, escaped (pandas' Styler would not)."""
    frame = pd.DataFrame({"themes": [["<b>x</b>", "ok"], {"k": "<svg onload=alert(1)>"}], "n": [1, 2]})
    report.show_table(frame, "Objects in cells", "t3", source="Our own test data")
    html = shown[0][1]
    assert "<b>" not in html and "<svg" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "&lt;svg onload=alert(1)&gt;" in html


def test_show_notice_shows_outside_values_literally_even_with_backticks(shown):
    name = "a`b <img src=x onerror=alert(1)>.csv"
    report.show_notice("**Data source.** The export {source}.", kind="important", values={"source": name})
    markdown = shown[0][1]
    assert "The export `` a`b <img src=x onerror=alert(1)>.csv ``." in markdown
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").render(markdown)
    assert "<img" not in rendered and "<code>a`b &lt;img src=x onerror=alert(1)&gt;.csv</code>" in rendered


def test_markdown_code_fences_any_backticks():
    assert markdown_code("x.csv") == "`x.csv`"
    assert markdown_code("a``b") == "``` a``b ```"


def test_spreadsheet_values_cannot_run_as_formulas():
    assert spreadsheet_value("=1+1") == "'=1+1"
    assert spreadsheet_value("+44 20") == "'+44 20"
    assert spreadsheet_value("-cmd") == "'-cmd"
    assert spreadsheet_value("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_value("-2.5") == "-2.5" and spreadsheet_value(-3) == -3 and spreadsheet_value("plain") == "plain"
    frame = spreadsheet_safe(pd.DataFrame({"=x": ["=HYPERLINK(1)", None, "ok"], "n": [1, 2, 3]}))
    assert frame.columns.tolist() == ["'=x", "n"] and frame.iloc[0, 0] == "'=HYPERLINK(1)" and frame["n"].tolist() == [1, 2, 3]


def test_provenance_publishes_no_absolute_path_and_escapes_names():
    assert public_parameters({"survey_path": "/home/jo/exports/s.csv", "n": 1}) == {"survey_path": "s.csv", "n": 1}
    assert public_parameters({"survey_path": ".survey-input/s.csv"}) == {"survey_path": ".survey-input/s.csv"}
    items = pd.DataFrame([{"run_id": "02-survey", "kind": "value", "name": "survey_source", "value": "a`b<i>.csv",
                           "evidence": "descriptive"}])
    runs = pd.DataFrame([{"run_id": "02-survey", "notebook": "notebooks/02-survey.ipynb",
                          "parameters": json.dumps({"survey_path": "a`b<i>.csv"}), "input_files": 1,
                          "inputs_sha256": "0" * 64, "code_sha256": "1" * 64, "synthetic_inputs": ""}])
    page = provenance_page(items, runs)
    assert "| File | a\\`b\\<i\\>.csv |" in page
    assert 'parameters `` {"survey_path": "a`b<i>.csv"} ``' in page


def test_redaction_patterns():
    text, counts = redact("Mail jo@example.org or j.o'neil+x@sub.example.co.uk; call +44 (0)161 496 0000 or 07700900123; "
                          "we are at M1 1AE and EC1A 1BB. In 2010-2011 we spent £12,500 over 12–18 months.")
    assert counts == {"email": 2, "phone": 2, "postcode": 2}
    assert "2010-2011" in text and "£12,500" in text and "12–18 months" in text and "@" not in text


def test_build_survey_paths_are_project_relative(tmp_path, capsys):
    from nptsc_eval import survey_cli

    root = tmp_path / "project"
    root.mkdir()
    home = tmp_path / "home" / "jo"
    home.mkdir(parents=True)
    export = home / "qualtrics_real.csv"
    shutil.copy(FIXTURES / "qualtrics_real.csv", export)
    args = argparse.Namespace(survey=str(export), keep_incomplete=True, sheet=None, mapping=None, all=False)
    overrides = survey_cli.prepare_survey(args, root)
    assert overrides["survey"] == ".survey-input/qualtrics_real.csv"
    assert (root / overrides["survey"]).read_bytes() == export.read_bytes()
    assert json.loads(overrides["survey_options"]) == {"keep_incomplete": True}
    assert str(home) not in json.dumps(overrides)
    assert "140 complete responses; 7 incomplete responses kept" in capsys.readouterr().out
    # A later build with another export removes the earlier copy.
    other = home / "surveymonkey_real.csv"
    shutil.copy(FIXTURES / "surveymonkey_real.csv", other)
    args = argparse.Namespace(survey=str(other), keep_incomplete=False, sheet=None, mapping=None, all=False)
    assert survey_cli.prepare_survey(args, root)["survey"] == ".survey-input/surveymonkey_real.csv"
    assert sorted(p.name for p in (root / ".survey-input").iterdir()) == ["surveymonkey_real.csv"]
    survey_cli.clear_staging(root=root)  # what a build without --survey does
    assert list((root / ".survey-input").iterdir()) == []


def test_a_huge_table_shows_its_first_rows_and_says_where_the_rest_are(shown):
    frame = pd.DataFrame({"Answer": [f"answer number {i} " * 5 for i in range(100_000)]})
    report.show_table(frame, "Answers", "big", full_data="data/processed/survey_free_text_answers.csv",
                      source="Our own test data")
    html = shown[0][1]
    assert len(html) < 200_000
    assert ("The table shows the first 500 of 100,000 rows; the other 99,500 are not shown here but are in the file "
            "data/processed/survey_free_text_answers.csv.") in html


@pytest.mark.papermill
def test_the_survey_chapter_stays_small_for_a_2000_row_export(tmp_path, monkeypatch, notebook_in):
    """An export eight times the survey's size: the chapter shows the first 500 answers, the file has all.

    2,000 respondents give 6,000 free-text answers.  Shown in full they would add about 3 MB to
    the chapter (each row of the table is about 490 bytes), well over the size limit below, so
    the test fails if the chapter stops cutting the table short.  A bigger export proves
    nothing more and takes longer.
    """
    from nptsc_eval.build import execute_notebook
    from nptsc_eval.survey import synth

    frame = synth.synthesise(2_000, seed=1)
    for q in ("implemented", "intend", "failed"):
        frame[q] = [f"Answer {i} about partnership working and training" for i in range(len(frame))]
    export = tmp_path / "big_export.parquet"
    frame.to_parquet(export)
    # A person has cleared every answer for publication (without a clearance none would be shown).
    from nptsc_eval.survey.analysis import free_text_answers
    from nptsc_eval.survey.codebook import load_codebook
    from nptsc_eval.survey.exports import load_survey

    cleared = free_text_answers(load_survey(export).frame, load_codebook())[["answer_id"]]
    clearance = tmp_path / "big_export.clearance.csv"
    cleared.assign(decision="publish", published_text="").to_csv(clearance, index=False)
    root = tmp_path / "project"
    shutil.copytree(paths.RAW_DIR, root / "data" / "raw")
    shutil.copy(paths.PROJECT_ROOT / "_toc.yml", root / "_toc.yml")  # numbers the chapter's tables
    (root / "data" / "processed").mkdir(parents=True)
    monkeypatch.setenv("NPTSC_EVAL_PIPELINE", "1")
    out = tmp_path / "02-survey.ipynb"
    execute_notebook(notebook_in(root, "02-survey.ipynb"), out,
                     {"survey_path": str(export), "survey_options": json.dumps({"clearance": str(clearance)})})
    # The 250-response chapter is about 1.3 MB (mostly its charts).
    assert out.stat().st_size < 2_500_000
    text = out.read_text(encoding="utf-8")
    assert "The table shows the first 500 of 6,000 rows" in text
    answers = pd.read_csv(root / "data" / "processed" / "survey_free_text_answers.csv")
    assert len(answers) == 6_000
