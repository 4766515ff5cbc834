"""True/False answers: read the verdict a response gives; an answer with no readable verdict scores 0."""

from __future__ import annotations

import re
from dataclasses import dataclass

from promptbandit.types import Example, Score

_WORDS = {"true": True, "correct": True, "yes": True, "false": False, "incorrect": False, "no": False}
_MARKUP = re.compile(r"[*_`#>\"'()\[\]]")
_VERDICT = re.compile(r"\b(?:statement|answer|claim|it|this)\s+is\s+(not\s+)?(true|false|correct|incorrect)\b")
_ANY = re.compile(r"\b(true|false)\b")


def parse_true_false(response: str) -> bool | None:
    """The verdict of a True/False answer, or None when there is none (or it is contradictory).

    Reads, in order: the first word ("True.", "**False**", "Yes"); a phrase such as "the statement is false"
    or "is not true"; otherwise the only one of the words true/false that occurs.

    >>> parse_true_false("**False**"), parse_true_false("True."), parse_true_false("The statement is false.")
    (False, True, False)
    >>> parse_true_false("This is not true."), parse_true_false("It could be true or false.") is None
    (False, True)
    """
    text = _MARKUP.sub(" ", response).lower()
    words = re.findall(r"[a-z]+", text)
    if words and words[0] in _WORDS:
        return _WORDS[words[0]]
    verdicts = _VERDICT.findall(text)
    if verdicts:
        negated, word = verdicts[0]
        return _WORDS[word] != bool(negated)
    found = set(_ANY.findall(text))
    if len(found) == 1:
        return _WORDS[found.pop()]
    return None


def score_true_false(example: Example, response: str) -> Score:
    """1.0 for the right verdict; 0.0 for the wrong one or none. ``detail.unparseable`` marks the latter."""
    verdict = parse_true_false(response)
    gold = example.answer.strip().lower() == "true"
    extracted = None if verdict is None else ("True" if verdict else "False")
    return Score(value=1.0 if verdict is not None and verdict == gold else 0.0, extracted=extracted,
                 detail={"unparseable": verdict is None})


@dataclass(frozen=True)
class TrueFalseMatch:
    """Reward 1 when the response's True/False verdict equals the label."""

    name: str = "true_false"

    async def score(self, example: Example, response: str) -> Score:
        return score_true_false(example, response)
