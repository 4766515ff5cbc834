"""Data set sources: a name, path or mapping in config becomes a `Dataset` of Examples plus held-out items."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from promptbandit.datasets.arc import load_arc
from promptbandit.datasets.arithmetic import arithmetic_examples
from promptbandit.datasets.domains import load_domains
from promptbandit.datasets.generic import load_generic
from promptbandit.datasets.gsm8k import load_gsm8k
from promptbandit.datasets.hub import load_hub
from promptbandit.datasets.spec import DatasetSpec, dataset_spec, spec_to_dict
from promptbandit.datasets.split import split_examples
from promptbandit.datasets.truthfulqa import load_truthfulqa_mc1, load_truthfulqa_tf
from promptbandit.datasets.ultrafeedback import load_ultrafeedback_tf
from promptbandit.errors import DatasetError
from promptbandit.types import Example

BUILTIN = "builtin:arithmetic"

# The reward each answer type uses unless the config names one, and a generation limit that fits it.
DEFAULT_REWARD = {"number": "numeric", "text": "short_answer", "bool": "true_false", "choice": "choice"}
DEFAULT_MAX_TOKENS = {"number": 512, "text": 48, "bool": 24, "choice": 16}


@dataclass(frozen=True)
class Dataset:
    """Examples plus what a run needs to know about them.

    Attributes:
        source: what the config named.
        examples: the items the bandit draws from (the training part), in source order.
        reward: the default reward name for this data.
        max_tokens: a generation limit that fits its answers (short answers need few tokens).
        sha256: hash of the source file, when there is one.
        validation: held-out items the bandit never sees.
        info: format, framing and split facts for the manifest.
        skipped: error messages of malformed rows left out (only with ``skip_bad_rows``; GSM8K-style files).
    """

    source: str
    examples: tuple[Example, ...]
    reward: str = "numeric"
    max_tokens: int = 512
    sha256: str | None = None
    validation: tuple[Example, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()


# A loader reads a path as the spec says; GSM8K-style files may skip bad rows into the list given.
Loader = Callable[[Path, DatasetSpec, list[str] | None], list[Example]]


def _truthfulqa(path: Path, spec: DatasetSpec, skipped: list[str] | None) -> list[Example]:
    if spec.framing == "mc1" or path.suffix.lower() == ".json":
        if path.suffix.lower() != ".json":
            raise DatasetError(f"{path}: the mc1 framing reads mc_task.json")
        return load_truthfulqa_mc1(path, spec.seed)
    return load_truthfulqa_tf(path, spec.seed)


def _domains(path: Path, spec: DatasetSpec, skipped: list[str] | None) -> list[Example]:
    return load_domains(path, "true_false" if spec.framing == "true_false" else "open", spec.domains)


LOADERS: dict[str, Loader] = {
    "gsm8k": lambda path, spec, skipped: load_gsm8k(path, skipped=skipped),
    "arc": lambda path, spec, skipped: load_arc(path),
    "truthfulqa": _truthfulqa,
    "ultrafeedback": lambda path, spec, skipped: load_ultrafeedback_tf(path, spec.seed, spec.max_chars),
    "domains": _domains,
    "generic": lambda path, spec, skipped: load_generic(path, spec.fields, spec.answer_type, spec.template),
}
# Framings each format can produce (its first one is its default).
FRAMINGS = {"gsm8k": ("default",), "arc": ("default",), "truthfulqa": ("true_false", "mc1"),
            "ultrafeedback": ("true_false",), "domains": ("open", "true_false"), "generic": ("default",)}


def _first_line(path: Path, wanted: Callable[[str], bool]) -> str:
    """The first line of a text file that `wanted` accepts ("" if none); bad UTF-8 is a DatasetError."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            return next((line for line in handle if wanted(line)), "")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def detect_format(path: Path, spec: DatasetSpec) -> str:
    """Guess the loader from the path: a directory of domain files, the TruthfulQA CSV or JSON, or the keys of
    the first JSONL record. A config with ``fields`` is always ``generic``."""
    if spec.fields:
        return "generic"
    if path.is_dir():
        return "domains"
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".csv", ".json"):
        raise DatasetError(f"{path}: expected a .jsonl file (or a .csv/.json one), {BUILTIN} or hf:<name>")
    if not path.is_file():
        raise DatasetError(f"data file not found: {path}")
    if suffix == ".csv":
        header = _first_line(path, lambda line: True)
        if "Best Answer" in header:
            return "truthfulqa"
        raise DatasetError(f"{path}: unknown CSV layout; give dataset.fields to map its columns")
    if suffix == ".json":
        return "truthfulqa"
    first = _first_line(path, lambda line: bool(line.strip()))
    try:
        record = json.loads(first) if first else {}
    except json.JSONDecodeError:
        record = {}
    keys = set(record) if isinstance(record, dict) else set()
    for fmt, needed in (("arc", {"choices", "answerKey"}), ("ultrafeedback", {"chosen", "rejected"}),
                        ("domains", {"true_false", "aliases"})):
        if needed <= keys:
            return fmt
    # GSM8K-style by default: its loader names the file, line and field of anything malformed.
    return "gsm8k"


def _load_examples(spec: DatasetSpec, skipped: list[str] | None) -> tuple[list[Example], str, str | None]:
    source = spec.source
    if source == BUILTIN:
        return arithmetic_examples(), "builtin", None
    if source.startswith("hf:"):
        return load_hub(source[3:]), "hf", None
    if source.startswith("builtin:"):
        raise DatasetError(f"unknown built-in data set {source!r} (available: {BUILTIN})")
    path = Path(source)
    fmt = detect_format(path, spec) if spec.format == "auto" else spec.format
    if spec.framing != "default" and spec.framing not in FRAMINGS[fmt]:
        raise DatasetError(f"{source}: framing {spec.framing!r} does not apply to {fmt} data "
                           f"(use one of {', '.join(FRAMINGS[fmt])})")
    examples = LOADERS[fmt](path, spec, skipped)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else _dir_hash(path)
    return examples, fmt, digest


def _dir_hash(path: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(path.glob("*.jsonl")):
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def load_dataset(source: str | dict[str, Any] | DatasetSpec, *, skip_bad_rows: bool = False) -> Dataset:
    """Load a data set and hold out its validation items.

    `source` is what the config's ``dataset`` holds: ``builtin:arithmetic`` (offline default), ``hf:<hub id>``,
    a path (format detected), or a mapping with framing, field-mapping and split options (see `DatasetSpec`).

    Raises:
        ConfigError: a malformed mapping.
        DatasetError: unknown source, missing file, malformed row (unless `skip_bad_rows`, for GSM8K-style
            files), or an empty data set.
    """
    spec = source if isinstance(source, DatasetSpec) else dataset_spec(source)
    skipped: list[str] | None = [] if skip_bad_rows else None
    examples, fmt, digest = _load_examples(spec, skipped)
    if not examples:
        more = f" ({len(skipped)} bad rows skipped; first: {skipped[0]})" if skipped else ""
        raise DatasetError(f"{spec.source}: the data set has no examples{more}")
    total = len(examples)
    if spec.limit is not None and spec.limit < total:
        keep = set(np.random.default_rng([spec.seed, 1]).permutation(total)[: spec.limit].tolist())
        examples = [e for i, e in enumerate(examples) if i in keep]
    split = split_examples(examples, spec.validation, spec.seed)
    answer_type = examples[0].answer_type
    info = {
        "format": fmt, "spec": spec_to_dict(spec), "items": total, "used": len(examples),
        "train": len(split.train), "validation": len(split.validation), "split_seed": spec.seed,
        "validation_ids": [e.id for e in split.validation],
    }
    return Dataset(
        source=spec.source, examples=split.train, reward=DEFAULT_REWARD[answer_type],
        max_tokens=48 if fmt == "builtin" else DEFAULT_MAX_TOKENS[answer_type], sha256=digest,
        validation=split.validation, info=info, skipped=tuple(skipped or ()),
    )


__all__ = ["BUILTIN", "Dataset", "DatasetSpec", "dataset_spec", "load_dataset"]
