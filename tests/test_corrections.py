"""The page "What this edition corrects": made from the claims audit and the metadata's repairs."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nptsc_eval import paths

_spec = importlib.util.spec_from_file_location("nptsc_corrections", paths.BOOK_DIR / "_ext" / "nptsc_corrections.py")
nptsc_corrections = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nptsc_corrections)


def test_repairs_come_from_the_metadata_notes_that_say_so(tmp_path):
    (tmp_path / "a.meta.yml").write_text('notes:\n  - "Repaired: two rows were merged."\n  - "Just a note."\n')
    (tmp_path / "b.meta.yml").write_text("title: no notes\n")
    assert nptsc_corrections.repairs(tmp_path) == [("a.csv", "two rows were merged.")]


def test_the_merged_row_of_table_2_1_is_a_recorded_repair():
    files = [name for name, text in nptsc_corrections.repairs() if "merges two projects" in text]
    assert files == ["table_2_1_programme_outputs.csv"]


def test_contradictions_are_the_audits_inconsistent_verdicts(tmp_path):
    audit = pd.DataFrame({"claim_id": ["a", "b", "c"], "status": ["reproduced", "inconsistent_in_source", "differs"],
                          "statement": ["x", "y", "z"]})
    audit.to_csv(tmp_path / "audit.csv", index=False)
    assert nptsc_corrections.contradictions(tmp_path / "audit.csv")["claim_id"].tolist() == ["b"]


@pytest.mark.build
def test_the_page_lists_every_contradiction_and_repair_with_links(built_book):
    audit = pd.read_csv(paths.PROJECT_ROOT / "data" / "processed" / "claims_audit.csv", dtype=str)
    expected = audit.loc[audit["status"] == "inconsistent_in_source", "claim_id"].tolist()
    assert len(expected) >= 10
    soup = BeautifulSoup((built_book / "book" / "corrections.html").read_text(encoding="utf-8"), "html.parser")
    items = soup.select("ul.nptsc-contradictions > li")
    assert [li["id"].removeprefix("correction-") for li in items] == expected
    for li in items:
        link = li.find("a", string=lambda s: s and s.startswith("Claims audit entry"))
        assert link["href"] == "executed/05-claims-audit.html#where-the-report-contradicts-itself"
        assert (built_book / "book" / "executed" / "05-claims-audit.html").exists()
    repairs = soup.select("ul.nptsc-repairs > li")
    assert len(repairs) == len(nptsc_corrections.repairs()) >= 4
    assert any("table_2_1_programme_outputs.csv" in li.get_text() for li in repairs)
    # Near the front: straight after the executive summary in the table of contents.
    front = (built_book / "book" / "executive-summary.html").read_text(encoding="utf-8")
    assert 'href="corrections.html"' in front
