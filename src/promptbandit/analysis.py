"""Summaries and confidence intervals computed from step records (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from promptbandit.confidence import PairedStats, add_step, confidence, leader, radius
from promptbandit.types import Arm, StepRecord

Z95 = 1.959963984540054


def wilson_interval(successes: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    """
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def mean_interval(values: Sequence[float], z: float = Z95) -> tuple[float, float] | None:
    """Normal-approximation interval of a mean; None with fewer than two values."""
    n = len(values)
    if n < 2:
        return None
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    half = z * math.sqrt(var / n)
    return (mean - half, mean + half)


def reward_interval(values: Sequence[float]) -> tuple[float, float] | None:
    """95% interval of an arm's mean reward: Wilson for 0/1 rewards, normal otherwise."""
    if not values:
        return None
    if all(v in (0.0, 1.0) for v in values):
        return wilson_interval(sum(values), len(values))
    return mean_interval(values)


def summarize(arms: Sequence[Arm], records: Sequence[StepRecord]) -> dict[str, Any]:
    """Per-arm pulls, mean reward with 95% interval, final probability and tokens, ranked best first.

    Arms are ranked by mean reward (arms never pulled last), ties by final probability. The best arm is
    marked `separated` when its interval lies wholly above the runner-up's.
    """
    final_probs = list(records[-1].probabilities) if records else [1.0 / len(arms)] * len(arms)
    rows: list[dict[str, Any]] = []
    for index, arm in enumerate(arms):
        mine = [r for r in records if r.arm == index]
        rewards = [r.reward for r in mine if r.status == "ok" and r.reward is not None]
        interval = reward_interval(rewards)
        rows.append({
            "index": index,
            "name": arm.name,
            "group": arm.group,
            "prefix": arm.prefix,
            "pulls": len(rewards),
            "failures": len(mine) - len(rewards),
            "mean_reward": round(sum(rewards) / len(rewards), 6) if rewards else None,
            "ci95": [round(interval[0], 6), round(interval[1], 6)] if interval else None,
            "probability": round(final_probs[index], 6),
            "prompt_tokens": sum(r.prompt_tokens for r in mine),
            "completion_tokens": sum(r.completion_tokens for r in mine),
        })
    rows.sort(key=lambda row: (row["mean_reward"] is None, -(row["mean_reward"] or 0.0), -row["probability"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    best = rows[0]
    runner_up = rows[1] if len(rows) > 1 else None
    separated = bool(
        best["ci95"] and runner_up and runner_up["ci95"] and best["ci95"][0] > runner_up["ci95"][1]
    )
    return {
        "steps": len({r.step for r in records}),
        "calls": len(records),
        "ok_steps": sum(r.status == "ok" for r in records),
        "failed_steps": sum(r.status != "ok" for r in records),
        "model_calls": sum(r.status == "ok" and not r.cached for r in records),
        "cached_responses": sum(r.cached for r in records),
        "prompt_tokens": sum(r.prompt_tokens for r in records),
        "completion_tokens": sum(r.completion_tokens for r in records),
        "mean_reward": _mean([r.reward for r in records if r.reward is not None]),
        "ranking": "mean reward (ties: final probability)",
        "best_arm": {
            "name": best["name"],
            "index": best["index"],
            "mean_reward": best["mean_reward"],
            "ci95": best["ci95"],
            "probability": best["probability"],
            "separated_from_runner_up": separated,
        },
        "arms": rows,
    }


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 6) if values else None


def identification(arms: Sequence[Arm], records: Sequence[StepRecord], *, recommended: int | None = None,
                   level: float = 0.95) -> dict[str, Any]:
    """Which arm to pick, how sure an anytime-valid test is of it, and its estimated gap to the runner-up.

    Steps that evaluated several arms on one question are compared pairwise (question difficulty cancels);
    runs with one arm per step fall back to per-arm confidence sequences. ``confidence`` is the largest
    ``1 - delta`` at which the recommended arm is certified better than every other arm; it is valid
    however the run chose its arms and whenever it stopped (`promptbandit.confidence`).

    Args:
        recommended: the policy's own pick (fixed-budget schedules); default the arm with the best mean.
        level: coverage of the gap interval.
    """
    stats = PairedStats(len(arms))
    by_step: dict[int, list[StepRecord]] = {}
    for record in records:
        by_step.setdefault(record.step, []).append(record)
    for group in by_step.values():
        add_step(stats, [r.arm for r in group], [r.reward if r.status == "ok" else None for r in group])
    paired = bool((stats.n[~np.eye(len(arms), dtype=bool)] > 0).any()) if len(arms) > 1 else False
    best = int(leader(stats)) if recommended is None else recommended
    result: dict[str, Any] = {
        "recommended": arms[best].name, "index": best, "paired": paired,
        "confidence": round(confidence(stats, best, paired=paired), 6) if len(arms) > 1 else None,
    }
    if len(arms) > 1:
        means = np.nan_to_num(stats.arm_means(), nan=-np.inf)
        means[best] = -np.inf
        runner = int(np.argmax(means))
        alpha = (1 - level) / 2
        if paired:
            n, gap = int(stats.n[best, runner]), float(stats.pair_means()[best, runner])
            low, high = float(stats.pair_lower(alpha)[best, runner]), float(stats.pair_upper(alpha)[best, runner])
        else:
            n = int(min(stats.arm_n[best], stats.arm_n[runner]))
            mean = np.nan_to_num(stats.arm_means(), nan=0.0)
            rad = radius(stats.arm_n, stats.arm_var, alpha / 2, 1.0)
            gap = float(mean[best] - mean[runner])
            low = max(-1.0, float(mean[best] - rad[best] - mean[runner] - rad[runner]))
            high = min(1.0, float(mean[best] + rad[best] - mean[runner] + rad[runner]))
        result.update({
            "runner_up": arms[runner].name, "gap": round(gap, 6), "gap_interval": [round(low, 6), round(high, 6)],
            "gap_interval_level": level, "questions_compared": n,
        })
    return result
