"""Data set sources: a name or path in config becomes a `Dataset` of Examples."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from promptbandit.datasets.arithmetic import arithmetic_examples
from promptbandit.datasets.gsm8k import load_gsm8k
from promptbandit.datasets.hub import load_hub
from promptbandit.errors import DatasetError
from promptbandit.types import Example

BUILTIN = "builtin:arithmetic"


@dataclass(frozen=True)
class Dataset:
    """Examples plus what a run needs to know about them.

    Attributes:
        source: what the config named.
        examples: the items, in file order.
        reward: the default reward name for this data.
        max_tokens: a generation limit that fits its answers (short answers need few tokens).
        sha256: hash of the source file, when there is one.
        skipped: error messages of malformed rows left out (only with ``skip_bad_rows``).
    """

    source: str
    examples: tuple[Example, ...]
    reward: str = "numeric"
    max_tokens: int = 512
    sha256: str | None = None
    skipped: tuple[str, ...] = ()


def load_dataset(source: str, *, skip_bad_rows: bool = False) -> Dataset:
    """Load `source`: ``builtin:arithmetic`` (offline default), ``hf:<hub id>``, or a GSM8K-style ``.jsonl`` path.

    Raises:
        DatasetError: unknown source, missing file, malformed row (unless `skip_bad_rows`), or an empty
            data set.
    """
    if source == BUILTIN:
        dataset = Dataset(source, tuple(arithmetic_examples()), max_tokens=48)
    elif source.startswith("hf:"):
        dataset = Dataset(source, tuple(load_hub(source[3:])), max_tokens=512)
    elif source.startswith("builtin:"):
        raise DatasetError(f"unknown built-in data set {source!r} (available: {BUILTIN})")
    else:
        path = Path(source)
        if path.suffix.lower() != ".jsonl":
            raise DatasetError(f"{source}: expected a .jsonl file, {BUILTIN} or hf:<name>")
        skipped: list[str] | None = [] if skip_bad_rows else None
        examples = tuple(load_gsm8k(path, skipped=skipped))
        dataset = Dataset(source, examples, max_tokens=512, sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                          skipped=tuple(skipped or ()))
    if not dataset.examples:
        more = f" ({len(dataset.skipped)} bad rows skipped; first: {dataset.skipped[0]})" if dataset.skipped else ""
        raise DatasetError(f"{source}: the data set has no examples{more}")
    return dataset


__all__ = ["BUILTIN", "Dataset", "load_dataset"]
