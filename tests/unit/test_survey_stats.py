"""Survey statistics: Wilson intervals, paired and group tests, disclosure control."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nptsc_eval.survey import stats


def test_wilson_interval_30_of_33():
    low, high = stats.wilson_interval(30, 33)
    assert round(low, 3) == 0.764
    assert round(high, 3) == 0.969


def test_wilson_interval_is_asymmetric_near_one_and_empty_base_is_nan():
    low, high = stats.wilson_interval(33, 33)
    assert high == pytest.approx(1.0)
    assert low == pytest.approx(0.8957, abs=1e-4)
    assert all(np.isnan(stats.wilson_interval(0, 0)))


def test_reliability_flag_marks_bases_under_30():
    assert stats.reliability_flag(29) == "[u]"
    assert stats.reliability_flag(30) == ""


def test_paired_tests_all_higher():
    before = np.array([0, 0, 1, -1, 0, np.nan])
    after = np.array([1, 2, 2, 0, 1, 2])
    r = stats.paired_tests(before, after)
    assert (r.n_pairs, r.n_higher, r.n_lower, r.n_same) == (5, 5, 0, 0)
    # Exact two-sided sign test: 2 × 0.5^5.
    assert r.sign_test_p == pytest.approx(0.0625)
    assert r.wilcoxon_p == pytest.approx(0.0625)
    # Five of five moved up, but p = 0.0625 is not significant: no direction in words.
    assert r.direction == "no clear difference between before and after"


def test_a_significant_change_gets_its_direction():
    before = np.zeros(12)
    after = np.ones(12)
    r = stats.paired_tests(before, after)
    assert r.wilcoxon_p < 0.05
    assert r.direction == "more rated the situation higher after the programme than lower"
    r = stats.paired_tests(after, before)
    assert r.direction == "more rated the situation lower after the programme than higher"


def test_a_difference_that_is_not_significant_has_no_direction():
    # 39 rated it higher and 38 lower (the synthetic quality-of-bids question): p close to 1.
    before = np.array([0.0] * 39 + [1.0] * 38 + [0.0] * 10)
    after = np.array([1.0] * 39 + [0.0] * 38 + [0.0] * 10)
    r = stats.paired_tests(before, after)
    assert r.wilcoxon_p > 0.9
    assert r.direction == "no clear difference between before and after"
    assert "higher" not in r.direction and "lower" not in r.direction
    assert stats.change_words(39, 38, float("nan")) == "no clear difference between before and after"


def test_stuart_maxwell_on_two_levels_is_mcnemar():
    # 10 people moved from 0 to 1 and 2 from 1 to 0; 5 and 7 stayed.
    before = np.array([0] * 10 + [1] * 2 + [0] * 5 + [1] * 7, dtype=float)
    after = np.array([1] * 10 + [0] * 2 + [0] * 5 + [1] * 7, dtype=float)
    r = stats.paired_tests(before, after)
    assert r.stuart_maxwell_statistic == pytest.approx((10 - 2) ** 2 / (10 + 2))
    assert r.stuart_maxwell_df == 1


def test_paired_tests_with_no_change():
    r = stats.paired_tests(np.array([1.0, 0.0, 2.0]), np.array([1.0, 0.0, 2.0]))
    assert r.n_same == 3 and r.wilcoxon_p == 1.0
    assert r.direction == "no clear difference between before and after"


def test_group_tests_direction_and_probability():
    r = stats.group_tests(np.array([2, 2, 1, 1, np.nan]), np.array([-1, 0, -2]))
    assert (r.n_public, r.n_third) == (4, 3)
    assert r.probability_public_higher == 1.0
    assert r.mann_whitney_p < 0.05
    assert r.direction == "public sector respondents tended to answer more positively"
    # Public answers tend higher here too, but two answers a side cannot show it: no direction.
    small = stats.group_tests(np.array([2.0, 1.0]), np.array([1.0, 0.0]))
    assert small.probability_public_higher > 0.5 and small.mann_whitney_p >= 0.05
    assert small.direction == "no clear difference between the sectors"


def test_primary_and_secondary_suppression():
    counts = pd.DataFrame({"Public": [203, 7, 7, 0], "Third": [6, 6, 0, 21]}, index=list("abcd"))
    mask = stats.suppression_mask(counts)
    # Primary: every cell from 1 to 9.
    assert mask.loc["b", "Public"] and mask.loc["c", "Public"] and mask.loc["a", "Third"] and mask.loc["b", "Third"]
    # Secondary: row a's only small cell is joined by its largest neighbour, the only other cell.
    assert mask.loc["a", "Public"]
    # Row c's single [c] sits beside a zero: shown, that zero and the row total (7) would give
    # the [c] away, so the zero is hidden too.
    assert mask.loc["c", "Third"]
    assert not (mask.sum(axis=0) == 1).any() and not (mask.sum(axis=1) == 1).any()
    # No hidden cell can be worked out from the row and column totals.
    bounds = stats.cell_bounds(counts, mask)
    assert len(bounds) == int(mask.to_numpy().sum())
    assert (bounds["low"] < bounds["high"]).all()
    assert ((bounds["low"] <= bounds["value"]) & (bounds["value"] <= bounds["high"])).all()
    shown = stats.suppress_counts(counts)
    assert shown.loc["b", "Public"] == "[c]" and shown.loc["c", "Third"] == "[c]"


def test_cell_bounds_find_a_cell_that_a_total_gives_away():
    # The old rule left row c as one [c] beside a shown zero: its total (7) recovers it.
    counts = pd.DataFrame({"Public": [203, 7, 7], "Third": [6, 6, 0]}, index=list("abc"))
    leaky = pd.DataFrame({"Public": [True, True, True], "Third": [True, True, False]}, index=list("abc"))
    bounds = stats.cell_bounds(counts, leaky).set_index(["row", "column"])
    assert bounds.loc[("c", "Public"), "low"] == bounds.loc[("c", "Public"), "high"] == 7


def test_a_single_small_cell_gets_a_secondary_partner():
    counts = pd.DataFrame({"x": [5, 20, 30], "y": [40, 50, 60]})
    mask = stats.suppression_mask(counts)
    assert mask.to_numpy().tolist() == [[True, True], [True, True], [False, False]]
