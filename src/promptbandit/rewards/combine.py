"""Combining rewards: a correctness gate in front of a graded score."""

from __future__ import annotations

from dataclasses import dataclass

from promptbandit.rewards.base import Reward
from promptbandit.types import Example, Score


@dataclass(frozen=True)
class Gated:
    """`scorer`'s value when `gate` gives full marks, else 0 (and the scorer is not asked).

    For example a True/False gate in front of a rubric judge: wrong answers get nothing, right ones are
    graded on style.
    """

    gate: Reward
    scorer: Reward
    name: str = "gated"

    async def score(self, example: Example, response: str) -> Score:
        gate = await self.gate.score(example, response)
        if gate.value < 1.0:
            return Score(value=0.0, extracted=gate.extracted, detail={"gate": gate.value, **gate.detail})
        graded = await self.scorer.score(example, response)
        return Score(value=graded.value, extracted=gate.extracted,
                     detail={"gate": gate.value, **gate.detail, **graded.detail})
