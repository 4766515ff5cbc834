"""Helpers shared by the tests of fast and safe runs: running the CLI, normalising run directories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# Fields that depend on timing or on the cache, not on what the run chose and scored.
VOLATILE_STEP_FIELDS = ("latency_s", "cached")
VOLATILE_SUMMARY_FIELDS = ("cache", "model_calls", "cached_responses", "usage")


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for a CLI subprocess that imports this checkout."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("API_KEY")}
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "promptbandit", "run", *args]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli_command(*args), capture_output=True, text=True, env=env or cli_env(), timeout=timeout,
                          cwd=REPO)


def steps_without_volatile(run_dir: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (run_dir / "steps.jsonl").read_text(encoding="utf-8").splitlines()]
    return [{k: v for k, v in row.items() if k not in VOLATILE_STEP_FIELDS} for row in rows]


def summary_without_volatile(run_dir: Path) -> dict[str, Any]:
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    tokens = summary["usage"]["tokens"]
    kept = {k: v for k, v in summary.items() if k not in VOLATILE_SUMMARY_FIELDS}
    kept["tokens"] = tokens
    return kept
