"""Anytime-valid confidence sequences for bounded rewards, and the paired statistics that use them (pure).

A confidence sequence (CS) holds the true mean at *every* time with probability at least 1 - alpha, so a run
may look at it after each step and stop the moment it is decisive without inflating its error rate. That is
what "stop as soon as one arm is the best with 95% confidence" needs; a fixed-n test checked after every step
does not have this property (see ``bench/identify.py`` for the measured difference).

The bound is the empirical-Bernstein CS of Howard, Ramdas, McAuliffe and Sekhon (2021, "Time-uniform,
nonparametric, nonasymptotic confidence sequences", Theorem 4) with their polynomial stitched boundary
(their eq. 10). For observations in an interval of width ``c`` and the predictable variance process
``V_t = sum_i (x_i - mean_{i-1})**2`` (``mean_0`` the interval's midpoint), with ``v = max(V_t, m)``::

    l(v)     = s * log(log(eta * v / m)) + log(zeta(s) / (alpha * log(eta) ** s))
    bound(v) = sqrt(k1**2 * v * l(v) + (k2 * c * l(v)) ** 2) + k2 * c * l(v)
    k1 = (eta**0.25 + eta**-0.25) / sqrt(2),   k2 = (sqrt(eta) + 1) / 2

and ``P(exists t: sum_i (x_i - mu) >= bound(V_t)) <= alpha``: the one-sided radius around the running mean
is ``bound(V_t) / t``. Defaults ``eta = 2``, ``s = 1.4``, ``m = 1``.

Every function here works on numpy arrays of any shape, so the benchmark can run hundreds of simulated runs
side by side with the same code a real run uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

ETA = 2.0
S = 1.4
V_MIN = 1.0


def zeta(s: float, terms: int = 2000) -> float:
    """Riemann zeta for s > 1: a partial sum plus the Euler-Maclaurin tail (error far below 1e-9 here)."""
    if s <= 1:
        raise ValueError("zeta(s) needs s > 1")
    n = terms
    head = math.fsum(k ** -s for k in range(1, n))
    return head + n ** (1 - s) / (s - 1) + 0.5 * n ** -s + s * n ** (-s - 1) / 12


_ZETA_S = zeta(S)


def stitched_boundary(v: np.ndarray | float, alpha: np.ndarray | float, c: float,
                      *, eta: float = ETA, s: float = S, v_min: float = V_MIN) -> np.ndarray:
    """The polynomial stitched boundary on the centred sum, at variance process `v` (see the module doc).

    Args:
        v: variance process value(s).
        alpha: one-sided error probability (scalar or broadcastable array).
        c: width of the interval the observations live in (1 for rewards in [0, 1], 2 for differences).
    """
    z = _ZETA_S if s == S else zeta(s)
    vv = np.maximum(np.asarray(v, dtype=float), v_min)
    level = s * np.log(np.log(eta * vv / v_min)) + np.log(z / (np.asarray(alpha, dtype=float) * math.log(eta) ** s))
    k1 = (eta ** 0.25 + eta ** -0.25) / math.sqrt(2)
    k2 = (math.sqrt(eta) + 1) / 2
    linear = k2 * c * level
    return np.sqrt(k1 ** 2 * vv * level + linear ** 2) + linear


def radius(n: np.ndarray | float, v: np.ndarray | float, alpha: np.ndarray | float, c: float) -> np.ndarray:
    """One-sided CS radius around the running mean after `n` observations; infinite when n is 0."""
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_arr > 0, stitched_boundary(v, alpha, c) / np.maximum(n_arr, 1), np.inf)


class PairedStats:
    """Per ordered pair of arms: how many questions both answered, the sum and the variance process of the
    reward difference ``r_i - r_j`` on those questions (differences live in [-1, 1], width 2).

    Also keeps per-arm counts and sums (over every question an arm answered) and per-arm variance processes
    for the unpaired CS. Arrays may carry leading batch dimensions: shape ``batch + (K, K)``.
    """

    WIDTH = 2.0

    def __init__(self, n_arms: int, batch: tuple[int, ...] = ()) -> None:
        self.n_arms = n_arms
        self.n = np.zeros(batch + (n_arms, n_arms))
        self.sum = np.zeros(batch + (n_arms, n_arms))
        self.var = np.zeros(batch + (n_arms, n_arms))
        self.arm_n = np.zeros(batch + (n_arms,))
        self.arm_sum = np.zeros(batch + (n_arms,))
        self.arm_var = np.zeros(batch + (n_arms,))

    def add(self, rewards: np.ndarray, mask: np.ndarray) -> None:
        """Record one question: `rewards` (batch + (K,)) of the arms where `mask` is true.

        Rewards are clipped to [0, 1] for the statistics (the CS needs bounded observations).
        """
        r = np.clip(np.where(mask, rewards, 0.0), 0.0, 1.0)
        m = mask.astype(float)
        # Per arm: the variance process uses the mean before this observation (0.5 before the first).
        arm_prev = np.where(self.arm_n > 0, self.arm_sum / np.maximum(self.arm_n, 1), 0.5)
        self.arm_var += m * (r - arm_prev) ** 2
        self.arm_n += m
        self.arm_sum += m * r
        both = m[..., :, None] * m[..., None, :]
        diff = r[..., :, None] - r[..., None, :]
        prev = np.where(self.n > 0, self.sum / np.maximum(self.n, 1), 0.0)
        self.var += both * (diff - prev) ** 2
        self.n += both
        self.sum += both * diff

    def pair_means(self) -> np.ndarray:
        """Mean of ``r_i - r_j`` over shared questions (0 where none)."""
        return np.where(self.n > 0, self.sum / np.maximum(self.n, 1), 0.0)

    def arm_means(self) -> np.ndarray:
        """Mean reward per arm (NaN for an arm never evaluated)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.arm_n > 0, self.arm_sum / np.maximum(self.arm_n, 1), np.nan)

    def pair_lower(self, alpha: float | np.ndarray) -> np.ndarray:
        """Anytime lower bound on ``mu_i - mu_j`` at one-sided level `alpha` (-1 where never compared)."""
        low = self.pair_means() - radius(self.n, self.var, alpha, self.WIDTH)
        return np.maximum(low, -1.0)

    def pair_upper(self, alpha: float | np.ndarray) -> np.ndarray:
        """Anytime upper bound on ``mu_i - mu_j`` (+1 where never compared)."""
        high = self.pair_means() + radius(self.n, self.var, alpha, self.WIDTH)
        return np.minimum(high, 1.0)


def leader(stats: PairedStats) -> np.ndarray:
    """The empirical best arm: highest mean reward (ties to the lowest index); arms never evaluated lose."""
    means = stats.arm_means()
    return np.argmax(np.where(np.isnan(means), -np.inf, means), axis=-1)


def certified(stats: PairedStats, delta: float | np.ndarray, best: np.ndarray | None = None) -> np.ndarray:
    """Whether the leader beats every other arm on the paired CS at joint level `delta`.

    The true best arm is fixed, so only the K - 1 comparisons against it can go wrong when some arm is
    wrongly declared best: each pair gets ``delta / (K - 1)`` (one-sided). This stays valid whatever rule chose
    which arms to evaluate, because each CS is time-uniform.
    """
    k = stats.n_arms
    lead = leader(stats) if best is None else best
    alpha = np.asarray(delta, dtype=float) / max(k - 1, 1)
    low = stats.pair_lower(alpha[..., None, None] if np.ndim(alpha) else alpha)
    row = np.take_along_axis(low, lead[..., None, None], axis=-2)[..., 0, :]
    others = np.ones_like(row, dtype=bool)
    np.put_along_axis(others, lead[..., None], False, axis=-1)
    return np.all(np.where(others, row > 0, True), axis=-1)


def certified_unpaired(stats: PairedStats, delta: float | np.ndarray) -> np.ndarray:
    """The same decision from per-arm CSs only (for designs that never pair): the leader's lower bound is above
    every other arm's upper bound, each bound one-sided at ``delta / K``.

    A wrong claim (arm i named, the true best b better) needs i's lower bound above mu_i or b's upper bound below
    mu_b: at most K - 1 lower-side failures (i is any arm but b) plus one upper-side failure, K events in all.
    """
    k = stats.n_arms
    alpha = np.asarray(delta, dtype=float) / k
    alpha = alpha[..., None] if np.ndim(alpha) else alpha
    means = np.nan_to_num(stats.arm_means(), nan=0.5)
    rad = radius(stats.arm_n, stats.arm_var, alpha, 1.0)
    low, high = means - rad, means + rad
    lead = leader(stats)
    lead_low = np.take_along_axis(low, lead[..., None], axis=-1)[..., 0]
    high_others = np.where(np.arange(k) == lead[..., None], -np.inf, high)
    return lead_low > high_others.max(axis=-1)


def confidence(stats: PairedStats, best: int, *, paired: bool = True, steps: int = 40) -> float:
    """The largest ``1 - delta`` at which `best` is certified (0 when it is not even at delta = 1).

    Found by bisection on log(delta); certification is monotone in delta. One run only (no batch dims).
    """
    def ok(delta: float) -> bool:
        if paired:
            return bool(certified(stats, delta, np.asarray(best)))
        return bool(certified_unpaired(stats, delta)) and int(leader(stats)) == best

    if not ok(1.0):
        return 0.0
    lo, hi = math.log(1e-12), 0.0   # ok(hi) holds; find the smallest delta that still certifies
    if ok(math.exp(lo)):
        return 1.0 - 1e-12
    for _ in range(steps):
        mid = (lo + hi) / 2
        if ok(math.exp(mid)):
            hi = mid
        else:
            lo = mid
    return 1.0 - math.exp(hi)


class Certifier:
    """A stop rule for the run loop: stop once one arm is certified best at joint level `delta`.

    Args:
        n_arms: number of arms.
        delta: error probability (``1 - confidence``).
        paired: use paired differences (steps that evaluate several arms on one question); otherwise per-arm
            confidence sequences.
    """

    def __init__(self, n_arms: int, delta: float, paired: bool) -> None:
        self.stats = PairedStats(n_arms)
        self.delta = delta
        self.paired = paired
        self._certified = False

    def update_set(self, arms: Sequence[int], rewards: Sequence[float | None]) -> None:
        add_step(self.stats, arms, rewards)

    def done(self) -> bool:
        """Whether an arm has been certified at some step so far (a claim, once made, stands)."""
        if not self._certified:
            if self.stats.n_arms == 1:
                self._certified = bool(self.stats.arm_n[0] > 0)
            else:
                test = certified if self.paired else certified_unpaired
                self._certified = bool(test(self.stats, self.delta))
        return self._certified


def add_step(stats: PairedStats, arms: Sequence[int], rewards: Sequence[float | None]) -> None:
    """Record one step (the arms evaluated on one question and their rewards; None for a failed call)."""
    values = np.zeros(stats.n_arms)
    mask = np.zeros(stats.n_arms, dtype=bool)
    for arm, reward in zip(arms, rewards, strict=True):
        if reward is not None:
            values[arm], mask[arm] = reward, True
    if mask.any():
        stats.add(values, mask)
