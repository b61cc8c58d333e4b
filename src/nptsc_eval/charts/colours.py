"""Every colour the book draws with, defined once.

The base colours are the UK Government Analysis Function's categorical palette and the
GOV.UK greys.  Charts never pick a colour by its position in a list: each use has a named
map below (KPI status, diverging agreement scale, evidence direction, claim status...), built
from the named base colours, so a colour is changed in one place and every chart follows.

Examples:
    >>> KPI_STATUS["met"] == TURQUOISE
    True
    >>> sorted(DIVERGING)
    [-2, -1, 0, 1, 2]
"""

from __future__ import annotations

# Analysis Function categorical palette.
DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
#: Light purple from the Analysis Function's extended palette.
LIGHT_PURPLE = "#A285D1"

# GOV.UK neutrals.
TEXT = "#0B0C0C"
WHITE = "#FFFFFF"
DARK_GREY = "#505A5F"
MID_GREY = "#707070"
LIGHT_GREY = "#B1B4B6"
PALE_GREY = "#D9D9D9"
LIGHTEST_GREY = "#F3F2F1"
# GOV.UK blue and red, used for a range and the value inside it.
BLUE = "#1D70B8"
RED = "#D4351C"

#: The categorical palette in its recommended order, for series that have no meaning of their own.
PALETTE = (DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE)

#: KPI status, best first; "not comparable" and "not measurable" are grey (and hatched in charts).
KPI_STATUS = {
    "exceeded": DARK_BLUE,
    "met": TURQUOISE,
    "partly met": DARK_PINK,
    "not met": ORANGE,
    "not comparable": MID_GREY,
    "not measurable": MID_GREY,
}

#: Five-point agreement scale, from most negative (-2) to most positive (2); neutral is white.
DIVERGING = {-2: DARK_PINK, -1: ORANGE, 0: WHITE, 1: TURQUOISE, 2: DARK_BLUE}
#: "Don't know" answers, drawn apart from the scale.
DONT_KNOW = MID_GREY
#: Survey groups.
SECTOR = {"Public sector": DARK_BLUE, "Third sector": TURQUOISE, "All respondents": DARK_PINK}

#: Direction of the evidence for an outcome.
EVIDENCE_DIRECTION = {"supports": DARK_BLUE, "mixed": TURQUOISE, "against": ORANGE, "silent": PALE_GREY,
                      "none": WHITE}

#: Claims audit verdicts.
CLAIM_STATUS = {"reproduced": DARK_BLUE, "wording_differs": LIGHT_PURPLE, "differs": TURQUOISE,
                "inconsistent_in_source": DARK_PINK, "not_checkable": ORANGE}
#: Single-series bar charts.
BAR = DARK_BLUE
#: The synthetic-data label above a chart.
SYNTHETIC_LABEL = DARK_PINK

#: Case-study matrix: a theme coded in a case, and not coded.
CASE_CODED = DARK_BLUE
CASE_EMPTY = LIGHTEST_GREY

#: Range the published figures allow, and this data's value inside it.
RANGE = TEXT
BOUNDS_RANGE = BLUE
BOUNDS_VALUE = RED

#: Outline of white bars and axes edges.
OUTLINE = DARK_GREY
#: Watermark for charts drawn from synthetic data.
WATERMARK = LIGHT_GREY
