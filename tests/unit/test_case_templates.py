"""The case pages and the quotation bank come from Jinja2 templates: hostile words stay words."""

from __future__ import annotations

import jinja2
import pandas as pd
import pytest
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from nptsc_eval import paths, templating
from nptsc_eval.cases import pages, quotations, records

HOSTILE = "<script>alert(1)</script> {glue}`x::y` | pipes | [link](x) **bold** `code` \\ _under_"


@pytest.fixture(scope="module")
def themes() -> pd.DataFrame:
    return records.coding_frame()


@pytest.fixture(scope="module")
def hostile_case(themes):
    """A real record whose every free-text field holds markup, and a quotation of it that does too."""
    case = records.load_cases()[0]
    hostile = case.model_copy(update={
        "name": f"Name {HOSTILE}", "summary": HOSTILE, "delivery_partner": HOSTILE, "place": HOSTILE,
        "support_received": [HOSTILE], "outcomes": [HOSTILE], "barriers": [HOSTILE], "lessons": [HOSTILE],
    })
    quotes = pd.DataFrame([{"quote_id": f"{case.case_id}.hostile", "case_id": case.case_id, "text": HOSTILE + ' "quoted"',
                            "speaker": "<img src=x onerror=alert(1)>", "source_location": "Figure <b>9</b>",
                            "themes": themes["theme_id"].iloc[0], "same_as": None, "difference": None,
                            "difference_note": None}])
    return hostile, quotes


def _tokens(markdown: str) -> list:
    parser = create_md_parser(MdParserConfig(), RendererHTML)
    flat = []
    for token in parser.parse(markdown):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def test_a_hostile_case_page_renders_inert(hostile_case, themes):
    case, quotes = hostile_case
    page = pages.case_page(case, quotes, themes, "../04-case-studies.ipynb")
    tokens = _tokens(page)
    kinds = {t.type for t in tokens}
    assert "link_open" not in kinds and "html_inline" not in kinds and "html_block" not in kinds
    assert "strong_open" in kinds  # the page's own bold theme names are markup ...
    assert any("**bold**" in t.content for t in tokens if t.type == "text")
    # ... but no value from the record is: every special character is escaped.
    assert "\\<script\\>alert(1)\\</script\\>" in page
    assert "\\{glue\\}\\`x::y\\` \\| pipes \\| \\[link\\](x) \\*\\*bold\\*\\*" in page
    roles = [t for t in tokens if t.type == "myst_role"]
    assert {r.meta["name"] for r in roles} <= {"glue", "doc"}
    assert all("x::y" not in r.content for r in roles)
    # The quotation is raw HTML, escaped as HTML: the script is text, the image never loads.
    raw = [t.content for t in tokens if t.type == "fence" and t.info.startswith("{raw}")]
    assert len(raw) == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw[0] and "<script" not in raw[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in raw[0] and "Figure &lt;b&gt;9&lt;/b&gt;" in raw[0]
    assert "&quot;quoted&quot;" in raw[0]


def test_a_hostile_quotation_in_the_bank_renders_inert(hostile_case, themes):
    case, quotes = hostile_case
    bank = quotations.quotation_bank_html(quotes.assign(text=HOSTILE + '"><svg onload=alert(1)>\nsecond line'),
                                          themes, [case])
    assert "<script>alert(1)</script>" not in bank and "<svg" not in bank and "<img" not in bank
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bank
    assert "&quot;&gt;&lt;svg onload=alert(1)&gt;" in bank
    # The one script is the filter's own; the template's lines are joined, the words' line break is kept.
    assert bank.count("<script>") == 1 and "\nsecond line" in bank
    assert bank.count("\n") == 1


def test_a_value_the_template_needs_but_was_not_given_is_an_error():
    with pytest.raises(jinja2.UndefinedError, match="total"):
        templating.render("cases/quotation_bank.html.j2", element_id="bank", options=[], rows=[])


def test_the_escaping_filters_match_what_the_pages_always_did():
    assert templating.myst_escape("a_b *c* {d} [e] <f> |g| `h` \\") == "a\\_b \\*c\\* \\{d\\} \\[e\\] \\<f\\> \\|g\\| \\`h\\` \\\\"
    assert templating.html_escape("<a href=\"x\">'") == "&lt;a href=&quot;x&quot;&gt;&#x27;"


def test_editing_a_template_changes_the_cache_key_of_the_chapters_that_render_pages(tmp_path):
    """A template is not a module: its text counts as part of the templating module's source."""
    import shutil

    from nptsc_eval.build.imports import PackageSources

    package = tmp_path / "nptsc_eval"
    shutil.copytree(paths.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    cases, outputs = paths.NOTEBOOKS_DIR / "04-case-studies.ipynb", paths.NOTEBOOKS_DIR / "01-programme-outputs.ipynb"
    before = PackageSources(package)
    assert "nptsc_eval.templating" in before.modules_used(cases)
    assert "nptsc_eval.templating" not in before.modules_used(outputs)
    page = package / "templates" / "cases" / "case_page.md.j2"
    page.write_text(page.read_text(encoding="utf-8").replace("## Lessons", "## What was learnt"), encoding="utf-8")
    after = PackageSources(package)
    assert after.notebook_hash(cases) != before.notebook_hash(cases)
    assert after.notebook_hash(outputs) == before.notebook_hash(outputs)
