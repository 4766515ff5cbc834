"""The Python API's readers: summarize and plot accept a path or a loaded run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from handmade_runs import make_run_dir, step

import promptbandit as pb

SRC = Path(__file__).resolve().parents[2] / "src"


def test_summarize_reads_paths_and_loaded_runs_alike(tmp_path: Path) -> None:
    path = make_run_dir(tmp_path / "r", [step(0, 0, 1.0), step(1, 1, 0.0), step(2, 0, 1.0)])
    by_path, by_run = pb.summarize(path), pb.summarize(pb.load_run(path))
    assert by_path == by_run
    assert by_path["best_arm"]["name"] == "Alan Turing" and by_path["arms"][0]["pulls"] == 2


def test_plot_draws_one_line_per_arm_and_saves_when_asked(tmp_path: Path) -> None:
    path = make_run_dir(tmp_path / "r", [step(0, 0, 1.0, probabilities=(0.6, 0.4))])
    fig = pb.plot(path, "probabilities", path=tmp_path / "p.svg")
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["Alan Turing", "no prefix"]
    assert (tmp_path / "p.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert len(pb.plot(path, "reward").axes[0].get_lines()) == 2
    with pytest.raises(ValueError, match="kind must be one of"):
        pb.plot(path, "pie")  # type: ignore[arg-type]


def test_importing_promptbandit_leaves_the_matplotlib_backend_alone() -> None:
    code = "import matplotlib; matplotlib.use('svg'); import promptbandit; print(matplotlib.get_backend())"
    result = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "svg", result.stderr
