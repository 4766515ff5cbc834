"""The Python API beside `run` / `run_async`: read run directories, summarise, plot, compare and report.

Every function takes a run directory path or an already loaded `Run`, so notebooks can load once and reuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from matplotlib.figure import Figure

from promptbandit import analysis
from promptbandit.report.build import write_comparison, write_report
from promptbandit.report.compare import Comparison
from promptbandit.report.compare import compare as compare_runs
from promptbandit.report.plots import probability_figure, reward_figure
from promptbandit.report.rundir import Run, load_run

RunLike = Run | str | Path
PlotKind = Literal["probabilities", "reward"]


def _run(run: RunLike) -> Run:
    return run if isinstance(run, Run) else load_run(run)


def summarize(run: RunLike) -> dict[str, Any]:
    """Per-arm pulls, mean reward, 95% interval, final probability and tokens, ranked, computed from the steps.

    The same dictionary as the run's ``summary.json`` (without the cache counts), also for a run that was
    interrupted before it wrote one.
    """
    loaded = _run(run)
    return analysis.summarize(loaded.arms, loaded.records)


def plot(run: RunLike, kind: PlotKind = "probabilities", path: str | Path | None = None) -> Figure:
    """A matplotlib figure of a run: ``"probabilities"`` (each arm's selection probability per step) or
    ``"reward"`` (cumulative and moving-average reward). Saved to `path` when given (format from its suffix)."""
    loaded = _run(run)
    makers = {
        "probabilities": lambda: probability_figure(loaded.records, [a.name for a in loaded.arms], loaded.name),
        "reward": lambda: reward_figure(loaded.records, loaded.name),
    }
    if kind not in makers:
        raise ValueError(f"kind must be one of {', '.join(makers)}, got {kind!r}")
    fig = makers[kind]()
    if path is not None:
        fig.savefig(path)
    return fig


def compare(runs: Sequence[RunLike], out: str | Path | None = None) -> Comparison:
    """The best arm and its score per run, grouped by data set and model.

    Args:
        runs: run directories or loaded runs.
        out: when given, also write ``<out>.md`` and ``<out>.csv`` (run directories only).
    """
    if out is not None:
        paths = [r.path if isinstance(r, Run) else Path(r) for r in runs]
        return write_comparison(paths, out)[0]
    return compare_runs([_run(r) for r in runs])


def report(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write the self-contained HTML report of a run (default ``RUN_DIR/report.html``) and return its path."""
    return write_report(run_dir, out)


__all__ = ["Comparison", "Run", "compare", "load_run", "plot", "report", "summarize"]
