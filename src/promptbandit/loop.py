"""The async run loop. Every collaborator is passed in; nothing here touches the disk or the network.

Determinism: step ``t`` is chosen (its arms and example, from the one seeded generator) right after the
policy has applied the rewards of steps ``0 .. t - lag`` in step order, and before any later one. Which
request finishes first never changes what is chosen, so a run is a function of its seed, its lag and the
responses alone, whatever the concurrency.

A step evaluates one arm (``arms_per_step`` 1, the original study's design) or several arms on the same
question (a paired step), and the policy learns from all of that step's rewards at once. A run ends after
`steps` steps, when the next step would exceed `call_budget` model calls, when the policy says it is
finished (a fixed-budget schedule is spent), or when `stop_rule` says one arm is the best with the
required confidence; steps already in flight then still finish and are recorded.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from promptbandit.arms import Placement, render_messages
from promptbandit.backends.base import Backend
from promptbandit.errors import BackendError, PromptBanditError, RunDirError
from promptbandit.policies.base import Policy, SetPolicy, select_set, update_set
from promptbandit.rewards.base import Reward
from promptbandit.types import Arm, Completion, Example, SamplingParams, Score, StepRecord


@dataclass(frozen=True)
class Plan:
    """One model call of a step: arm, example, (for temperature > 0) which repeat of that prompt, and its line."""

    step: int
    arm: int
    example: int
    sample: int
    call: int = 0


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    completion: Completion | None
    score: Score | None
    error: str | None


class StopRule(Protocol):
    """Decides after each step whether the run has its answer (for example: one arm certified best)."""

    def update_set(self, arms: Sequence[int], rewards: Sequence[float | None]) -> None: ...

    def done(self) -> bool: ...


class StepFailed(PromptBanditError):
    """A step failed after its retries and the run was told to stop on failures."""


async def run_loop(
    *,
    arms: Sequence[Arm],
    examples: Sequence[Example],
    backend: Backend,
    reward: Reward,
    policy: Policy | SetPolicy,
    rng: np.random.Generator,
    params: SamplingParams,
    steps: int,
    concurrency: int = 1,
    lag: int = 1,
    placement: Placement = "system",
    stop_on_failure: bool = False,
    replay: Mapping[int, StepRecord] | None = None,
    on_step: Callable[[StepRecord], None] = lambda record: None,
    arms_per_step: int = 1,
    call_budget: int | None = None,
    stop_rule: StopRule | None = None,
) -> list[StepRecord]:
    """Run up to `steps` bandit steps and return their records (one per model call) in order.

    Args:
        replay: records of calls already done (from a resumed run's log), by call number. They are not
            sent to the backend; their logged results update the policy exactly as the first time.
        on_step: called with each record, in order, right after its step's policy update.
        arms_per_step: arms evaluated on each step's question (1: unpaired; more: paired steps).
        call_budget: never plan a step whose calls would take the total past this.
        stop_rule: asked after every step's update whether to stop planning new steps.

    Raises:
        RunDirError: a replayed record disagrees with what this seed chooses.
        StepFailed: a step failed and `stop_on_failure` is set.
    """
    replay = replay or {}
    draws: Counter[tuple[int, int]] = Counter()
    semaphore = asyncio.Semaphore(concurrency)
    planned = {"calls": 0, "stopped": False}

    def plan(step: int) -> list[Plan] | None:
        if planned["stopped"] or getattr(policy, "finished", lambda: False)():
            return None
        paired = arms_per_step > 1 or getattr(policy, "paired", False)
        chosen = select_set(policy, rng, arms_per_step) if paired else (policy.select(rng),)  # type: ignore[union-attr]
        if call_budget is not None and planned["calls"] + len(chosen) > call_budget:
            planned["stopped"] = True
            return None
        example = int(rng.integers(len(examples)))
        calls = []
        for arm in chosen:
            sample = 0
            if params.temperature > 0:
                sample = draws[(arm, example)]
                draws[(arm, example)] += 1
            calls.append(Plan(step=step, arm=arm, example=example, sample=sample, call=planned["calls"]))
            planned["calls"] += 1
        return calls

    async def execute(p: Plan) -> Outcome:
        logged = replay.get(p.call)
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

    tasks: dict[int, list[asyncio.Task[Outcome]]] = {}

    def launch(step: int) -> None:
        if step < steps:
            calls = plan(step)
            if calls:
                tasks[step] = [asyncio.ensure_future(execute(c)) for c in calls]

    for step in range(min(lag, steps)):
        launch(step)
    records: list[StepRecord] = []
    try:
        for step in range(steps):
            if step not in tasks:
                break
            # Popped only once all are in: if one raises, `finally` still cancels the step's other calls.
            outcomes = [await task for task in tasks[step]]
            del tasks[step]
            chosen = [o.plan.arm for o in outcomes]
            rewards = [o.score.value if o.score is not None else None for o in outcomes]
            update_set(policy, chosen, rewards)
            if stop_rule is not None:
                stop_rule.update_set(chosen, rewards)
                if stop_rule.done():
                    planned["stopped"] = True
            probs = policy.probabilities()
            for outcome in outcomes:
                record = _record(outcome, arms, examples, probs)
                records.append(record)
                on_step(record)
                if record.status == "failed" and stop_on_failure:
                    raise StepFailed(f"step {step} failed: {record.error}")
            launch(step + lag)
    finally:
        for pending in tasks.values():
            for task in pending:
                task.cancel()
        leftover = [task for pending in tasks.values() for task in pending]
        if leftover:
            await asyncio.gather(*leftover, return_exceptions=True)
    return records


def _with_seed(params: SamplingParams, sample: int) -> SamplingParams:
    return SamplingParams(temperature=params.temperature, max_tokens=params.max_tokens, top_p=params.top_p, seed=sample)


def _outcome_from_record(p: Plan, logged: StepRecord, arms: Sequence[Arm], examples: Sequence[Example]) -> Outcome:
    if logged.arm != p.arm or logged.example_id != examples[p.example].id or logged.step != p.step:
        raise RunDirError(
            f"steps.jsonl call {p.call} chose arm {logged.arm} on {logged.example_id}, but this config and seed "
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
        call=p.call,
    )
