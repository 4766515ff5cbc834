"""Best-arm identification on paired steps: every arm chosen for a step answers the same question.

Three policies, all built on `promptbandit.confidence.PairedStats`:

- `CSElimination` (fixed confidence): keep the empirical leader and every arm whose anytime-valid upper bound
  on ``mu_j - mu_leader`` is still >= 0; evaluate all of them on each new question; stop once the leader's
  paired lower bound beats every other arm (`confidence.certified`). Resolved arms stop costing calls, the
  leader is evaluated once per question for all its comparisons, and question difficulty cancels in each
  paired difference.
- `SuccessiveHalving` (fixed budget, TRIPLE's method made paired): ``ceil(log2 K)`` rounds with an equal share
  of the budget each; in a round every surviving arm answers the same fresh questions; the better half (by
  mean over all questions so far, which every survivor shares) goes on.
- `SuccessiveRejects` (fixed budget, Audibert and Bubeck 2010, paired): K - 1 phases; after phase k each
  survivor has answered ``n_k = ceil((B - K) / (logbar(K) * (K + 1 - k)))`` questions and the worst is dropped.

The schedule helpers and `active_set` are pure and work on batches, so ``bench/identify.py`` runs the same
rules over hundreds of simulated runs at once.

A run's steps are chosen before earlier answers are in when several requests are in flight (update lag);
these policies then decide from the answers they have, so the choice stays a function of the seed and the
responses (see `promptbandit.loop`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from promptbandit.confidence import PairedStats, add_step, certified, confidence, leader


def challenger_upper(stats: PairedStats, delta: float | np.ndarray) -> np.ndarray:
    """Each arm's anytime upper bound on ``mu_j - mu_leader``, at the per-pair level ``delta / (K - 1)`` the
    stopping rule uses (shape ``batch + (K,)``; the leader's own entry compares it with itself)."""
    lead = leader(stats)
    alpha = np.asarray(delta, dtype=float) / max(stats.n_arms - 1, 1)
    high = stats.pair_upper(alpha[..., None, None] if np.ndim(alpha) else alpha)
    return np.take_along_axis(high, lead[..., None, None], axis=-1)[..., 0]


def active_set(stats: PairedStats, delta: float | np.ndarray) -> np.ndarray:
    """Arms still worth evaluating: the leader and every arm that might still be better than it.

    Arm ``j`` stays while `challenger_upper` is >= 0. Returns a boolean mask of shape ``batch + (K,)``.
    """
    mask = challenger_upper(stats, delta) >= 0
    np.put_along_axis(mask, leader(stats)[..., None], True, axis=-1)
    return mask


def halving_schedule(n_arms: int, budget: int) -> list[tuple[int, int]]:
    """(survivors, questions) per round of paired successive halving within `budget` calls.

    ``ceil(log2 K)`` rounds share the budget equally; a round with ``a`` survivors asks
    ``floor(budget / rounds / a)`` questions, so the plan never spends more than `budget`. A later round
    may get no question at all when the budget is tiny: its cut then uses the answers so far.
    """
    rounds = max(1, math.ceil(math.log2(n_arms)))
    plan, alive = [], n_arms
    for _ in range(rounds):
        plan.append((alive, budget // rounds // alive))
        alive = max(1, math.ceil(alive / 2))
    return plan


def rejects_schedule(n_arms: int, budget: int) -> list[tuple[int, int]]:
    """(survivors, new questions) per phase of paired successive rejects within `budget` calls.

    After phase k every survivor has answered ``n_k = floor((budget - K) / (logbar(K) * (K + 1 - k)))``
    questions, ``logbar(K) = 1/2 + sum_{i=2..K} 1/i`` (Audibert and Bubeck 2010, with the floor so that the
    total ``sum_k n_k + n_{K-1}`` stays within the budget). A phase with no new question drops its worst arm
    on the answers so far.
    """
    if n_arms == 1:
        return [(1, max(0, budget))]
    logbar = 0.5 + sum(1.0 / i for i in range(2, n_arms + 1))
    plan, before = [], 0
    for phase in range(1, n_arms):
        n_k = max(before, math.floor((budget - n_arms) / (logbar * (n_arms + 1 - phase))))
        plan.append((n_arms + 1 - phase, n_k - before))
        before = n_k
    return plan


def schedule_calls(plan: list[tuple[int, int]]) -> int:
    """Model calls a (survivors, questions) schedule spends."""
    return sum(alive * questions for alive, questions in plan)


def smallest_budget(schedule: Callable[[int, int], list[tuple[int, int]]], n_arms: int) -> int:
    """The smallest budget whose schedule asks every arm at least one question."""
    budget = n_arms
    while schedule(n_arms, budget)[0][1] < 1:
        budget += 1
    return budget


def _check_delta(delta: float) -> float:
    if not 0.0 < delta < 1.0:
        raise ValueError(f"delta must be between 0 and 1, got {delta}")
    return delta


class _Paired:
    """Shared statistics and read-outs of the paired policies."""

    name = "paired"
    paired = True   # always evaluates several arms per question, whatever arms_per_step says

    def __init__(self, n_arms: int) -> None:
        if n_arms < 1:
            raise ValueError("a policy needs at least one arm")
        self.n_arms = n_arms
        self.stats = PairedStats(n_arms)

    def update_set(self, arms: Sequence[int], rewards: Sequence[float | None]) -> None:
        add_step(self.stats, arms, rewards)

    def update(self, arm: int, reward: float) -> None:
        self.update_set([arm], [reward])

    def select(self, rng: np.random.Generator) -> int:
        return self.select_set(rng, 1)[0]

    def select_set(self, rng: np.random.Generator, k: int) -> tuple[int, ...]:
        raise NotImplementedError

    def _share(self, arms: Sequence[int]) -> np.ndarray:
        probs = np.zeros(self.n_arms)
        probs[list(arms)] = 1.0 / len(arms)
        return probs

    def recommendation(self) -> dict[str, Any]:
        """The arm to pick now, how sure the paired anytime test is, and the gap to the runner-up."""
        best = int(leader(self.stats))
        return {"arm": best, "confidence": confidence(self.stats, best), "finished": self.finished()}

    def finished(self) -> bool:
        return False


class CSElimination(_Paired):
    """Fixed-confidence best-arm identification by paired confidence-sequence elimination (see module doc).

    Args:
        n_arms: number of arms.
        delta: error probability; the run stops when the leader is the best arm with confidence 1 - delta.
    """

    name = "cs-elimination"

    def __init__(self, n_arms: int, delta: float = 0.05) -> None:
        super().__init__(n_arms)
        self.delta = _check_delta(delta)

    def active(self) -> tuple[int, ...]:
        """The leader first, then the other arms still in play, most promising first."""
        lead = int(leader(self.stats))
        high = challenger_upper(self.stats, self.delta)
        others = sorted((j for j in np.flatnonzero(high >= 0) if j != lead), key=lambda j: (-high[j], j))
        return (lead, *map(int, others))

    def select_set(self, rng: np.random.Generator, k: int) -> tuple[int, ...]:
        return tuple(sorted(self.active()[:max(k, 2) if self.n_arms > 1 else 1]))

    def probabilities(self) -> np.ndarray:
        """Each arm's share of the next question's calls (the leader and the arms still in play)."""
        return self._share(self.active())

    def finished(self) -> bool:
        return self.n_arms == 1 or bool(certified(self.stats, self.delta))


class _Scheduled(_Paired):
    """A fixed-budget elimination that follows a schedule of (survivors, questions) rounds."""

    schedule: Callable[[int, int], list[tuple[int, int]]]

    def __init__(self, n_arms: int, budget: int) -> None:
        super().__init__(n_arms)
        budget = int(budget)
        schedule = type(self).schedule
        plan = schedule(n_arms, budget)
        if plan[0][1] < 1:
            raise ValueError(f"budget {budget} is too small for {self.name} over {n_arms} arms "
                             f"(it needs at least {smallest_budget(schedule, n_arms)} model calls)")
        self.budget = budget
        self.plan = plan
        self.round = 0
        self.asked = 0                      # questions selected in the current round
        self.alive = tuple(range(n_arms))

    def _advance(self) -> None:
        while self.round < len(self.plan) and self.asked >= self.plan[self.round][1]:
            self.round += 1
            self.asked = 0
            if self.round < len(self.plan):
                keep = self.plan[self.round][0]
                means = np.nan_to_num(self.stats.arm_means()[list(self.alive)], nan=-np.inf)
                order = np.lexsort((np.array(self.alive), -means))   # best mean first, ties to the lower index
                self.alive = tuple(sorted(self.alive[i] for i in order[:keep]))

    def select_set(self, rng: np.random.Generator, k: int) -> tuple[int, ...]:
        self._advance()
        self.asked += 1
        return self.alive

    def probabilities(self) -> np.ndarray:
        return self._share(self.alive)

    def finished(self) -> bool:
        """True once every question of the schedule has been asked."""
        if self.round >= len(self.plan):
            return True
        left = self.plan[self.round][1] - self.asked + sum(q for _, q in self.plan[self.round + 1:])
        return left <= 0

    def recommendation(self) -> dict[str, Any]:
        means = np.nan_to_num(self.stats.arm_means()[list(self.alive)], nan=-np.inf)
        best = int(self.alive[int(np.argmax(means))])
        return {"arm": best, "confidence": confidence(self.stats, best), "finished": self.finished()}


class SuccessiveHalving(_Scheduled):
    """Paired successive halving under a budget of model calls (see module doc).

    Args:
        n_arms: number of arms.
        budget: model calls to spend in all.
    """

    name = "successive-halving"
    schedule = staticmethod(halving_schedule)


class SuccessiveRejects(_Scheduled):
    """Paired successive rejects under a budget of model calls (see module doc).

    Args:
        n_arms: number of arms.
        budget: model calls to spend in all.
    """

    name = "successive-rejects"
    schedule = staticmethod(rejects_schedule)
