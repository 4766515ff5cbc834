"""Data sets fetched from the Hugging Face hub through the optional `datasets` library."""

from __future__ import annotations

from typing import Any

from promptbandit.datasets.gsm8k import INSTRUCTION, example_from_record
from promptbandit.errors import DatasetError
from promptbandit.types import Example

# Hub names we know how to frame: hub id -> (config name, record converter).
_KNOWN = {"openai/gsm8k": "main", "gsm8k": "main"}


def load_hub(name: str, split: str = "test", instruction: str = INSTRUCTION) -> list[Example]:
    """Load ``hf:<name>``; only GSM8K-shaped sets are framed so far.

    Raises:
        DatasetError: `datasets` is not installed, the name is not supported, or the hub cannot be reached.
    """
    if name not in _KNOWN:
        raise DatasetError(f"hf:{name}: unsupported hub data set (supported: {', '.join(sorted(_KNOWN))})")
    try:
        import datasets  # noqa: PLC0415 - optional extra, imported only when asked for
    except ImportError:
        raise DatasetError("hf: data sets need the optional extra: pip install 'promptbandit[hf]'") from None
    try:
        rows: Any = datasets.load_dataset(name, _KNOWN[name], split=split)
    except Exception as exc:  # the library raises many unrelated types when offline
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatasetError(f"hf:{name}: could not load from the hub (offline?): {reason}") from None
    return [
        example_from_record(dict(row), f"{name.split('/')[-1]}-{split}-{i}", f"hf:{name}[{i}]", instruction)
        for i, row in enumerate(rows, start=1)
    ]
