"""The numbers behind the report's plots and filters, computed from step records (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from promptbandit.types import StepRecord

Outcome = Literal["correct", "incorrect", "failed"]
# A reward at or above this counts as "correct" in the rollout filter; 0/1 rewards split exactly.
CORRECT_AT = 0.5


def outcome(record: StepRecord) -> Outcome:
    """How a step ended, for filtering rollouts: failed (no reward), correct (reward >= 0.5) or incorrect."""
    if record.status != "ok" or record.reward is None:
        return "failed"
    return "correct" if record.reward >= CORRECT_AT else "incorrect"


def probability_series(records: Sequence[StepRecord], n_arms: int) -> tuple[list[int], list[list[float]]]:
    """Each arm's selection probability before the first step (uniform) and after every step.

    Returns:
        The x values (0 and each step number counted from 1) and one list of probabilities per arm.

    >>> from promptbandit.types import StepRecord
    >>> r = StepRecord(0, 1, "b", "e", "p", "1", "1", "1", 1.0, "ok", (0.4, 0.6), 0.0, 0, 0, False)
    >>> probability_series([r], 2)
    ([0, 1], [[0.5, 0.4], [0.5, 0.6]])
    """
    steps = [0] + [r.step + 1 for r in records]
    uniform = 1.0 / n_arms if n_arms else 0.0
    series = [[uniform] + [r.probabilities[arm] if arm < len(r.probabilities) else 0.0 for r in records]
              for arm in range(n_arms)]
    return steps, series


def cumulative_mean(values: Sequence[float]) -> list[float]:
    """Running mean of `values`.

    >>> cumulative_mean([1.0, 0.0, 1.0, 1.0])
    [1.0, 0.5, 0.6666666666666666, 0.75]
    """
    total = 0.0
    out = []
    for count, value in enumerate(values, start=1):
        total += value
        out.append(total / count)
    return out


def moving_average(values: Sequence[float], window: int) -> list[float]:
    """Trailing mean over the last `window` values (fewer at the start).

    >>> moving_average([1.0, 0.0, 1.0, 1.0], 2)
    [1.0, 0.5, 0.5, 1.0]
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    out = []
    total = 0.0
    for index, value in enumerate(values):
        total += value
        if index >= window:
            total -= values[index - window]
        out.append(total / min(index + 1, window))
    return out


def default_window(n: int) -> int:
    """Moving-average window for `n` rewards: a tenth of the run, between 3 and 25 (never more than `n`).

    >>> [default_window(n) for n in (0, 2, 12, 200, 5000)]
    [1, 2, 3, 20, 25]
    """
    return max(1, min(n, max(3, min(25, n // 10))))


def reward_series(records: Sequence[StepRecord], window: int | None = None) -> tuple[list[int], list[float], list[float], int]:
    """Cumulative and moving-average reward over the steps that have a reward (failed steps are skipped).

    Returns:
        Step numbers (from 1), cumulative mean, moving average, and the window used.
    """
    scored = [r for r in records if r.status == "ok" and r.reward is not None]
    rewards = [float(r.reward) for r in scored if r.reward is not None]
    size = window or default_window(len(rewards))
    return [r.step + 1 for r in scored], cumulative_mean(rewards), moving_average(rewards, size), size
