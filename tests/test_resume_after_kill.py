"""A run killed with SIGKILL at random points and resumed ends exactly like an uninterrupted run."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from fastsafe_support import cli_command, cli_env, run_cli, steps_without_volatile, summary_without_volatile
from promptbandit.fakeserver import FakeServer, ServerSettings

STEPS = 60


def _args(server: FakeServer, out: Path, cache: Path) -> list[str]:
    return ["--model", "openai:fake", "--base-url", server.base_url, "--steps", str(STEPS), "--concurrency", "4",
            "--seed", "7", "--policy", "reinforce", "--out", str(out), "--cache", str(cache), "-q"]


def _count_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_sigkill_at_five_random_points_then_resume_equals_uninterrupted_run(tmp_path: Path) -> None:
    with FakeServer(ServerSettings(latency_s=0.04)) as server:
        reference = tmp_path / "reference"
        done = run_cli(*_args(server, reference, tmp_path / "reference.sqlite"))
        assert done.returncode == 0, done.stderr
        expected_steps = steps_without_volatile(reference)
        expected_summary = summary_without_volatile(reference)
        assert len(expected_steps) == STEPS

        points = sorted(random.Random(20261203).sample(range(1, STEPS - 2), 5))
        killed_at = []
        for trial, point in enumerate(points):
            out, cache = tmp_path / f"run{trial}", tmp_path / f"cache{trial}.sqlite"
            process = subprocess.Popen(cli_command(*_args(server, out, cache)), env=cli_env(),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 90
            while _count_lines(out / "steps.jsonl") < point and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            killed_at.append(_count_lines(out / "steps.jsonl"))
            assert (out / "summary.json").exists() is False, "the kill came after the run had finished"

            resumed = run_cli("--resume", str(out), "-q")
            assert resumed.returncode == 0, resumed.stderr
            assert steps_without_volatile(out) == expected_steps
            assert summary_without_volatile(out) == expected_summary
        # The kills really landed at different places in the run.
        assert len(set(killed_at)) >= 3, killed_at


def test_ctrl_c_stops_cleanly_says_how_to_resume_and_the_resume_finishes(tmp_path: Path) -> None:
    with FakeServer(ServerSettings(latency_s=0.04)) as server:
        out = tmp_path / "run"
        process = subprocess.Popen(cli_command(*_args(server, out, tmp_path / "cache.sqlite")), env=cli_env(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 90
        while _count_lines(out / "steps.jsonl") < 10 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
        assert process.returncode == 130, err
        assert "Traceback" not in err
        assert f"promptbandit run --resume {out}" in err
        resumed = run_cli("--resume", str(out), "-q")
        assert resumed.returncode == 0, resumed.stderr
    assert [row["step"] for row in steps_without_volatile(out)] == list(range(STEPS))


@pytest.mark.model
def test_ctrl_c_during_an_embedded_model_call_exits_130_without_crashing(tmp_path: Path, gguf: Path) -> None:
    """The interrupted generation keeps running in llama.cpp's thread; the model must not be freed under it."""
    out = tmp_path / "run"
    process = subprocess.Popen(cli_command("--steps", "40", "--no-cache", "--seed", "3", "--out", str(out)),
                               env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    deadline = time.monotonic() + 300
    while _count_lines(out / "steps.jsonl") < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)   # land inside the next generation
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, (process.returncode, err[-500:])
    assert f"promptbandit run --resume {out}" in err and "Traceback" not in err
    resumed = run_cli("--resume", str(out), "-q", timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert [row["step"] for row in steps_without_volatile(out)] == list(range(40))
