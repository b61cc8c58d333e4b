"""The real pipeline end to end: the built book shows the KPI table, and a second build is a no-op."""

from __future__ import annotations

import re

import pytest

from nptsc_eval import paths
from nptsc_eval.build import build

pytestmark = pytest.mark.build


def _text(html_path) -> str:
    text = re.sub(r"<[^>]+>", " ", html_path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", text)


def test_front_page_links_to_the_outputs_chapter(built_book):
    index = (built_book / "index.html").read_text()
    assert "book/index.html" in index
    front = (built_book / "book" / "index.html").read_text()
    assert 'href="executed/01-programme-outputs.html"' in front


def test_kpi_table_shows_the_computed_values(built_book):
    page = built_book / "book" / "executed" / "01-programme-outputs.html"
    text = _text(page)
    assert "Councillors and non-executive directors trained 50 by Mar 2010 28 56.0 not met" in text
    assert "Third sector leaders trained in the implications of individual budgets 40 by Mar 2010 80 200.0 exceeded" in text
    assert "Organisations receiving direct support in preparing tender bids 120–150 120 100.0 met" in text
    html = page.read_text()
    assert re.search(r'<img alt="Bar chart of output as a percentage of target for the \d+ targets', html)
    assert "<th" in html and "<caption>" in html


def test_processed_kpi_attainment_has_the_published_columns(built_book):
    import pandas as pd

    attainment = pd.read_csv(paths.PROCESSED_DIR / "kpi_attainment.csv")
    for column in ["project", "delivery_partner", "strand", "kpi", "target", "actual", "percent_of_target", "status"]:
        assert column in attainment.columns
    london = attainment[attainment["delivery_partner"] == "London Councils"].set_index("kind").loc["count"]
    assert (london["target"], london["actual"], london["status"]) == (50, 28, "not met")


def test_the_build_never_writes_to_the_raw_data(built_book, session_start):
    touched = [p for p in paths.RAW_DIR.rglob("*") if p.is_file() and p.stat().st_mtime > session_start]
    assert touched == []


def test_a_second_build_with_nothing_changed_runs_nothing(built_book):
    messages: list[str] = []
    results = build(report=messages.append)
    assert {r.action for r in results} == {"skipped"}
    assert "book: skipped, up to date" in messages
    assert any("nothing changed" in m for m in messages)
