"""The quotation bank's theme filter, in a real browser."""

from __future__ import annotations

import pytest

from nptsc_eval.cases import quotations

from book_audit import PageAudit, open_page

pytestmark = pytest.mark.browser

CHAPTER = "book/executed/04-case-studies.html"


def _tagged(theme_id: str) -> int:
    """How many quotations (each counted once, whatever its printings) carry the theme."""
    return int(quotations.quotation_printings(quotations.load_quotations())["themes"].map(lambda ts: theme_id in ts).sum())


def test_filter_shows_only_the_chosen_theme(browser, book_server: str):
    audit = PageAudit(CHAPTER)
    page = open_page(browser, book_server + CHAPTER, audit)
    bank = page.locator("#quotation-bank")
    all_rows = bank.locator("tbody tr").count()
    assert bank.get_by_role("status").inner_text() == f"Showing {all_rows} quotations."

    page.get_by_label("Show quotations about").select_option("ongoing_support")
    visible = bank.locator("tbody tr:not([hidden])")
    expected = _tagged("ongoing_support")
    assert 0 < visible.count() == expected < all_rows
    for i in range(expected):
        assert "ongoing_support" in visible.nth(i).get_attribute("data-themes").split()
    assert bank.get_by_role("status").inner_text() == f"Showing {expected} quotations."

    page.get_by_label("Show quotations about").select_option("")
    assert bank.locator("tbody tr[hidden]").count() == 0
    page.context.close()
    assert not audit.console_errors
