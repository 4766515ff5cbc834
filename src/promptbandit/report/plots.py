"""Matplotlib figures of a run: selection probability per arm, and cumulative / moving-average reward.

Figures are built with `matplotlib.figure.Figure` directly, not pyplot, so no global figure state is kept and
importing promptbandit never changes the backend of a notebook that draws its own plots.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Literal

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from promptbandit.report.series import probability_series, reward_series
from promptbandit.store import atomic_write
from promptbandit.types import StepRecord

ImageFormat = Literal["png", "svg"]
_STYLES = ("-", "--", "-.", ":")


def probability_figure(records: Sequence[StepRecord], arm_names: Sequence[str], title: str = "") -> Figure:
    """Each arm's selection probability after every step, one labelled line per arm."""
    steps, series = probability_series(records, len(arm_names))
    fig = Figure(figsize=(9, 4.6), dpi=110)
    ax = fig.subplots()
    for index, name in enumerate(arm_names):
        # Past ten arms the colours repeat, so the line style changes instead.
        ax.plot(steps, series[index], label=name, linestyle=_STYLES[(index // 10) % len(_STYLES)], linewidth=1.6)
    ax.set_xlabel("step")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("probability of choosing the arm")
    # Early in a run every line sits near 1/K; scale to the data so the movement is visible.
    top = max((max(line) for line in series), default=1.0)
    ax.set_ylim(0, min(1.0, top * 1.15 + 0.02))
    ax.set_xlim(0, max(steps[-1], 1))
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    return fig


def reward_figure(records: Sequence[StepRecord], title: str = "", window: int | None = None) -> Figure:
    """Cumulative mean reward and a trailing moving average over the steps that have a reward."""
    steps, cumulative, moving, size = reward_series(records, window)
    fig = Figure(figsize=(9, 3.6), dpi=110)
    ax = fig.subplots()
    ax.plot(steps, moving, label=f"moving average ({size} steps)", color="#9ecae1", linewidth=1.4)
    ax.plot(steps, cumulative, label="cumulative mean", color="#08519c", linewidth=2.0)
    ax.set_xlabel("step")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("reward")
    low = min([0.0, *cumulative, *moving])
    high = max([1.0, *cumulative, *moving])
    ax.set_ylim(low - 0.02, high + 0.02)
    ax.set_xlim(0, max(steps[-1] if steps else 1, 1))
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def figure_bytes(fig: Figure, image_format: ImageFormat = "png") -> bytes:
    """The figure encoded as PNG or SVG (SVG keeps text as text, so it stays small and searchable)."""
    buffer = io.BytesIO()
    # Dropping the date keeps the bytes a function of the run alone.
    metadata = {"Date": None} if image_format == "svg" else None
    with rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format=image_format, metadata=metadata)
    return buffer.getvalue()


def policy_png(records: Sequence[StepRecord], arm_names: Sequence[str], title: str) -> bytes:
    """PNG bytes of `probability_figure`."""
    return figure_bytes(probability_figure(records, arm_names, title), "png")


def write_policy_plot(path: Path, records: Sequence[StepRecord], arm_names: Sequence[str], title: str) -> None:
    """Write `policy_png` atomically to `path`."""
    data = policy_png(records, arm_names, title)

    def write(handle: IO[bytes]) -> None:
        handle.write(data)

    atomic_write(path, write)
