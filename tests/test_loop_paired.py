"""Paired steps in the run loop and the runner: k calls on one question, call budget, confidence stop, resume."""

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest

from fakes import ScriptedBackend
from promptbandit import runner
from promptbandit.arms import load_arms
from promptbandit.confidence import Certifier
from promptbandit.config import RunConfig
from promptbandit.datasets import BUILTIN, load_dataset
from promptbandit.fakeserver import FakeServer, ServerSettings
from promptbandit.loop import run_loop
from promptbandit.policies import Reinforce
from promptbandit.rewards import NumericMatch
from promptbandit.store import read_steps
from promptbandit.types import SamplingParams

ARMS = load_arms(["personas", "controls"])
EXAMPLES = load_dataset(BUILTIN).examples


def run(backend, *, policy=None, steps=30, per_step=3, concurrency=1, lag=1, seed=0, replay=None, budget=None,
        stop_rule=None):
    return asyncio.run(run_loop(
        arms=ARMS, examples=EXAMPLES, backend=backend, reward=NumericMatch(),
        policy=policy or Reinforce(len(ARMS), lr=0.5), rng=np.random.default_rng(seed),
        params=SamplingParams(max_tokens=16), steps=steps, concurrency=concurrency, lag=lag, replay=replay,
        arms_per_step=per_step, call_budget=budget, stop_rule=stop_rule,
    ))


def _strip(records):
    return [r.to_json() | {"latency_s": 0} for r in records]


def test_a_paired_step_asks_k_distinct_arms_the_same_question() -> None:
    records = run(ScriptedBackend(), steps=20, per_step=3)
    assert len(records) == 60 and [r.call for r in records] == list(range(60))
    for step in range(20):
        group = [r for r in records if r.step == step]
        assert len(group) == 3 and len({r.arm for r in group}) == 3 and len({r.example_id for r in group}) == 1
        assert len({r.probabilities for r in group}) == 1


def test_paired_runs_do_not_depend_on_timing_or_concurrency() -> None:
    serial = run(ScriptedBackend(), per_step=4, lag=3)
    parallel = run(ScriptedBackend(delay=0.01, seed=9), per_step=4, concurrency=8, lag=3)
    assert _strip(serial) == _strip(parallel)


def test_the_call_budget_is_never_exceeded() -> None:
    backend = ScriptedBackend()
    records = run(backend, steps=100, per_step=4, budget=50)
    assert len(records) == 48 and backend.calls == 48


def test_a_stop_rule_ends_the_run_once_the_winner_is_certified() -> None:
    arms = [a for a in ARMS if a.name in ("no prefix", "answer 42")]    # always right vs always "42"
    rule = Certifier(2, 0.05, paired=True)
    records = asyncio.run(run_loop(
        arms=arms, examples=EXAMPLES, backend=ScriptedBackend(), reward=NumericMatch(), policy=Reinforce(2),
        rng=np.random.default_rng(0), params=SamplingParams(max_tokens=16), steps=500, arms_per_step=2,
        stop_rule=rule,
    ))
    steps = len({r.step for r in records})
    assert rule.done() and 5 < steps < 100 and len(records) == 2 * steps


def test_tied_arms_are_never_certified_and_the_run_uses_all_its_steps() -> None:
    arms = [a for a in ARMS if a.name in ("no prefix", "Alan Turing")]   # the scripted model treats them alike
    rule = Certifier(2, 0.05, paired=True)
    records = asyncio.run(run_loop(
        arms=arms, examples=EXAMPLES, backend=ScriptedBackend(), reward=NumericMatch(), policy=Reinforce(2),
        rng=np.random.default_rng(0), params=SamplingParams(max_tokens=16), steps=300, arms_per_step=2,
        stop_rule=rule,
    ))
    assert not rule.done() and len({r.step for r in records}) == 300


def test_replaying_a_paired_run_reproduces_it_without_calls() -> None:
    full = run(ScriptedBackend(), per_step=3, steps=20)
    backend = ScriptedBackend()
    resumed = run(backend, per_step=3, steps=20, replay={r.call: r for r in full[:31]})
    assert backend.calls == 60 - 31
    assert _strip(resumed) == _strip(full)


def _config(server: FakeServer, out: Path, **kw) -> RunConfig:
    base = dict(model="openai:fake", base_url=server.base_url, arms=("personas", "controls"), baseline=False,
                cache="", out=str(out), seed=2)
    return RunConfig(**(base | kw))


def test_cs_elimination_through_a_server_stops_with_the_confidence_it_states(tmp_path: Path) -> None:
    with FakeServer(ServerSettings()) as server:
        result = runner.run(_config(server, tmp_path / "run", policy="cs-elimination", confidence=0.9,
                                    steps=3000, concurrency=4))
    ident = result.summary["identification"]
    assert ident["stopped_by"] == "confidence" and ident["confidence"] >= 0.9 and ident["paired"]
    assert ident["steps"] < 3000 and ident["gap_interval"][0] > 0
    lines = (tmp_path / "run" / "steps.jsonl").read_text().splitlines()
    assert len(lines) == len(result.records) and json.loads(lines[-1])["call"] == len(lines) - 1
    # the calls per step shrink as arms are resolved
    per_step = [sum(1 for r in result.records if r.step == s) for s in range(ident["steps"])]
    assert per_step[0] == len(result.arms) and per_step[-1] < per_step[0]


def test_successive_halving_spends_its_budget_and_names_a_survivor(tmp_path: Path) -> None:
    with FakeServer(ServerSettings()) as server:
        result = runner.run(_config(server, tmp_path / "run", policy="successive-halving", budget=400))
    ident = result.summary["identification"]
    assert len(result.records) <= 400 and ident["stopped_by"] == "policy"
    last_step = [r for r in result.records if r.step == result.records[-1].step]
    assert ident["recommended"] in {r.arm_name for r in last_step}


def test_paired_reinforce_run_resumes_to_the_same_result(tmp_path: Path) -> None:
    with FakeServer(ServerSettings()) as server:
        whole = runner.run(_config(server, tmp_path / "whole", steps=25, arms_per_step=3, concurrency=3))
        cut = tmp_path / "cut"
        runner.run(_config(server, cut, steps=25, arms_per_step=3, concurrency=3, max_calls=40))
        assert len(read_steps(cut / "steps.jsonl")) < 75
        resumed = runner.run(RunConfig(), resume=cut, caps={"max_calls": 1000})
    assert _strip(resumed.records) == _strip(whole.records)
    assert resumed.summary["identification"] == whole.summary["identification"]


@pytest.mark.parametrize("kw, message", [
    ({"policy": "successive-halving"}, "budget: policy successive-halving plans its rounds"),
    ({"policy": "cs-elimination", "arms_per_step": 1}, "needs at least 2 arms per step"),
    ({"arms_per_step": 0}, "arms_per_step: must be a whole number"),
    ({"confidence": 1.5}, "confidence: must be between 0 and 1"),
    ({"budget": 0}, "budget: must be at least 1"),
])
def test_bad_identification_settings_name_the_field(kw, message) -> None:
    from promptbandit.errors import ConfigError
    with pytest.raises(ConfigError, match=message):
        RunConfig(**kw)
