"""The identification benchmark: its simulator, its vectorised methods against the shipped classes, and a smoke run."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from promptbandit.confidence import PairedStats, certified, leader
from promptbandit.policies import Reinforce
from promptbandit.policies.identify import (
    CSElimination,
    SuccessiveHalving,
    SuccessiveRejects,
    active_set,
    halving_schedule,
    rejects_schedule,
)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import identify  # noqa: E402
import simulator as sim  # noqa: E402

STUDY = [0.62, 0.60, 0.59, 0.58, 0.57, 0.57, 0.56, 0.55, 0.30, 0.02]
FIELDS = ("n", "sum", "var", "arm_n", "arm_sum", "arm_var")


class Recorded:
    """An environment that logs every paired draw (which runs, which arms, what came out) of the one it wraps."""

    def __init__(self, inner: sim.Environment, log: list, rows: np.ndarray | None = None) -> None:
        self.inner, self.log = inner, log
        self.rows = np.arange(inner.runs) if rows is None else rows

    runs = property(lambda self: self.inner.runs)
    n_arms = property(lambda self: self.inner.n_arms)
    means = property(lambda self: self.inner.means)

    def paired(self, rng, steps=1, arms=None):
        out = self.inner.paired(rng, steps, arms)
        self.log.append((self.rows.copy(), None if arms is None else arms.copy(), out.copy()))
        return out

    def unpaired(self, rng, arms):
        return self.inner.unpaired(rng, arms)

    def subset(self, rows):
        return Recorded(self.inner.subset(rows), self.log, self.rows[rows])


# --- simulator -------------------------------------------------------------------------------------------------

def test_calibrated_skills_give_the_requested_marginal_accuracy_exactly() -> None:
    skills = sim.calibrate_skills(STUDY, 2.0)
    assert np.allclose(sim.marginal_accuracy(skills, 2.0), STUDY, atol=1e-12)
    # against an independent quadrature (a fine trapezoid rule), not only the one used for calibrating
    x = np.linspace(-12, 12, 24001)
    weights = np.exp(-x ** 2 / 2) / math.sqrt(2 * math.pi) * (x[1] - x[0])
    trapezoid = (sim.sigmoid(skills[:, None] - 2.0 * x) * weights).sum(axis=1)
    assert np.allclose(trapezoid, STUDY, atol=1e-9)


@pytest.mark.parametrize("rho", [0.0, 0.5])
def test_simulated_outcomes_have_the_calibrated_accuracies(rho: float) -> None:
    rng = np.random.default_rng(11)
    env = sim.synthetic(STUDY, 2.0, rho, 400, rng)
    paired = env.paired(rng, 500).mean(axis=0)                    # 200,000 draws per arm position and run set
    assert np.abs(paired.mean(axis=0) - env.means.mean(axis=0)).max() < 0.01
    per_run_error = paired - env.means
    assert abs(per_run_error.mean()) < 0.003
    # pooled over runs, arm by arm (positions are shuffled, so pool by true accuracy)
    for accuracy in sorted(set(STUDY)):
        hit = np.isclose(env.means, accuracy)
        assert abs(paired[hit].mean() - accuracy) < 0.006, accuracy
    single = env.unpaired(rng, np.broadcast_to(np.arange(10), (500, 400, 10))).mean(axis=(0, 1))
    assert np.abs(single - env.means.mean(axis=0)).max() < 0.01


def test_correlated_arms_co_vary_more_than_independent_ones() -> None:
    rng = np.random.default_rng(5)
    corr = {}
    for rho in (0.0, 0.5):
        env = sim.synthetic([0.6, 0.6], 2.0, rho, 1, rng, shuffle=False)
        draws = env.paired(rng, 100_000)[:, 0, :].astype(float)
        corr[rho] = float(np.corrcoef(draws[:, 0], draws[:, 1])[0, 1])
    assert corr[0.0] > 0.15                       # shared difficulty alone correlates the arms
    assert corr[0.5] > corr[0.0] + 0.15


def test_unpaired_draws_ignore_the_copula() -> None:
    rng = np.random.default_rng(9)
    env = sim.synthetic([0.6, 0.6], 2.0, 0.5, 1, rng, shuffle=False)
    draws = env.unpaired(rng, np.broadcast_to(np.arange(2), (100_000, 1, 2)))[:, 0, :].astype(float)
    assert abs(np.corrcoef(draws[:, 0], draws[:, 1])[0, 1]) < 0.02


def test_replay_draws_whole_columns_of_the_matrix_uniformly() -> None:
    k, q = 6, 64
    table = ((np.arange(q)[None, :] >> np.arange(k)[:, None]) & 1).astype(bool)   # column c spells c in binary
    rng = np.random.default_rng(3)
    env = sim.replay(table, 50, rng)
    out = env.paired(rng, 400)                                                   # (steps, runs, arms)
    # undo each run's arm order, then read the column index back from the bits
    arm_of = np.argsort(env.order, axis=1)
    unshuffled = np.take_along_axis(out, np.broadcast_to(arm_of, out.shape), axis=-1)
    columns = (unshuffled.astype(int) << np.arange(k)).sum(axis=-1)
    assert np.array_equal(table[:, columns.reshape(-1)].T, unshuffled.reshape(-1, k))
    counts = np.bincount(columns.reshape(-1), minlength=q)
    expected = columns.size / q
    assert counts.min() > 0.8 * expected and counts.max() < 1.2 * expected
    single = env.unpaired(rng, np.zeros((1000, 50), dtype=int))
    assert abs(single.mean() - 0.5) < 0.02


def test_true_best_is_minus_one_when_the_top_is_tied(tmp_path: Path) -> None:
    assert sim.true_best(np.array([[0.6, 0.7, 0.5], [0.7, 0.7, 0.1]])).tolist() == [1, -1]
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"arms": [{"name": "a"}, {"name": "b"}], "questions": ["q1", "q2"],
                                "correct": [[1, 0], [1, 1]]}))
    names, table = sim.load_matrix(path)
    assert names == ["a", "b"] and table.tolist() == [[True, False], [True, True]]


# --- the benchmark's fast paths against the shipped code -----------------------------------------------------

def test_pairs_keep_the_same_statistics_as_paired_stats_bit_for_bit() -> None:
    rng = np.random.default_rng(0)
    k, runs = 5, 40
    shipped, ours = PairedStats(k, (runs,)), identify.Pairs(k, (runs,))
    p = np.array([0.9, 0.5, 0.45, 0.3, 0.1])
    for _ in range(200):
        rewards, mask = (rng.random((runs, k)) < p).astype(float), rng.random((runs, k)) < 0.7
        shipped.add(rewards, mask)
        ours.add(rewards, mask)
    full = ours.to_paired()
    for name in FIELDS:
        assert np.array_equal(getattr(full, name), getattr(shipped, name)), name
    chunk = (rng.random((30, runs, k)) < p).astype(float)
    seq = identify.chunk_pairs(ours, chunk)
    for t in range(30):
        shipped.add(chunk[t], np.ones((runs, k), dtype=bool))
    last = identify.Pairs.of(k, {name: getattr(seq, name)[-1] for name in FIELDS}).to_paired()
    for name in FIELDS:
        assert np.array_equal(getattr(last, name), getattr(shipped, name)), name


def test_decide_equals_shipped_leader_active_set_and_certified() -> None:
    rng = np.random.default_rng(1)
    k, runs = 5, 200
    shipped, ours = PairedStats(k, (runs,)), identify.Pairs(k, (runs,))
    p = np.array([0.9, 0.5, 0.45, 0.3, 0.1])
    seen_certified = seen_dropped = 0
    for _ in range(150):
        rewards, mask = (rng.random((runs, k)) < p).astype(float), rng.random((runs, k)) < 0.7
        shipped.add(rewards, mask)
        ours.add(rewards, mask)
        for delta in (0.05, 0.5):
            lead, active, done = identify.decide(ours, delta)
            assert np.array_equal(lead, leader(shipped))
            assert np.array_equal(active, active_set(shipped, delta))
            assert np.array_equal(done, certified(shipped, delta))
            seen_certified += int(done.sum())
            seen_dropped += int((~active).sum())
    assert seen_certified > 0 and seen_dropped > 0        # both branches were exercised


@pytest.mark.parametrize("seed", [0, 1])
def test_vectorised_cs_elimination_picks_the_same_arms_as_the_class(seed: int) -> None:
    rng = np.random.default_rng(seed)
    env = sim.synthetic([0.8, 0.6, 0.55, 0.3], 1.0, 0.0, 3, rng)
    log: list = []
    trace: list = []
    out = identify.run_cs_elimination(Recorded(env, log), rng, [50, 200], cap=20_000, delta=0.1, trace=trace)
    assert len(trace) == len(log) > 0
    for run in range(3):
        policy = CSElimination(4, 0.1)
        calls = 0
        for (rows, active), (logged_rows, _, outcomes) in zip(trace, log, strict=True):
            assert np.array_equal(rows, logged_rows)
            if run not in rows:
                continue
            i = int(np.flatnonzero(rows == run)[0])
            assert not policy.finished()
            arms = policy.select_set(rng, 4)
            assert arms == tuple(int(a) for a in np.flatnonzero(active[i]))
            policy.update_set(arms, [float(outcomes[0, i, a]) for a in arms])
            calls += len(arms)
        assert policy.finished()
        assert out.stop[run] == calls
        assert out.claim[run] == policy.recommendation()["arm"]


@pytest.mark.parametrize(("schedule", "cls"), [(halving_schedule, SuccessiveHalving), (rejects_schedule, SuccessiveRejects)])
def test_vectorised_schedules_match_the_classes(schedule, cls) -> None:
    rng = np.random.default_rng(4)
    runs = 20
    env = sim.synthetic([0.7, 0.65, 0.6, 0.5, 0.4], 1.0, 0.0, runs, rng)
    log: list = []
    # a small budget, so that tied means (broken towards the lower position) occur
    picks = identify.run_schedule(Recorded(env, log), rng, schedule(5, 120), paired=True)
    for run in range(runs):
        policy = cls(5, 120)
        for _, arms, outcomes in log:
            for step in range(outcomes.shape[0]):
                chosen = policy.select_set(rng, 5)
                assert chosen == tuple(int(a) for a in arms[run])
                policy.update_set(chosen, [float(x) for x in outcomes[step, run]])
        assert policy.finished()
        assert policy.recommendation()["arm"] == picks[run]


def test_vectorised_reinforce_follows_the_shipped_update_rule() -> None:
    rng = np.random.default_rng(2)
    vec = identify.VecReinforce(1, 4)
    shipped = Reinforce(4, lr=0.1)
    stats = identify.empty_arms(4, 1)
    for t in range(300):
        arm = vec.select(rng, t, stats)
        assert np.allclose(vec._pi[0], shipped.probabilities(), atol=1e-12)
        reward = float(rng.random() < 0.3 + 0.1 * arm[0])
        vec.update(arm, np.array([reward]), t)
        shipped.update(int(arm[0]), reward)
        assert np.allclose(vec.h[0], shipped.preferences, atol=1e-12)


def test_unpaired_arm_statistics_match_paired_stats() -> None:
    rng = np.random.default_rng(6)
    stats, shipped = identify.empty_arms(3, 4), PairedStats(3, (4,))
    for _ in range(100):
        arms = rng.integers(3, size=4)
        rewards = (rng.random(4) < 0.5).astype(float)
        identify.add_one(stats, arms, rewards)
        shipped.add(np.eye(3)[arms] * rewards[:, None], np.eye(3, dtype=bool)[arms])
    for name in ("arm_n", "arm_sum", "arm_var"):
        assert np.array_equal(getattr(stats, name), getattr(shipped, name)), name


# --- summaries -------------------------------------------------------------------------------------------------

def test_budget_to_target_needs_the_probability_to_stay_above() -> None:
    assert identify.budget_to_target([1, 2, 4, 8], [0.5, 0.96, 0.94, 0.97]) == 8
    assert identify.budget_to_target([1, 2, 4], [0.96, 0.97, 0.99]) == 1
    assert math.isinf(identify.budget_to_target([1, 2], [0.99, 0.9]))


def test_clopper_pearson_matches_known_values() -> None:
    low, high = identify.clopper_pearson(0, 1000)
    assert low == 0.0 and high == pytest.approx(1 - 0.025 ** (1 / 1000), rel=1e-6)
    low, high = identify.clopper_pearson(50, 1000)
    assert low < 0.05 < high and 0.03 < low and high < 0.07


def test_ratio_of_censored_numbers_is_one_sided() -> None:
    assert identify.ratio(identify.Bound(50), identify.Bound(100, ">")) == identify.Bound(0.5, "<")
    assert identify.judge_at_most(identify.Bound(0.5, "<"), 0.5)[0] == "MET"
    assert identify.judge_at_most(identify.Bound(0.35), 0.3)[0] == "MISSED"
    assert identify.judge_below(identify.Bound(8000), identify.Bound(16000))[0] == "MET"
    assert identify.judge_below(identify.Bound(16000), identify.Bound(16000))[0] == "MISSED"


# --- smoke run -------------------------------------------------------------------------------------------------

def test_quick_run_writes_a_well_formed_report(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    matrix = (rng.random((4, 300)) < np.array([[0.8], [0.6], [0.5], [0.3]])).astype(int)
    matrix_path = tmp_path / "matrix.json"
    matrix_path.write_text(json.dumps({"arms": [{"name": f"arm{i}"} for i in range(4)],
                                       "questions": [f"q{j}" for j in range(300)], "correct": matrix.tolist()}))
    out = tmp_path / "bench" / "identify.md"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "MPLBACKEND": "Agg"}
    command = [sys.executable, str(REPO / "bench" / "identify.py"), "--quick", "--accuracies", "0.85,0.6,0.5,0.3",
               "--spread", "1.0", "--matrix", str(matrix_path), "--out", str(out)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = out.read_text()
    for heading in ("## Settings", "## Setting: independent", "## Setting: correlated", "## Setting: no-effect",
                    "## Setting: replay", "## Targets", "## Validity", "Quick mode"):
        assert heading in report, heading
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["quick"] is True and [s["name"] for s in data["settings"]] == ["independent", "correlated", "no-effect",
                                                                              "replay"]
    for name in ("independent", "correlated", "replay"):
        png = out.parent / f"identify-{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        fb = data["results"][name]["fixed_budget"]
        assert set(fb) == {"grid", "round-robin", "reinforce", "ucb1", "thompson", "triple-sh", "ours-cs", "ours-sh",
                           "ours-sr"}
        assert all(0.0 <= p <= 1.0 for s in fb.values() for p in s["p_correct"])
    assert not (out.parent / "identify-no-effect.png").exists()
    ours = data["results"]["independent"]["fixed_confidence"]["ours-cs"]
    assert ours["correct"] >= 0.9 and ours["wrong"] <= 0.1        # easy gaps: CS-elimination stops, and right
    assert {row["status"] for row in data["targets"]} <= {"MET", "MISSED", "UNKNOWN"}
    assert [row["case"] for row in data["validity"]] == ["all-equal", "tied-top", "two-equal"]
    for row in data["validity"]:
        for label in ("ours", "grid_certified", "grid_naive"):
            low, high = row[label]["ci95"]
            assert 0.0 <= low <= row[label]["share"] <= high <= 1.0
    assert "| ours-cs |" in result.stdout and "== targets" in result.stdout
    # the report is a pure function of the JSON: rebuilding it from there gives the same bytes
    again = subprocess.run([*command, "--render-only"], env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert out.read_text() == report
