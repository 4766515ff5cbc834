"""Reading JSON Lines files row by row with errors that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from promptbandit.errors import DatasetError


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for every non-blank line.

    Raises:
        DatasetError: the file is missing, or a line is not a JSON object.
    """
    if not path.is_file():
        raise DatasetError(f"data file not found: {path}")
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise DatasetError(f"{path}:{number}: expected a JSON object, got {type(row).__name__}")
            yield number, row


def require_str(row: dict[str, Any], key: str, where: str) -> str:
    """Return ``row[key]`` if it is a non-empty string, else raise a DatasetError naming `where`."""
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DatasetError(f"{where}: field {key!r} must be a non-empty string")
    return value
