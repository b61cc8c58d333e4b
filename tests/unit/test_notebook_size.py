"""Notebooks tell, chapter modules compute: each notebook keeps few code lines and short cells."""

import json

import pytest

from nptsc_eval import paths

# Code lines (non-blank, non-comment) before the chapter modules took over the computing.
LINES_BEFORE = {"03-strand.ipynb": 154, "07-outcomes-and-impacts.ipynb": 178, "05-claims-audit.ipynb": 107,
                "01-programme-outputs.ipynb": 73, "04-case-studies.ipynb": 117,
                "06-data-sources.ipynb": 49, "02-survey.ipynb": 331, "02b-survey-bounds.ipynb": 24}
#: Code lines across every notebook: at most half of the 755 before the chapter modules.
TOTAL_LINES = 377
LONGEST_CELL = 12


def code_lines(notebook: str) -> list[int]:
    """Non-blank, non-comment code lines of each code cell of ``notebooks/<notebook>``."""
    nb = json.loads((paths.NOTEBOOKS_DIR / notebook).read_text(encoding="utf-8"))
    return [sum(1 for line in "".join(c["source"]).splitlines() if line.strip() and not line.strip().startswith("#"))
            for c in nb["cells"] if c["cell_type"] == "code"]


def test_code_lines_count_only_code():
    counts = code_lines("03-strand.ipynb")
    assert counts[0] == 1  # the parameters cell: one comment line, one assignment


@pytest.mark.parametrize("notebook", sorted(LINES_BEFORE))
def test_notebook_keeps_at_most_half_its_code_and_short_cells(notebook):
    counts = code_lines(notebook)
    assert sum(counts) <= LINES_BEFORE[notebook] // 2, f"{notebook}: {sum(counts)} code lines"
    assert max(counts) <= LONGEST_CELL, f"{notebook}: a cell of {max(counts)} code lines"


def test_every_notebook_is_checked_and_all_together_stay_small():
    notebooks = sorted(p.name for p in paths.NOTEBOOKS_DIR.glob("*.ipynb"))
    assert set(notebooks) == set(LINES_BEFORE), "add a new notebook to LINES_BEFORE"
    total = sum(sum(code_lines(n)) for n in notebooks)
    assert total <= TOTAL_LINES, f"{total} code lines across the notebooks"
