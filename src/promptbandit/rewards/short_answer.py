"""Short-answer matching: normalise the response's final answer and compare it with the gold and its aliases.

Normalisation case-folds, strips accents, turns Unicode minus signs into ``-``, drops punctuation (keeping the
decimal point and minus sign inside numbers), drops the articles a/an/the and collapses whitespace.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from promptbandit.types import Example, Score

_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})
_PUNCT = re.compile(r"(?<!\d)[.,](?!\d)|[^\w\s.,\-]|-(?!\d)")
_ARTICLES = {"a", "an", "the"}
_ANSWER_MARK = re.compile(r"(?:final answer|answer)\s*(?:is|:)\s*:?\s*(.+)", re.IGNORECASE)
# A response may restate the answer in a sentence; a match inside a few extra words still counts.
MAX_EXTRA_WORDS = 6


def normalize(text: str) -> str:
    """Fold case, accents, punctuation, articles and spacing.

    >>> normalize("  The Béchamel, sauce! ")
    'bechamel sauce'
    >>> normalize("\u221213.6 eV"), normalize("2,000 points")
    ('-13.6 ev', '2,000 points')
    """
    text = unicodedata.normalize("NFKD", text.translate(_MINUS).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _PUNCT.sub(" ", text.replace("_", " "))
    words = [w.strip(".,") for w in text.split()]
    return " ".join(w for w in words if w and w not in _ARTICLES)


def final_answer(response: str) -> str:
    """The part of a response that states its answer: after the last "Answer:"/"answer is", else the first line.

    >>> final_answer("Thinking...\\nAnswer: **deuce**")
    '**deuce**'
    >>> final_answer("Deuce.\\nIt happens at 40-40.")
    'Deuce.'
    """
    marks = _ANSWER_MARK.findall(response)
    if marks:
        return marks[-1].strip()
    lines = [line.strip() for line in response.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _contains(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


def matches(answer: str, golds: Sequence[str]) -> bool:
    """True when the normalised answer equals a gold, or holds it as whole words with at most a few extra words.

    >>> matches("It is called deuce.", ["deuce"])
    True
    >>> matches("advantage out", ["advantage in", "ad in"])
    False
    """
    words = normalize(answer).split()
    for gold in golds:
        phrase = normalize(gold).split()
        if phrase and _contains(words, phrase) and len(words) - len(phrase) <= MAX_EXTRA_WORDS:
            return True
    return False


def score_short_answer(example: Example, response: str) -> Score:
    """1.0 when the response's final answer matches `example.answer` or one of its aliases, else 0.0."""
    extracted = final_answer(response)
    value = 1.0 if matches(extracted, (example.answer, *example.aliases)) else 0.0
    return Score(value=value, extracted=normalize(extracted) or None)


@dataclass(frozen=True)
class ShortAnswerMatch:
    """Reward 1 when the normalised short answer matches the gold or an alias."""

    name: str = "short_answer"

    async def score(self, example: Example, response: str) -> Score:
        return score_short_answer(example, response)
