"""The sanity-controls acceptance: five seeds of experiments/sanity-controls.yaml with the embedded model.

Measures every arm's accuracy on all training items of each framing (paired, through the response cache), runs
the preset with seeds 0-4, and writes summaries, plots and a results table under docs/results/sanity-controls/.

    nice -n 10 python bench/sanity_controls.py
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from promptbandit import runner
from promptbandit.arms import load_arms
from promptbandit.backends import make_backend
from promptbandit.config import load_config
from promptbandit.datasets import load_dataset
from promptbandit.evaluate import evaluate
from promptbandit.rewards import RewardContext, build_reward, reward_spec
from promptbandit.types import SamplingParams

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "results" / "sanity-controls"
FRAMINGS = {
    "arithmetic (preset)": "builtin:arithmetic",
    "domains true/false": {"source": "../shared/data/domains", "framing": "true_false", "limit": 100},
}
SEEDS = range(5)


async def accuracies(placement: str) -> list[dict]:
    cache_dir = runner.default_cache_dir()
    config = load_config(ROOT / "experiments" / "sanity-controls.yaml")
    bare = make_backend("local", cache_dir=cache_dir)
    stack, _ = runner.wrap_backend(bare, config, cache_dir)
    arms = load_arms(config.arms, baseline=True)
    rows = []
    try:
        for label, source in FRAMINGS.items():
            data = load_dataset({"source": source, "validation": 30} if isinstance(source, str) else source)
            reward = build_reward(reward_spec(None), data.reward, RewardContext())
            cells = await evaluate(arms, data.examples, stack, reward, SamplingParams(max_tokens=data.max_tokens),
                                   placement=placement)  # type: ignore[arg-type]
            for arm, row in zip(arms, cells, strict=False):
                scores = [c.score for c in row if c.score]
                rows.append({"framing": label, "placement": placement, "arm": arm.name, "items": len(row),
                             "accuracy": round(sum(s.value for s in scores) / len(scores), 4)})
    finally:
        await stack.aclose()
    return rows


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    measured = asyncio.run(accuracies("system"))
    for row in measured:
        print(f"{row['framing']:22} {row['arm']:12} accuracy {row['accuracy']:.3f} on {row['items']} items")
    base = load_config(ROOT / "experiments" / "sanity-controls.yaml")
    seeds = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in SEEDS:
            result = runner.run(replace(base, seed=seed, out=str(Path(tmp) / f"seed-{seed}")))
            probs = {row["name"]: row["probability"] for row in result.summary["arms"]}
            means = {row["name"]: row["mean_reward"] for row in result.summary["arms"]}
            ok = probs["honest"] > probs["misleading"] and probs["honest"] > probs["output 42"]
            seeds.append({"seed": seed, "probability": probs, "mean_reward": means, "honest_above_both": ok})
            shutil.copy(result.run_dir / "summary.json", OUT / f"seed-{seed}-summary.json")
            shutil.copy(result.run_dir / "policy.png", OUT / f"seed-{seed}-policy.png")
            print(f"seed {seed}: P(honest) {probs['honest']:.3f}  P(misleading) {probs['misleading']:.3f}  "
                  f"P(output 42) {probs['output 42']:.3f}  P(no prefix) {probs['no prefix']:.3f}  -> {ok}")
    passed = sum(s["honest_above_both"] for s in seeds)
    print(f"honest above misleading and output 42 in {passed} of {len(seeds)} seeds")
    (OUT / "results.json").write_text(json.dumps(
        {"preset": "experiments/sanity-controls.yaml", "accuracy": measured, "seeds": seeds,
         "honest_above_both": passed}, indent=2) + "\n")


if __name__ == "__main__":
    main()
