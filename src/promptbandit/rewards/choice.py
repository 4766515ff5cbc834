"""Multiple choice: read the option letter a response picks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from promptbandit.types import Example, Score

_MARKUP = re.compile(r"[*_`#]")


def parse_choice(response: str, labels: Sequence[str]) -> str | None:
    """The option letter a response picks, or None.

    Reads "Answer: B" / "answer is (B)" first, then a letter that opens the reply ("B", "B.", "(B)", "B) text").

    >>> parse_choice("**C**. Sunlight", "ABCD"), parse_choice("The answer is (b).", "ABCD")
    ('C', 'B')
    >>> parse_choice("I think A or B", "ABCD") is None
    True
    """
    text = _MARKUP.sub("", response).strip()
    letters = "".join(re.escape(label) for label in labels)
    mark = re.findall(rf"(?:answer|option|choice)\s*(?:is|:)?\s*:?\s*\(?([{letters}])\b", text, re.IGNORECASE)
    if mark:
        return mark[-1].upper()
    opening = re.match(rf"\(?([{letters}])(?:[).:\s]|$)", text, re.IGNORECASE)
    if opening and (opening.group(1).isupper() or len(text) <= 3):
        return opening.group(1).upper()
    return None


def score_choice(example: Example, response: str) -> Score:
    """1.0 when the picked letter is the gold letter; ``detail.unparseable`` when none was picked."""
    labels = example.meta.get("labels") or list("ABCDEFGH")
    picked = parse_choice(response, labels)
    return Score(value=1.0 if picked == example.answer.strip().upper() else 0.0, extracted=picked,
                 detail={"unparseable": picked is None})


@dataclass(frozen=True)
class ChoiceMatch:
    """Reward 1 when the response picks the gold option letter."""

    name: str = "choice"

    async def score(self, example: Example, response: str) -> Score:
        return score_choice(example, response)
