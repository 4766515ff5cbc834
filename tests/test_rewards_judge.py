"""LLM-judge rewards: verdict parsing, order handling and gating, with a scripted judge backend."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from promptbandit.rewards.combine import Gated
from promptbandit.rewards.judge import (
    PairwiseJudge,
    RubricJudge,
    outcome,
    pairwise_value,
    parse_pairwise_verdict,
    parse_rubric_score,
)
from promptbandit.rewards.true_false import TrueFalseMatch
from promptbandit.types import Completion, Example, Message, SamplingParams

EXAMPLE = Example("q1", "What is 2 + 2?", "4", "number")


@dataclass
class ScriptedBackend:
    """Answers by a function of the last user message; records every prompt (unit tests only)."""

    reply: Any
    model_id: str = "scripted"
    prompts: list[str] = field(default_factory=list)

    async def complete(self, messages: list[Message], params: SamplingParams) -> Completion:
        self.prompts.append(messages[-1]["content"])
        return Completion(text=self.reply(messages[-1]["content"]))

    def describe(self) -> dict[str, Any]:
        return {"model_id": self.model_id}

    async def aclose(self) -> None:
        return None


@pytest.mark.parametrize("text, verdict", [
    ("Answer 1 is clearer.\nVerdict: 1", "1"), ("**Verdict:** 2", "2"), ("Verdict: tie", "tie"),
    ("They are equal. Verdict: equal", "tie"), ("Answer 2 is better than answer 1.", "2"),
    ("Verdict: 1 ... on reflection, Verdict: 2", "2"), ("No idea.", None),
])
def test_pairwise_verdicts_are_read(text: str, verdict: str | None) -> None:
    assert parse_pairwise_verdict(text) == verdict


def test_rubric_scores_map_to_the_unit_interval() -> None:
    assert parse_rubric_score("Score: 1") == 0.0
    assert parse_rubric_score("Score: 10") == 1.0
    assert parse_rubric_score("**Score:** 7/10") == pytest.approx(6 / 9)
    assert parse_rubric_score("Score: 14") == 1.0
    assert parse_rubric_score("nothing") is None


def test_outcomes_follow_the_candidates_position() -> None:
    assert [outcome("1", "1"), outcome("2", "1"), outcome("2", "2"), outcome("1", "2")] == \
        ["win", "loss", "win", "loss"]
    assert pairwise_value([outcome("1", "1"), outcome("1", "2")]) == 0.5  # a judge that always says "1"


def _policy() -> ScriptedBackend:
    return ScriptedBackend(lambda prompt: "The answer is 4.")


def test_pairwise_asks_both_orders_and_rewards_a_consistent_win() -> None:
    candidate = "2 + 2 = 4, so the answer is **4**."

    def judge_reply(prompt: str) -> str:
        first = prompt.split("Answer 1:\n", 1)[1].split("\n\nAnswer 2:", 1)[0]
        return "Verdict: 1" if first == candidate else "Verdict: 2"

    judge = ScriptedBackend(judge_reply)
    reward = PairwiseJudge(policy=_policy(), judge=judge, params=SamplingParams())
    score = asyncio.run(reward.score(EXAMPLE, candidate))
    assert score.value == 1.0
    assert [c["candidate_position"] for c in score.detail["calls"]] == ["1", "2"]
    assert [c["outcome"] for c in score.detail["calls"]] == ["win", "win"]
    assert score.detail["reference"] == "The answer is 4."
    assert len(judge.prompts) == 2 and all("Verdict" in c["rationale"] for c in score.detail["calls"])


def test_pairwise_position_bias_cancels_to_a_tie() -> None:
    reward = PairwiseJudge(policy=_policy(), judge=ScriptedBackend(lambda p: "Verdict: 1"), params=SamplingParams())
    assert asyncio.run(reward.score(EXAMPLE, "4")).value == 0.5


def test_pairwise_unreadable_verdicts_give_half_and_are_flagged() -> None:
    reward = PairwiseJudge(policy=_policy(), judge=ScriptedBackend(lambda p: "hmm"), params=SamplingParams())
    score = asyncio.run(reward.score(EXAMPLE, "4"))
    assert score.value == 0.5 and score.detail["unparseable"]


def test_random_order_asks_once_records_the_order_and_is_seeded() -> None:
    def make(seed: int) -> PairwiseJudge:
        return PairwiseJudge(policy=_policy(), judge=ScriptedBackend(lambda p: "Verdict: 2"),
                             params=SamplingParams(), orders="random", seed=seed)

    positions = {make(0).positions(Example(f"q{i}", "p", "1"), "r")[0] for i in range(20)}
    assert positions == {"1", "2"}
    assert [make(3).positions(Example(f"q{i}", "p", "1"), "r") for i in range(10)] == \
        [make(3).positions(Example(f"q{i}", "p", "1"), "r") for i in range(10)]
    score = asyncio.run(make(0).score(EXAMPLE, "4"))
    assert len(score.detail["calls"]) == 1
    call = score.detail["calls"][0]
    assert score.value == (1.0 if call["candidate_position"] == "2" else 0.0)


def test_rubric_judge_stores_score_and_rationale() -> None:
    judge = ScriptedBackend(lambda p: "Correct and concise.\nScore: 8")
    score = asyncio.run(RubricJudge(judge=judge).score(EXAMPLE, "4"))
    assert score.value == pytest.approx(7 / 9)
    assert score.detail["rationale"].startswith("Correct and concise")


def test_gate_zeroes_wrong_answers_without_asking_the_judge() -> None:
    judge = ScriptedBackend(lambda p: "Score: 10")
    reward = Gated(gate=TrueFalseMatch(), scorer=RubricJudge(judge=judge))
    example = Example("s", "statement", "True", "bool")
    assert asyncio.run(reward.score(example, "False")).value == 0.0 and judge.prompts == []
    assert asyncio.run(reward.score(example, "True")).value == 1.0 and len(judge.prompts) == 1
