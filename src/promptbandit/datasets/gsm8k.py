"""GSM8K: grade-school math word problems whose answers end in ``#### N``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from promptbandit.datasets.jsonl import read_jsonl, require_str
from promptbandit.errors import DatasetError
from promptbandit.rewards.numeric import gold_number
from promptbandit.types import Example

INSTRUCTION = "Solve the problem step by step, then write the final answer on its own line as 'Answer: <number>'."


def example_from_record(row: dict[str, Any], example_id: str, where: str, instruction: str = INSTRUCTION) -> Example:
    """Turn one GSM8K record (``question``, ``answer`` ending in ``#### N``) into an Example."""
    question = require_str(row, "question", where).strip()
    answer = require_str(row, "answer", where)
    if "####" not in answer or gold_number(answer) is None:
        raise DatasetError(f"{where}: field 'answer' must end with '#### <number>'")
    final = answer.rsplit("####", 1)[1].strip().replace(",", "")
    prompt = f"{question}\n\n{instruction}" if instruction else question
    return Example(id=example_id, prompt=prompt, answer=final, answer_type="number", meta={"solution": answer})


def load_gsm8k(path: Path, instruction: str = INSTRUCTION, skipped: list[str] | None = None) -> list[Example]:
    """Load a GSM8K JSONL file (fields ``question`` and ``answer``).

    Args:
        skipped: when given, malformed rows are skipped and their error messages appended here.
    """
    examples = []
    for number, row in read_jsonl(path, skipped):
        try:
            examples.append(example_from_record(row, f"{path.stem}-{number}", f"{path}:{number}", instruction))
        except DatasetError as exc:
            if skipped is None:
                raise
            skipped.append(str(exc))
    return examples
