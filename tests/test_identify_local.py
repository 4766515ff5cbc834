"""Best-arm identification end to end with the real embedded model, through the CLI."""

import json
from pathlib import Path

import pytest

from conftest import assert_one_line_error, run_cli

pytestmark = pytest.mark.model


def test_cs_elimination_certifies_the_baseline_over_sabotaging_controls(tmp_path: Path, gguf: Path) -> None:
    result = run_cli("run", "--arms", "controls", "--policy", "cs-elimination", "--confidence", "0.95",
                     "--steps", "80", "--out", "run", "--cache", str(tmp_path / "cache.sqlite"), cwd=tmp_path,
                     timeout=600)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    ident = summary["identification"]
    assert ident["recommended"] == "no prefix" and ident["stopped_by"] == "confidence"
    assert ident["confidence"] >= 0.95 and ident["paired"] and ident["steps"] < 80
    assert "best with confidence" in result.stdout
    steps = [json.loads(line) for line in (tmp_path / "run" / "steps.jsonl").read_text().splitlines()]
    first = [s for s in steps if s["step"] == 0]
    assert len(first) == 3 and len({s["example_id"] for s in first}) == 1


def test_paired_reinforce_on_the_embedded_model_logs_k_calls_per_step(tmp_path: Path, gguf: Path) -> None:
    result = run_cli("run", "--arms", "controls", "--pair", "2", "--steps", "6", "--out", "run",
                     "--cache", str(tmp_path / "cache.sqlite"), cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    steps = [json.loads(line) for line in (tmp_path / "run" / "steps.jsonl").read_text().splitlines()]
    assert len(steps) == 12 and [s["call"] for s in steps] == list(range(12))
    assert all(steps[2 * i]["step"] == steps[2 * i + 1]["step"] == i for i in range(6))


@pytest.mark.parametrize("args, fragment", [
    (("--pair", "two"), "--pair: expected a whole number or 'all', got 'two'"),
    (("--policy", "successive-rejects"), "budget: policy successive-rejects plans its rounds"),
    (("--confidence", "95"), "confidence: must be between 0 and 1"),
])
def test_bad_identification_options_are_one_line(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    assert_one_line_error(run_cli("run", *args, "--out", "run", cwd=tmp_path), fragment)
    assert not (tmp_path / "run").exists()
