"""`promptbandit report` and `promptbandit compare` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from handmade_runs import make_run_dir, step
from typer.testing import CliRunner

from conftest import assert_one_line_error, run_cli
from promptbandit.cli import app


def test_report_command_writes_and_prints_the_report_path(tmp_path: Path) -> None:
    path = make_run_dir(tmp_path / "r", [step(0, 0, 1.0), step(1, 1, 0.0)])
    result = CliRunner().invoke(app, ["report", str(path), "--out", str(tmp_path / "page.html")])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / "page.html")
    assert (tmp_path / "page.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("command", [["report", "no-such-run"], ["compare", "no-such-run"]])
def test_a_missing_run_directory_is_one_line_and_exit_2(tmp_path: Path, command: list[str]) -> None:
    result = run_cli(*command, cwd=tmp_path, timeout=120)
    assert_one_line_error(result, "no-such-run is not a run directory (no such directory)")
    assert not list(tmp_path.iterdir())  # nothing half-written
