"""Shared test helpers: run the CLI as a user would, locate the shared data and the embedded model."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def run_cli(*args: str, cwd: Path, timeout: float = 600, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m promptbandit ARGS`` from the source tree, bounded by `timeout` seconds."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "120", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "promptbandit", *args], cwd=cwd, env=full_env, capture_output=True, text=True,
        timeout=timeout,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, fragment: str) -> None:
    """The CLI failed with exit 2 and exactly one stderr line naming the problem, and no traceback."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("promptbandit: error: ")
    assert fragment in lines[0], lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def llama_server(model: Path, *options: str, start_timeout: float = 120) -> Iterator[str]:
    """A real ``python -m llama_cpp.server`` on 127.0.0.1 serving `model`; yields its ``/v1`` base URL."""
    pytest.importorskip("llama_cpp.server")
    port = free_port()
    process = subprocess.Popen(
        ["nice", "-n", "10", sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None:
                pytest.fail("llama_cpp.server exited during start-up")
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start within {start_timeout:.0f} s")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def gguf() -> Path:
    """The verified embedded model file (assembled on first use)."""
    pytest.importorskip("llama_cpp")
    from promptbandit.backends.embedded import ensure_embedded_model
    from promptbandit.runner import default_cache_dir

    return ensure_embedded_model(default_cache_dir() / "models")


def _real_run(out: Path, **settings: object) -> Path:
    from promptbandit import RunConfig, run

    run(RunConfig(out=str(out), **settings))  # type: ignore[arg-type]
    return out


@pytest.fixture(scope="session")
def reinforce_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 REINFORCE steps of the default run (builtin arithmetic, personas and controls, embedded model).

    The learning rate is raised from 0.1 to 0.5 so that twelve steps move the probabilities visibly in the plot.
    Shared by the report tests; mark tests that use it with ``@pytest.mark.model``.
    """
    return _real_run(tmp_path_factory.mktemp("runs") / "reinforce-seed0", steps=12, seed=0, name="reinforce",
                     policy_params={"lr": 0.5})


@pytest.fixture(scope="session")
def three_runs(tmp_path_factory: pytest.TempPathFactory, reinforce_run: Path) -> list[Path]:
    """The REINFORCE run plus a UCB1 and a Thompson run with other seeds (embedded model)."""
    base = tmp_path_factory.mktemp("more-runs")
    return [
        reinforce_run,
        _real_run(base / "ucb1-seed1", steps=10, seed=1, policy="ucb1", name="ucb1"),
        _real_run(base / "thompson-seed2", steps=8, seed=2, policy="thompson", name="thompson"),
    ]
