"""The async run loop. Every collaborator is passed in; nothing here touches the disk or the network.

Determinism: step ``t`` is chosen (arm and example, from the one seeded generator) right after the
policy has applied the rewards of steps ``0 .. t - lag`` in step order, and before any later one. Which
request finishes first never changes what is chosen, so a run is a function of its seed, its lag and the
responses alone, whatever the concurrency.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from promptbandit.arms import Placement, render_messages
from promptbandit.backends.base import Backend
from promptbandit.errors import BackendError, PromptBanditError, RunDirError
from promptbandit.policies.base import Policy
from promptbandit.rewards.base import Reward
from promptbandit.types import Arm, Completion, Example, SamplingParams, Score, StepRecord


@dataclass(frozen=True)
class Plan:
    """What a step will ask: arm, example and (for temperature > 0) which repeat of that prompt."""

    step: int
    arm: int
    example: int
    sample: int


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    completion: Completion | None
    score: Score | None
    error: str | None


class StepFailed(PromptBanditError):
    """A step failed after its retries and the run was told to stop on failures."""


async def run_loop(
    *,
    arms: Sequence[Arm],
    examples: Sequence[Example],
    backend: Backend,
    reward: Reward,
    policy: Policy,
    rng: np.random.Generator,
    params: SamplingParams,
    steps: int,
    concurrency: int = 1,
    lag: int = 1,
    placement: Placement = "system",
    stop_on_failure: bool = False,
    replay: Mapping[int, StepRecord] | None = None,
    on_step: Callable[[StepRecord], None] = lambda record: None,
) -> list[StepRecord]:
    """Run `steps` bandit steps and return their records in step order.

    Args:
        replay: records of steps already done (from a resumed run's log). They are not sent to the
            backend; their logged results update the policy exactly as the first time.
        on_step: called with each record, in step order, right after the policy update.

    Raises:
        RunDirError: a replayed record disagrees with what this seed chooses.
        StepFailed: a step failed and `stop_on_failure` is set.
    """
    replay = replay or {}
    draws: Counter[tuple[int, int]] = Counter()
    semaphore = asyncio.Semaphore(concurrency)

    def plan(step: int) -> Plan:
        arm = policy.select(rng)
        example = int(rng.integers(len(examples)))
        sample = 0
        if params.temperature > 0:
            sample = draws[(arm, example)]
            draws[(arm, example)] += 1
        return Plan(step=step, arm=arm, example=example, sample=sample)

    async def execute(p: Plan) -> Outcome:
        logged = replay.get(p.step)
        if logged is not None:
            return _outcome_from_record(p, logged, arms, examples)
        async with semaphore:
            messages = render_messages(arms[p.arm], examples[p.example].prompt, placement)
            call_params = params if params.temperature == 0 else _with_seed(params, p.sample)
            try:
                completion = await backend.complete(messages, call_params)
                score = await reward.score(examples[p.example], completion.text)
            except BackendError as exc:
                return Outcome(p, None, None, str(exc))
            return Outcome(p, completion, score, None)

    tasks: dict[int, asyncio.Task[Outcome]] = {}

    def launch(step: int) -> None:
        if step < steps:
            tasks[step] = asyncio.ensure_future(execute(plan(step)))

    for step in range(min(lag, steps)):
        launch(step)
    records: list[StepRecord] = []
    try:
        for step in range(steps):
            outcome = await tasks.pop(step)
            if outcome.score is not None:
                policy.update(outcome.plan.arm, outcome.score.value)
            record = _record(outcome, arms, examples, policy.probabilities())
            records.append(record)
            on_step(record)
            if record.status == "failed" and stop_on_failure:
                raise StepFailed(f"step {step} failed: {record.error}")
            launch(step + lag)
    finally:
        for task in tasks.values():
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks.values(), return_exceptions=True)
    return records


def _with_seed(params: SamplingParams, sample: int) -> SamplingParams:
    return SamplingParams(temperature=params.temperature, max_tokens=params.max_tokens, top_p=params.top_p, seed=sample)


def _outcome_from_record(p: Plan, logged: StepRecord, arms: Sequence[Arm], examples: Sequence[Example]) -> Outcome:
    if logged.arm != p.arm or logged.example_id != examples[p.example].id:
        raise RunDirError(
            f"steps.jsonl step {p.step} chose arm {logged.arm} on {logged.example_id}, but this config and seed "
            f"choose arm {p.arm} on {examples[p.example].id}: the run directory belongs to another configuration"
        )
    if logged.status != "ok" or logged.reward is None:
        return Outcome(p, None, None, logged.error or "failed")
    completion = Completion(
        text=logged.response, prompt_tokens=logged.prompt_tokens, completion_tokens=logged.completion_tokens,
        latency_s=logged.latency_s, cached=logged.cached,
    )
    return Outcome(p, completion, Score(logged.reward, logged.extracted, dict(logged.detail)), None)


def _record(outcome: Outcome, arms: Sequence[Arm], examples: Sequence[Example], probs: np.ndarray) -> StepRecord:
    p, completion, score = outcome.plan, outcome.completion, outcome.score
    example = examples[p.example]
    return StepRecord(
        step=p.step,
        arm=p.arm,
        arm_name=arms[p.arm].name,
        example_id=example.id,
        prompt=example.prompt,
        gold=example.answer,
        response=completion.text if completion else "",
        extracted=score.extracted if score else None,
        reward=score.value if score else None,
        status="ok" if score is not None else "failed",
        probabilities=tuple(round(float(x), 6) for x in probs),
        latency_s=round(completion.latency_s, 4) if completion else 0.0,
        prompt_tokens=completion.prompt_tokens if completion else 0,
        completion_tokens=completion.completion_tokens if completion else 0,
        cached=completion.cached if completion else False,
        sample=p.sample,
        error=outcome.error,
        detail=dict(score.detail) if score else {},
    )
