"""The built-in offline task set: short arithmetic questions generated from a fixed seed.

It exists so that `promptbandit run` works with no arguments and no files: the embedded 0.5B model gets
most of these right in a one-line answer (about half a second each), so a prefix that sabotages the
answer is visibly worse within a few minutes.
"""

from __future__ import annotations

import numpy as np

from promptbandit.types import Example

_SEED = 20261203


def arithmetic_examples(n: int = 120, seed: int = _SEED) -> list[Example]:
    """Return `n` questions such as "What is 37 + 48?" whose answers are never 42 (a control arm's answer)."""
    rng = np.random.default_rng(seed)
    examples: list[Example] = []
    while len(examples) < n:
        op = str(rng.choice(["+", "-", "*"]))
        a, b = int(rng.integers(11, 100)), int(rng.integers(2, 60 if op != "*" else 12))
        value = {"+": a + b, "-": a - b, "*": a * b}[op]
        if value == 42:
            continue
        shown = {"*": "\u00d7"}.get(op, op)
        prompt = f"What is {a} {shown} {b}?"
        examples.append(Example(id=f"arith-{len(examples) + 1:03d}", prompt=prompt, answer=str(value)))
    return examples
