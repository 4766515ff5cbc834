"""The niche-domain question sets (shared/data/domains): open short answers or their True/False statements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from promptbandit.datasets.framing import short_answer_prompt, true_false_prompt
from promptbandit.datasets.jsonl import read_jsonl, require_str
from promptbandit.errors import DatasetError
from promptbandit.types import Example


def domain_files(path: Path) -> list[Path]:
    """A single ``.jsonl`` file, or every ``.jsonl`` file of a directory in name order."""
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise DatasetError(f"{path}: no .jsonl files in this directory")
        return files
    if not path.is_file():
        raise DatasetError(f"data file not found: {path}")
    return [path]


def open_example(row: dict[str, Any], where: str) -> Example:
    """The question, answered with a short phrase matched against ``answer`` and ``aliases``."""
    aliases = row.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise DatasetError(f"{where}: field 'aliases' must be a list of strings")
    return Example(
        id=require_str(row, "id", where), prompt=short_answer_prompt(require_str(row, "question", where)),
        answer=require_str(row, "answer", where), answer_type="text", aliases=tuple(aliases),
        meta={"domain": row.get("domain", ""), "difficulty": row.get("difficulty", "")},
    )


def true_false_example(row: dict[str, Any], where: str) -> Example:
    """The record's ``true_false`` statement with its label."""
    tf = row.get("true_false")
    if not isinstance(tf, dict) or not isinstance(tf.get("label"), bool):
        raise DatasetError(f"{where}: field 'true_false' must hold a 'statement' and a boolean 'label'")
    return Example(
        id=require_str(row, "id", where), prompt=true_false_prompt(require_str(tf, "statement", where)),
        answer="True" if tf["label"] else "False", answer_type="bool",
        meta={"domain": row.get("domain", ""), "difficulty": row.get("difficulty", "")},
    )


def load_domains(path: Path, framing: str = "open", domains: tuple[str, ...] = ()) -> list[Example]:
    """Load one domain file or the whole directory, optionally only some ``domain`` values."""
    make = {"open": open_example, "true_false": true_false_example}[framing]
    examples = []
    for file in domain_files(path):
        for number, row in read_jsonl(file):
            if domains and row.get("domain") not in domains:
                continue
            examples.append(make(row, f"{file}:{number}"))
    if domains and not examples:
        raise DatasetError(f"{path}: no rows for domains {', '.join(domains)}")
    return examples
