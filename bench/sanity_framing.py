"""Measure how the sanity-control prefixes do on candidate True/False framings with the embedded model.

Prints a table of per-arm accuracy (and unparseable answers) for each framing and placement, and writes it to
docs/results/sanity-controls/framing.json. Uses the response cache, so a later bandit run over the same items
is almost free.

    nice -n 10 python bench/sanity_framing.py [--items 120]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from promptbandit.arms import load_arms
from promptbandit.backends import make_backend
from promptbandit.config import RunConfig
from promptbandit.datasets import load_dataset
from promptbandit.evaluate import evaluate
from promptbandit.rewards import RewardContext, build_reward, reward_spec
from promptbandit.runner import default_cache_dir, wrap_backend
from promptbandit.types import SamplingParams

ROOT = Path(__file__).resolve().parent.parent
FRAMINGS = {
    "domains-true_false": {"source": str(ROOT / "../shared/data/domains"), "framing": "true_false"},
    "truthfulqa-true_false": {"source": str(ROOT / "../shared/data/truthfulqa/TruthfulQA.csv")},
}


async def main(items: int, framings: list[str], placements: list[str]) -> None:
    cache_dir = default_cache_dir()
    config = RunConfig()
    bare = make_backend("local", cache_dir=cache_dir)
    stack, _ = wrap_backend(bare, config, cache_dir)
    arms = load_arms(["sanity-controls"], baseline=True)
    results = []
    try:
        for framing in framings:
            dataset = load_dataset({**FRAMINGS[framing], "limit": items, "seed": 0})
            reward = build_reward(reward_spec(None), dataset.reward, RewardContext())
            params = SamplingParams(max_tokens=dataset.max_tokens)
            for placement in placements:
                start = time.perf_counter()
                cells = await evaluate(arms, dataset.examples, stack, reward, params, placement=placement)
                for arm, row in zip(arms, cells):
                    scores = [c.score for c in row if c.score is not None]
                    results.append({
                        "framing": framing, "placement": placement, "arm": arm.name, "items": len(row),
                        "accuracy": round(sum(s.value for s in scores) / len(scores), 4),
                        "unparseable": sum(bool(s.detail.get("unparseable")) for s in scores),
                        "seconds": round(time.perf_counter() - start, 1),
                    })
                    print(f"{framing:24} {placement:7} {arm.name:12} acc {results[-1]['accuracy']:.3f}  "
                          f"unparseable {results[-1]['unparseable']:3d}/{len(row)}", flush=True)
    finally:
        await stack.aclose()
    out = ROOT / "docs/results/sanity-controls/framing.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"model": bare.model_id, "items_per_framing": items, "results": results}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=120)
    parser.add_argument("--framings", default=",".join(FRAMINGS))
    parser.add_argument("--placements", default="system,user")
    args = parser.parse_args()
    asyncio.run(main(args.items, args.framings.split(","), args.placements.split(",")))
