"""Reading run directories into objects."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from handmade_runs import make_run_dir, step

from promptbandit import analysis, load_run
from promptbandit.errors import RunDirError


@pytest.mark.model
def test_load_run_reads_a_real_run_directory(reinforce_run: Path) -> None:
    run = load_run(reinforce_run)
    assert len(run.records) == 12
    assert [r.step for r in run.records] == list(range(12))
    assert [a.name for a in run.arms][:1] == ["Albert Einstein"]
    assert run.summary == json.loads((reinforce_run / "summary.json").read_text())
    assert run.config.steps == 12 and run.config.policy == "reinforce"
    assert run.validation is None
    assert run.dataset == "builtin:arithmetic"
    assert run.model.startswith("local:qwen2.5")


def test_summary_is_computed_when_the_run_wrote_none(tmp_path: Path) -> None:
    records = [step(0, 0, 1.0), step(1, 1, 0.0), step(2, 0, 1.0)]
    run = load_run(make_run_dir(tmp_path / "r", records))
    assert run.summary["best_arm"]["name"] == "Alan Turing"
    assert run.summary == analysis.summarize(run.arms, list(run.records))


def test_validation_json_is_loaded_when_present(tmp_path: Path) -> None:
    run = load_run(make_run_dir(tmp_path / "r", [step(0, 0, 1.0)], validation={"items": 5}))
    assert run.validation == {"items": 5}


def test_a_last_line_cut_short_by_a_crash_is_ignored(tmp_path: Path) -> None:
    path = make_run_dir(tmp_path / "r", [step(0, 0, 1.0), step(1, 1, 0.0)])
    with (path / "steps.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"step": 2, "arm": 0, "arm_na')
    assert len(load_run(path).records) == 2


@pytest.mark.parametrize(("damage", "message"), [
    ("no-dir", "no such directory"),
    ("no-manifest", "manifest.json is missing"),
    ("bad-arm", "names arm 7"),
    ("bad-validation", "validation.json"),
])
def test_broken_run_directories_raise_one_clear_error(tmp_path: Path, damage: str, message: str) -> None:
    path = make_run_dir(tmp_path / "r", [step(0, 0, 1.0)])
    if damage == "no-dir":
        shutil.rmtree(path)
    elif damage == "no-manifest":
        (path / "manifest.json").unlink()
    elif damage == "bad-arm":
        record = step(0, 0, 1.0).to_json() | {"arm": 7}
        (path / "steps.jsonl").write_text(json.dumps(record) + "\n")
    else:
        (path / "validation.json").write_text("{not json")
    with pytest.raises(RunDirError, match=message):
        load_run(path)
