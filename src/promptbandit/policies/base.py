"""The policy protocol and the per-arm statistics most policies keep."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Policy(Protocol):
    """Chooses an arm, learns from its reward, and says how likely each arm is to be chosen next."""

    name: str
    n_arms: int

    def select(self, rng: np.random.Generator) -> int:
        """Return the index of the arm to pull next."""
        ...

    def update(self, arm: int, reward: float) -> None:
        """Learn from one observed reward of `arm`."""
        ...

    def probabilities(self) -> np.ndarray:
        """Return the probability of choosing each arm at the next `select`."""
        ...


class ArmStats:
    """Pull counts and reward sums per arm."""

    def __init__(self, n_arms: int) -> None:
        if n_arms < 1:
            raise ValueError("a policy needs at least one arm")
        self.counts = np.zeros(n_arms, dtype=np.int64)
        self.sums = np.zeros(n_arms, dtype=np.float64)

    def add(self, arm: int, reward: float) -> None:
        self.counts[arm] += 1
        self.sums[arm] += reward

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def means(self) -> np.ndarray:
        """Mean reward per arm; NaN for an arm never pulled."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.counts > 0, self.sums / np.maximum(self.counts, 1), np.nan)


def best_set(values: np.ndarray) -> np.ndarray:
    """Indices of the maxima of `values` (NaN counts as -inf), for tie-aware choices."""
    finite = np.where(np.isnan(values), -np.inf, values)
    return np.flatnonzero(finite == finite.max())


def one_of_best(values: np.ndarray, rng: np.random.Generator) -> int:
    """Pick one maximum of `values`, breaking ties at random so that arm order does not matter."""
    best = best_set(values)
    return int(best[0]) if len(best) == 1 else int(rng.choice(best))


def share_among_best(values: np.ndarray) -> np.ndarray:
    """A probability vector that splits 1 evenly among the maxima of `values`."""
    probs = np.zeros(len(values))
    best = best_set(values)
    probs[best] = 1.0 / len(best)
    return probs
