"""Every colour is named once, in ``charts/colours.py``, and chart code uses the names."""

from __future__ import annotations

import re
from pathlib import Path

import nptsc_eval
from nptsc_eval.charts import colours
from nptsc_eval.charts.style import contrast_ratio

PACKAGE = Path(nptsc_eval.__file__).parent
HEX = re.compile(r"#[0-9A-Fa-f]{6}\b")


def _code_lines(path: Path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip().startswith(">>>"):  # doctest examples may show a colour
            yield number, line


def test_no_hex_colour_outside_the_colour_module():
    found = [f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
             for path in sorted(PACKAGE.rglob("*.py")) if path != Path(colours.__file__)
             for number, line in _code_lines(path) if HEX.search(line)]
    assert found == []


def test_each_hex_value_is_written_once():
    values = [match.upper() for _, line in _code_lines(Path(colours.__file__)) for match in HEX.findall(line)]
    assert len(values) > 10
    assert sorted(v for v in set(values) if values.count(v) > 1) == []


def test_no_colour_is_picked_by_list_position():
    pattern = re.compile(r"PALETTE\[")
    found = [f"{path.relative_to(PACKAGE)}:{number}" for path in sorted(PACKAGE.rglob("*.py"))
             for number, line in _code_lines(path) if pattern.search(line)]
    assert found == []


def test_colour_maps_cover_their_categories():
    from nptsc_eval import claims

    assert list(colours.CLAIM_STATUS) == claims.STATUSES
    assert set(colours.KPI_STATUS) >= {"exceeded", "met", "partly met", "not met"}
    assert sorted(colours.DIVERGING) == [-2, -1, 0, 1, 2]


def test_filled_colours_stand_out_from_white():
    """Non-text contrast (WCAG 2.2, 3:1) for every colour that fills a bar or marks a value."""
    filled = [*colours.PALETTE, colours.LIGHT_PURPLE, colours.MID_GREY, colours.BOUNDS_RANGE, colours.BOUNDS_VALUE,
              colours.TEXT]
    weak = {c: round(contrast_ratio(c, colours.WHITE), 2) for c in filled if contrast_ratio(c, colours.WHITE) < 3}
    assert weak == {}
