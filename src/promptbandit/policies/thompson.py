"""Thompson sampling: Beta-Bernoulli for 0/1 rewards, Gaussian otherwise."""

from __future__ import annotations

import numpy as np

from promptbandit.policies.base import ArmStats, top_k

_PROBABILITY_DRAWS = 4000


class Thompson:
    """Draw a plausible mean for every arm from its posterior and pull the arm whose draw is largest.

    While every reward seen is exactly 0 or 1 the posterior of arm ``a`` is
    ``Beta(alpha0 + successes_a, beta0 + failures_a)``. Once any other reward value is seen the policy
    switches for good to a Gaussian posterior ``Normal(sum_a / (n_a + 1), sigma2 / (n_a + 1))``: a prior
    of one pseudo-observation at 0, with ``sigma2`` the variance of all rewards seen (0.25 until two
    distinct values exist).

    A paired step evaluates the `k` arms with the largest draws of one posterior sample.

    `probabilities` is the posterior probability that each arm's draw is the largest, estimated with a
    fixed number of draws from a generator seeded by the pull count, so it never consumes the run's RNG.

    Args:
        n_arms: number of arms.
        alpha0, beta0: Beta prior pseudo-counts.
    """

    name = "thompson"

    def __init__(self, n_arms: int, alpha0: float = 1.0, beta0: float = 1.0) -> None:
        self.n_arms = n_arms
        self.alpha0 = alpha0
        self.beta0 = beta0
        self.stats = ArmStats(n_arms)
        self.binary = True
        self._sum_sq = 0.0

    def _draw(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray:
        counts, sums = self.stats.counts, self.stats.sums
        shape = (self.n_arms,) if size is None else (size, self.n_arms)
        if self.binary:
            return rng.beta(self.alpha0 + sums, self.beta0 + counts - sums, size=shape)
        return rng.normal(sums / (counts + 1), np.sqrt(self.variance() / (counts + 1)), size=shape)

    def variance(self) -> float:
        """Variance of all rewards seen so far, 0.25 while it is undefined or zero."""
        n = self.stats.total
        if n < 2:
            return 0.25
        mean = self.stats.sums.sum() / n
        var = (self._sum_sq - n * mean * mean) / (n - 1)
        return float(var) if var > 1e-12 else 0.25

    def select(self, rng: np.random.Generator) -> int:
        return int(np.argmax(self._draw(rng)))

    def probabilities(self) -> np.ndarray:
        draws = self._draw(np.random.default_rng(self.stats.total), size=_PROBABILITY_DRAWS)
        wins = np.bincount(draws.argmax(axis=1), minlength=self.n_arms)
        return wins / wins.sum()

    def update(self, arm: int, reward: float) -> None:
        if reward not in (0.0, 1.0):
            self.binary = False
        self.stats.add(arm, reward)
        self._sum_sq += reward * reward

    def select_set(self, rng: np.random.Generator, k: int) -> tuple[int, ...]:
        return top_k(self._draw(rng), k, rng)
