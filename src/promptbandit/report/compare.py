"""Compare runs: the best arm and its score per run, grouped by data set and model (pure functions).

The Markdown has two tables: one row per run, and the shape of the study's "top persona per data set and
model size" table, with data sets as rows and models as columns.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from promptbandit.report.rundir import Run

CSV_COLUMNS = ("dataset", "model", "run", "run_dir", "policy", "seed", "steps", "best_arm", "mean_reward",
               "ci95_low", "ci95_high", "pulls", "separated_from_runner_up", "validation")


@dataclass(frozen=True)
class ComparisonRow:
    """One run's headline result."""

    dataset: str
    model: str
    run: str  # the run directory's name
    run_dir: str
    policy: str
    seed: int | None
    steps: int
    best_arm: str
    mean_reward: float | None
    ci95: tuple[float, float] | None
    pulls: int
    separated: bool
    validation: str = ""  # the held-out verdict on the best arm against no prefix, when validation.json has one


@dataclass(frozen=True)
class Comparison:
    """The rows, sorted by data set, model and run, with their Markdown and CSV renderings."""

    rows: tuple[ComparisonRow, ...]

    @property
    def markdown(self) -> str:
        return to_markdown(self.rows)

    @property
    def csv(self) -> str:
        return to_csv(self.rows)


def dataset_label(source: str) -> str:
    """A short name for a data set source: ``builtin:``/``hf:`` ids as they are, files as ``folder/file``.

    >>> dataset_label("../shared/data/gsm8k/test.jsonl"), dataset_label("builtin:arithmetic")
    ('gsm8k/test.jsonl', 'builtin:arithmetic')
    """
    if source.startswith(("builtin:", "hf:")):
        return source
    parts = PurePath(source).parts
    return "/".join(parts[-2:]) if len(parts) >= 2 else source


def model_label(model_id: str) -> str:
    """A model id without the file-hash suffix the embedded model carries.

    >>> model_label("local:qwen2.5-coder-0.5b-instruct-q4_k_m@1d9614638d18024d")
    'local:qwen2.5-coder-0.5b-instruct-q4_k_m'
    """
    return model_id.split("@", 1)[0]


def comparison_row(run: Run) -> ComparisonRow:
    """The headline of one run: its best arm by mean reward, with interval and pulls."""
    summary = run.summary
    best = summary.get("best_arm") or {}
    row: dict[str, Any] = next((r for r in summary.get("arms", []) if r.get("name") == best.get("name")), {})
    config = run.manifest.get("config", {})
    ci = best.get("ci95")
    seed = run.manifest.get("seed", config.get("seed"))
    return ComparisonRow(
        dataset=dataset_label(run.dataset), model=model_label(run.model), run=run.path.name, run_dir=str(run.path),
        policy=str(config.get("policy", "?")), seed=int(seed) if isinstance(seed, int) else None,
        steps=int(summary.get("steps", len(run.records))),
        best_arm=str(best.get("name", "-")) if best.get("mean_reward") is not None else "-",
        mean_reward=best.get("mean_reward"), ci95=(float(ci[0]), float(ci[1])) if ci else None,
        pulls=int(row.get("pulls", 0)), separated=bool(best.get("separated_from_runner_up", False)),
        validation=validation_verdict(run.validation, str(best.get("name", ""))),
    )


def validation_verdict(validation: dict[str, Any] | None, arm: str) -> str:
    """What validation.json says about `arm` against the baseline, e.g. ``no significant difference (+0.025)``.

    >>> validation_verdict({"arms": [{"name": "A", "verdict": "beats baseline", "difference": 0.1}]}, "A")
    'beats baseline (+0.100)'
    >>> validation_verdict(None, "A"), validation_verdict({"arms": []}, "A")
    ('', 'not validated')
    """
    if validation is None:
        return ""
    rows = validation.get("arms")
    entry = next((r for r in rows if isinstance(r, dict) and r.get("name") == arm), None) \
        if isinstance(rows, list) else None
    if entry is None:
        return "not validated"
    verdict = str(entry.get("verdict", "validated"))
    difference = entry.get("difference")
    return f"{verdict} ({difference:+.3f})" if isinstance(difference, int | float) else verdict


def compare(runs: Sequence[Run]) -> Comparison:
    """Compare `runs`: one row each, sorted by data set, model, run name and directory."""
    rows = sorted((comparison_row(run) for run in runs), key=lambda r: (r.dataset, r.model, r.run, r.run_dir))
    return Comparison(tuple(rows))


def to_markdown(rows: Sequence[ComparisonRow]) -> str:
    """Both tables as Markdown: per run (grouped by data set and model), then top arm per data set x model."""
    validated = any(row.validation for row in rows)
    lines = ["## Best arm per run", "",
             "| data set | model | run | policy | seed | steps | best arm | mean reward | 95% interval | pulls "
             "| ahead of runner-up |" + (" held-out vs no prefix |" if validated else ""),
             "|---|---|---|---|---:|---:|---|---:|---|---:|---|" + ("---|" if validated else "")]
    previous: tuple[str, str] | None = None
    for row in rows:
        group = (row.dataset, row.model)
        # Name the data set and model once per group, as in a grouped table.
        dataset, model = ("", "") if group == previous else group
        previous = group
        lines.append("| " + " | ".join([
            _md(dataset), _md(model), _md(row.run), row.policy, "-" if row.seed is None else str(row.seed),
            str(row.steps), _md(row.best_arm), _score(row.mean_reward), _ci(row.ci95), str(row.pulls),
            "yes" if row.separated else "no", *([_md(row.validation or "-")] if validated else []),
        ]) + " |")
    models = sorted({row.model for row in rows})
    datasets = sorted({row.dataset for row in rows})
    cells: dict[tuple[str, str], list[ComparisonRow]] = defaultdict(list)
    for row in rows:
        cells[(row.dataset, row.model)].append(row)
    lines += ["", "## Top arm per data set and model", "",
              "| data set | " + " | ".join(_md(m) for m in models) + " |",
              "|---|" + "---|" * len(models)]
    for dataset in datasets:
        lines.append(f"| {_md(dataset)} | " + " | ".join(_md(top_arm(cells.get((dataset, m), []))) for m in models) + " |")
    lines += ["", "Score: mean reward of the arm over the run's steps. A cell names the arm most runs found best, "
              "its mean score over those runs, and how many runs agree."]
    return "\n".join(lines) + "\n"


def top_arm(rows: Sequence[ComparisonRow]) -> str:
    """The arm most of `rows` found best, e.g. ``Alan Turing 0.620 (2 of 3 runs)``; ``-`` for no runs."""
    scored = [row for row in rows if row.best_arm != "-"]
    if not scored:
        return "-"
    votes = Counter(row.best_arm for row in scored)
    # Most votes first, then the higher mean score, then the name, so ties resolve the same way every time.
    def score(name: str) -> float:
        values = [r.mean_reward for r in rows if r.best_arm == name and r.mean_reward is not None]
        return sum(values) / len(values) if values else float("-inf")
    arm = min(votes, key=lambda name: (-votes[name], -score(name), name))
    mean = score(arm)
    shown = "-" if mean == float("-inf") else f"{mean:.3f}"
    runs = "run" if len(rows) == 1 else "runs"
    return f"{arm} {shown} ({votes[arm]} of {len(rows)} {runs})"


def to_csv(rows: Sequence[ComparisonRow]) -> str:
    """One line per run with the columns in `CSV_COLUMNS`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([
            row.dataset, row.model, row.run, row.run_dir, row.policy, "" if row.seed is None else row.seed, row.steps,
            row.best_arm, "" if row.mean_reward is None else row.mean_reward,
            "" if row.ci95 is None else row.ci95[0], "" if row.ci95 is None else row.ci95[1], row.pulls,
            str(row.separated).lower(), row.validation,
        ])
    return buffer.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ci(ci: tuple[float, float] | None) -> str:
    return "-" if ci is None else f"[{ci[0]:.2f}, {ci[1]:.2f}]"
