"""A scripted backend for unit tests of the loop and for fault injection; never a stand-in for a real model path."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from promptbandit.errors import BackendError
from promptbandit.types import Completion, Message, SamplingParams


class ScriptedBackend:
    """Answers arithmetic-style prompts: the correct number unless the prefix says 42; random delays; optional faults.

    Args:
        delay: maximum random latency per call in seconds (the order requests finish in varies).
        fail_every: every n-th call raises a BackendError (0: never).
        seed: seeds the delays (timing only).
    """

    model_id = "scripted"

    def __init__(self, *, delay: float = 0.0, fail_every: int = 0, retryable: bool = True, seed: int = 0) -> None:
        self.delay = delay
        self.fail_every = fail_every
        self.retryable = retryable
        self.calls = 0
        self.params: list[SamplingParams] = []
        self._random = random.Random(seed)

    def describe(self) -> dict[str, Any]:
        return {"kind": "scripted", "model_id": self.model_id}

    async def complete(self, messages: list[Message], params: SamplingParams) -> Completion:
        self.calls += 1
        self.params.append(params)
        if self.delay:
            await asyncio.sleep(self._random.uniform(0, self.delay))
        if self.fail_every and self.calls % self.fail_every == 0:
            raise BackendError("scripted failure", retryable=self.retryable)
        text = " ".join(m["content"] for m in messages)
        if "42" in text and "Do not solve" in text:
            return Completion("42", prompt_tokens=len(text) // 4, completion_tokens=1)
        question = messages[-1]["content"].rsplit("What is", 1)[-1].strip(" ?")
        try:
            a, op, b = question.split()
            value = {"+": int(a) + int(b), "-": int(a) - int(b), "\u00d7": int(a) * int(b)}[op]
        except (ValueError, KeyError):
            return Completion("OK", prompt_tokens=3, completion_tokens=1)
        return Completion(f"{a} {op} {b} = {value}", prompt_tokens=len(text) // 4, completion_tokens=6)

    async def aclose(self) -> None:
        return None
