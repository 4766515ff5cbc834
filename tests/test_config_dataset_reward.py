"""Config accepts dataset and reward mappings; bad values are one clear line and exit code 2 on the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from promptbandit.config import RunConfig, config_from_mapping
from promptbandit.errors import ConfigError
from promptbandit.rewards import RewardContext, build_reward, reward_spec

ROOT = Path(__file__).resolve().parents[1]


def test_dataset_string_still_works_and_mapping_is_accepted() -> None:
    assert config_from_mapping({"dataset": "builtin:arithmetic"}).dataset == "builtin:arithmetic"
    config = config_from_mapping({"dataset": {"source": "x.jsonl", "framing": "true_false", "validation": 0.2}})
    assert config.to_dict()["dataset"]["validation"] == 0.2


@pytest.mark.parametrize("data, message", [
    ({"dataset": {"source": "x", "framing": "sideways"}}, "dataset.framing: 'sideways' is not one of"),
    ({"dataset": {"framing": "open"}}, "a mapping needs 'source'"),
    ({"dataset": {"source": "x", "validation": 1.5}}, "a fraction must be below 1"),
    ({"reward": "psychic"}, "reward.name: 'psychic' is not one of"),
    ({"reward": {"name": "judge_rubric", "colour": "red"}}, "reward: unknown key 'colour'"),
    ({"reward": {"name": "judge_pairwise", "orders": "sometimes"}}, "reward.orders"),
])
def test_bad_dataset_or_reward_values_name_the_field(data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from_mapping(data, source="exp.yaml")


def test_reward_defaults_to_the_datasets_and_can_be_overridden() -> None:
    assert build_reward(reward_spec(None), "true_false", RewardContext()).name == "true_false"
    assert build_reward(reward_spec("choice"), "true_false", RewardContext()).name == "choice"
    assert reward_spec({"name": "judge_rubric", "gate": "true_false"}).uses_judge
    assert RunConfig().reward is None


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "promptbandit", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})


def test_cli_bad_dataset_key_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text("dataset: {source: ../x.csv, flavour: mild}\n")
    done = _cli("run", "exp.yaml", "--out", "r", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        done.stderr.strip()] and "unknown key 'flavour'" in done.stderr
    assert not (tmp_path / "r").exists()


def test_cli_validate_on_a_directory_without_a_run_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = _cli("validate", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("promptbandit: error:") and "manifest.json" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
