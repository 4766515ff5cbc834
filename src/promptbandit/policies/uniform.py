"""Uniform random allocation: the no-learning reference."""

from __future__ import annotations

import numpy as np

from promptbandit.policies.base import ArmStats


class Uniform:
    """Every arm with probability 1/K at every step; `update` only keeps statistics."""

    name = "uniform"

    def __init__(self, n_arms: int) -> None:
        self.n_arms = n_arms
        self.stats = ArmStats(n_arms)

    def probabilities(self) -> np.ndarray:
        return np.full(self.n_arms, 1.0 / self.n_arms)

    def select(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.n_arms))

    def update(self, arm: int, reward: float) -> None:
        self.stats.add(arm, reward)
