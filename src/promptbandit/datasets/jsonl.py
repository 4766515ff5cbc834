"""Reading JSON Lines files row by row with errors that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from promptbandit.errors import DatasetError


def read_jsonl(path: Path, skipped: list[str] | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for every non-blank line.

    Args:
        skipped: when given, a line that is not a JSON object is skipped and its error message appended
            here instead of raised.

    Raises:
        DatasetError: the file is missing or not UTF-8, or a line is not a JSON object (without `skipped`).
    """
    if not path.is_file():
        raise DatasetError(f"data file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise DatasetError(f"{path}:{number}: expected a JSON object, got {type(row).__name__}")
        except json.JSONDecodeError as exc:
            problem = DatasetError(f"{path}:{number}: not valid JSON ({exc.msg})")
        except DatasetError as exc:
            problem = exc
        else:
            yield number, row
            continue
        if skipped is None:
            raise problem from None
        skipped.append(str(problem))


def require_str(row: dict[str, Any], key: str, where: str) -> str:
    """Return ``row[key]`` if it is a non-empty string, else raise a DatasetError naming `where`."""
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DatasetError(f"{where}: field {key!r} must be a non-empty string")
    return value
