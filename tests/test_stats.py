"""Validation statistics against scipy and hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sp

from promptbandit.stats import binom_cdf, clopper_pearson, holm, mcnemar_exact, paired_bootstrap, wilson_interval
from promptbandit.validation import compare, top_arms


@pytest.mark.parametrize("k, n", [(0, 10), (3, 10), (10, 10), (17, 40), (1, 3)])
def test_clopper_pearson_matches_scipy(k: int, n: int) -> None:
    expected = sp.binomtest(k, n).proportion_ci(method="exact")
    assert clopper_pearson(k, n) == pytest.approx((expected.low, expected.high), abs=1e-7)


@pytest.mark.parametrize("k, n", [(0, 10), (8, 10), (17, 40)])
def test_wilson_matches_scipy(k: int, n: int) -> None:
    expected = sp.binomtest(k, n).proportion_ci(method="wilson")
    assert wilson_interval(k, n) == pytest.approx((expected.low, expected.high), abs=1e-9)


@pytest.mark.parametrize("b, c", [(9, 2), (5, 5), (0, 7), (12, 3), (1, 0)])
def test_exact_mcnemar_is_the_two_sided_binomial_test(b: int, c: int) -> None:
    assert mcnemar_exact(b, c) == pytest.approx(sp.binomtest(b, b + c, 0.5).pvalue)


def test_binomial_cdf_matches_scipy() -> None:
    assert binom_cdf(4, 17, 0.3) == pytest.approx(sp.binom.cdf(4, 17, 0.3))


def test_holm_by_hand() -> None:
    # sorted 0.01, 0.03, 0.04 -> 3*0.01, 2*0.03, max(1*0.04, 0.06)
    assert holm([0.04, 0.01, 0.03]) == pytest.approx([0.06, 0.03, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def test_paired_bootstrap_centres_on_the_mean_difference_and_is_seeded() -> None:
    arm = [1, 1, 1, 0, 1, 1, 0, 1, 1, 1] * 3
    base = [0, 1, 0, 0, 1, 0, 0, 1, 0, 1] * 3
    diff, (low, high) = paired_bootstrap(arm, base, np.random.default_rng(0))
    assert diff == pytest.approx(0.4)
    assert low < 0.4 < high and low > 0
    assert paired_bootstrap(arm, base, np.random.default_rng(0)) == (diff, (low, high))


def test_compare_says_plainly_when_no_arm_beats_the_baseline() -> None:
    same = [1.0, 0.0] * 10
    result = compare(["a", "b"], [same, same], same, np.random.default_rng(0))
    assert result["beats_baseline"] == []
    assert result["conclusion"].startswith("No arm beats the no-prefix baseline")
    assert all(r["verdict"] == "no significant difference" for r in result["arms"])


def test_compare_finds_a_clear_winner_after_holm() -> None:
    base = [0.0] * 30
    good = [1.0] * 20 + [0.0] * 10
    result = compare(["good", "same"], [good, base], base, np.random.default_rng(0))
    good_row = result["arms"][0]
    assert good_row["p_value"] == pytest.approx(sp.binomtest(20, 20, 0.5).pvalue)
    assert good_row["p_holm"] == pytest.approx(2 * good_row["p_value"])
    assert result["beats_baseline"] == ["good"] and "good beats" in result["conclusion"]


def test_compare_drops_failed_items_from_the_pair() -> None:
    result = compare(["a"], [[1.0, None, 1.0]], [0.0, 1.0, None], np.random.default_rng(0))
    assert result["arms"][0]["paired_items"] == 1


def test_top_arms_skips_the_baseline_and_unpulled_arms() -> None:
    summary = {"arms": [{"index": 2, "prefix": "", "pulls": 5}, {"index": 0, "prefix": "x", "pulls": 3},
                        {"index": 1, "prefix": "y", "pulls": 0}, {"index": 3, "prefix": "z", "pulls": 1}]}
    assert top_arms(summary, 2) == [0, 3]
