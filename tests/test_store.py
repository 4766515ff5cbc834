"""Run-directory files: atomic writes, the append-only steps log and its crash repair."""

import json
import os
import stat
from pathlib import Path

import pytest

from promptbandit.errors import RunDirError
from promptbandit.store import StepLog, read_steps, write_json
from promptbandit.types import StepRecord


def _record(step: int) -> StepRecord:
    return StepRecord(step=step, arm=0, arm_name="a", example_id=f"e{step}", prompt="p", gold="1", response="1",
                      extracted="1", reward=1.0, status="ok", probabilities=(1.0,), latency_s=0.1, prompt_tokens=1,
                      completion_tokens=1, cached=False)


def test_written_files_get_the_usual_permissions_and_no_temp_file(tmp_path: Path) -> None:
    write_json(tmp_path / "summary.json", {"a": 1})
    mode = stat.S_IMODE(os.stat(tmp_path / "summary.json").st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    write_json(tmp_path / "m.json", {"old": True})
    with pytest.raises(TypeError):
        write_json(tmp_path / "m.json", {"bad": object()})
    assert json.loads((tmp_path / "m.json").read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_a_line_cut_by_a_crash_is_dropped_and_repaired(tmp_path: Path) -> None:
    path = tmp_path / "steps.jsonl"
    with StepLog(path) as log:
        log.append(_record(0))
        log.append(_record(1))
    with path.open("a") as handle:
        handle.write('{"step": 2, "arm"')
    assert [r.step for r in read_steps(path)] == [0, 1]
    read_steps(path, repair=True)
    assert path.read_text().endswith("\n") and len(path.read_text().splitlines()) == 2


def test_a_gap_in_steps_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "steps.jsonl"
    with StepLog(path) as log:
        log.append(_record(0))
        log.append(_record(2))
    with pytest.raises(RunDirError, match="call 2 found where call 1 was expected"):
        read_steps(path)
