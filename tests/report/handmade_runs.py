"""Hand-made run directories for unit tests of the report (the real-model path is tested with real runs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from promptbandit.types import StepRecord

ARMS = [
    {"index": 0, "name": "Alan Turing", "prefix": "Answer the task below as if you were Alan Turing.", "group": ""},
    {"index": 1, "name": "no prefix", "prefix": "", "group": "baseline"},
]


def step(number: int, arm: int, reward: float | None, response: str = "4", detail: dict[str, Any] | None = None,
         probabilities: tuple[float, ...] = (0.5, 0.5)) -> StepRecord:
    return StepRecord(
        step=number, arm=arm, arm_name=ARMS[arm]["name"], example_id=f"ex-{number}", prompt="What is 2 + 2?",
        gold="4", response=response, extracted=response if reward is not None else None, reward=reward,
        status="ok" if reward is not None else "failed", probabilities=probabilities, latency_s=0.1,
        prompt_tokens=10, completion_tokens=2, cached=False, error=None if reward is not None else "HTTP 500",
        detail=detail or {},
    )


def make_run_dir(path: Path, records: list[StepRecord], *, summary: dict[str, Any] | None = None,
                 validation: dict[str, Any] | None = None, dataset: str = "builtin:arithmetic",
                 model_id: str = "openai:test-model", policy: str = "reinforce", seed: int = 0) -> Path:
    path.mkdir(parents=True)
    manifest = {
        "promptbandit_manifest": 1, "created": "2026-01-01T00:00:00+00:00",
        "config": {"name": path.name, "dataset": dataset, "arms": ["personas"], "policy": policy, "steps": len(records),
                   "seed": seed, "model": "openai:test-model"},
        "seed": seed, "arms": ARMS, "dataset": {"source": dataset, "examples": 10, "sha256": None, "reward": "numeric"},
        "model": {"model_id": model_id},
    }
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (path / "steps.jsonl").write_text("".join(json.dumps(r.to_json()) + "\n" for r in records), encoding="utf-8")
    if summary is not None:
        (path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    if validation is not None:
        (path / "validation.json").write_text(json.dumps(validation), encoding="utf-8")
    return path
