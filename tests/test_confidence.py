"""Confidence sequences and paired statistics: formulas against hand computation and scipy, coverage by simulation."""

import math

import numpy as np
import pytest
from scipy.special import zeta as scipy_zeta

from promptbandit.confidence import (
    Certifier,
    PairedStats,
    certified,
    certified_unpaired,
    confidence,
    leader,
    radius,
    stitched_boundary,
    zeta,
)


def test_zeta_matches_scipy() -> None:
    for s in (1.1, 1.4, 2.0, 3.5):
        assert zeta(s) == pytest.approx(float(scipy_zeta(s)), rel=1e-9)


def test_stitched_boundary_by_hand() -> None:
    v, alpha, c = 50.0, 0.05, 2.0
    eta, s = 2.0, 1.4
    level = s * math.log(math.log(eta * v)) + math.log(float(scipy_zeta(s)) / (alpha * math.log(eta) ** s))
    k1 = (eta ** 0.25 + eta ** -0.25) / math.sqrt(2)
    k2 = (math.sqrt(eta) + 1) / 2
    expected = math.sqrt(k1 ** 2 * v * level + (k2 * c * level) ** 2) + k2 * c * level
    assert float(stitched_boundary(v, alpha, c)) == pytest.approx(expected, rel=1e-12)


def test_boundary_below_v_min_is_the_boundary_at_v_min() -> None:
    assert float(stitched_boundary(0.2, 0.05, 1.0)) == pytest.approx(float(stitched_boundary(1.0, 0.05, 1.0)))


def test_radius_is_infinite_without_data_and_shrinks_with_more() -> None:
    r = radius(np.array([0, 10, 100, 1000]), np.array([0, 2.5, 25, 250]), 0.05, 1.0)
    assert math.isinf(r[0]) and r[1] > r[2] > r[3] > 0


def test_paired_stats_by_hand() -> None:
    stats = PairedStats(3)
    stats.add(np.array([1.0, 0.0, 1.0]), np.array([True, True, False]))
    stats.add(np.array([1.0, 1.0, 0.0]), np.array([True, True, True]))
    assert stats.n[0, 1] == 2 and stats.n[0, 2] == 1 and stats.n[1, 2] == 1
    assert stats.sum[0, 1] == 1.0 and stats.sum[1, 0] == -1.0       # differences 1, then 0
    # variance process of r0 - r1: (1 - 0)^2 before any data (prediction 0), then (0 - 1)^2
    assert stats.var[0, 1] == pytest.approx(2.0)
    assert stats.arm_n.tolist() == [2, 2, 1] and stats.arm_sum.tolist() == [2, 1, 0]
    # per arm: arm 0 sees 1 (prediction 0.5) then 1 (prediction 1): 0.25 + 0
    assert stats.arm_var[0] == pytest.approx(0.25)


def test_an_obvious_winner_is_certified_and_a_coin_flip_is_not() -> None:
    rng = np.random.default_rng(0)
    clear, close = PairedStats(3), PairedStats(3)
    for _ in range(400):
        clear.add(np.array([1.0, float(rng.random() < 0.3), 0.0]), np.ones(3, bool))
        close.add((rng.random(3) < 0.5).astype(float), np.ones(3, bool))
    assert int(leader(clear)) == 0 and bool(certified(clear, 0.05))
    assert not bool(certified(close, 0.05))
    assert bool(certified_unpaired(clear, 0.05))


def test_confidence_is_the_smallest_certifying_delta() -> None:
    rng = np.random.default_rng(1)
    stats = PairedStats(2)
    for _ in range(300):
        stats.add(np.array([float(rng.random() < 0.7), float(rng.random() < 0.5)]), np.ones(2, bool))
    conf = confidence(stats, 0)
    assert 0.0 < conf < 1.0
    assert bool(certified(stats, (1 - conf) * 1.01, np.asarray(0)))
    assert not bool(certified(stats, (1 - conf) * 0.9, np.asarray(0)))
    assert confidence(stats, 1) == 0.0


def test_equal_arms_are_rarely_separated_at_any_time() -> None:
    """Time-uniform coverage: over 400 runs of 2000 paired questions each, checked after every question."""
    runs, steps = 400, 2000
    rng = np.random.default_rng(7)
    stats = PairedStats(2, (runs,))
    claimed = np.zeros(runs, dtype=bool)
    for _ in range(steps):
        stats.add((rng.random((runs, 2)) < 0.6).astype(float), np.ones((runs, 2), bool))
        claimed |= certified(stats, 0.05)
    assert claimed.mean() <= 0.05


def test_certifier_stops_on_the_clear_case_only() -> None:
    rule = Certifier(2, 0.05, paired=True)
    for _ in range(200):
        rule.update_set([0, 1], [1.0, 0.0])
    assert rule.done()
    rule = Certifier(2, 0.05, paired=True)
    for _ in range(200):
        rule.update_set([0, 1], [1.0, None])   # the second call failed every time: nothing to compare
    assert not rule.done()
