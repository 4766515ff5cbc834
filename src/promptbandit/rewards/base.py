"""The reward protocol: one async method that turns a response into a `Score`."""

from __future__ import annotations

from typing import Protocol

from promptbandit.types import Example, Score


class Reward(Protocol):
    """Scores a model's response to an example."""

    @property
    def name(self) -> str:
        """Short label stored in the manifest."""
        ...

    async def score(self, example: Example, response: str) -> Score:
        """Return the reward for `response` to `example`."""
        ...
