"""Config accepts dataset and reward mappings; bad values are one clear line and exit code 2 on the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import assert_one_line_error, run_cli
from promptbandit.config import RunConfig, config_from_mapping
from promptbandit.errors import ConfigError
from promptbandit.rewards import RewardContext, build_reward, reward_spec


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


def test_cli_bad_dataset_key_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text("dataset: {source: ../x.csv, flavour: mild}\n")
    done = run_cli("run", "exp.yaml", "--out", "r", cwd=tmp_path, timeout=120)
    assert_one_line_error(done, "unknown key 'flavour'")
    assert not (tmp_path / "r").exists()


def test_cli_validate_on_a_directory_without_a_run_is_one_line_and_exit_2(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("validate", str(tmp_path), cwd=tmp_path, timeout=120), "manifest.json")


def test_cli_validate_rejects_an_unknown_split(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("validate", str(tmp_path), "--split", "test", cwd=tmp_path, timeout=120),
                          "--split: 'test' is not one of")
