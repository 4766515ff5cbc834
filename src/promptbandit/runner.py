"""The one place that turns a config into objects and runs them: data, arms, backend, reward, policy, store."""

from __future__ import annotations

import asyncio
import os
import platform
import sys

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from promptbandit import analysis
from promptbandit.arms import load_arms
from promptbandit.backends import Backend, CachingBackend, Retrying, make_backend
from promptbandit.config import RunConfig, config_from_mapping
from promptbandit.datasets import Dataset, load_dataset
from promptbandit.errors import BackendError, ConfigError, RunDirError
from promptbandit.loop import run_loop
from promptbandit.policies import POLICIES, Policy
from promptbandit.report.plots import write_policy_plot
from promptbandit.rewards import NumericMatch, Reward
from promptbandit.store import MANIFEST, POLICY_PLOT, STEPS, SUMMARY, StepLog, read_json, read_steps, write_json
from promptbandit.types import Arm, SamplingParams, StepRecord

REWARDS: dict[str, Callable[[], Reward]] = {"numeric": NumericMatch}
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


def default_cache_dir() -> Path:
    """``$PROMPTBANDIT_CACHE_DIR`` or the platform's user cache directory."""
    override = os.environ.get("PROMPTBANDIT_CACHE_DIR")
    return Path(override) if override else platformdirs.user_cache_path("promptbandit")


def make_policy(config: RunConfig, n_arms: int) -> Policy:
    """Build the configured policy; bad parameters become a ConfigError naming them."""
    try:
        return POLICIES[config.policy](n_arms, **config.policy_params)
    except TypeError as exc:
        raise ConfigError(f"policy_params: {config.policy} does not take these parameters ({exc})") from None
    except ValueError as exc:
        raise ConfigError(f"policy_params: {exc}") from None


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


def build_manifest(
    config: RunConfig, arms: Sequence[Arm], dataset: Dataset, backend: Backend, params: SamplingParams,
    started: datetime,
) -> dict[str, Any]:
    """The facts that let someone rerun or audit a run. Holds no secrets: only the key's variable name."""
    return {
        "promptbandit_manifest": 1,
        "created": started.isoformat(timespec="seconds"),
        "config": config.to_dict(),
        "seed": config.seed,
        "update_lag": config.lag,
        "sampling": {"temperature": params.temperature, "max_tokens": params.max_tokens, "top_p": params.top_p},
        "arms": [{"index": i, "name": a.name, "prefix": a.prefix, "group": a.group} for i, a in enumerate(arms)],
        "dataset": {"source": dataset.source, "examples": len(dataset.examples), "sha256": dataset.sha256,
                    "reward": dataset.reward},
        "model": backend.describe(),
        "versions": _versions(),
        "platform": {"system": platform.system(), "machine": platform.machine(), "argv0": Path(sys.argv[0]).name},
    }


async def run_async(
    config: RunConfig,
    *,
    observers: Sequence[Observer] = (),
    resume: Path | None = None,
    cache_dir: Path | None = None,
    backend: Backend | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> RunResult:
    """Run (or resume) an experiment and write its run directory.

    Args:
        config: the run's settings (ignored when `resume` is given: the manifest's config is used).
        observers: called with every step record in order (progress bars, JSON-lines output).
        resume: an existing run directory to continue.
        cache_dir: user cache directory (models, response cache); default `default_cache_dir()`.
        backend: a ready backend to use instead of the one `config.model` names (tests, custom clients);
            it is still wrapped in the retry and cache layers.
    """
    cache_dir = cache_dir or default_cache_dir()
    replay: dict[int, StepRecord] = {}
    if resume is not None:
        manifest_path = resume / MANIFEST
        config = config_from_mapping(read_json(manifest_path)["config"], source=str(manifest_path))
        replay = {r.step: r for r in read_steps(resume / STEPS, repair=True)}
        run_dir = resume
    else:
        run_dir = Path(config.out) if config.out else default_run_dir(config, now())
        if (run_dir / STEPS).exists() or (run_dir / MANIFEST).exists():
            raise RunDirError(f"{run_dir} already holds a run: resume it with --resume {run_dir} or choose another --out")

    arms = load_arms(config.arms, baseline=config.baseline)
    dataset = load_dataset(config.dataset)
    policy = make_policy(config, len(arms))
    reward = REWARDS[dataset.reward]()
    params = SamplingParams(temperature=config.temperature, max_tokens=config.max_tokens or dataset.max_tokens)
    bare = backend or make_backend(config.model, cache_dir=cache_dir, base_url=config.base_url,
                                   api_key_env=config.api_key_env, timeout=config.request_timeout)
    stack: Backend = Retrying(bare, max_attempts=config.max_attempts)
    cache = CachingBackend(stack, Path(config.cache) if config.cache else cache_dir / "responses.sqlite") \
        if config.cache != "" else None
    stack = cache or stack
    try:
        if resume is None:
            await _preflight(stack)
            run_dir.mkdir(parents=True, exist_ok=True)
            manifest = build_manifest(config, arms, dataset, bare, params, now())
            write_json(run_dir / MANIFEST, manifest)
        else:
            manifest = read_json(run_dir / MANIFEST)
        records = await _run_steps(config, arms, dataset, stack, reward, policy, params, run_dir, replay, observers)
    finally:
        await stack.aclose()
    summary = analysis.summarize(arms, records)
    summary["cache"] = {"hits": cache.hits if cache else 0, "misses": cache.misses if cache else 0}
    write_json(run_dir / SUMMARY, summary)
    title = f"{config.name}: {config.policy} on {Path(dataset.source).name} ({config.model})"
    write_policy_plot(run_dir / POLICY_PLOT, records, [a.name for a in arms], title)
    return RunResult(run_dir, config, arms, records, summary, cache.hits if cache else 0,
                     cache.misses if cache else len(records), manifest)


def describe_run(config: RunConfig, resume: Path | None) -> tuple[list[str], int]:
    """Arm names and step count of the run `config` (or the run directory `resume`) will make."""
    if resume is not None:
        manifest = read_json(resume / MANIFEST)
        return [a["name"] for a in manifest["arms"]], int(manifest["config"]["steps"])
    return [a.name for a in load_arms(config.arms, baseline=config.baseline)], config.steps


async def _preflight(backend: Backend) -> None:
    """One tiny request before anything is written, so a dead server or a bad model fails cleanly."""
    await backend.complete([{"role": "user", "content": "Reply with OK."}], SamplingParams(max_tokens=2))


async def _run_steps(
    config: RunConfig, arms: Sequence[Arm], dataset: Dataset, backend: Backend, reward: Reward, policy: Policy,
    params: SamplingParams, run_dir: Path, replay: dict[int, StepRecord], observers: Sequence[Observer],
) -> list[StepRecord]:
    counts = {"ok": 0, "failed": 0}
    with StepLog(run_dir / STEPS) as log:
        def on_step(record: StepRecord) -> None:
            if record.step not in replay:
                log.append(record)
            counts["ok" if record.status == "ok" else "failed"] += 1
            if counts["ok"] == 0 and counts["failed"] >= min(_FAILURES_BEFORE_GIVING_UP, config.steps):
                raise BackendError(f"the first {counts['failed']} calls all failed; last error: {record.error}")
            for observe in observers:
                observe(record)

        return await run_loop(
            arms=arms, examples=dataset.examples, backend=backend, reward=reward, policy=policy,
            rng=np.random.default_rng(config.seed), params=params, steps=config.steps,
            concurrency=config.concurrency, lag=config.lag, placement=config.placement,
            stop_on_failure=config.on_failure == "stop", replay=replay, on_step=on_step,
        )


def run(config: RunConfig, **kwargs: Any) -> RunResult:
    """Synchronous `run_async`."""
    return asyncio.run(run_async(config, **kwargs))


