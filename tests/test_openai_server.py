"""The OpenAI-compatible path against a real llama.cpp server on 127.0.0.1."""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import run_cli

pytestmark = pytest.mark.model


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(gguf: Path) -> Iterator[str]:
    pytest.importorskip("llama_cpp.server")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "2048", "--model_alias", "qwen-embedded"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("llama.cpp server did not start within 120 s")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


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
