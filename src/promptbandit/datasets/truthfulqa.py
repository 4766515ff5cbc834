"""TruthfulQA as True/False statements (from the CSV) or as MC1 multiple choice (from ``mc_task.json``)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from promptbandit.datasets.framing import LETTERS, balanced_labels, choice_prompt, true_false_prompt
from promptbandit.errors import DatasetError
from promptbandit.types import Example

CSV_COLUMNS = ("Question", "Best Answer", "Incorrect Answers")


def tf_prompt(question: str, answer: str) -> str:
    """The statement 'an answer to this question is ...' framed as a True/False task."""
    return true_false_prompt(f"The correct answer to the question \"{question.strip()}\" is: \"{answer.strip()}\"")


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """Read the TruthfulQA CSV (it starts with a UTF-8 byte-order mark) into dicts keyed by the header."""
    if not path.is_file():
        raise DatasetError(f"data file not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    missing = [c for c in CSV_COLUMNS if rows and c not in rows[0]]
    if not rows or missing:
        raise DatasetError(f"{path}: expected a TruthfulQA CSV with columns {', '.join(CSV_COLUMNS)}"
                           + (f" (missing {missing[0]!r})" if missing else ""))
    return rows


def load_truthfulqa_tf(path: Path, seed: int = 0) -> list[Example]:
    """One True/False item per question: its best answer (True) or one of its incorrect answers (False).

    Exactly half the items are True (one more either way for an odd count); which questions are True and which
    incorrect answer a False item shows are drawn from `seed`.
    """
    rows = read_csv_rows(path)
    rng = np.random.default_rng(seed)
    labels = balanced_labels(len(rows), rng)
    examples = []
    for number, (row, label) in enumerate(zip(rows, labels, strict=False), start=2):
        question, best = row["Question"].strip(), row["Best Answer"].strip()
        wrong = [a.strip() for a in row["Incorrect Answers"].split(";") if a.strip()]
        if not question or not best or not wrong:
            raise DatasetError(f"{path}:{number}: needs a question, a best answer and an incorrect answer")
        shown = best if label else wrong[int(rng.integers(len(wrong)))]
        examples.append(Example(
            id=f"tqa-{number - 1:03d}", prompt=tf_prompt(question, shown), answer="True" if label else "False",
            answer_type="bool", meta={"question": question, "category": row.get("Category", "")},
        ))
    return examples


def load_truthfulqa_mc1(path: Path, seed: int = 0) -> list[Example]:
    """MC1: each question with its single true answer among the false ones, options shuffled by `seed`."""
    if not path.is_file():
        raise DatasetError(f"data file not found: {path}")
    try:
        items = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc.msg})") from None
    if not isinstance(items, list):
        raise DatasetError(f"{path}: expected a JSON array of questions")
    rng = np.random.default_rng(seed)
    examples = []
    for index, item in enumerate(items, start=1):
        targets = item.get("mc1_targets") if isinstance(item, dict) else None
        if not isinstance(targets, dict) or sum(v == 1 for v in targets.values()) != 1:
            raise DatasetError(f"{path}: question {index} needs 'mc1_targets' with exactly one true answer")
        options = list(targets)
        order = rng.permutation(len(options))
        shown = [options[i] for i in order]
        letters = list(LETTERS[: len(shown)])
        gold = letters[next(i for i, text in enumerate(shown) if targets[text] == 1)]
        examples.append(Example(
            id=f"tqa-mc1-{index:03d}", prompt=choice_prompt(str(item["question"]), shown, letters), answer=gold,
            answer_type="choice", meta={"labels": letters},
        ))
    return examples
