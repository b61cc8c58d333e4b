"""The survey chapter in the built book, from the default (synthetic) data."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from nptsc_eval import paths
from nptsc_eval.build import glued_text

FIXTURES = paths.PROJECT_ROOT / "tests" / "fixtures" / "survey"


@pytest.mark.build
def test_processed_composition_holds_the_published_counts(built_book):
    comp = pd.read_csv(paths.PROCESSED_DIR / "survey_composition.csv").set_index(["dimension", "category"])["count"]
    assert comp[("total", "All responses")] == 250
    assert comp[("sector", "Public sector")] == 217 and comp[("sector", "Third sector")] == 33
    partners = ["CIPFA", "SROI-UK", "CIPFA & SROI-UK", "IVAR", "bassac", "ACEVO", "NAVCA"]
    assert [comp[("delivery_partner", p)] for p in partners] == [209, 13, 7, 8, 6, 5, 2]


@pytest.mark.build
def test_processed_findings_all_hold_on_the_synthetic_data(built_book):
    findings = pd.read_csv(paths.PROCESSED_DIR / "survey_findings.csv")
    assert set(findings["data_kind"]) == {"synthetic"}
    assert findings["satisfied"].all()
    facts = pd.read_csv(paths.PROCESSED_DIR / "facts_survey.csv", dtype=str).set_index("fact_id")["value"]
    assert facts["survey.responses.total"] == "250"
    assert facts["survey.partner.cipfa"] == "209"
    assert facts["survey.finding.awareness_negative_after.satisfied"] == "true"


@pytest.mark.build
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


def _glued(nb: dict, key: str) -> str:
    text = glued_text(nb, key)
    if text is None:
        raise KeyError(key)
    return text


@pytest.mark.build
def test_survey_notebook_runs_on_a_real_export_layout(hostile_build):
    """The notebook end to end on an export: its notice names the export and nothing identifying is shown.

    The export is the SurveyMonkey layout with its identifying columns (IP and email addresses,
    names), run by the whole build of a project copy that the hostile-export tests share
    (``hostile_build``).  The values each export layout gives are checked without the
    notebook, in tests/unit/test_survey_chapter.py.
    """
    from shared_builds import HOSTILE_NAME

    root = hostile_build["root"]
    identifying = hostile_build["export"].read_text(encoding="utf-8")
    assert "@example.org" in identifying and "192.0.2." in identifying and "Lastname" in identifying
    nb = json.loads((root / "book" / "executed" / "02-survey.ipynb").read_text(encoding="utf-8"))
    assert _glued(nb, "survey_total") == "180" and _glued(nb, "survey_kind") == "a survey export"
    shown = json.dumps([c.get("outputs", []) for c in nb["cells"]])
    notices = "".join("".join(o.get("data", {}).get("text/markdown", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert f"survey export `` {HOSTILE_NAME} ``" in notices
    assert "Synthetic data." not in shown
    # Identifying columns of the export reach neither the chapter nor data/processed/.
    processed = root / "data" / "processed"
    written = shown + "".join(p.read_text(encoding="utf-8") for p in processed.glob("*.csv"))
    assert "@example.org" not in written and "192.0.2." not in written and "Lastname" not in written


#: Survey tables whose percentages are not survey quantities with a published range: Table 1.1 prints the
#: published figures themselves; the findings table gives each check its own bounds.
NO_RANGE_TABLES = {"survey-table-1-1", "survey-findings"}


@pytest.mark.build
def test_every_percentage_in_the_survey_tables_has_its_published_range(built_book):
    from bs4 import BeautifulSoup

    nb = json.loads((paths.BOOK_DIR / "executed" / "02-survey.ipynb").read_text(encoding="utf-8"))
    tables = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []) or []:
            html = out.get("data", {}).get("text/html")
            html = "".join(html) if isinstance(html, list) else html
            match = re.search(r'id="T_([\w-]+)"', html or "")
            if match:
                tables[match.group(1)] = html

    checked = 0
    for name, html in tables.items():
        if name in NO_RANGE_TABLES:
            continue
        rows = [[cell.get_text().strip() for cell in tr.find_all(["td", "th"])]
                for tr in BeautifulSoup(html, "html.parser").find_all("tr")]
        header, *body = [r for r in rows if r]
        for row in body:
            cells = dict(zip(header, row))
            ranged = any("allowed" in v for k, v in cells.items() if "range" in k.lower())
            if name == "survey-sectors" and cells.get("Within") == "Third sector":
                continue  # every third sector respondent is a third sector organisation: 100% by definition
            for column, value in cells.items():
                if re.search(r"\d%", value) and "range" not in column.lower():
                    checked += 1
                    assert "allowed" in value or ranged, f"{name}: {column} = {value!r} has no range"
    assert checked > 100
    # The two tables that had none: each pair count and each partner's sector split has its range.
    paired = tables["survey-paired-tests"]
    assert paired.count("; allowed") == 3 * 5
    assert len(re.findall(r">allowed (?:only )?\d", tables["survey-partner-sector"])) == 2 * 7
    # The headline shares: each has its range; a share pooled over several questions says its range is outer limits.
    intervals = tables["survey-intervals"]
    assert len(re.findall(r">allowed (?:only )?\d", intervals)) == 6
    assert intervals.count("(outer limits)") == 2
