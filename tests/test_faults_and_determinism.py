"""Retries under injected faults, failed steps recorded as failures, and results independent of concurrency."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from promptbandit import runner
from promptbandit.backends.retrying import backoff_delay
from promptbandit.config import RunConfig
from promptbandit.fakeserver import FakeServer, ServerSettings

FAULTS_20 = {"429": 0.05, "500": 0.05, "hang": 0.05, "malformed": 0.05}


def _config(server: FakeServer, out: Path, **kw: object) -> RunConfig:
    base: dict[str, object] = dict(model="openai:fake", base_url=server.base_url, cache="", out=str(out), seed=5)
    base.update(kw)
    return RunConfig(**base)  # type: ignore[arg-type]


def test_backoff_honours_retry_after_and_caps_it() -> None:
    jitter = random.Random(0)
    assert backoff_delay(1, 0.5, 30.0, jitter, retry_after=2.5) == 2.5
    assert backoff_delay(3, 0.5, 30.0, jitter, retry_after=3600.0) == 30.0
    assert all(0.0 <= backoff_delay(4, 0.5, 30.0, jitter, None) <= 4.0 for _ in range(50))


def test_twenty_percent_faults_complete_every_step_and_count_failures_once(tmp_path: Path) -> None:
    settings = ServerSettings(latency_s=0.01, faults=FAULTS_20, retry_after=0.01, hang_s=1.0, seed=3)
    with FakeServer(settings) as server:
        result = runner.run(_config(server, tmp_path / "run", steps=150, concurrency=16, max_attempts=2,
                                    request_timeout=0.3))
        counts = dict(server.counts)
    records = result.records
    assert [r.step for r in records] == list(range(150))
    failed = [r for r in records if r.status == "failed"]
    ok = [r for r in records if r.status == "ok"]
    assert failed, "with 2 attempts and 20% faults some steps fail"
    assert all(r.reward is None and r.error for r in failed), "a failed step is never scored as reward 0"
    assert all(r.reward is not None for r in ok)
    # Every kind of fault happened, and every fault was retried or became a failed step.
    assert all(counts.get(kind, 0) > 0 for kind in FAULTS_20), counts
    # Every successful answer went to exactly one step (+1: the preflight request): nothing double-counted.
    assert counts["ok"] == len(ok) + 1
    faults = sum(counts[kind] for kind in FAULTS_20)
    assert faults >= 2 * len(failed), "a failed step used both of its attempts"
    assert sum(counts.values()) <= 2 * (150 + 1), "no request was sent more than max_attempts times"
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["failed_steps"] == len(failed) and summary["ok_steps"] == len(ok)
    assert sum(a["pulls"] for a in summary["arms"]) == len(ok)
    assert sum(a["failures"] for a in summary["arms"]) == len(failed)


def test_a_failed_step_stops_the_run_when_on_failure_is_stop(tmp_path: Path) -> None:
    # Seed 2: the preflight request is answered, later ones fail half the time.
    with FakeServer(ServerSettings(faults={"500": 0.5}, seed=2)) as server:
        with pytest.raises(Exception, match="step \\d+ failed: .*HTTP 500"):
            runner.run(_config(server, tmp_path / "run", steps=100, max_attempts=1, on_failure="stop"))
    lines = (tmp_path / "run" / "steps.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["status"] == "failed"


@pytest.mark.parametrize("concurrency", [1, 7, 32])
def test_same_seed_lag_and_responses_give_the_same_run_at_any_concurrency(tmp_path: Path, concurrency: int) -> None:
    with FakeServer(ServerSettings(latency_s=0.002)) as server:
        reference = runner.run(_config(server, tmp_path / "ref", steps=120, concurrency=4, update_lag=4))
        other = runner.run(_config(server, tmp_path / "other", steps=120, concurrency=concurrency, update_lag=4))

    def chosen(records: list) -> list:
        return [(r.step, r.arm, r.example_id, r.reward, r.probabilities) for r in records]

    assert chosen(other.records) == chosen(reference.records)
    assert other.summary["arms"] == reference.summary["arms"]
