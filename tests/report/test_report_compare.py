"""Comparing runs: best arm and score per run, grouped by data set and model, as Markdown and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from handmade_runs import make_run_dir, step
from typer.testing import CliRunner

from promptbandit import compare
from promptbandit.cli import app
from promptbandit.report.compare import CSV_COLUMNS, ComparisonRow, top_arm


@pytest.mark.model
def test_compare_three_real_runs_writes_the_table(three_runs: list[Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["compare", *map(str, three_runs), "--out", str(tmp_path / "table")])
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "table.md").read_text(encoding="utf-8")
    assert markdown in result.output  # printed and written alike
    rows = list(csv.DictReader(io.StringIO((tmp_path / "table.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 3 and list(rows[0]) == list(CSV_COLUMNS)
    for path in three_runs:
        summary = json.loads((path / "summary.json").read_text())
        row = next(r for r in rows if r["run_dir"] == str(path))
        assert row["best_arm"] == summary["best_arm"]["name"]
        assert float(row["mean_reward"]) == summary["best_arm"]["mean_reward"]
        assert int(row["steps"]) == summary["steps"]
        assert f"| {path.name} |" in markdown
    assert {r["policy"] for r in rows} == {"reinforce", "ucb1", "thompson"}
    assert {r["dataset"] for r in rows} == {"builtin:arithmetic"}
    # Same data set and model: the group is named once, and the summary cell counts all three runs.
    assert markdown.count("| builtin:arithmetic |") == 2
    assert "of 3 runs)" in markdown


def test_runs_are_grouped_by_data_set_then_model(tmp_path: Path) -> None:
    a = make_run_dir(tmp_path / "a", [step(0, 0, 1.0)], dataset="/data/gsm8k/test.jsonl", model_id="openai:big")
    b = make_run_dir(tmp_path / "b", [step(0, 1, 1.0)], dataset="builtin:arithmetic", model_id="openai:small")
    c = make_run_dir(tmp_path / "c", [step(0, 0, 0.0), step(1, 1, 1.0)], dataset="/data/gsm8k/test.jsonl",
                     model_id="openai:small")
    comparison = compare([a, b, c])
    assert [(r.dataset, r.model, r.run) for r in comparison.rows] == [
        ("builtin:arithmetic", "openai:small", "b"), ("gsm8k/test.jsonl", "openai:big", "a"),
        ("gsm8k/test.jsonl", "openai:small", "c")]
    pivot = comparison.markdown.split("## Top arm per data set and model")[1]
    assert "| data set | openai:big | openai:small |" in pivot
    assert "| gsm8k/test.jsonl | Alan Turing 1.000 (1 of 1 run) | no prefix 1.000 (1 of 1 run) |" in pivot
    assert "| builtin:arithmetic | - | no prefix 1.000 (1 of 1 run) |" in pivot


def _row(best_arm: str, mean: float) -> ComparisonRow:
    return ComparisonRow(dataset="d", model="m", run="r", run_dir="r", policy="ucb1", seed=0, steps=10,
                         best_arm=best_arm, mean_reward=mean, ci95=None, pulls=3, separated=False)


def test_top_arm_takes_the_majority_then_the_higher_score() -> None:
    assert top_arm([_row("Turing", 0.6), _row("Turing", 0.8), _row("Mozart", 0.9)]) == "Turing 0.700 (2 of 3 runs)"
    assert top_arm([_row("Turing", 0.6), _row("Mozart", 0.9)]) == "Mozart 0.900 (1 of 2 runs)"
    assert top_arm([]) == "-"


def test_arm_names_with_pipes_do_not_break_the_markdown(tmp_path: Path) -> None:
    path = make_run_dir(tmp_path / "a", [step(0, 0, 1.0)])
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["arms"][0]["name"] = "A | B"
    (path / "manifest.json").write_text(json.dumps(manifest))
    assert "A \\| B" in compare([path]).markdown


def test_a_run_without_a_scored_step_names_no_best_arm(tmp_path: Path) -> None:
    failed = make_run_dir(tmp_path / "failed", [step(0, 0, None), step(1, 1, None)])
    good = make_run_dir(tmp_path / "good", [step(0, 1, 1.0)])
    comparison = compare([failed, good])
    assert [(r.run, r.best_arm) for r in comparison.rows] == [("failed", "-"), ("good", "no prefix")]
    assert "no prefix 1.000 (1 of 2 runs)" in comparison.markdown


def test_the_held_out_verdict_is_shown_when_a_run_was_validated(tmp_path: Path) -> None:
    validation = {"arms": [{"name": "Alan Turing", "verdict": "no significant difference", "difference": 0.025}]}
    checked = make_run_dir(tmp_path / "checked", [step(0, 0, 1.0)], validation=validation)
    unchecked = make_run_dir(tmp_path / "unchecked", [step(0, 0, 1.0)])
    comparison = compare([checked, unchecked])
    assert [r.validation for r in comparison.rows] == ["no significant difference (+0.025)", ""]
    assert "held-out vs no prefix |" in comparison.markdown
    assert "| no significant difference (+0.025) |" in comparison.markdown
    assert "held-out" not in compare([unchecked]).markdown
