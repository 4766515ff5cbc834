"""Hard budgets on calls, tokens and dollars, enforced by reserving the worst case before each request.

A request is sent only after its worst-case usage (one call, its prompt's byte count plus a chat-template
allowance as prompt tokens, `max_tokens` completion tokens, and their price) fits under every cap together with what
has been spent and what requests in flight have reserved. When it does not fit only because of requests
in flight, it waits for them to settle; when it cannot fit at all, `BudgetExhausted` stops the run. So the
caps hold however many requests are in flight. On an answer the reservation is replaced by the reported
usage; a request that failed without an HTTP answer (timeout, dropped connection, bad body, cancelled)
keeps its whole reservation, because the provider may have billed it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from promptbandit.backends.base import Backend
from promptbandit.errors import BackendError, ConfigError, PromptBanditError
from promptbandit.types import Arm, Completion, Message, SamplingParams, StepRecord

# USD per million tokens (input, output), list prices at the time of writing. Edit or extend them with
# `prices:` in a config file; a price given there wins.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1": (2.00, 8.00),
}
# Chat templates add tokens around the content: role markers and separators per message, and some (Qwen's)
# a default system prompt of a few dozen tokens when none is given. The per-request allowance starts here and
# grows to the largest excess a server has reported (see `Budget.learn_overhead`).
_TOKENS_PER_MESSAGE = 8
_TEMPLATE_TOKENS = 64


class BudgetExhausted(PromptBanditError):
    """The next request would exceed a cap; the run stops after the steps before it."""


@dataclass(frozen=True)
class Price:
    """USD per million prompt (input) and completion (output) tokens."""

    input_per_mtok: float
    output_per_mtok: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Dollars for one request.

        >>> Price(0.15, 0.60).cost(1_000_000, 500_000)
        0.45
        """
        return (prompt_tokens * self.input_per_mtok + completion_tokens * self.output_per_mtok) / 1_000_000


@dataclass(frozen=True)
class Usage:
    """Calls, tokens and dollars, spent or reserved."""

    calls: int = 0
    tokens: int = 0
    cost: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.calls + other.calls, self.tokens + other.tokens, self.cost + other.cost)

    def __sub__(self, other: Usage) -> Usage:
        return Usage(self.calls - other.calls, self.tokens - other.tokens, self.cost - other.cost)


@dataclass(frozen=True)
class Limits:
    """Caps on a run's spending; None means no cap."""

    max_calls: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None

    def first_exceeded(self, usage: Usage) -> str | None:
        """The name of the first cap `usage` goes over, or None.

        >>> Limits(max_calls=3).first_exceeded(Usage(calls=4))
        'max_calls 3'
        """
        if self.max_calls is not None and usage.calls > self.max_calls:
            return f"max_calls {self.max_calls}"
        if self.max_tokens is not None and usage.tokens > self.max_tokens:
            return f"max_total_tokens {self.max_tokens}"
        # A rounding tolerance so that a cap of exactly the spend is not refused.
        if self.max_cost is not None and usage.cost > self.max_cost + 1e-12:
            return f"max_cost ${self.max_cost:g}"
        return None

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.max_calls, self.max_tokens, self.max_cost))


def resolve_price(model: str, overrides: dict[str, dict[str, float]]) -> Price | None:
    """The price of `model` (a config model spec): local models are free; others come from the table.

    `overrides` maps a model name (``gpt-4o-mini``) or full spec (``openai:gpt-4o-mini``) to
    ``{"input": usd_per_million, "output": usd_per_million}``.

    >>> resolve_price("openai:gpt-4o-mini", {})
    Price(input_per_mtok=0.15, output_per_mtok=0.6)
    >>> resolve_price("openai:mystery", {}) is None
    True
    """
    if model == "local" or model.startswith("local:"):
        return Price(0.0, 0.0)
    name = model.split(":", 1)[1] if ":" in model else model
    for key in (model, name):
        if key in overrides:
            return Price(float(overrides[key]["input"]), float(overrides[key]["output"]))
    for key in (model, name):
        if key in DEFAULT_PRICES:
            return Price(*DEFAULT_PRICES[key])
    return None


def content_tokens_bound(messages: list[Message]) -> int:
    """Bound on the tokens of the messages themselves: byte-level tokenizers never make more tokens than bytes."""
    return sum(len(m.get("content", "").encode("utf-8")) + _TOKENS_PER_MESSAGE for m in messages)


def estimate_prompt_tokens(messages: list[Message], template_tokens: int = _TEMPLATE_TOKENS) -> int:
    """An upper bound on a request's prompt tokens: the content bound plus the chat template's allowance.

    >>> estimate_prompt_tokens([{"role": "user", "content": "2+2?"}])
    76
    """
    return content_tokens_bound(messages) + template_tokens


class Budget:
    """The ledger: spent plus reserved must stay under the limits.

    Args:
        limits: the caps.
        price: used to turn tokens into dollars; None only when there is no dollar cap.
        spent: usage carried over (a resumed run's earlier steps).
    """

    def __init__(self, limits: Limits, price: Price | None, spent: Usage = Usage()) -> None:
        if limits.max_cost is not None and price is None:
            raise ConfigError("max_cost: no price known for this model; add it under 'prices' in the config")
        self.limits = limits
        self.price = price or Price(0.0, 0.0)
        self.spent = spent
        self.reserved = Usage()
        self.template_tokens = _TEMPLATE_TOKENS
        self._changed: asyncio.Event | None = None

    def worst_case(self, messages: list[Message], params: SamplingParams) -> Usage:
        """One call with its prompt's token bound and `max_tokens` completion tokens, priced."""
        prompt = estimate_prompt_tokens(messages, self.template_tokens)
        return Usage(1, prompt + params.max_tokens, self.price.cost(prompt, params.max_tokens))

    def learn_overhead(self, messages: list[Message], reported_prompt_tokens: int) -> None:
        """Grow the template allowance when a server reports more prompt tokens than the content bound allows for."""
        self.template_tokens = max(self.template_tokens, reported_prompt_tokens - content_tokens_bound(messages))

    async def reserve(self, need: Usage) -> Usage:
        """Reserve `need`, waiting for requests in flight to settle when only they are in the way.

        Raises:
            BudgetExhausted: `need` does not fit even with nothing in flight.
        """
        while True:
            exceeded = self.limits.first_exceeded(self.spent + need)
            if exceeded is not None:
                raise BudgetExhausted(
                    f"budget reached: {exceeded} (spent {self.spent.calls} calls, {self.spent.tokens} tokens, "
                    f"${self.spent.cost:.6f})"
                )
            if self.limits.first_exceeded(self.spent + self.reserved + need) is None:
                self.reserved = self.reserved + need
                return need
            if self._changed is None:
                self._changed = asyncio.Event()
            await self._changed.wait()

    def settle(self, reservation: Usage, actual: Usage) -> None:
        """Replace a reservation by what the request really used, and wake requests waiting for room."""
        self.reserved = self.reserved - reservation
        self.spent = self.spent + actual
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def to_json(self) -> dict[str, Any]:
        return {"calls": self.spent.calls, "tokens": self.spent.tokens, "cost_usd": round(self.spent.cost, 8)}


class Budgeted:
    """A backend wrapper that reserves before every request and settles after it."""

    def __init__(self, inner: Backend, budget: Budget) -> None:
        self.inner = inner
        self.budget = budget
        self.model_id = inner.model_id

    def describe(self) -> dict[str, Any]:
        return self.inner.describe()

    async def complete(self, messages: list[Message], params: SamplingParams) -> Completion:
        need = self.budget.worst_case(messages, params)
        held = await self.budget.reserve(need)
        try:
            completion = await self.inner.complete(messages, params)
        except BackendError as exc:
            # The server answered with an error status: nothing was generated, but the call counts.
            self.budget.settle(held, Usage(calls=1) if exc.status is not None else held)
            raise
        except BaseException:
            self.budget.settle(held, held)
            raise
        self.budget.learn_overhead(messages, completion.prompt_tokens)
        tokens = completion.prompt_tokens + completion.completion_tokens
        # A server that reports no usage is charged the reservation, the most it can have used.
        actual = Usage(1, tokens, self.budget.price.cost(completion.prompt_tokens, completion.completion_tokens)) \
            if tokens else held
        self.budget.settle(held, actual)
        return completion

    async def aclose(self) -> None:
        await self.inner.aclose()


def spent_by_records(records: Iterable[StepRecord], price: Price | None) -> Usage:
    """What the logged steps of a run cost: one call per step not served from the cache, and its tokens.

    Used when a run is resumed. Retried attempts are not in the log, so each step counts as one call.
    """
    price = price or Price(0.0, 0.0)
    spent = Usage()
    for r in records:
        if not r.cached:
            spent = spent + Usage(1, r.prompt_tokens + r.completion_tokens, price.cost(r.prompt_tokens, r.completion_tokens))
    return spent


def usage_summary(arms: Sequence[Arm], records: Sequence[StepRecord], price: Price | None) -> dict[str, Any]:
    """Tokens and dollars per arm and in total. Cached steps count their tokens but cost nothing."""
    def block(mine: list[StepRecord]) -> dict[str, Any]:
        paid = [r for r in mine if not r.cached]
        prompt, completion = sum(r.prompt_tokens for r in mine), sum(r.completion_tokens for r in mine)
        cost = None if price is None else round(sum(price.cost(r.prompt_tokens, r.completion_tokens) for r in paid), 8)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "tokens": prompt + completion,
                "paid_calls": len(paid), "cost_usd": cost}

    return {
        **block(list(records)),
        "price_usd_per_million_tokens": None if price is None else
        {"input": price.input_per_mtok, "output": price.output_per_mtok},
        "arms": {arm.name: block([r for r in records if r.arm == i]) for i, arm in enumerate(arms)},
    }
