"""UltraFeedback preference pairs as True/False: "Response A is better than response B".

Two flattened layouts are read (see shared/data/README.md): ``metadata.rating_chosen/rating_rejected``
(1-5, the argilla cleaned set) and ``metadata.score_chosen/score_rejected`` (1-10, the trl/H4 binarization).
Both hold ``prompt``, ``chosen`` and ``rejected`` as plain strings. Rows whose two scores are equal carry no
preference and are skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from promptbandit.datasets.framing import balanced_labels, true_false_prompt, truncate
from promptbandit.datasets.jsonl import read_jsonl, require_str
from promptbandit.errors import DatasetError
from promptbandit.types import Example

STATEMENT = "Response A is better than response B."
_SCORE_KEYS = (("rating_chosen", "rating_rejected"), ("score_chosen", "score_rejected"))


def scores(row: dict[str, Any], where: str) -> tuple[float, float] | None:
    """The (chosen, rejected) scores of either layout; None when the row has none."""
    meta = row.get("metadata")
    if not isinstance(meta, dict):
        return None
    for chosen_key, rejected_key in _SCORE_KEYS:
        if chosen_key in meta and rejected_key in meta:
            try:
                return float(meta[chosen_key]), float(meta[rejected_key])
            except (TypeError, ValueError):
                raise DatasetError(f"{where}: {chosen_key}/{rejected_key} must be numbers") from None
    return None


def pair_prompt(prompt: str, first: str, second: str, max_chars: int) -> str:
    """The task text: the instruction, both responses (cut to `max_chars`), then the statement to judge."""
    context = (f"Instruction: {truncate(prompt, max_chars)}\n\nResponse A: {truncate(first, max_chars)}"
               f"\n\nResponse B: {truncate(second, max_chars)}")
    return true_false_prompt(STATEMENT, context)


def load_ultrafeedback_tf(path: Path, seed: int = 0, max_chars: int = 1200) -> list[Example]:
    """One item per preference pair; the chosen response is A in exactly half of them (seeded).

    Args:
        max_chars: each of the instruction and the two responses is cut to this many characters (0: no cut),
            to keep prompts short enough for small local models.
    """
    pairs = []
    for number, row in read_jsonl(path):
        where = f"{path}:{number}"
        prompt, chosen, rejected = (require_str(row, k, where) for k in ("prompt", "chosen", "rejected"))
        found = scores(row, where)
        if found is not None and found[0] == found[1]:
            continue
        pairs.append((number, prompt, chosen, rejected, found))
    rng = np.random.default_rng(seed)
    examples = []
    for (number, prompt, chosen, rejected, found), chosen_first in zip(pairs, balanced_labels(len(pairs), rng), strict=False):
        first, second = (chosen, rejected) if chosen_first else (rejected, chosen)
        examples.append(Example(
            id=f"{path.stem}-{number}", prompt=pair_prompt(prompt, first, second, max_chars),
            answer="True" if chosen_first else "False", answer_type="bool",
            meta={"scores": list(found) if found else None, "chosen_is_a": chosen_first},
        ))
    return examples
