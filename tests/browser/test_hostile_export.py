"""A hostile survey export: HTML and script in its free text and in its file name, and personal data.

The whole book is built (once for the test run, by the ``hostile_build`` fixture of
``tests/conftest.py``), in a copy of the project, from an export kept outside it (as a
user's would be, in their home folder).  Then

* in chromium, no dialog fires on the chapters that show the export, and the hostile text
  appears literally;
* no file in ``_build/`` or ``data/processed/`` holds the export's folder, or an email address,
  phone number or postcode typed into its free text;
* values written to CSV files cannot run as spreadsheet formulas.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from shared_builds import ANONYMISED, FORMULA, HOSTILE_NAME, HOSTILE_TEXT, NAMES, PERSONAL

pytestmark = [pytest.mark.build, pytest.mark.browser]


def test_build_says_what_it_left_out_and_redacted(hostile_build):
    out = hostile_build["stdout"]
    assert "180 complete responses; 12 incomplete responses left out" in out
    assert "1 email address" in out and "2 phone numbers" in out and "1 postcode" in out
    # The clearance file beside the export is found and named; it clears five of the 35 answers.
    clearance = HOSTILE_NAME.removesuffix(".csv") + ".clearance.csv"
    assert f"clearance file {clearance} (found beside the export): 5 of 35 cleared for publication, 30 withheld" in out


def test_only_cleared_answers_are_published_and_an_anonymised_one_in_its_new_words(hostile_build):
    root = hostile_build["root"]
    # Names, a job title, a place and an organisation typed into two answers: redaction leaves them in the
    # export's answers, and the clearance withholds one answer and publishes the other in other words.
    names_in_export = hostile_build["export"].read_text(encoding="utf-8")
    assert all(name in names_in_export for name in NAMES)
    found = [(p.relative_to(root).as_posix(), n) for p in _published_files(root) for n in NAMES
             if n.encode() in p.read_bytes()]
    assert found == []
    answers = pd.read_csv(root / "data" / "processed" / "survey_free_text_answers.csv", dtype=str)
    assert len(answers) == 5 and (answers["Answer (verbatim)"] == ANONYMISED).sum() == 1
    # An answer nobody cleared is not published: one of the source's own quotations in the export.
    assert not answers["Answer (verbatim)"].str.contains("e-procurement", regex=False).any()
    page = (root / "_build" / "html" / "book" / "executed" / "02-survey.html").read_text(encoding="utf-8")
    assert ANONYMISED in page and "e-procurement" not in page
    assert "Of the 35 answers, 30 are withheld until a person has checked them for names" in page
    assert "answers cleared for publication (source: the survey export" in page


def _published_files(root: Path) -> list[Path]:
    return [p for folder in (root / "_build", root / "data" / "processed") for p in folder.rglob("*") if p.is_file()]


def test_no_absolute_path_and_no_personal_data_is_published(hostile_build):
    root, home = hostile_build["root"], hostile_build["home"]
    files = _published_files(root)
    assert len(files) > 100
    needles = [str(home).encode(), str(home.parent).encode(), b"jo.bloggs"] + [p.encode() for p in PERSONAL]
    found = [(p.relative_to(root).as_posix(), n.decode()) for p in files for n in needles if n in p.read_bytes()]
    assert found == []
    # The name and the checksum are published, in the provenance page and record.
    from nptsc_eval.survey.exports import file_sha256

    page = (root / "_build" / "html" / "book" / "executed" / "provenance.html").read_text(encoding="utf-8")
    assert file_sha256(hostile_build["export"]) in page
    record = pd.read_csv(root / "data" / "processed" / "provenance.csv", dtype=str, keep_default_na=False)
    assert (record["value"] == HOSTILE_NAME).any()


def test_csv_outputs_do_not_run_as_formulas(hostile_build):
    answers = pd.read_csv(hostile_build["root"] / "data" / "processed" / "survey_free_text_answers.csv", dtype=str)
    assert (answers["Answer (verbatim)"] == "'" + FORMULA + " We will do more.").sum() == 1
    for path in (hostile_build["root"] / "data" / "processed").glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in frame.columns:
            bad = frame[column][frame[column].str.match(r"[=+@]") & ~frame[column].str.fullmatch(r"[+-]?[\d.eE+-]+")]
            assert bad.empty, (path.name, column, bad.head().tolist())


@pytest.mark.parametrize("page", ["02-survey", "06-data-sources", "provenance"])
def test_no_dialog_fires_and_the_hostile_text_shows_literally(hostile_build, browser, page):
    html = hostile_build["root"] / "_build" / "html" / "book" / "executed" / f"{page}.html"
    context = browser.new_context()
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.goto(html.as_uri(), wait_until="load")
    tab.wait_for_timeout(300)
    text = tab.inner_text("body")
    injected = tab.evaluate("""() => [document.querySelectorAll('img[src="x"]').length,
                                     document.querySelectorAll('svg[onload]').length,
                                     [...document.scripts].filter(s => s.textContent.includes('alert(1)')).length]""")
    context.close()
    assert dialogs == []
    assert injected == [0, 0, 0]
    assert HOSTILE_NAME in text
    if page == "02-survey":
        for hostile in HOSTILE_TEXT:
            assert f"{hostile} We will do more." in text
