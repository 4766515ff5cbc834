"""Hard budgets: calls, tokens and dollars never exceed their caps, even with 64 requests in flight."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from promptbandit import runner
from promptbandit.budget import Budget, BudgetExhausted, Limits, Price, Usage, resolve_price
from promptbandit.config import RunConfig
from promptbandit.errors import ConfigError
from promptbandit.fakeserver import FakeServer, ServerSettings
from promptbandit.types import SamplingParams

PRICES = {"fake": {"input": 100.0, "output": 400.0}}


def _config(server: FakeServer, out: Path, **kw: object) -> RunConfig:
    base: dict[str, object] = dict(model="openai:fake", base_url=server.base_url, steps=400, concurrency=64,
                                   cache="", out=str(out), prices=PRICES, seed=1)
    base.update(kw)
    return RunConfig(**base)  # type: ignore[arg-type]


def test_price_cost_is_per_million_tokens() -> None:
    assert Price(2.0, 8.0).cost(500_000, 250_000) == pytest.approx(3.0)


def test_price_table_in_config_overrides_the_builtin_one() -> None:
    assert resolve_price("openai:gpt-4o-mini", {"gpt-4o-mini": {"input": 1, "output": 2}}) == Price(1.0, 2.0)
    assert resolve_price("local", {}) == Price(0.0, 0.0)
    assert resolve_price("openai:unknown-model", {}) is None


def test_reserve_refuses_what_cannot_fit_even_with_nothing_in_flight() -> None:
    budget = Budget(Limits(max_calls=2), None)

    async def go() -> None:
        for _ in range(2):
            held = await budget.reserve(Usage(calls=1))
            budget.settle(held, Usage(calls=1))
        with pytest.raises(BudgetExhausted, match="max_calls 2"):
            await budget.reserve(Usage(calls=1))

    asyncio.run(go())


def test_reserve_waits_for_requests_in_flight_then_uses_the_room_they_leave() -> None:
    budget = Budget(Limits(max_tokens=100), None)

    async def go() -> list[str]:
        order: list[str] = []
        held = await budget.reserve(Usage(1, 80))

        async def second() -> None:
            await budget.reserve(Usage(1, 50))
            order.append("second reserved")

        task = asyncio.ensure_future(second())
        await asyncio.sleep(0.01)
        order.append("first settles")
        budget.settle(held, Usage(1, 30))
        await asyncio.wait_for(task, 5)
        return order

    assert asyncio.run(go()) == ["first settles", "second reserved"]
    assert budget.spent.tokens + budget.reserved.tokens == 80


def test_max_cost_for_a_model_without_a_price_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    config = RunConfig(model="openai:no-such-model", base_url="http://127.0.0.1:9/v1", max_cost=1.0,
                       out=str(tmp_path / "run"), cache="")
    with pytest.raises(ConfigError, match="max_cost: no price known for model 'openai:no-such-model'"):
        runner.run(config)
    assert not (tmp_path / "run").exists()


def test_call_cap_holds_at_concurrency_64(tmp_path: Path) -> None:
    with FakeServer(ServerSettings(latency_s=0.02)) as server:
        result = runner.run(_config(server, tmp_path / "run", max_calls=150))
        served = sum(server.counts.values())
    assert served <= 150
    assert served >= 140, "the cap should be used, not left mostly idle"
    assert result.stopped is not None and "max_calls 150" in result.stopped
    assert result.summary["usage"]["budget_ledger"]["calls"] == served
    steps = [json.loads(line) for line in (tmp_path / "run" / "steps.jsonl").read_text().splitlines()]
    assert [s["step"] for s in steps] == list(range(len(steps)))


def test_cost_and_token_caps_hold_at_concurrency_64(tmp_path: Path) -> None:
    cap = 0.9
    with FakeServer(ServerSettings(latency_s=0.02)) as server:
        result = runner.run(_config(server, tmp_path / "run", max_cost=cap, max_total_tokens=9000))
        real_cost = Price(100.0, 400.0).cost(server.prompt_tokens, server.completion_tokens)
        real_tokens = server.prompt_tokens + server.completion_tokens
    assert real_cost <= cap
    assert real_tokens <= 9000
    assert result.stopped is not None
    assert result.summary["usage"]["budget_ledger"]["cost_usd"] == pytest.approx(real_cost, abs=1e-6)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["budget"]["max_cost_usd"] == cap
    assert manifest["usage"]["arms"], "per-arm usage is in the manifest"
    assert sum(a["cost_usd"] for a in result.summary["usage"]["arms"].values()) == pytest.approx(
        result.summary["usage"]["cost_usd"], abs=1e-6)


def test_a_run_stopped_by_its_budget_resumes_with_a_higher_cap_and_finishes(tmp_path: Path) -> None:
    with FakeServer(ServerSettings(latency_s=0.005)) as server:
        first = runner.run(_config(server, tmp_path / "run", steps=60, concurrency=8, max_calls=30))
        assert first.stopped is not None and len(first.records) < 30
        second = runner.run(RunConfig(), resume=tmp_path / "run", caps={"max_calls": 200})
    assert second.stopped is None
    assert [r.step for r in second.records] == list(range(60))
    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["config"]["max_calls"] == 200


def test_the_template_allowance_grows_to_what_a_server_reports() -> None:
    budget = Budget(Limits(max_tokens=10_000), None)
    messages = [{"role": "user", "content": "2+2?"}]
    before = budget.worst_case(messages, SamplingParams(max_tokens=5)).tokens
    budget.learn_overhead(messages, reported_prompt_tokens=500)
    after = budget.worst_case(messages, SamplingParams(max_tokens=5)).tokens
    assert before == 4 + 8 + 64 + 5
    assert after == 500 + 5
