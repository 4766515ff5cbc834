"""Held-out validation of a finished run: do its best arms beat no prefix on items the bandit never saw?

`compare` is pure (paired statistics over reward lists); `validate_run` rebuilds the run's data, arms, model
and reward from its manifest, asks the top arms and the baseline every chosen item, and writes
``validation.json`` atomically.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from promptbandit import stats
from promptbandit.analysis import mean_interval
from promptbandit.arms import BASELINE
from promptbandit.backends import Backend, make_backend
from promptbandit.config import config_from_mapping
from promptbandit.datasets import load_dataset
from promptbandit.errors import ConfigError, RunDirError
from promptbandit.evaluate import evaluate
from promptbandit.runner import default_cache_dir, make_reward, wrap_backend
from promptbandit.store import MANIFEST, SUMMARY, read_json, write_json
from promptbandit.types import Arm, SamplingParams

VALIDATION = "validation.json"
SplitName = Literal["validation", "train", "all"]
ALPHA = 0.05


def top_arms(summary: dict[str, Any], k: int) -> list[int]:
    """Indices of the `k` best-ranked arms of a run summary that have a prefix (the baseline is compared, not picked)."""
    ranked = [row["index"] for row in summary["arms"] if row["prefix"] and row["pulls"] > 0]
    return ranked[:k]


def _interval(values: Sequence[float]) -> list[float] | None:
    if values and all(v in (0.0, 1.0) for v in values):
        return [round(x, 6) for x in stats.wilson_interval(sum(values), len(values))]
    found = mean_interval(values)
    return [round(x, 6) for x in found] if found else None


def compare(
    names: Sequence[str], rewards: Sequence[Sequence[float | None]], baseline: Sequence[float | None],
    rng: np.random.Generator, alpha: float = ALPHA,
) -> dict[str, Any]:
    """Paired comparison of each arm with the baseline on the same items.

    Items where either side failed are dropped from that pair. The p-value is an exact two-sided sign test
    on the items where the two differ, which for 0/1 rewards is the exact McNemar test; p-values are Holm
    adjusted across the arms. An arm "beats the baseline" when its adjusted p is below `alpha` and its mean
    difference is positive.
    """
    base_ok = [v for v in baseline if v is not None]
    rows: list[dict[str, Any]] = []
    for name, values in zip(names, rewards, strict=False):
        pairs = [(a, b) for a, b in zip(values, baseline, strict=False) if a is not None and b is not None]
        arm_vals, base_vals = [a for a, _ in pairs], [b for _, b in pairs]
        ok = [v for v in values if v is not None]
        better, worse = sum(a > b for a, b in pairs), sum(a < b for a, b in pairs)
        diff, interval = stats.paired_bootstrap(arm_vals, base_vals, rng) if pairs else (0.0, (0.0, 0.0))
        rows.append({
            "name": name, "items": len(ok), "mean": round(sum(ok) / len(ok), 6) if ok else None,
            "ci95": _interval(ok), "paired_items": len(pairs),
            "binary": all(v in (0.0, 1.0) for v in arm_vals + base_vals),
            "arm_better": better, "baseline_better": worse,
            "difference": round(diff, 6), "difference_ci95": [round(interval[0], 6), round(interval[1], 6)],
            "p_value": stats.mcnemar_exact(better, worse),
        })
    for row, adjusted in zip(rows, stats.holm([r["p_value"] for r in rows]), strict=False):
        row["p_holm"] = adjusted
        row["verdict"] = ("beats baseline" if adjusted < alpha and row["difference"] > 0 else
                          "worse than baseline" if adjusted < alpha and row["difference"] < 0 else
                          "no significant difference")
    winners = [str(r["name"]) for r in rows if r["verdict"] == "beats baseline"]
    conclusion = (f"{', '.join(winners)} beat{'s' if len(winners) == 1 else ''} the no-prefix baseline "
                  f"(Holm-adjusted p < {alpha})" if winners else
                  f"No arm beats the no-prefix baseline (Holm-adjusted p >= {alpha} or a lower mean for every arm).")
    return {
        "baseline": {"items": len(base_ok), "mean": round(sum(base_ok) / len(base_ok), 6) if base_ok else None,
                     "ci95": _interval(base_ok)},
        "arms": rows, "alpha": alpha, "test": "exact two-sided sign test (exact McNemar for 0/1 rewards), Holm",
        "beats_baseline": winners, "conclusion": conclusion,
    }


async def validate_run(
    run_dir: Path, *, top: int = 3, split: SplitName = "validation", limit: int | None = None,
    cache_dir: Path | None = None, backend: Backend | None = None, concurrency: int | None = None,
) -> dict[str, Any]:
    """Evaluate a run's top arms and the baseline on held-out items and write ``validation.json``.

    Args:
        top: how many of the run's best arms to test.
        split: ``validation`` (held out from the bandit), ``train`` (the bandit's own items) or ``all``.
        limit: use only the first `limit` items of the split (quick checks).
        backend: a ready backend instead of the one the manifest names (tests).

    Raises:
        RunDirError: the run directory has no manifest or summary.
        ConfigError: the split is empty or an option is out of range.
    """
    if top < 1:
        raise ConfigError(f"--top: must be at least 1, got {top}")
    if limit is not None and limit < 1:
        raise ConfigError(f"--limit: must be at least 1, got {limit}")
    manifest = read_json(run_dir / MANIFEST)
    summary = read_json(run_dir / SUMMARY)
    config = config_from_mapping(manifest["config"], source=str(run_dir / MANIFEST))
    dataset = load_dataset(config.dataset, skip_bad_rows=config.skip_bad_rows)
    items = {"validation": dataset.validation, "train": dataset.examples,
             "all": dataset.examples + dataset.validation}[split]
    if not items:
        raise ConfigError(f"{run_dir}: this run holds out no items; set dataset.validation in its config "
                          "(e.g. dataset: {source: ..., validation: 0.2}) or pass --split train")
    items = items[:limit] if limit else items
    run_arms = [Arm(a["name"], a["prefix"], a["group"]) for a in manifest["arms"]]
    chosen = top_arms(summary, top)
    if not chosen:
        raise RunDirError(f"{run_dir}: no arm with a prefix was pulled; nothing to validate")
    arms = [run_arms[i] for i in chosen] + [BASELINE]
    sampling = manifest["sampling"]
    params = SamplingParams(temperature=sampling["temperature"], max_tokens=sampling["max_tokens"],
                            top_p=sampling.get("top_p", 1.0))
    cache_dir = cache_dir or default_cache_dir()
    bare = backend or make_backend(config.model, cache_dir=cache_dir, base_url=config.base_url,
                                   api_key_env=config.api_key_env, timeout=config.request_timeout)
    stack, _ = wrap_backend(bare, config, cache_dir)
    reward, judge = make_reward(config, dataset, bare, stack, params, cache_dir)
    try:
        cells = await evaluate(arms, items, stack, reward, params, placement=config.placement,
                               concurrency=concurrency or config.concurrency)
    finally:
        await stack.aclose()
        if judge is not None:
            await judge.aclose()
    values = [[c.score.value if c.score else None for c in row] for row in cells]
    result = compare([a.name for a in arms[:-1]], values[:-1], values[-1], np.random.default_rng(config.seed))
    unparseable = [sum(bool(c.score and c.score.detail.get("unparseable")) for c in row) for row in cells]
    for row, count, index in zip(result["arms"], unparseable, chosen, strict=False):
        row["unparseable"] = count
        row["run_rank"] = next(r["rank"] for r in summary["arms"] if r["index"] == index)
    result["baseline"]["unparseable"] = unparseable[-1]
    report = {
        "promptbandit_validation": 1,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_dir": str(run_dir), "split": split, "items": len(items), "top": top,
        "seed": config.seed, "split_seed": dataset.info.get("split_seed"),
        **result,
        "per_item": [{"id": e.id, **{a.name: values[j][i] for j, a in enumerate(arms)}}
                     for i, e in enumerate(items)],
    }
    write_json(run_dir / VALIDATION, report)
    return report


def validate(run_dir: Path, **kwargs: Any) -> dict[str, Any]:
    """Synchronous `validate_run`."""
    return asyncio.run(validate_run(run_dir, **kwargs))
