"""Softmax policy trained by REINFORCE (the gradient-bandit algorithm), as in the original persona study."""

from __future__ import annotations

from collections.abc import Sequence

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

    Paired steps (several arms drawn without replacement from ``pi`` and evaluated on the same question)
    use a per-question baseline instead: with rewards ``r_1 .. r_k`` of arms ``a_1 .. a_k`` on one question
    and ``b_q`` their mean::

        h += lr * sum_i (r_i - b_q) * (onehot(a_i) - pi)

    The question's difficulty moves every ``r_i`` alike, so it cancels out of ``r_i - b_q``; this is what
    lets the policy separate prefixes a few points apart. A question where only one call succeeded
    carries no comparison and leaves ``h`` unchanged (its reward still counts in the statistics).

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

    def update_set(self, arms: Sequence[int], rewards: Sequence[float | None]) -> None:
        scored = [(a, r) for a, r in zip(arms, rewards, strict=True) if r is not None]
        if len(arms) == 1:
            if scored:
                self.update(*scored[0])
            return
        if len(scored) >= 2:
            baseline = sum(r for _, r in scored) / len(scored)
            pi = self.probabilities()
            step = np.zeros(self.n_arms)
            for arm, reward in scored:
                onehot = -pi
                onehot[arm] += 1.0
                step += (reward - baseline) * onehot
            self.preferences = self.preferences + self.lr * step
        for arm, reward in scored:
            self.stats.add(arm, reward)
