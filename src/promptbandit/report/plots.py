"""Matplotlib figures of a run."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: no display on servers and CI
import matplotlib.pyplot as plt  # noqa: E402

from promptbandit.store import atomic_write  # noqa: E402
from promptbandit.types import StepRecord  # noqa: E402


def policy_png(records: Sequence[StepRecord], arm_names: Sequence[str], title: str) -> bytes:
    """PNG bytes of each arm's selection probability after every step, one labelled line per arm."""
    fig, ax = plt.subplots(figsize=(9, 5), dpi=110)
    steps = [r.step + 1 for r in records]
    uniform = 1.0 / len(arm_names)
    styles = ["-", "--", "-.", ":"]
    for index, name in enumerate(arm_names):
        series = [uniform] + [r.probabilities[index] for r in records]
        ax.plot([0, *steps], series, label=name, linestyle=styles[(index // 10) % len(styles)], linewidth=1.6)
    ax.set_xlabel("step")
    ax.set_ylabel("probability of choosing the arm")
    ax.set_ylim(0, 1)
    ax.set_xlim(0, max(steps, default=1))
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def write_policy_plot(path: Path, records: Sequence[StepRecord], arm_names: Sequence[str], title: str) -> None:
    """Write `policy_png` atomically to `path`."""
    data = policy_png(records, arm_names, title)
    atomic_write(path, lambda handle: handle.write(data))
