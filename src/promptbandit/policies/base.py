"""The policy protocol and the per-arm statistics most policies keep."""

from __future__ import annotations

from collections.abc import Sequence
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


class SetPolicy(Protocol):
    """A policy that chooses several arms for one question (a paired step) and learns from all of them at once."""

    name: str
    n_arms: int

    def select_set(self, rng: np.random.Generator, k: int) -> tuple[int, ...]:
        """Return up to `k` distinct arms to evaluate on the next question."""
        ...

    def update_set(self, arms: Sequence[int], rewards: Sequence[float | None]) -> None:
        """Learn from the rewards of `arms` on one question (None: that call failed)."""
        ...

    def probabilities(self) -> np.ndarray:
        ...


def draw_distinct(probs: np.ndarray, k: int, rng: np.random.Generator) -> tuple[int, ...]:
    """`k` distinct arms drawn one after another in proportion to `probs` (Gumbel top-k), in index order.

    Arms with probability 0 come only after every arm with positive probability, in random order.
    """
    gumbel = rng.gumbel(size=len(probs))
    with np.errstate(divide="ignore"):
        keys = np.where(probs > 0, np.log(np.where(probs > 0, probs, 1.0)) + gumbel, -1e9 + gumbel)
    return tuple(sorted(int(i) for i in np.argsort(-keys, kind="stable")[:k]))


def top_k(values: np.ndarray, k: int, rng: np.random.Generator) -> tuple[int, ...]:
    """The `k` largest of `values` (ties broken at random), in index order."""
    order = np.lexsort((rng.random(len(values)), -np.where(np.isnan(values), -np.inf, values)))
    return tuple(sorted(int(i) for i in order[:k]))


def select_set(policy: Policy | SetPolicy, rng: np.random.Generator, k: int) -> tuple[int, ...]:
    """The arms a policy evaluates on one paired step: its own `select_set`, else `k` distinct arms drawn
    from its `probabilities` without replacement."""
    own = getattr(policy, "select_set", None)
    if own is not None:
        return tuple(own(rng, k))
    return draw_distinct(policy.probabilities(), min(k, policy.n_arms), rng)


def update_set(policy: Policy | SetPolicy, arms: Sequence[int], rewards: Sequence[float | None]) -> None:
    """Give a policy one paired step's rewards: its own `update_set`, else one `update` per scored arm."""
    own = getattr(policy, "update_set", None)
    if own is not None:
        own(arms, rewards)
        return
    for arm, reward in zip(arms, rewards, strict=True):
        if reward is not None:
            policy.update(arm, reward)  # type: ignore[union-attr]
