"""Terminal output of a run: a live progress bar, JSON lines for scripts, and the final table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from promptbandit.types import StepRecord


class ProgressBar:
    """A rich progress bar showing steps, model calls, tokens and the currently most likely arm."""

    def __init__(self, console: Console) -> None:
        self.arm_names: list[str] = []
        self.calls = 0
        self.tokens = 0
        self.failures = 0
        self._progress = Progress(
            TextColumn("[bold]run"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
            TextColumn("{task.fields[status]}"), console=console, transient=False,
        )
        self._task = self._progress.add_task("run", total=None, status="", start=False)

    def start(self, arm_names: Sequence[str], total: int) -> None:
        """Show the bar once the run is ready to take steps."""
        self.arm_names = list(arm_names)
        self._progress.update(self._task, total=total)
        self._progress.start_task(self._task)
        self._progress.start()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def __call__(self, record: StepRecord) -> None:
        if record.status == "ok" and not record.cached:
            self.calls += 1
        self.failures += record.status != "ok"
        self.tokens += record.prompt_tokens + record.completion_tokens
        best = max(range(len(record.probabilities)), key=record.probabilities.__getitem__)
        status = (f"calls {self.calls}  tokens {self.tokens}  "
                  f"best {self.arm_names[best]} ({record.probabilities[best]:.2f})")
        if self.failures:
            status += f"  failed {self.failures}"
        # Paired steps log several calls per step: the bar counts steps, the status counts calls.
        self._progress.update(self._task, completed=record.step + 1, status=status)


class JsonLines:
    """Prints every step record as one JSON object per line (for scripts)."""

    def __call__(self, record: StepRecord) -> None:
        print(json.dumps(record.to_json(), ensure_ascii=False), flush=True)


def summary_table(summary: dict[str, Any]) -> Table:
    """The per-arm results, best first."""
    table = Table(title="arms ranked by mean reward", title_justify="left")
    for column, justify in (("rank", "right"), ("arm", "left"), ("pulls", "right"), ("mean", "right"),
                            ("95% interval", "right"), ("probability", "right"), ("tokens", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in summary["arms"]:
        mean = "-" if row["mean_reward"] is None else f"{row['mean_reward']:.3f}"
        ci = "-" if row["ci95"] is None else f"[{row['ci95'][0]:.2f}, {row['ci95'][1]:.2f}]"
        tag = f" ({row['group']})" if row["group"] else ""
        table.add_row(str(row["rank"]), row["name"] + tag, str(row["pulls"]), mean, ci, f"{row['probability']:.3f}",
                      str(row["prompt_tokens"] + row["completion_tokens"]))
    return table
