"""Exact-match rewards: thin async adapters over the pure helpers in `numeric`."""

from __future__ import annotations

from dataclasses import dataclass

from promptbandit.rewards.numeric import extract_number, format_number, gold_number, numbers_equal
from promptbandit.types import Example, Score


def score_numeric(gold: str, response: str) -> Score:
    """1.0 when the number the response states equals the gold number by value, else 0.0.

    >>> score_numeric("#### 1,234", "The answer is $1234.00.").value
    1.0
    >>> score_numeric("42", "I am not sure.").extracted is None
    True
    """
    extracted = extract_number(response)
    value = 1.0 if numbers_equal(extracted, gold_number(gold)) else 0.0
    return Score(value=value, extracted=None if extracted is None else format_number(extracted))


@dataclass(frozen=True)
class NumericMatch:
    """Reward 1 when the response's final number equals the gold answer, else 0."""

    name: str = "numeric"

    async def score(self, example: Example, response: str) -> Score:
        return score_numeric(example.answer, response)
