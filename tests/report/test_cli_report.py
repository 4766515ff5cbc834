"""`promptbandit report` and `promptbandit compare` from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from handmade_runs import make_run_dir, step
from typer.testing import CliRunner

from promptbandit.cli import app

SRC = Path(__file__).resolve().parents[2] / "src"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-m", "promptbandit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_report_command_writes_and_prints_the_report_path(tmp_path: Path) -> None:
    path = make_run_dir(tmp_path / "r", [step(0, 0, 1.0), step(1, 1, 0.0)])
    result = CliRunner().invoke(app, ["report", str(path), "--out", str(tmp_path / "page.html")])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / "page.html")
    assert (tmp_path / "page.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("command", [["report", "no-such-run"], ["compare", "no-such-run"]])
def test_a_missing_run_directory_is_one_line_and_exit_2(tmp_path: Path, command: list[str]) -> None:
    result = _cli(*command, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "promptbandit: error: no-such-run is not a run directory (no such directory)"
    assert not list(tmp_path.iterdir())  # nothing half-written
