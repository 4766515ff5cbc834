"""UCB1 (Auer, Cesa-Bianchi and Fischer, 2002)."""

from __future__ import annotations

import math

import numpy as np

from promptbandit.policies.base import ArmStats, one_of_best, share_among_best, top_k


class UCB1:
    """Pull every arm once, then the arm with the largest upper confidence bound.

    Index of arm ``a`` after ``t`` pulls in all, ``n_a`` of them of ``a``, with mean reward ``m_a``::

        ucb_a = m_a + c * sqrt(2 * ln(t) / n_a)      # an unpulled arm has ucb = +inf

    A paired step evaluates the `k` arms with the largest indices. Ties are broken at random.
    `probabilities` is 1 on the arm `select` would choose (split over ties).

    Args:
        n_arms: number of arms.
        c: exploration scale; 1 is the textbook UCB1.
    """

    name = "ucb1"

    def __init__(self, n_arms: int, c: float = 1.0) -> None:
        self.n_arms = n_arms
        self.c = c
        self.stats = ArmStats(n_arms)

    def indices(self) -> np.ndarray:
        """The upper confidence bound of each arm."""
        counts = self.stats.counts
        if (counts == 0).any():
            return np.where(counts == 0, np.inf, -np.inf)
        bonus = self.c * np.sqrt(2.0 * math.log(self.stats.total) / counts)
        return self.stats.means() + bonus

    def probabilities(self) -> np.ndarray:
        return share_among_best(self.indices())

    def select(self, rng: np.random.Generator) -> int:
        return one_of_best(self.indices(), rng)

    def update(self, arm: int, reward: float) -> None:
        self.stats.add(arm, reward)

    def select_set(self, rng: np.random.Generator, k: int) -> tuple[int, ...]:
        return top_k(self.indices(), k, rng)
