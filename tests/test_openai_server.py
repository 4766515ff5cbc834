"""The OpenAI-compatible path against a real llama.cpp server on 127.0.0.1."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import llama_server, run_cli

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def server(gguf: Path) -> Iterator[str]:
    with llama_server(gguf, "--n_ctx", "2048", "--model_alias", "qwen-embedded") as base:
        yield base


def test_short_experiment_through_the_openai_backend(tmp_path: Path, server: str) -> None:
    result = run_cli("run", "--model", "openai:qwen-embedded", "--base-url", server, "--steps", "12",
                     "--concurrency", "2", "--out", "r", "--cache", str(tmp_path / "c.sqlite"), cwd=tmp_path,
                     env={"OPENAI_API_KEY": ""}, timeout=300)
    assert result.returncode == 0, result.stderr
    steps = [json.loads(line) for line in (tmp_path / "r" / "steps.jsonl").read_text().splitlines()]
    assert len(steps) == 12
    assert all(step["status"] == "ok" and step["completion_tokens"] > 0 for step in steps)
    baseline_or_persona = [s for s in steps if s["arm_name"] not in ("answer 42", "banana")]
    assert sum(s["reward"] for s in baseline_or_persona) >= len(baseline_or_persona) / 2
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["model"]["model_id"].startswith("openai:qwen-embedded@http://127.0.0.1")


def test_unknown_model_name_is_a_clean_error(tmp_path: Path, server: str) -> None:
    result = run_cli("run", "--model", "openai:qwen-embedded", "--base-url", server + "/nope", "--steps", "2",
                     "--out", "r", "--no-cache", cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "HTTP 404" in result.stderr
    assert not (tmp_path / "r").exists()
