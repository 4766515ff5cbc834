"""The LLM-judge rewards with the real embedded model as both the answering model and the judge (short)."""

from __future__ import annotations

import asyncio

import pytest

from promptbandit.backends import make_backend
from promptbandit.rewards.judge import PairwiseJudge, RubricJudge, pairwise_value
from promptbandit.runner import default_cache_dir
from promptbandit.types import Example, SamplingParams

EXAMPLE = Example("judge-1", "What is the capital of France? Reply in one short sentence.", "Paris", "text")


@pytest.mark.model
def test_real_model_judges_both_orders_and_rubric() -> None:
    async def go() -> tuple:
        backend = make_backend("local", cache_dir=default_cache_dir())
        try:
            params = SamplingParams(max_tokens=24)
            judge_params = SamplingParams(max_tokens=48)
            pairwise = PairwiseJudge(policy=backend, judge=backend, params=params, judge_params=judge_params)
            rubric = RubricJudge(judge=backend, judge_params=judge_params)
            bad = await pairwise.score(EXAMPLE, "The capital of France is Berlin.")
            graded = await rubric.score(EXAMPLE, "The capital of France is Paris.")
            return bad, graded
        finally:
            await backend.aclose()

    bad, graded = asyncio.run(go())
    calls = bad.detail["calls"]
    assert [c["candidate_position"] for c in calls] == ["1", "2"]
    assert all(c["rationale"] for c in calls) and "Paris" in bad.detail["reference"]
    assert bad.value == pairwise_value([c["outcome"] for c in calls])
    assert 0.0 <= graded.value <= 1.0 and graded.detail["rationale"]
    assert (graded.detail["score"] is None) == graded.detail["unparseable"]
