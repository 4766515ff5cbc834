"""Softmax policy trained by REINFORCE (the gradient-bandit algorithm), as in the original persona study."""

from __future__ import annotations

import numpy as np

from promptbandit.policies.base import ArmStats


def softmax(preferences: np.ndarray) -> np.ndarray:
    """Numerically stable softmax."""
    shifted = np.exp(preferences - preferences.max())
    return shifted / shifted.sum()


class Reinforce:
    """Softmax over per-arm preferences ``h``, updated by REINFORCE with a running-mean baseline.

    Update rule, for a reward ``r`` of arm ``a`` with probabilities ``pi = softmax(h)``::

        advantage = r - b                 # b: mean of all rewards seen before this one (no baseline yet: r)
        h        += lr * advantage * (onehot(a) - pi)

    so the pulled arm's preference moves by ``lr * advantage * (1 - pi[a])`` and each other arm's by
    ``-lr * advantage * pi[k]``. With no reward seen yet the advantage is 0, as in Sutton and Barto's
    gradient bandit.

    Args:
        n_arms: number of arms.
        lr: learning rate (step size) of the preference update.
    """

    name = "reinforce"

    def __init__(self, n_arms: int, lr: float = 0.1) -> None:
        if lr <= 0:
            raise ValueError("learning rate must be positive")
        self.n_arms = n_arms
        self.lr = lr
        self.preferences = np.zeros(n_arms)
        self.stats = ArmStats(n_arms)

    def baseline(self) -> float | None:
        """Mean of every reward seen so far, or None before the first."""
        total = self.stats.total
        return float(self.stats.sums.sum() / total) if total else None

    def probabilities(self) -> np.ndarray:
        return softmax(self.preferences)

    def select(self, rng: np.random.Generator) -> int:
        return int(rng.choice(self.n_arms, p=self.probabilities()))

    def update(self, arm: int, reward: float) -> None:
        baseline = self.baseline()
        advantage = 0.0 if baseline is None else reward - baseline
        step = -self.probabilities()
        step[arm] += 1.0
        self.preferences = self.preferences + self.lr * advantage * step
        self.stats.add(arm, reward)
