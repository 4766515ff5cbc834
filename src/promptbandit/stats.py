"""Statistics for held-out validation (pure): intervals, paired differences, exact McNemar, Holm.

Every function takes plain numbers or sequences; randomness (the bootstrap) comes in as a numpy Generator.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from promptbandit.analysis import Z95, wilson_interval

__all__ = ["Z95", "binom_cdf", "clopper_pearson", "holm", "mcnemar_exact", "paired_bootstrap", "wilson_interval"]


def binom_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), summed exactly.

    >>> round(binom_cdf(2, 10, 0.5), 6)
    0.054688
    """
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return min(1.0, sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1)))


def _solve(f: Callable[[float], float], target: float, increasing: bool) -> float:
    """Bisection for the p in [0, 1] where the monotone function f(p) crosses `target`."""
    lo, hi = 0.0, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if (f(mid) < target) == increasing:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def clopper_pearson(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval for a binomial proportion.

    >>> [round(x, 4) for x in clopper_pearson(8, 10)]
    [0.4439, 0.9748]
    """
    if n == 0:
        return (0.0, 1.0)
    lower = 0.0 if successes == 0 else _solve(lambda p: 1 - binom_cdf(successes - 1, n, p), alpha / 2, True)
    upper = 1.0 if successes == n else _solve(lambda p: binom_cdf(successes, n, p), alpha / 2, False)
    return (lower, upper)


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value from the discordant counts.

    `b` counts items the arm got right and the baseline wrong, `c` the reverse. Under no difference each
    discordant item goes either way with probability 1/2, so the p-value is a two-sided binomial test.

    >>> round(mcnemar_exact(9, 2), 6)
    0.06543
    >>> mcnemar_exact(0, 0)
    1.0
    """
    n = b + c
    if n == 0:
        return 1.0
    return min(1.0, 2 * binom_cdf(min(b, c), n, 0.5))


def paired_bootstrap(
    arm: Sequence[float], baseline: Sequence[float], rng: np.random.Generator, resamples: int = 10_000,
    confidence: float = 0.95,
) -> tuple[float, tuple[float, float]]:
    """Mean of ``arm - baseline`` over paired items and its percentile bootstrap interval (items resampled).

    Raises:
        ValueError: the two sequences differ in length or are empty.
    """
    if len(arm) != len(baseline) or not arm:
        raise ValueError("paired_bootstrap needs two non-empty sequences of the same length")
    diff = np.asarray(arm, dtype=float) - np.asarray(baseline, dtype=float)
    idx = rng.integers(0, len(diff), size=(resamples, len(diff)))
    means = diff[idx].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(diff.mean()), (float(low), float(high))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values, in the input order.

    >>> holm([0.01, 0.04, 0.03])
    [0.03, 0.06, 0.06]
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted
