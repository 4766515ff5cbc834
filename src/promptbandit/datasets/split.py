"""A train/validation split fixed by a seed, so the bandit never sees the held-out items (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from promptbandit.errors import DatasetError
from promptbandit.types import Example


@dataclass(frozen=True)
class Split:
    """Training items (the bandit's) and held-out validation items, both in the source's order."""

    train: tuple[Example, ...]
    validation: tuple[Example, ...]


def split_examples(examples: Sequence[Example], validation: float | int, seed: int) -> Split:
    """Hold out a seeded random subset for validation.

    Args:
        validation: a fraction in [0, 1) of the items, or (an int >= 1) a number of items.
        seed: the split's own seed; the same seed and items always give the same split.

    Raises:
        DatasetError: the size is negative, or leaves no training items.
    """
    n = len(examples)
    if isinstance(validation, bool) or validation < 0:
        raise DatasetError(f"validation: must be a fraction in [0, 1) or a count, got {validation!r}")
    count = int(validation) if isinstance(validation, int) else int(round(validation * n))
    if isinstance(validation, float) and validation >= 1:
        raise DatasetError(f"validation: a fraction must be below 1, got {validation}")
    if count >= n:
        raise DatasetError(f"validation: {count} held-out items leave none of the {n} for training")
    held = set(np.random.default_rng(seed).permutation(n)[:count].tolist())
    return Split(
        train=tuple(e for i, e in enumerate(examples) if i not in held),
        validation=tuple(e for i, e in enumerate(examples) if i in held),
    )
