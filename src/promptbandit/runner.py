"""The one place that turns a config into objects and runs them: data, arms, backend, reward, policy, store."""

from __future__ import annotations

import asyncio
import os
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from promptbandit import analysis
from promptbandit.arms import load_arms
from promptbandit.backends import Backend, CachingBackend, Retrying, make_backend
from promptbandit.backends.openai_compat import public_url
from promptbandit.budget import (
    Budget,
    Budgeted,
    BudgetExhausted,
    Limits,
    Price,
    resolve_price,
    spent_by_records,
    usage_summary,
)
from promptbandit.confidence import Certifier
from promptbandit.config import BUDGET_POLICIES, RunConfig, config_from_mapping
from promptbandit.datasets import Dataset, load_dataset
from promptbandit.errors import BackendError, ConfigError, RunDirError
from promptbandit.loop import run_loop
from promptbandit.policies import POLICIES, Policy, SetPolicy
from promptbandit.report.plots import write_policy_plot
from promptbandit.rewards import Reward, RewardContext, build_reward, reward_spec
from promptbandit.store import MANIFEST, POLICY_PLOT, STEPS, SUMMARY, StepLog, read_json, read_steps, write_json
from promptbandit.types import Arm, SamplingParams, StepRecord

Observer = Callable[[StepRecord], None]
# Give up early when a run's first calls all fail: the server is down or the model name is wrong.
_FAILURES_BEFORE_GIVING_UP = 5


@dataclass
class RunResult:
    """What a finished run left behind."""

    run_dir: Path
    config: RunConfig
    arms: tuple[Arm, ...]
    records: list[StepRecord]
    summary: dict[str, Any]
    cache_hits: int = 0
    model_calls: int = 0
    manifest: dict[str, Any] = field(default_factory=dict)
    stopped: str | None = None


def default_cache_dir() -> Path:
    """``$PROMPTBANDIT_CACHE_DIR`` or the platform's user cache directory."""
    override = os.environ.get("PROMPTBANDIT_CACHE_DIR")
    return Path(override) if override else platformdirs.user_cache_path("promptbandit")


def make_policy(config: RunConfig, n_arms: int) -> Policy | SetPolicy:
    """Build the configured policy; bad parameters become a ConfigError naming them.

    The identification policies take their delta from ``confidence`` and their budget from ``budget``.
    """
    params: dict[str, Any] = dict(config.policy_params)
    if config.policy == "cs-elimination" and config.confidence is not None:
        params.setdefault("delta", 1.0 - config.confidence)
    if config.policy in BUDGET_POLICIES:
        params.setdefault("budget", config.budget)
    try:
        return POLICIES[config.policy](n_arms, **params)
    except TypeError as exc:
        raise ConfigError(f"policy_params: {config.policy} does not take these parameters ({exc})") from None
    except ValueError as exc:
        field = "budget" if config.policy in BUDGET_POLICIES and "budget" in str(exc) else "policy_params"
        raise ConfigError(f"{field}: {exc}") from None


def default_run_dir(config: RunConfig, now: datetime) -> Path:
    return Path("runs") / f"{now.strftime('%Y%m%d-%H%M%S')}-{config.name}"


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("promptbandit", "numpy", "openai", "llama_cpp_python", "matplotlib"):
        try:
            found[package] = metadata.version(package.replace("_", "-"))
        except metadata.PackageNotFoundError:
            pass
    return found


def check_writable_dir(path: Path) -> None:
    """Refuse early a run directory that cannot be created: a file in the way, or no write permission.

    Raises:
        RunDirError: naming the path and the problem.
    """
    if path.exists() and not path.is_dir():
        raise RunDirError(f"{path}: exists and is not a directory; choose another --out")
    parent = path
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise RunDirError(f"{path}: cannot create the run directory, {parent} is a file")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise RunDirError(f"{path}: cannot create the run directory, {parent} is not writable")


def public_config(config: RunConfig) -> dict[str, Any]:
    """The config as stored in a manifest: a base URL loses any user info, query or fragment (they can hold keys)."""
    return {**config.to_dict(), "base_url": public_url(config.base_url)}


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """A run directory's manifest, checked to be one before anything relies on its fields.

    Raises:
        RunDirError: missing, not JSON, or without the ``config``, ``arms`` and ``dataset`` a resume needs.
    """
    manifest = read_json(run_dir / MANIFEST)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("config"), dict) \
            or not isinstance(manifest.get("arms"), list) or not isinstance(manifest.get("dataset"), dict):
        raise RunDirError(f"{run_dir / MANIFEST}: not a promptbandit run manifest (no config, arms or dataset)")
    return manifest


def build_manifest(
    config: RunConfig, arms: Sequence[Arm], dataset: Dataset, backend: Backend, params: SamplingParams,
    started: datetime,
) -> dict[str, Any]:
    """The facts that let someone rerun or audit a run. Holds no secrets: only the key's variable name."""
    return {
        "promptbandit_manifest": 1,
        "created": started.isoformat(timespec="seconds"),
        "config": public_config(config),
        "seed": config.seed,
        "update_lag": config.lag,
        "sampling": {"temperature": params.temperature, "max_tokens": params.max_tokens, "top_p": params.top_p},
        "arms": [{"index": i, "name": a.name, "prefix": a.prefix, "group": a.group} for i, a in enumerate(arms)],
        "dataset": {"source": dataset.source, "examples": len(dataset.examples), "sha256": dataset.sha256,
                    "reward": reward_spec(config.reward).name or dataset.reward, **dataset.info},
        "model": backend.describe(),
        "versions": _versions(),
        "platform": {"system": platform.system(), "machine": platform.machine(), "argv0": Path(sys.argv[0]).name},
    }


@dataclass
class PreparedRun:
    """Everything a run needs, built and checked before anything is written."""

    config: RunConfig
    arms: tuple[Arm, ...]
    dataset: Dataset
    policy: Policy | SetPolicy
    reward: Reward
    params: SamplingParams
    model: Backend
    backend: Backend
    cache: CachingBackend | None
    run_dir: Path
    replay: dict[int, StepRecord]
    budget: Budget | None = None
    price: Price | None = None
    judge: Backend | None = None


async def prepare(
    config: RunConfig,
    *,
    resume: Path | None = None,
    cache_dir: Path | None = None,
    backend: Backend | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    caps: dict[str, Any] | None = None,
) -> PreparedRun:
    """Load data and arms, build the policy and backend, and make one tiny model call; write nothing.

    Any bad input surfaces here as a `PromptBanditError`, before a run directory exists.

    Args:
        caps: on resume, new values for ``max_calls``, ``max_total_tokens``, ``max_cost`` (None: keep).
    """
    cache_dir = cache_dir or default_cache_dir()
    replay: dict[int, StepRecord] = {}
    if resume is not None:
        manifest_path = resume / MANIFEST
        config = config_from_mapping(read_manifest(resume)["config"], source=str(manifest_path))
        given = {k: v for k, v in (caps or {}).items() if v is not None}
        config = config_from_mapping({**config.to_dict(), **given}, source="command line") if given else config
        replay = {r.call: r for r in read_steps(resume / STEPS)}
        run_dir = resume
    else:
        run_dir = Path(config.out) if config.out else default_run_dir(config, now())
        if (run_dir / STEPS).exists() or (run_dir / MANIFEST).exists():
            raise RunDirError(f"{run_dir} already holds a run: resume it with --resume {run_dir} or choose another --out")
        check_writable_dir(run_dir)
    price = resolve_price(config.model, config.prices)
    if config.max_cost is not None and price is None:
        raise ConfigError(f"max_cost: no price known for model {config.model!r}; add it under 'prices' in the config "
                          "as {input: <USD per 1M tokens>, output: <USD per 1M tokens>}")
    arms = load_arms(config.arms, baseline=config.baseline)
    dataset = load_dataset(config.dataset, skip_bad_rows=config.skip_bad_rows)
    policy = make_policy(config, len(arms))
    params = SamplingParams(temperature=config.temperature, max_tokens=config.max_tokens or dataset.max_tokens)
    bare = backend or make_backend(config.model, cache_dir=cache_dir, base_url=config.base_url,
                                   api_key_env=config.api_key_env, timeout=config.request_timeout)
    budget = Budget(Limits(config.max_calls, config.max_total_tokens, config.max_cost), price,
                    spent_by_records(replay.values(), price))
    stack, cache = wrap_backend(bare, config, cache_dir, budget)
    reward, judge = make_reward(config, dataset, bare, stack, params, cache_dir)
    try:
        await _preflight(stack)
    except BaseException:
        await stack.aclose()
        if judge is not None:
            await judge.aclose()
        raise
    return PreparedRun(config, arms, dataset, policy, reward, params, bare, stack, cache, run_dir, replay, budget,
                       price, judge)


async def execute(prepared: PreparedRun, observers: Sequence[Observer] = (),
                  now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> RunResult:
    """Write the manifest, run the loop (appending every step), then the summary and the plot.

    A run that reaches a budget cap stops after the last step before the refused request; its run
    directory is complete, `RunResult.stopped` and the summary's ``stopped`` say why, and it can be
    resumed with higher caps.
    """
    p = prepared
    try:
        if (p.run_dir / MANIFEST).exists():
            manifest = read_manifest(p.run_dir)
            manifest["config"] = public_config(p.config)
            read_steps(p.run_dir / STEPS, repair=True)
        else:
            try:
                p.run_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise RunDirError(f"{p.run_dir}: cannot create the run directory ({exc.strerror})") from None
            manifest = build_manifest(p.config, p.arms, p.dataset, p.model, p.params, now())
        manifest["budget"] = {
            "max_calls": p.config.max_calls, "max_total_tokens": p.config.max_total_tokens,
            "max_cost_usd": p.config.max_cost, "price_usd_per_million_tokens": None if p.price is None else
            {"input": p.price.input_per_mtok, "output": p.price.output_per_mtok},
        }
        manifest["dataset"]["skipped_rows"] = list(p.dataset.skipped)
        write_json(p.run_dir / MANIFEST, manifest)
        for observer in observers:
            start = getattr(observer, "start", None)
            if start is not None:
                start([a.name for a in p.arms], p.config.step_limit)
        per_step = p.config.per_step(len(p.arms))
        paired = per_step > 1 or bool(getattr(p.policy, "paired", False))
        stop_rule = Certifier(len(p.arms), 1.0 - p.config.confidence, paired) \
            if p.config.confidence is not None else None
        records, stopped = await _run_steps(p.config, p.arms, p.dataset, p.backend, p.reward, p.policy, p.params,
                                            p.run_dir, p.replay, observers, stop_rule)
    finally:
        await p.backend.aclose()
        if p.judge is not None:
            await p.judge.aclose()
    summary = analysis.summarize(p.arms, records)
    recommend = getattr(p.policy, "recommendation", None)
    summary["identification"] = {
        # Without a schedule's own pick, recommend the summary's best arm so the two never disagree on ties.
        **analysis.identification(p.arms, records, recommended=recommend()["arm"] if recommend
                                  else summary["best_arm"]["index"]),
        "arms_per_step": p.config.per_step(len(p.arms)), "confidence_target": p.config.confidence,
        "budget": p.config.budget, "steps": len({r.step for r in records}),
        "stopped_by": _stopped_by(p.config, records, stopped, p.policy, stop_rule is not None and stop_rule.done()),
    }
    hits, misses = (p.cache.hits, p.cache.misses) if p.cache else (0, sum(not r.cached for r in records))
    summary["cache"] = {"hits": hits, "misses": misses}
    summary["usage"] = usage_summary(p.arms, records, p.price)
    if p.budget is not None:
        summary["usage"]["budget_ledger"] = p.budget.to_json()
    summary["skipped_rows"] = len(p.dataset.skipped)
    summary["stopped"] = stopped
    # Answers the reward could not read (no True/False verdict, no option letter) scored 0; count them per arm.
    summary["unparseable"] = {a.name: sum(bool(r.detail.get("unparseable")) for r in records if r.arm == i)
                              for i, a in enumerate(p.arms)}
    write_json(p.run_dir / SUMMARY, summary)
    manifest["usage"] = summary["usage"]
    write_json(p.run_dir / MANIFEST, manifest)
    title = f"{p.config.name}: {p.config.policy} on {Path(p.dataset.source).name} ({p.config.model})"
    write_policy_plot(p.run_dir / POLICY_PLOT, records, [a.name for a in p.arms], title)
    return RunResult(p.run_dir, p.config, p.arms, records, summary, hits, misses, manifest, stopped)


async def run_async(
    config: RunConfig,
    *,
    observers: Sequence[Observer] = (),
    resume: Path | None = None,
    cache_dir: Path | None = None,
    backend: Backend | None = None,
    caps: dict[str, Any] | None = None,
) -> RunResult:
    """Run (or resume) an experiment and write its run directory.

    Args:
        config: the run's settings (ignored when `resume` is given: the manifest's config is used).
        observers: called with every step record in order (progress bars, JSON-lines output); an observer
            with a ``start(arm_names, total_steps)`` method is told when the steps begin.
        resume: an existing run directory to continue.
        cache_dir: user cache directory (models, response cache); default `default_cache_dir()`.
        backend: a ready backend to use instead of the one `config.model` names (tests, custom clients);
            it is still wrapped in the budget, retry and cache layers.
        caps: on resume, new budget caps (see `prepare`).
    """
    prepared = await prepare(config, resume=resume, cache_dir=cache_dir, backend=backend, caps=caps)
    return await execute(prepared, observers)


def wrap_backend(
    bare: Backend, config: RunConfig, cache_dir: Path, budget: Budget | None = None,
) -> tuple[Backend, CachingBackend | None]:
    """The budget (when given), retry and (unless turned off) cache layers around a bare backend."""
    stack: Backend = Retrying(Budgeted(bare, budget) if budget else bare, max_attempts=config.max_attempts)
    cache = CachingBackend(stack, Path(config.cache) if config.cache else cache_dir / "responses.sqlite") \
        if config.cache != "" else None
    return cache or stack, cache


def make_reward(
    config: RunConfig, dataset: Dataset, bare: Backend, stack: Backend, params: SamplingParams, cache_dir: Path,
) -> tuple[Reward, Backend | None]:
    """The configured reward, plus the judge's own backend stack when it needs a model other than the run's.

    A judge on the run's own model shares its backend (one copy of a local model in memory).
    """
    spec = reward_spec(config.reward)
    judge: Backend | None = None
    own_judge: Backend | None = None
    if spec.uses_judge:
        same = (spec.judge_model in (None, config.model)) and spec.judge_base_url in (None, config.base_url)
        if same:
            judge = stack
        else:
            judge_bare = make_backend(spec.judge_model or config.model, cache_dir=cache_dir,
                                      base_url=spec.judge_base_url or config.base_url,
                                      api_key_env=spec.judge_api_key_env or config.api_key_env,
                                      timeout=config.request_timeout)
            own_judge, _ = wrap_backend(judge_bare, config, cache_dir)
            judge = own_judge
    reward = build_reward(spec, dataset.reward, RewardContext(policy=stack, judge=judge, params=params,
                                                              seed=config.seed))
    return reward, own_judge


async def _preflight(backend: Backend) -> None:
    """One tiny request before anything is written, so a dead server or a bad model fails cleanly."""
    await backend.complete([{"role": "user", "content": "Reply with OK."}], SamplingParams(max_tokens=2))


def _stopped_by(config: RunConfig, records: Sequence[StepRecord], stopped: str | None,
                policy: Policy | SetPolicy, certified: bool) -> str:
    """Why the run ended: a hard cap, the confidence target, the policy's own end, the call budget, or the steps."""
    if stopped:
        return "cap"
    if certified:
        return "confidence"
    if getattr(policy, "finished", lambda: False)():
        return "confidence" if config.policy == "cs-elimination" else "policy"
    if len({r.step for r in records}) >= config.step_limit:
        return "steps"
    return "budget" if config.budget is not None else "steps"


async def _run_steps(
    config: RunConfig, arms: Sequence[Arm], dataset: Dataset, backend: Backend, reward: Reward, policy: Policy | SetPolicy,
    params: SamplingParams, run_dir: Path, replay: dict[int, StepRecord], observers: Sequence[Observer],
    stop_rule: Certifier | None,
) -> tuple[list[StepRecord], str | None]:
    """Run the loop, logging each new step; a budget cap ends it early with the reason as second value."""
    counts = {"ok": 0, "failed": 0}
    done: list[StepRecord] = []
    with StepLog(run_dir / STEPS) as log:
        def on_step(record: StepRecord) -> None:
            done.append(record)
            if record.call not in replay:
                log.append(record)
            counts["ok" if record.status == "ok" else "failed"] += 1
            if counts["ok"] == 0 and counts["failed"] >= min(_FAILURES_BEFORE_GIVING_UP, config.step_limit):
                raise BackendError(f"the first {counts['failed']} calls all failed; last error: {record.error}")
            for observe in observers:
                observe(record)

        try:
            records = await run_loop(
                arms=arms, examples=dataset.examples, backend=backend, reward=reward, policy=policy,
                rng=np.random.default_rng(config.seed), params=params, steps=config.step_limit,
                concurrency=config.concurrency, lag=config.lag, placement=config.placement,
                stop_on_failure=config.on_failure == "stop", replay=replay, on_step=on_step,
                arms_per_step=config.per_step(len(arms)), call_budget=config.budget, stop_rule=stop_rule,
            )
        except BudgetExhausted as exc:
            return done, f"{exc}; {len({r.step for r in done})} of {config.step_limit} steps done"
        return records, None


def run(config: RunConfig, **kwargs: Any) -> RunResult:
    """Synchronous `run_async`."""
    return asyncio.run(run_async(config, **kwargs))


