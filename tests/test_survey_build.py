"""The survey chapter in the built book, from the default (synthetic) data."""

from __future__ import annotations

import re

import pandas as pd

from nptsc_eval import paths


def test_processed_composition_holds_the_published_counts(built_book):
    comp = pd.read_csv(paths.PROCESSED_DIR / "survey_composition.csv").set_index(["dimension", "category"])["count"]
    assert comp[("total", "All responses")] == 250
    assert comp[("sector", "Public sector")] == 217 and comp[("sector", "Third sector")] == 33
    partners = ["CIPFA", "SROI-UK", "CIPFA & SROI-UK", "IVAR", "bassac", "ACEVO", "NAVCA"]
    assert [comp[("delivery_partner", p)] for p in partners] == [209, 13, 7, 8, 6, 5, 2]


def test_processed_findings_all_hold_on_the_synthetic_data(built_book):
    findings = pd.read_csv(paths.PROCESSED_DIR / "survey_findings.csv")
    assert set(findings["data_kind"]) == {"synthetic"}
    assert findings["satisfied"].all()
    facts = pd.read_csv(paths.PROCESSED_DIR / "facts_survey.csv", dtype=str).set_index("fact_id")["value"]
    assert facts["survey.responses.total"] == "250"
    assert facts["survey.partner.cipfa"] == "209"
    assert facts["survey.finding.awareness_negative_after.satisfied"] == "true"


def test_chapter_shows_the_synthetic_notice_and_accessible_charts(built_book):
    html = (built_book / "book" / "executed" / "02-survey.html").read_text(encoding="utf-8")
    assert "Synthetic data." in html and "survey_responses_synthetic.csv" in html
    images = re.findall(r"<img[^>]*>", html)
    assert len(images) == 13
    assert all(re.search(r'alt="[^"]{40,}"', img) for img in images)
    # Small-number shorthand in square brackets, never asterisks.
    assert "[c]" in html and "[u]" in html
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style).*?</\1>", " ", html, flags=re.S))
    assert not re.search(r"\d\s*\*", text)
    # Data tables beside the charts: at least one per chart.
    assert html.count('class="data-table"') >= len(images)
