"""Evaluate fixed arms on fixed items: every arm answers every item (paired), through any backend."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from promptbandit.arms import Placement, render_messages
from promptbandit.backends.base import Backend
from promptbandit.errors import BackendError
from promptbandit.rewards.base import Reward
from promptbandit.types import Arm, Example, SamplingParams, Score


@dataclass(frozen=True)
class Cell:
    """One arm's result on one item; `score` None means the call failed."""

    arm: int
    example: int
    response: str
    score: Score | None
    error: str | None = None


async def evaluate(
    arms: Sequence[Arm], examples: Sequence[Example], backend: Backend, reward: Reward, params: SamplingParams,
    *, placement: Placement = "system", concurrency: int = 1,
    on_cell: Callable[[Cell], None] = lambda cell: None,
) -> list[list[Cell]]:
    """Ask every arm every item; return ``cells[arm][example]``.

    Failed calls are kept as cells without a score, so the caller decides how to pair them.
    """
    semaphore = asyncio.Semaphore(concurrency)

    async def one(a: int, e: int) -> Cell:
        async with semaphore:
            messages = render_messages(arms[a], examples[e].prompt, placement)
            try:
                completion = await backend.complete(messages, params)
                score = await reward.score(examples[e], completion.text)
            except BackendError as exc:
                cell = Cell(a, e, "", None, str(exc))
            else:
                cell = Cell(a, e, completion.text, score)
            on_cell(cell)
            return cell

    # Item-major order: with one request at a time, a partial evaluation covers all arms evenly.
    tasks = [asyncio.ensure_future(one(a, e)) for e in range(len(examples)) for a in range(len(arms))]
    try:
        done = await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    cells: list[list[Cell]] = [[] for _ in arms]
    for cell in sorted(done, key=lambda c: (c.arm, c.example)):
        cells[cell.arm].append(cell)
    return cells
