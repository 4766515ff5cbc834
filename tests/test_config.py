"""Config files: defaults, validation messages, command-line overrides."""

from pathlib import Path

import pytest

from promptbandit.config import RunConfig, config_from_mapping, load_config, with_overrides
from promptbandit.errors import ConfigError


def test_defaults_are_the_offline_run() -> None:
    config = RunConfig()
    assert config.model == "local" and config.dataset == "builtin:arithmetic" and config.step_limit == 200


def test_yaml_file_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("name: x\narms: personas, controls\nsteps: 5\npolicy: ucb1\npolicy_params: {c: 0.5}\n")
    config = load_config(path)
    assert config.arms == ("personas", "controls") and config.steps == 5 and config.policy_params == {"c": 0.5}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"stepz": 5}, "unknown key 'stepz'"),
        ({"steps": "ten"}, "steps must be an integer"),
        ({"steps": 0}, "steps: must be at least 1"),
        ({"policy": "greedy"}, "policy: 'greedy' is not one of reinforce"),
        ({"placement": "footer"}, "placement: 'footer' is not one of system, user"),
        ({"baseline": "yes"}, "baseline must be true or false"),
        ({"temperature": 5}, "temperature: must be between 0 and 2"),
        ({"model": "gpt-4"}, "must be 'local', 'local:<file.gguf>' or 'openai:<model>'"),
        ({"policy_params": {"lr": "fast"}}, "policy_params must map names to numbers"),
        ({"concurrency": True}, "concurrency must be an integer"),
    ],
)
def test_bad_values_name_the_field(data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        config_from_mapping(data, source="c.yaml")


def test_malformed_yaml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("steps: [1,\n")
    with pytest.raises(ConfigError, match="not valid YAML") as info:
        load_config(path)
    assert "\n" not in str(info.value)


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(path)


def test_overrides_replace_only_given_values() -> None:
    config = with_overrides(RunConfig(steps=10, seed=3), {"steps": 20, "seed": None})
    assert (config.steps, config.seed) == (20, 3)


def test_update_lag_defaults_to_concurrency() -> None:
    assert RunConfig(concurrency=8).lag == 8
    assert RunConfig(concurrency=8, update_lag=2).lag == 2
