"""Arm sets from built-ins and files, and how prefixes become messages."""

import json
from pathlib import Path

import pytest

from promptbandit.arms import BASELINE, load_arms, render_messages
from promptbandit.errors import ArmsError
from promptbandit.types import Arm


def test_personas_set_uses_the_template() -> None:
    arms = load_arms(["personas"])
    assert [a.name for a in arms][:2] == ["Albert Einstein", "Beyonce"]
    assert arms[3].prefix == "Answer the task below as if you were Alan Turing."
    assert len(arms) == 6


def test_controls_have_the_baseline_and_two_controls() -> None:
    arms = load_arms(["controls"])
    assert arms[0].is_baseline
    assert sum(a.group == "control" for a in arms) >= 2


def test_baseline_flag_adds_the_no_prefix_arm_once() -> None:
    arms = load_arms(["personas", "controls"], baseline=True)
    assert sum(a.is_baseline for a in arms) == 1
    assert arms[0] == BASELINE


def test_text_file_has_one_prefix_per_line(tmp_path: Path) -> None:
    path = tmp_path / "arms.txt"
    path.write_text("# my arms\nBe concise.\n\nThink step by step.\n")
    arms = load_arms([str(path)])
    assert [a.prefix for a in arms] == ["Be concise.", "Think step by step."]


def test_yaml_template_with_personas(tmp_path: Path) -> None:
    path = tmp_path / "arms.yaml"
    path.write_text("template: 'You are {persona}.'\npersonas: [Ada Lovelace, Grace Hopper]\n")
    arms = load_arms([str(path)])
    assert arms[1] == Arm("Grace Hopper", "You are Grace Hopper.")


def test_json_list_of_mappings(tmp_path: Path) -> None:
    path = tmp_path / "arms.json"
    path.write_text(json.dumps({"arms": [{"name": "short", "prefix": "Be brief."}, "Be precise."]}))
    arms = load_arms([str(path)])
    assert [a.name for a in arms] == ["short", "Be precise."]


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ("template: 'You are X.'\npersonas: [A]\n", ".yaml", "must be a string containing {persona}"),
        ("template: 'You are {persona}.'\n", ".yaml", "'personas' must be a non-empty list"),
        ("arms: [{name: x}]\n", ".yaml", "arm 1 needs a string 'prefix'"),
        ("[1, 2]", ".json", "arm 1 must be a string or a mapping"),
        ("{not json", ".json", "not valid JSON"),
        ("key: [unclosed\n", ".yaml", "not valid YAML"),
        ("colour: red\n", ".yaml", "unknown key 'colour'"),
        ("arms:\n  - {name: a, prefix: one}\n  - {name: a, prefix: two}\n", ".yaml", "share the name 'a'"),
    ],
)
def test_malformed_arms_files_name_the_problem(tmp_path: Path, content: str, suffix: str, message: str) -> None:
    path = tmp_path / f"arms{suffix}"
    path.write_text(content)
    with pytest.raises(ArmsError, match=message.replace("{", r"\{").replace("}", r"\}").replace("[", r"\[")):
        load_arms([str(path)])


def test_unknown_set_lists_the_known_ones() -> None:
    with pytest.raises(ArmsError, match="unknown arm set 'celebrities'.*personas"):
        load_arms(["celebrities"])


def test_missing_file_is_reported() -> None:
    with pytest.raises(ArmsError, match="arms file not found"):
        load_arms(["/nonexistent/arms.yaml"])


def test_placement_system_and_user() -> None:
    arm = Arm("t", "Be brief.")
    assert render_messages(arm, "2+2?") == [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}]
    assert render_messages(arm, "2+2?", "user") == [{"role": "user", "content": "Be brief.\n\n2+2?"}]
    assert render_messages(BASELINE, "2+2?", "system") == [{"role": "user", "content": "2+2?"}]
