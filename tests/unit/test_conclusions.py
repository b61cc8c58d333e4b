"""The conclusions claim no more than the book's own evidence, and say what that evidence is."""

from __future__ import annotations

import re

import nbformat
import pytest

from nptsc_eval import paths
from nptsc_eval.tables import load_table

BOOK = paths.PROJECT_ROOT / "book"
CONCLUSIONS = (BOOK / "conclusions.md").read_text(encoding="utf-8")
KINDS = ("published monitoring data", "partner interviews", "case studies", "survey as the report printed it")


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_every_conclusion_states_its_evidence_and_its_kind():
    sections = _sections(CONCLUSIONS)
    assert len(sections) >= 6
    for heading, body in sections.items():
        first = re.sub(r"\s+", " ", body.strip().split("\n\n")[0])
        assert first.startswith("*Evidence:"), heading
        assert any(kind in first for kind in KINDS) or "claims audit" in first, heading


def test_no_conclusion_asserts_what_the_audit_or_the_case_coding_does_not_show():
    flat = re.sub(r"\s+", " ", CONCLUSIONS)
    assert "benefited most" not in flat
    assert "did change how some organisations work" not in flat
    # The culture-change claim is the report's, and said to be not checkable.
    assert "The report says more" in flat and "not checkable" in flat


def test_executive_summary_does_not_assert_the_unchecked_culture_change():
    summary = re.sub(r"\s+", " ", (BOOK / "executive-summary.md").read_text(encoding="utf-8"))
    assert "also changed how those organisations work." not in summary.replace("The report says that the projects", "")
    assert "cannot check it" in summary


def _markdown_sources():
    for page in sorted(BOOK.rglob("*.md")):
        if "executed" not in page.parts:
            yield page.name, page.read_text(encoding="utf-8")
    for notebook in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        cells = nbformat.read(notebook, as_version=4).cells
        yield notebook.name, "\n".join(c.source for c in cells if c.cell_type == "markdown")


@pytest.mark.parametrize(("name", "text"), list(_markdown_sources()))
def test_participant_places_are_never_called_people(name, text):
    assert not re.search(r"participants_total`\s+people", text), name
    assert not re.search(r"kpi_cipfa_finance_2010_actual`\s+people", text), name


def test_the_logic_models_targets_are_counted_as_printed():
    targets = load_table("kpi_targets")
    from_text = targets["source"].str.contains("text")
    # Figures 3.1, 4.1 and 5.1 print 31 targets; chapter 5's text adds bassac's 35 organisations.
    assert (~from_text).sum() == 31
    assert targets.loc[from_text, "kpi_id"].tolist() == ["bassac_organisations"]
    summary = (BOOK / "executive-summary.md").read_text(encoding="utf-8")
    assert "The logic models set {glue}`executed/01-programme-outputs.ipynb::kpi_rows`" not in summary
    assert "kpi_targets_in_figures" in summary and "kpi_targets_from_text" in summary
