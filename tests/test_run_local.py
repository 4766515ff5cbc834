"""End-to-end runs with the real embedded model through the CLI, as a user would type them."""

import json
from pathlib import Path

import pytest

from conftest import SHARED_DATA, run_cli

pytestmark = pytest.mark.model
GSM8K = SHARED_DATA / "gsm8k" / "test.jsonl"


def _steps(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "steps.jsonl").read_text().splitlines()]


def test_default_run_ranks_the_controls_last(tmp_path: Path, gguf: Path) -> None:
    result = run_cli("run", "--cache", str(tmp_path / "cache.sqlite"), cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    run_dirs = list((tmp_path / "runs").iterdir())
    assert len(run_dirs) == 1
    summary = json.loads((run_dirs[0] / "summary.json").read_text())
    groups_by_rank = [row["group"] for row in summary["arms"]]
    assert groups_by_rank[-2:] == ["control", "control"], summary["arms"]
    controls = [row for row in summary["arms"] if row["group"] == "control"]
    assert all(row["mean_reward"] is not None and row["mean_reward"] < 0.5 for row in controls)
    assert len(_steps(run_dirs[0])) == 200
    assert "best arm:" in result.stdout


@pytest.mark.skipif(not GSM8K.is_file(), reason="shared data not present beside the checkout")
def test_gsm8k_run_writes_all_four_files_and_repeats_from_the_cache(tmp_path: Path, gguf: Path) -> None:
    args = ["run", "--dataset", str(GSM8K), "--arms", "personas", "--baseline", "--steps", "20",
            "--max-tokens", "96", "--cache", str(tmp_path / "cache.sqlite")]
    first = run_cli(*args, "--out", "first", cwd=tmp_path, timeout=900)
    assert first.returncode == 0, first.stderr
    run_dir = tmp_path / "first"
    assert {p.name for p in run_dir.iterdir()} >= {"manifest.json", "steps.jsonl", "summary.json", "policy.png"}
    steps = _steps(run_dir)
    assert len(steps) == 20
    assert set(steps[0]) >= {"step", "arm", "arm_name", "example_id", "response", "extracted", "reward",
                             "probabilities", "latency_s", "prompt_tokens", "completion_tokens"}
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["model"]["model_sha256"].startswith("1d9614638d18")
    assert manifest["seed"] == 0 and manifest["config"]["steps"] == 20
    assert (run_dir / "policy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    second = run_cli(*args, "--out", "second", cwd=tmp_path, timeout=300)
    assert second.returncode == 0, second.stderr
    again = _steps(tmp_path / "second")
    assert all(step["cached"] for step in again)
    assert [s["response"] for s in again] == [s["response"] for s in steps]
    summary = json.loads((tmp_path / "second" / "summary.json").read_text())
    assert summary["model_calls"] == 0
