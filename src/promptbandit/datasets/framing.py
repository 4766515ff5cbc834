"""How records become task prompts: the True/False and multiple-choice wordings shared by several sources (pure)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TF_INSTRUCTION = "Is the following statement true or false? Reply with one word: True or False."
CHOICE_INSTRUCTION = "Reply with the letter of the correct option only."
SHORT_INSTRUCTION = "Reply with the short answer only (a word, a number or a short phrase)."
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def true_false_prompt(statement: str, context: str = "") -> str:
    """The True/False task text: optional context, the instruction, then the statement.

    >>> print(true_false_prompt("Water boils at 100 C at sea level."))
    Is the following statement true or false? Reply with one word: True or False.
    <BLANKLINE>
    Statement: Water boils at 100 C at sea level.
    """
    body = f"{TF_INSTRUCTION}\n\nStatement: {statement.strip()}"
    return f"{context.strip()}\n\n{body}" if context.strip() else body


def choice_prompt(question: str, options: Sequence[str], labels: Sequence[str]) -> str:
    """A multiple-choice task: the question, one labelled option per line, the instruction."""
    lines = [question.strip(), ""] + [f"{label}. {text.strip()}" for label, text in zip(labels, options, strict=False)]
    return "\n".join(lines + ["", CHOICE_INSTRUCTION])


def short_answer_prompt(question: str) -> str:
    """An open question that wants a short answer."""
    return f"{question.strip()}\n\n{SHORT_INSTRUCTION}"


def balanced_labels(n: int, rng: np.random.Generator) -> list[bool]:
    """`n` labels, half True (the odd one out decided by `rng`), in a random order.

    >>> labels = balanced_labels(7, np.random.default_rng(0))
    >>> len(labels), abs(sum(labels) - (7 - sum(labels))) <= 1
    (7, True)
    """
    trues = n // 2 + (int(rng.integers(2)) if n % 2 else 0)
    labels = [True] * trues + [False] * (n - trues)
    order = rng.permutation(n)
    return [labels[i] for i in order]


def truncate(text: str, max_chars: int) -> str:
    """Cut `text` to at most `max_chars` characters at a word boundary, marking the cut."""
    text = text.strip()
    if max_chars <= 0 or len(text) <= max_chars:
        return text
    return text[:max_chars].rsplit(" ", 1)[0] + " [...]"
