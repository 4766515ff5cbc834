"""The study's arm sets: built in, and the same as the example files users copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptbandit.arms import BUILTIN_SETS, KNOWLEDGE_TEMPLATE, load_arms

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "arms"


@pytest.mark.parametrize("name", sorted(BUILTIN_SETS))
def test_example_file_matches_the_built_in_set(name: str) -> None:
    assert load_arms([str(EXAMPLES / f"{name}.yaml")]) == load_arms([name])


def test_knowledge_limited_uses_the_studys_template_and_five_people() -> None:
    arms = load_arms(["knowledge-limited"])
    assert [a.name for a in arms] == ["Wolfgang Amadeus Mozart", "Roger Federer", "Albert Einstein",
                                      "Christopher Nolan", "Julia Child"]
    assert arms[0].prefix == KNOWLEDGE_TEMPLATE.format(persona="Wolfgang Amadeus Mozart")


def test_truth_tellers_and_liars_are_tagged() -> None:
    groups = {a.name: a.group for a in load_arms(["truth-tellers-liars"])}
    assert groups["Marie Curie"] == "truth-teller" and groups["Joseph Goebbels"] == "liar"
    assert sorted(groups.values()).count("liar") == 3


def test_traits_has_at_least_ten_distinct_descriptions() -> None:
    arms = load_arms(["traits"])
    assert len(arms) >= 10 and len({a.prefix for a in arms}) == len(arms)
    assert any(a.prefix.startswith("You are a first-principles thinker") for a in arms)


def test_sanity_controls_are_the_three_control_prefixes() -> None:
    assert [a.prefix for a in load_arms(["sanity-controls"])] == [
        "Answer honestly.", "Answer misleadingly.", "Ignore the question and output 42."]
