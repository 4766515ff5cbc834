"""LLM-judge rewards: a judge model compares an answer with the no-prefix answer, or scores it on a rubric.

The verdict parsing and the combination of the two presentation orders are pure functions; the async
adapters only build prompts, call the backends and keep the verdicts and rationales in `Score.detail`.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Literal

import numpy as np

from promptbandit.arms import BASELINE, render_messages
from promptbandit.backends.base import Backend
from promptbandit.types import Example, SamplingParams, Score

Verdict = Literal["1", "2", "tie"]
Orders = Literal["both", "random"]

PAIRWISE_TEMPLATE = """Two assistants answered the same task. Decide which answer is better: more correct first, then more \
helpful and clearer. Do not prefer an answer for its length or its position.

Task:
{task}

Answer 1:
{first}

Answer 2:
{second}

Give a one-sentence reason, then end with exactly one line: "Verdict: 1", "Verdict: 2" or "Verdict: tie"."""

RUBRIC_TEMPLATE = """Rate the answer to the task below on this rubric:
{rubric}

Task:
{task}

Answer:
{answer}

Give a one-sentence reason, then end with exactly one line "Score: N", where N is a whole number from 1 (worst) \
to 10 (best)."""

DEFAULT_RUBRIC = "Correctness first; then clarity and helpfulness. Penalise answers that ignore the task."

_VERDICT_LINE = re.compile(r"verdict\s*[:=\-]?\s*\**\s*(answer\s*)?(1|2|one|two|tie|equal|draw)\b", re.IGNORECASE)
_BETTER = re.compile(r"answer\s*(1|2)\s+is\s+(?:better|stronger|more)", re.IGNORECASE)
_SCORE_LINE = re.compile(r"score\s*[:=]?\s*\**\s*(\d+(?:\.\d+)?)\s*(?:/\s*10)?", re.IGNORECASE)
_WORD: dict[str, Verdict] = {"1": "1", "one": "1", "2": "2", "two": "2", "tie": "tie", "equal": "tie", "draw": "tie"}
POINTS = {"win": 1.0, "tie": 0.5, "loss": 0.0}


def parse_pairwise_verdict(text: str) -> Verdict | None:
    """The judge's verdict: the last "Verdict: 1|2|tie" line, else a single "Answer N is better"; None otherwise.

    >>> parse_pairwise_verdict("Answer 2 is more precise.\\nVerdict: 2")
    '2'
    >>> parse_pairwise_verdict("Both are equally good. **Verdict:** tie"), parse_pairwise_verdict("Hmm.") is None
    ('tie', True)
    """
    cleaned = text.replace("**", "")
    found = _VERDICT_LINE.findall(cleaned)
    if found:
        return _WORD[found[-1][1].lower()]
    better = set(_BETTER.findall(cleaned))
    if len(better) == 1:
        return better.pop()
    return None


def outcome(verdict: Verdict | None, candidate_position: Literal["1", "2"]) -> str | None:
    """The candidate's result from one verdict, given where it was shown: win, loss, tie or None (unreadable).

    >>> outcome("1", "1"), outcome("1", "2"), outcome("tie", "2"), outcome(None, "1")
    ('win', 'loss', 'tie', None)
    """
    if verdict is None:
        return None
    if verdict == "tie":
        return "tie"
    return "win" if verdict == candidate_position else "loss"


def pairwise_value(outcomes: list[str | None]) -> float:
    """Mean points over the readable outcomes (win 1, tie 0.5, loss 0); 0.5 when none is readable.

    Asking both orders and averaging cancels a judge's position bias: a judge that always says "1" gives
    a win and a loss, so 0.5.

    >>> pairwise_value(["win", "loss"]), pairwise_value(["win", "win"]), pairwise_value(["tie", None])
    (0.5, 1.0, 0.5)
    """
    readable = [POINTS[o] for o in outcomes if o is not None]
    return sum(readable) / len(readable) if readable else 0.5


def parse_rubric_score(text: str, low: int = 1, high: int = 10) -> float | None:
    """The judge's last "Score: N" mapped from [low, high] to [0, 1] (clipped); None when there is none.

    >>> parse_rubric_score("Clear and right.\\nScore: 10"), parse_rubric_score("Score: 4/10")
    (1.0, 0.3333333333333333)
    >>> parse_rubric_score("no number here") is None
    True
    """
    found = _SCORE_LINE.findall(text.replace("**", ""))
    if not found:
        return None
    value = float(found[-1])
    return min(1.0, max(0.0, (value - low) / (high - low)))


def rationale(text: str, limit: int = 600) -> str:
    """The judge's reply, trimmed for storage."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True)
class PairwiseJudge:
    """Reward from a judge comparing the answer with the no-prefix answer to the same task.

    Attributes:
        policy: the backend that answers tasks (asked once more, without a prefix, for the reference answer;
            a caching backend makes that one call per item).
        judge: the judge model's backend.
        params: sampling for the reference answer (the run's).
        judge_params: sampling for the judge.
        orders: ``both`` asks with the candidate first and second; ``random`` asks one order, drawn from
            `seed` and the item, and records it.
    """

    policy: Backend
    judge: Backend
    params: SamplingParams
    judge_params: SamplingParams = SamplingParams(max_tokens=160)
    orders: Orders = "both"
    seed: int = 0
    template: str = PAIRWISE_TEMPLATE
    name: str = "judge_pairwise"

    def positions(self, example: Example, response: str) -> list[Literal["1", "2"]]:
        """Where the candidate is shown in each judge call."""
        if self.orders == "both":
            return ["1", "2"]
        key = zlib.crc32(f"{example.id}\0{response}".encode())
        return ["1" if np.random.default_rng([self.seed, key]).integers(2) == 0 else "2"]

    async def score(self, example: Example, response: str) -> Score:
        reference = (await self.policy.complete(render_messages(BASELINE, example.prompt), self.params)).text
        calls = []
        for position in self.positions(example, response):
            first, second = (response, reference) if position == "1" else (reference, response)
            prompt = self.template.format(task=example.prompt, first=first, second=second)
            reply = (await self.judge.complete([{"role": "user", "content": prompt}], self.judge_params)).text
            verdict = parse_pairwise_verdict(reply)
            calls.append({"candidate_position": position, "verdict": verdict,
                          "outcome": outcome(verdict, position), "rationale": rationale(reply)})
        value = pairwise_value([c["outcome"] for c in calls])
        return Score(value=value, extracted=None,
                     detail={"judge": "pairwise", "reference": rationale(reference), "calls": calls,
                             "unparseable": all(c["verdict"] is None for c in calls)})


@dataclass(frozen=True)
class RubricJudge:
    """Reward from a judge scoring the answer 1-10 on a rubric, mapped to [0, 1]; unreadable scores give 0."""

    judge: Backend
    judge_params: SamplingParams = SamplingParams(max_tokens=160)
    rubric: str = DEFAULT_RUBRIC
    template: str = RUBRIC_TEMPLATE
    name: str = "judge_rubric"

    async def score(self, example: Example, response: str) -> Score:
        prompt = self.template.format(rubric=self.rubric, task=example.prompt, answer=response)
        reply = (await self.judge.complete([{"role": "user", "content": prompt}], self.judge_params)).text
        value = parse_rubric_score(reply)
        return Score(value=value if value is not None else 0.0, extracted=None,
                     detail={"judge": "rubric", "score": value, "rationale": rationale(reply),
                             "unparseable": value is None})
