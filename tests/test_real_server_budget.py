"""Budgets against a real OpenAI-compatible server: llama.cpp's, serving the embedded model on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import llama_server
from promptbandit import runner
from promptbandit.arms import load_arms, render_messages
from promptbandit.budget import estimate_prompt_tokens
from promptbandit.config import RunConfig
from promptbandit.datasets import load_dataset

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def llama_server_url(gguf: Path) -> Iterator[str]:
    with llama_server(gguf, "--n_ctx", "1024", "--n_threads", "1") as base:
        yield base


def test_real_server_call_and_token_caps_hold_and_prompt_estimate_is_an_upper_bound(
        llama_server_url: str, tmp_path: Path) -> None:
    config = RunConfig(model="openai:qwen", base_url=llama_server_url, steps=40, concurrency=4, max_tokens=8,
                       max_calls=7, cache="", out=str(tmp_path / "run"), seed=2)
    result = runner.run(config)
    ledger = result.summary["usage"]["budget_ledger"]
    assert ledger["calls"] <= 7
    assert result.stopped is not None and "max_calls 7" in result.stopped
    ok = [r for r in result.records if r.status == "ok"]
    assert ok and all(r.prompt_tokens > 0 for r in ok), "the real server reports usage"
    # The reservation rule relies on prompt tokens <= UTF-8 bytes + 8 per message + the template allowance (64 at
    # first): check it on a real tokenizer and chat template (Qwen adds a default system prompt).
    arms = load_arms(config.arms)
    examples = {e.id: e for e in load_dataset(config.dataset).examples}
    for r in ok:
        messages = render_messages(arms[r.arm], examples[r.example_id].prompt, config.placement)
        assert r.prompt_tokens <= estimate_prompt_tokens(messages)
