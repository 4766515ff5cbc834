"""ARC (AI2 Reasoning Challenge) multiple choice, in the hub's JSON Lines layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from promptbandit.datasets.framing import LETTERS, choice_prompt
from promptbandit.datasets.jsonl import read_jsonl, require_str
from promptbandit.errors import DatasetError
from promptbandit.types import Example


def example_from_record(row: dict[str, Any], where: str) -> Example:
    """One ARC record (``id``, ``question``, ``choices: {text, label}``, ``answerKey``) as a lettered question.

    Options are always shown as A, B, C...; rows labelled 1-4 are relabelled and the gold letter follows.
    """
    question = require_str(row, "question", where)
    choices = row.get("choices")
    if not isinstance(choices, dict) or not isinstance(choices.get("text"), list) \
            or not isinstance(choices.get("label"), list) or len(choices["text"]) != len(choices["label"]):
        raise DatasetError(f"{where}: field 'choices' must hold equal-length 'text' and 'label' lists")
    key = row.get("answerKey")
    if key not in choices["label"]:
        raise DatasetError(f"{where}: answerKey {key!r} is not one of the labels {choices['label']}")
    letters = list(LETTERS[: len(choices["text"])])
    gold = letters[choices["label"].index(key)]
    return Example(
        id=str(row.get("id") or where), prompt=choice_prompt(question, choices["text"], letters), answer=gold,
        answer_type="choice", meta={"labels": letters, "options": list(choices["text"])},
    )


def load_arc(path: Path) -> list[Example]:
    """Load an ARC JSON Lines file (e.g. ARC-Easy test)."""
    return [example_from_record(row, f"{path}:{number}") for number, row in read_jsonl(path)]
