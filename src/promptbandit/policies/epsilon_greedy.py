"""Epsilon-greedy."""

from __future__ import annotations

import numpy as np

from promptbandit.policies.base import ArmStats, one_of_best, share_among_best


class EpsilonGreedy:
    """With probability ``epsilon`` a uniformly random arm, otherwise the arm with the best mean reward.

    An arm never pulled counts as best, so every arm is tried before exploitation starts. The chance of
    choosing arm ``a`` is ``epsilon / K + (1 - epsilon) * [a is a best arm] / (number of best arms)``.

    Args:
        n_arms: number of arms.
        epsilon: exploration rate in [0, 1].
    """

    name = "epsilon-greedy"

    def __init__(self, n_arms: int, epsilon: float = 0.1) -> None:
        if not 0.0 <= epsilon <= 1.0:
            raise ValueError("epsilon must be in [0, 1]")
        self.n_arms = n_arms
        self.epsilon = epsilon
        self.stats = ArmStats(n_arms)

    def _values(self) -> np.ndarray:
        return np.where(self.stats.counts == 0, np.inf, self.stats.means())

    def probabilities(self) -> np.ndarray:
        return self.epsilon / self.n_arms + (1.0 - self.epsilon) * share_among_best(self._values())

    def select(self, rng: np.random.Generator) -> int:
        if rng.random() < self.epsilon:
            return int(rng.integers(self.n_arms))
        return one_of_best(self._values(), rng)

    def update(self, arm: int, reward: float) -> None:
        self.stats.add(arm, reward)
