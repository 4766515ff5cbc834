"""The SQLite response cache around a backend."""

import asyncio
import sqlite3
from pathlib import Path

from fakes import ScriptedBackend
from promptbandit.backends.cache import CachingBackend, cache_key
from promptbandit.types import SamplingParams

MESSAGES = [{"role": "user", "content": "What is 2 + 3?"}]


def test_second_identical_request_is_served_from_the_file(tmp_path: Path) -> None:
    inner = ScriptedBackend()

    async def go() -> tuple:
        cache = CachingBackend(inner, tmp_path / "c.sqlite")
        first = await cache.complete(MESSAGES, SamplingParams(max_tokens=8))
        second = await cache.complete(MESSAGES, SamplingParams(max_tokens=8))
        await cache.aclose()
        return first, second

    first, second = asyncio.run(go())
    assert inner.calls == 1
    assert (first.cached, second.cached) == (False, True)
    assert first.text == second.text == "2 + 3 = 5"


def test_cache_survives_a_new_process_object(tmp_path: Path) -> None:
    async def once() -> bool:
        cache = CachingBackend(ScriptedBackend(), tmp_path / "c.sqlite")
        result = await cache.complete(MESSAGES, SamplingParams())
        await cache.aclose()
        return result.cached

    assert asyncio.run(once()) is False
    assert asyncio.run(once()) is True
    rows = sqlite3.connect(tmp_path / "c.sqlite").execute("SELECT count(*) FROM responses").fetchone()
    assert rows == (1,)


def test_key_changes_with_every_sampling_parameter_and_the_model() -> None:
    base = cache_key("m", MESSAGES, SamplingParams())
    assert cache_key("m", MESSAGES, SamplingParams()) == base
    assert cache_key("other", MESSAGES, SamplingParams()) != base
    assert cache_key("m", MESSAGES, SamplingParams(temperature=0.5)) != base
    assert cache_key("m", MESSAGES, SamplingParams(max_tokens=3)) != base
    assert cache_key("m", MESSAGES, SamplingParams(seed=1)) != base
    assert cache_key("m", [{"role": "user", "content": "x"}], SamplingParams()) != base
