"""Write a run's report.html and the comparison of runs: load run directories, render, write atomically."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from promptbandit.errors import RunDirError
from promptbandit.report.compare import Comparison, compare
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
    _check_parent(target)
    write_bytes(target, report_html(run).encode("utf-8"))
    return target


def write_comparison(run_dirs: Sequence[str | Path], out: str | Path) -> tuple[Comparison, Path, Path]:
    """Compare the runs in `run_dirs` and write ``<out>.md`` and ``<out>.csv``.

    Raises:
        RunDirError: no run directories were given, or one of them is not readable.
    """
    if not run_dirs:
        raise RunDirError("compare needs at least one run directory")
    comparison = compare([load_run(path) for path in run_dirs])
    stem = Path(out)
    markdown_path, csv_path = stem.with_name(stem.name + ".md"), stem.with_name(stem.name + ".csv")
    _check_parent(markdown_path)
    write_bytes(markdown_path, comparison.markdown.encode("utf-8"))
    write_bytes(csv_path, comparison.csv.encode("utf-8"))
    return comparison, markdown_path, csv_path


def write_bytes(path: Path, data: bytes) -> None:
    """Atomically replace `path` with `data`."""
    def write(handle: IO[bytes]) -> None:
        handle.write(data)

    atomic_write(path, write)


def _check_parent(target: Path) -> None:
    if not target.parent.is_dir():
        raise RunDirError(f"cannot write {target}: the directory {target.parent} does not exist")
