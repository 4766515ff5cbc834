"""Retry wrapper: exponential backoff with full jitter, honouring a server's Retry-After."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from promptbandit.backends.base import Backend
from promptbandit.errors import BackendError
from promptbandit.types import Completion, Message, SamplingParams


def backoff_delay(attempt: int, base: float, cap: float, jitter: random.Random, retry_after: float | None) -> float:
    """Seconds to wait before retry number `attempt` (1-based).

    A server's Retry-After wins (capped at `cap`); otherwise a uniform draw in
    ``[0, min(cap, base * 2 ** (attempt - 1))]`` ("full jitter").
    """
    if retry_after is not None:
        return min(cap, retry_after)
    return jitter.uniform(0.0, min(cap, base * 2 ** (attempt - 1)))


class Retrying:
    """Calls `inner` up to `max_attempts` times while its errors are retryable.

    Args:
        inner: the backend to call.
        max_attempts: total tries per request (1 means no retry).
        base_delay, max_delay: backoff scale and ceiling in seconds.
        jitter: random source for the backoff (timing only; it never changes results).
    """

    def __init__(
        self, inner: Backend, *, max_attempts: int = 4, base_delay: float = 0.5, max_delay: float = 30.0,
        jitter: random.Random | None = None,
    ) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.jitter = jitter or random.Random(0)
        self.retries = 0

    def describe(self) -> dict[str, Any]:
        return {**self.inner.describe(), "max_attempts": self.max_attempts}

    async def complete(self, messages: list[Message], params: SamplingParams) -> Completion:
        attempt = 1
        while True:
            try:
                return await self.inner.complete(messages, params)
            except BackendError as exc:
                if not exc.retryable or attempt >= self.max_attempts:
                    if attempt > 1:
                        raise BackendError(f"{exc} (after {attempt} attempts)", retryable=exc.retryable,
                                           status=exc.status) from None
                    raise
                self.retries += 1
                await asyncio.sleep(backoff_delay(attempt, self.base_delay, self.max_delay, self.jitter, exc.retry_after))
                attempt += 1

    async def aclose(self) -> None:
        await self.inner.aclose()
