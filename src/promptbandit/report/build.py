"""Build a run's report.html: load the run directory, draw the plots, render the page, write it atomically."""

from __future__ import annotations

import base64
from pathlib import Path

from promptbandit.report.html import render_report
from promptbandit.report.plots import figure_bytes, probability_figure, reward_figure
from promptbandit.report.rundir import REPORT, Run, load_run
from promptbandit.store import atomic_write


def svg_data_uri(svg: bytes) -> str:
    """An SVG image as a ``data:`` URI, so the page needs no other file."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def report_html(run: Run) -> str:
    """The complete, self-contained report page of `run`."""
    names = [arm.name for arm in run.arms]
    probability = figure_bytes(probability_figure(run.records, names), "svg")
    reward = figure_bytes(reward_figure(run.records), "svg")
    return render_report(run, svg_data_uri(probability), svg_data_uri(reward))


def write_report(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of the run at `run_dir` to `out` (default ``RUN_DIR/report.html``) and return its path.

    Raises:
        RunDirError: `run_dir` is not a readable run directory.
    """
    run = load_run(run_dir)
    target = Path(out) if out is not None else run.path / REPORT
    page = report_html(run).encode("utf-8")
    atomic_write(target, lambda handle: handle.write(page))
    return target
