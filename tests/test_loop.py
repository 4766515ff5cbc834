"""The run loop with a scripted backend: determinism, replay, failures, sampling seeds."""

import asyncio

import numpy as np
import pytest

from fakes import ScriptedBackend
from promptbandit.arms import load_arms
from promptbandit.datasets import BUILTIN, load_dataset
from promptbandit.loop import StepFailed, run_loop
from promptbandit.policies import Reinforce
from promptbandit.rewards import NumericMatch
from promptbandit.types import SamplingParams

ARMS = load_arms(["personas", "controls"])
EXAMPLES = load_dataset(BUILTIN).examples


def run(backend, *, steps=40, concurrency=1, lag=4, seed=0, replay=None, temperature=0.0, stop=False):
    return asyncio.run(run_loop(
        arms=ARMS, examples=EXAMPLES, backend=backend, reward=NumericMatch(), policy=Reinforce(len(ARMS), lr=0.5),
        rng=np.random.default_rng(seed), params=SamplingParams(temperature=temperature, max_tokens=16),
        steps=steps, concurrency=concurrency, lag=lag, replay=replay, stop_on_failure=stop,
    ))


def test_same_seed_and_lag_give_the_same_run_whatever_the_concurrency_and_timing() -> None:
    serial = run(ScriptedBackend(), concurrency=1)
    parallel = run(ScriptedBackend(delay=0.01, seed=5), concurrency=4)
    assert [r.to_json() | {"latency_s": 0} for r in serial] == [r.to_json() | {"latency_s": 0} for r in parallel]


def test_different_seeds_choose_differently() -> None:
    assert [r.arm for r in run(ScriptedBackend(), seed=1)] != [r.arm for r in run(ScriptedBackend(), seed=2)]


def test_records_are_in_step_order_with_probabilities_after_the_update() -> None:
    records = run(ScriptedBackend(delay=0.005), concurrency=3)
    assert [r.step for r in records] == list(range(40))
    assert all(abs(sum(r.probabilities) - 1) < 1e-4 for r in records)


def test_control_arm_gets_reward_zero_and_loses_probability() -> None:
    records = run(ScriptedBackend(), steps=150, lag=1)
    control = [a.name for a in ARMS].index("answer 42")
    assert all(r.reward == 0.0 for r in records if r.arm == control)
    assert records[-1].probabilities[control] < 1 / len(ARMS)


def test_replayed_steps_make_no_calls_and_reproduce_the_run() -> None:
    full = run(ScriptedBackend())
    backend = ScriptedBackend()
    resumed = run(backend, replay={r.step: r for r in full[:25]})
    assert backend.calls == 15
    assert [r.to_json() | {"latency_s": 0} for r in resumed] == [r.to_json() | {"latency_s": 0} for r in full]


def test_failed_steps_are_logged_as_failed_not_as_zero_reward() -> None:
    records = run(ScriptedBackend(fail_every=5), steps=20)
    failed = [r for r in records if r.status == "failed"]
    assert len(failed) == 4
    assert all(r.reward is None and r.error == "scripted failure" for r in failed)
    assert len(records) == 20


def test_stop_on_failure_raises() -> None:
    with pytest.raises(StepFailed, match="step 4 failed"):
        run(ScriptedBackend(fail_every=5), steps=20, stop=True)


def test_repeated_prompts_get_distinct_sample_seeds_only_when_sampling() -> None:
    greedy = ScriptedBackend()
    run(greedy, steps=30)
    assert all(p.seed is None for p in greedy.params)
    sampled = ScriptedBackend()
    records = run(sampled, steps=300, temperature=0.7)
    assert max(r.sample for r in records) >= 1
