"""The quotation bank's theme filter, in a real browser."""

from __future__ import annotations

import pytest

from nptsc_eval import cases

from book_audit import PageAudit, open_page

pytestmark = pytest.mark.browser

CHAPTER = "book/executed/04-case-studies.html"


def _tagged(theme_id: str) -> int:
    return int(cases.load_quotations()["themes"].str.split().apply(lambda codes: theme_id in codes).sum())


def test_filter_shows_only_the_chosen_theme(browser, book_server: str):
    audit = PageAudit(CHAPTER)
    page = open_page(browser, book_server + CHAPTER, audit)
    bank = page.locator("#quotation-bank")
    all_rows = bank.locator("tbody tr td q").count()
    assert bank.get_by_role("status").inner_text() == f"Showing {all_rows} quotation entries."

    page.get_by_label("Show quotations about").select_option("ongoing_support")
    visible = bank.locator("tbody:not([hidden])")
    assert visible.count() == 1
    assert visible.get_attribute("data-theme") == "ongoing_support"
    expected = _tagged("ongoing_support")
    assert visible.locator("td q").count() == expected
    assert bank.get_by_role("status").inner_text() == f"Showing {expected} quotation entries."

    page.get_by_label("Show quotations about").select_option("")
    assert bank.locator("tbody[hidden]").count() == 0
    page.context.close()
    assert not audit.console_errors
