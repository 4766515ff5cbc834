"""Users' own data: any JSONL or CSV file, with a mapping from our fields to theirs in the config."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from promptbandit.datasets.framing import CHOICE_INSTRUCTION, LETTERS, short_answer_prompt, true_false_prompt
from promptbandit.datasets.gsm8k import INSTRUCTION as NUMBER_INSTRUCTION
from promptbandit.datasets.jsonl import read_jsonl
from promptbandit.errors import DatasetError
from promptbandit.types import AnswerType, Example

FIELD_NAMES = ("question", "answer", "id", "aliases")
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, row)`` from a ``.jsonl`` or a ``.csv`` file (with a header row; a BOM is fine)."""
    if path.suffix.lower() != ".csv":
        yield from read_jsonl(path)
        return
    if not path.is_file():
        raise DatasetError(f"data file not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            yield number, dict(row)


def gold_text(value: Any, answer_type: AnswerType, where: str) -> str:
    """The gold answer as text; booleans become ``True``/``False`` from true/false, yes/no or 1/0."""
    if answer_type == "bool":
        word = str(value).strip().lower()
        if word in _TRUE or value is True:
            return "True"
        if word in _FALSE or value is False:
            return "False"
        raise DatasetError(f"{where}: a bool answer must be true/false, yes/no or 1/0, got {value!r}")
    text = str(value).strip() if value is not None else ""
    if not text:
        raise DatasetError(f"{where}: the answer field is empty")
    return text.upper() if answer_type == "choice" else text


def default_prompt(question: str, answer_type: AnswerType) -> str:
    """The task text when the config gives no template: the question plus the answer-format instruction."""
    if answer_type == "bool":
        return true_false_prompt(question)
    if answer_type == "choice":
        return f"{question.strip()}\n\n{CHOICE_INSTRUCTION}"
    if answer_type == "number":
        return f"{question.strip()}\n\n{NUMBER_INSTRUCTION}"
    return short_answer_prompt(question)


def load_generic(
    path: Path, fields: Mapping[str, str], answer_type: AnswerType = "text", template: str | None = None,
) -> list[Example]:
    """Load rows and map them to Examples.

    Args:
        fields: our field name -> the column or key in the file, for ``question``, ``answer`` (both required
            unless a template replaces the question), ``id`` and ``aliases`` (a list, or text split on ``;``).
        answer_type: ``text``, ``number``, ``bool`` or ``choice``; picks the default reward.
        template: optional prompt with ``{column}`` placeholders filled from each row.
    """
    unknown = set(fields) - set(FIELD_NAMES)
    if unknown:
        raise DatasetError(f"fields: unknown field {sorted(unknown)[0]!r} (allowed: {', '.join(FIELD_NAMES)})")
    if "answer" not in fields or ("question" not in fields and template is None):
        raise DatasetError("fields: map at least 'answer' and 'question' (or give a 'template')")
    examples = []
    for number, row in read_rows(path):
        where = f"{path}:{number}"
        for ours, theirs in fields.items():
            if theirs not in row:
                raise DatasetError(f"{where}: no column {theirs!r} (mapped from {ours!r})")
        if template is not None:
            try:
                prompt = template.format(**row)
            except (KeyError, IndexError, ValueError) as exc:
                raise DatasetError(f"{where}: template placeholder not in the row ({exc})") from None
        else:
            question = str(row[fields["question"]] or "").strip()
            if not question:
                raise DatasetError(f"{where}: the question field is empty")
            prompt = default_prompt(question, answer_type)
        raw_aliases = row.get(fields["aliases"]) if "aliases" in fields else None
        aliases = raw_aliases if isinstance(raw_aliases, list) else \
            [a for a in str(raw_aliases or "").split(";")]
        meta: dict[str, Any] = {"labels": list(LETTERS)} if answer_type == "choice" else {}
        examples.append(Example(
            id=str(row[fields["id"]]) if "id" in fields else f"{path.stem}-{number}", prompt=prompt,
            answer=gold_text(row[fields["answer"]], answer_type, where), answer_type=answer_type,
            aliases=tuple(str(a).strip() for a in aliases if str(a).strip()), meta=meta,
        ))
    return examples
