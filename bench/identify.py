"""Best-arm identification benchmark: which prompt-prefix selection method finds the best arm with fewest calls.

Two criteria, never mixed in one ratio:

- fixed confidence: every method stops with the same kind of anytime-valid test at level delta (paired designs
  with `promptbandit.confidence.certified` logic on their paired statistics, unpaired designs with
  `promptbandit.confidence.certified_unpaired` on per-arm statistics); reported are calls to stop, how often the
  stop was right, and how often a run hit the cap;
- fixed budget: for each budget, the probability that the method's own recommendation after that many calls is
  the true best arm, and the smallest budget from which it stays >= 0.95.

The environment is `simulator.py` (difficulty model, optionally with correlated arms, or replay of a recorded
matrix). Every method is vectorised over the batch of independent runs. Writes docs/bench/identify.md, .json and
one PNG per setting.

    nice -n 10 python bench/identify.py              # full run: about 400 s of CPU (+ about 150 s with replay)
    python bench/identify.py --quick --out /tmp/identify.md
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import simulator as sim

from promptbandit.confidence import PairedStats, certified_unpaired, leader, radius
from promptbandit.policies.identify import halving_schedule, rejects_schedule

ROOT = Path(__file__).resolve().parent.parent
MATRIX = ROOT / "docs" / "bench" / "matrix-domains.json"
STUDY = (0.62, 0.60, 0.59, 0.58, 0.57, 0.57, 0.56, 0.55, 0.30, 0.02)
TIED_TOP = (0.62, 0.62, 0.59, 0.58, 0.57, 0.57, 0.56, 0.55, 0.30, 0.02)
# 250 * 2 ** (k / 2), rounded: a factor sqrt(2) between budgets, so that "stays >= 0.95 from" is not too coarse
DEFAULT_BUDGETS = (250, 350, 500, 700, 1000, 1400, 2000, 2800, 4000, 5600, 8000, 11000, 16000, 22000, 32000, 45000,
                   64000, 90000, 128000, 180000, 256000)
TARGET_P = 0.95
CHUNK_ELEMENTS = 2_000_000      # floats per array in one chunk of a non-adaptive design
MIN_NAIVE_N = 30                # the naive z-test only looks from 30 questions on (the usual rule of thumb)


# ---------------------------------------------------------------------------------------------------------------
# Statistics: the fields of promptbandit.confidence.PairedStats, pairs stored once (i < j)
# ---------------------------------------------------------------------------------------------------------------

def pair_index(n_arms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``i < j`` as index arrays, plus ``(K, K)`` tables: the pair of ``(a, b)`` and the sign that turns
    a pair statistic of ``r_i - r_j`` into one of ``r_a - r_b`` (0 on the diagonal)."""
    iu, ju = np.triu_indices(n_arms, 1)
    index = np.zeros((n_arms, n_arms), dtype=np.int64)
    sign = np.zeros((n_arms, n_arms))
    index[iu, ju] = index[ju, iu] = np.arange(len(iu))
    sign[iu, ju], sign[ju, iu] = 1.0, -1.0
    return iu, ju, index, sign


class Pairs:
    """`PairedStats` with every unordered pair kept once: the same numbers, bit for bit, at half the work.

    ``n``, ``sum``, ``var`` have shape ``batch + (K (K - 1) / 2,)`` for the pairs ``i < j`` (statistics of
    ``r_i - r_j``); ``arm_n``, ``arm_sum``, ``arm_var`` are the per-arm fields. The statistic of ``r_j - r_i`` is the
    exact negation (sum) or the same value (n, var), because IEEE rounding is symmetric.
    """

    def __init__(self, n_arms: int, batch: tuple[int, ...] = ()) -> None:
        self.n_arms = n_arms
        pairs = n_arms * (n_arms - 1) // 2
        self.n = np.zeros(batch + (pairs,))
        self.sum = np.zeros(batch + (pairs,))
        self.var = np.zeros(batch + (pairs,))
        self.arm_n = np.zeros(batch + (n_arms,))
        self.arm_sum = np.zeros(batch + (n_arms,))
        self.arm_var = np.zeros(batch + (n_arms,))

    @classmethod
    def of(cls, n_arms: int, fields: dict[str, np.ndarray]) -> Pairs:
        """A `Pairs` holding the given arrays (no copy)."""
        stats = cls.__new__(cls)
        stats.n_arms = n_arms
        for name, value in fields.items():
            setattr(stats, name, value)
        return stats

    def arm_means(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.arm_n > 0, self.arm_sum / np.maximum(self.arm_n, 1), np.nan)

    def add(self, rewards: np.ndarray, mask: np.ndarray) -> None:
        """Record one question per batch entry, as `PairedStats.add` does (rewards must already be in [0, 1])."""
        iu, ju, _, _ = pair_index(self.n_arms)
        r = np.where(mask, rewards, 0.0)
        m = mask.astype(float)
        arm_prev = np.where(self.arm_n > 0, self.arm_sum / np.maximum(self.arm_n, 1), 0.5)
        self.arm_var += m * (r - arm_prev) ** 2
        self.arm_n += m
        self.arm_sum += m * r
        both = m[..., iu] * m[..., ju]
        diff = r[..., iu] - r[..., ju]
        prev = np.where(self.n > 0, self.sum / np.maximum(self.n, 1), 0.0)
        self.var += both * (diff - prev) ** 2
        self.n += both
        self.sum += both * diff

    def subset(self, rows: np.ndarray) -> Pairs:
        return Pairs.of(self.n_arms, {name: getattr(self, name)[rows] for name in
                                      ("n", "sum", "var", "arm_n", "arm_sum", "arm_var")})

    def to_paired(self) -> PairedStats:
        """The same statistics as a `PairedStats` (full K x K arrays)."""
        k = self.n_arms
        iu, ju, _, _ = pair_index(k)
        full = PairedStats(k, self.arm_n.shape[:-1])
        for name, sign in (("n", 1.0), ("sum", -1.0), ("var", 1.0)):
            target = getattr(full, name)
            target[..., iu, ju] = getattr(self, name)
            target[..., ju, iu] = sign * getattr(self, name) if sign < 0 else getattr(self, name)
        diagonal = np.arange(k)
        full.n[..., diagonal, diagonal] = self.arm_n
        full.arm_n, full.arm_sum, full.arm_var = self.arm_n.copy(), self.arm_sum.copy(), self.arm_var.copy()
        return full


@dataclass
class ArmView:
    """Per-arm fields only, enough for `leader` and `certified_unpaired` (which read nothing else)."""

    n_arms: int
    arm_n: np.ndarray
    arm_sum: np.ndarray
    arm_var: np.ndarray

    def arm_means(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.arm_n > 0, self.arm_sum / np.maximum(self.arm_n, 1), np.nan)

    def subset(self, rows: np.ndarray) -> ArmView:
        return ArmView(self.n_arms, self.arm_n[rows], self.arm_sum[rows], self.arm_var[rows])


def empty_arms(n_arms: int, runs: int) -> ArmView:
    """Per-arm statistics of `runs` runs that have seen nothing yet."""
    return ArmView(n_arms, np.zeros((runs, n_arms)), np.zeros((runs, n_arms)), np.zeros((runs, n_arms)))


def add_one(stats: ArmView, arms: np.ndarray, rewards: np.ndarray) -> None:
    """Record one call per run (arm ``arms[r]``, reward ``rewards[r]``), as `PairedStats.add` does per arm."""
    flat = np.arange(len(arms)) * stats.n_arms + arms
    n, total, var = stats.arm_n.reshape(-1), stats.arm_sum.reshape(-1), stats.arm_var.reshape(-1)
    count, s = n[flat], total[flat]
    prev = np.where(count > 0, s / np.maximum(count, 1), 0.5)
    var[flat] += (rewards - prev) ** 2
    n[flat] = count + 1
    total[flat] = s + rewards


def running(start: np.ndarray, increments: np.ndarray) -> np.ndarray:
    """``start`` followed by its running sums with each increment (axis 0), added in order as a loop would."""
    return np.cumsum(np.concatenate([start[None], increments]), axis=0)


def chunk_arms(stats: ArmView, rewards: np.ndarray) -> ArmView:
    """Per-arm statistics after each of ``T`` steps in which every arm got one observation (``rewards``:
    ``(T,) + batch + (K,)``); index 0 is the state before the chunk, so the result has ``T + 1`` entries."""
    steps = np.arange(rewards.shape[0] + 1).reshape((-1,) + (1,) * (rewards.ndim - 1))
    n = stats.arm_n[None] + steps
    total = running(stats.arm_sum, rewards)
    prev = np.where(n[:-1] > 0, total[:-1] / np.maximum(n[:-1], 1), 0.5)
    var = running(stats.arm_var, (rewards - prev) ** 2)
    return ArmView(stats.n_arms, n, total, var)


def chunk_pairs(stats: Pairs, rewards: np.ndarray) -> Pairs:
    """`Pairs` after each of ``T`` questions answered by every arm, index 0 the state before (see `chunk_arms`)."""
    iu, ju, _, _ = pair_index(stats.n_arms)
    arms = chunk_arms(ArmView(stats.n_arms, stats.arm_n, stats.arm_sum, stats.arm_var), rewards)
    steps = np.arange(rewards.shape[0] + 1).reshape((-1,) + (1,) * (rewards.ndim - 1))
    n = stats.n[None] + steps
    diff = rewards[..., iu] - rewards[..., ju]
    total = running(stats.sum, diff)
    prev = np.where(n[:-1] > 0, total[:-1] / np.maximum(n[:-1], 1), 0.0)
    var = running(stats.var, (diff - prev) ** 2)
    return Pairs.of(stats.n_arms, {"n": n, "sum": total, "var": var, "arm_n": arms.arm_n,
                                   "arm_sum": arms.arm_sum, "arm_var": arms.arm_var})


def decide(stats: Pairs, delta: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The leader, `promptbandit.policies.identify.active_set` and `promptbandit.confidence.certified` at once.

    Both shipped functions compare the leader with each other arm ``j`` through one radius, at the same level
    ``delta / (K - 1)``: ``certified`` needs ``mean(r_lead - r_j) - radius > 0`` for every j, and ``active_set``
    keeps j while ``mean(r_j - r_lead) + radius >= 0``. So only the leader's K - 1 pairs are computed here, with
    the shipped `leader` and `radius`; tests check the result against the shipped functions bit for bit.

    Returns:
        ``(leader, active, certified)`` with shapes ``batch``, ``batch + (K,)``, ``batch``.
    """
    k = stats.n_arms
    _, _, index, sign = pair_index(k)
    lead = leader(stats)
    rows, signs = index[lead], sign[lead]
    n = np.take_along_axis(stats.n, rows, axis=-1)
    total = signs * np.take_along_axis(stats.sum, rows, axis=-1)
    var = np.take_along_axis(stats.var, rows, axis=-1)
    mean = np.where(n > 0, total / np.maximum(n, 1), 0.0)
    rad = radius(n, var, delta / max(k - 1, 1), PairedStats.WIDTH)
    is_lead = np.arange(k) == lead[..., None]
    active = (rad - mean >= 0) | is_lead
    done = np.all((mean - rad > 0) | is_lead, axis=-1)
    return lead, active, done


# ---------------------------------------------------------------------------------------------------------------
# Method results
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What one method did in a batch of runs.

    Attributes:
        stop: calls at which each run stopped with a certified claim (inf: not within the cap), or None when
            the method has no fixed-confidence version.
        claim: arm position each run claimed best (-1: none), or None.
        picks: ``(runs, budgets)`` the method's recommendation after each budget, or None (no fixed-budget run).
        seconds: wall time of the method.
    """

    stop: np.ndarray | None = None
    claim: np.ndarray | None = None
    picks: np.ndarray | None = None
    seconds: float = 0.0


def _finish(out: Outcome, started: float) -> Outcome:
    out.seconds = time.perf_counter() - started
    return out


def chunk_steps(runs: int, width: int) -> int:
    """Steps per chunk so that one ``(steps, runs, width)`` array holds about `CHUNK_ELEMENTS` floats."""
    return max(8, CHUNK_ELEMENTS // max(1, runs * width))


def run_grid(env: sim.Environment, rng: np.random.Generator, budgets: Sequence[int], cap: int, delta: float,
             naive_z: float | None = None) -> tuple[Outcome, Outcome | None]:
    """Uniform paired grid: every arm on each fresh question; the paired test after every question (K calls).

    The recommendation after budget ``B`` is the leader after ``B // K`` questions. With `naive_z`, the same runs
    are also judged by the naive rule: after every question from `MIN_NAIVE_N` on, a fixed-n paired z-test of the
    leader against each other arm, claiming the leader once all K - 1 statistics exceed `naive_z`.
    """
    started = time.perf_counter()
    k, runs = env.n_arms, env.runs
    iu, ju, _, _ = pair_index(k)
    stop, claim = np.full(runs, np.inf), np.full(runs, -1)
    naive_stop, naive_claim = np.full(runs, np.inf), np.full(runs, -1)
    picks = np.full((runs, len(budgets)), -1)
    at = np.asarray(budgets) // k                  # question after which each budget is read
    rows, stats = np.arange(runs), Pairs(k, (runs,))
    squares = np.zeros((runs, len(iu)))            # sum of squared differences, for the naive test only
    done_q, max_q = 0, cap // k
    last = int(at.max()) if len(at) else 0
    while len(rows):
        steps = min(chunk_steps(len(rows), len(iu) + 1), max(max_q, last) - done_q)
        rewards = env.subset(rows).paired(rng, steps).astype(float)
        seq = chunk_pairs(stats, rewards)
        now = Pairs.of(k, {name: getattr(seq, name)[1:] for name in ("n", "sum", "var", "arm_n", "arm_sum", "arm_var")})
        lead, _, ok = decide(now, delta)
        questions = done_q + 1 + np.arange(steps)
        ok &= (questions * k <= cap)[:, None]
        fresh = ok.any(axis=0) & np.isinf(stop[rows])
        first = ok.argmax(axis=0)
        stop[rows[fresh]] = (questions[first] * k)[fresh]
        claim[rows[fresh]] = lead[first, np.arange(len(rows))][fresh]
        for b in np.flatnonzero((at > done_q) & (at <= done_q + steps)):
            picks[rows, b] = lead[at[b] - done_q - 1]
        if naive_z is not None:
            sq = running(squares, (rewards[..., iu] - rewards[..., ju]) ** 2)[1:]
            significant = naive_test(now, sq, lead, naive_z) & (questions >= MIN_NAIVE_N)[:, None]
            significant &= (questions * k <= cap)[:, None]
            hit = significant.any(axis=0) & np.isinf(naive_stop[rows])
            first = significant.argmax(axis=0)
            naive_stop[rows[hit]] = (questions[first] * k)[hit]
            naive_claim[rows[hit]] = lead[first, np.arange(len(rows))][hit]
            squares = sq[-1]
        stats = Pairs.of(k, {name: getattr(seq, name)[-1] for name in ("n", "sum", "var", "arm_n", "arm_sum", "arm_var")})
        done_q += steps
        finished = np.isfinite(stop[rows])
        if naive_z is not None:
            finished &= np.isfinite(naive_stop[rows])
        keep = ~(finished & (done_q >= last)) & (done_q < max(max_q, last))
        rows, stats, squares = rows[keep], stats.subset(keep), squares[keep]
    grid = _finish(Outcome(stop, claim, picks if len(budgets) else None), started)
    naive = Outcome(naive_stop, naive_claim, None, grid.seconds) if naive_z is not None else None
    return grid, naive


def naive_test(stats: Pairs, squares: np.ndarray, lead: np.ndarray, z: float) -> np.ndarray:
    """Whether the leader beats every other arm by a fixed-n one-sided paired z-test with threshold `z`."""
    k = stats.n_arms
    _, _, index, sign = pair_index(k)
    rows = index[lead]
    n = np.take_along_axis(stats.n, rows, axis=-1)
    total = sign[lead] * np.take_along_axis(stats.sum, rows, axis=-1)
    sq = np.take_along_axis(squares, rows, axis=-1)
    mean = total / np.maximum(n, 1)
    var = np.maximum(sq - n * mean ** 2, 0.0) / np.maximum(n - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(var > 0, mean / np.sqrt(var / np.maximum(n, 1)), np.where(mean > 0, np.inf, 0.0))
    return np.all((stat > z) | (np.arange(k) == lead[..., None]), axis=-1)


def run_round_robin(env: sim.Environment, rng: np.random.Generator, budgets: Sequence[int], cap: int,
                    delta: float) -> Outcome:
    """The original study's design: arms in turn, each call on its own fresh question (unpaired).

    The unpaired test is checked after every round of K calls; the recommendation after budget ``B`` is the best
    mean after exactly ``B`` calls (the first ``B mod K`` arms one call ahead).
    """
    started = time.perf_counter()
    k, runs = env.n_arms, env.runs
    stop, claim = np.full(runs, np.inf), np.full(runs, -1)
    picks = np.full((runs, len(budgets)), -1)
    full_rounds, extra = np.asarray(budgets) // k, np.asarray(budgets) % k
    needed = full_rounds + (extra > 0)             # the round whose outcomes each budget needs
    rows, stats = np.arange(runs), empty_arms(k, runs)
    done_r, max_r = 0, cap // k
    last = int(needed.max()) if len(needed) else 0
    while len(rows):
        steps = min(chunk_steps(len(rows), k), max(max_r, last) - done_r)
        arms = np.broadcast_to(np.arange(k), (steps, len(rows), k))
        rewards = env.subset(rows).unpaired(rng, arms).astype(float)
        seq = chunk_arms(stats, rewards)
        now = ArmView(k, seq.arm_n[1:], seq.arm_sum[1:], seq.arm_var[1:])
        ok = certified_unpaired(now, delta) & ((done_r + 1 + np.arange(steps)) * k <= cap)[:, None]
        lead = leader(now)
        fresh = ok.any(axis=0) & np.isinf(stop[rows])
        first = ok.argmax(axis=0)
        stop[rows[fresh]] = ((done_r + 1 + first) * k)[fresh]
        claim[rows[fresh]] = lead[first, np.arange(len(rows))][fresh]
        for b in np.flatnonzero((needed > done_r) & (needed <= done_r + steps)):
            i = full_rounds[b] - done_r                 # index into seq of the last complete round
            ahead = (np.arange(k) < extra[b]).astype(float)
            step = rewards[i] if extra[b] else np.zeros_like(rewards[0])
            partial = ArmView(k, seq.arm_n[i] + ahead, seq.arm_sum[i] + ahead * step, seq.arm_var[i])
            picks[rows, b] = leader(partial)
        stats = ArmView(k, seq.arm_n[-1], seq.arm_sum[-1], seq.arm_var[-1])
        done_r += steps
        keep = ~(np.isfinite(stop[rows]) & (done_r >= last)) & (done_r < max(max_r, last))
        rows, stats = rows[keep], stats.subset(keep)
    return _finish(Outcome(stop, claim, picks if len(budgets) else None), started)


def run_cs_elimination(env: sim.Environment, rng: np.random.Generator, budgets: Sequence[int], cap: int,
                       delta: float, trace: list[tuple[np.ndarray, np.ndarray]] | None = None) -> Outcome:
    """Ours, fixed confidence: `CSElimination` for every run at once.

    Before each question: the leader, the active set and the paired test (`decide`); a certified run stops;
    otherwise every arm is drawn on one fresh question and the active arms' answers are recorded (the others are
    discarded, so the outcome stream does not depend on the choice). A run whose next question would take it
    past `cap` calls stops uncertified. The recommendation after budget ``B`` is the leader after the last
    question that ended within ``B`` calls (the claim once certified). `trace`, when given, receives
    ``(runs still going, active mask)`` before every question.
    """
    started = time.perf_counter()
    k, runs = env.n_arms, env.runs
    stop, claim = np.full(runs, np.inf), np.full(runs, -1)
    budget = np.asarray(budgets, dtype=float)
    picks = np.full((runs, len(budgets)), -1)
    rows, stats, calls = np.arange(runs), Pairs(k, (runs,)), np.zeros(runs)
    while len(rows):
        lead, active, ok = decide(stats, delta)
        cost = active.sum(axis=-1)
        over = ~ok & (calls + cost > cap)
        # every budget not reached by the next question is read now
        reading = (budget[None, :] < calls[:, None] + cost[:, None]) & (picks[rows] < 0)
        reading |= (ok | over)[:, None] & (picks[rows] < 0)
        picks[rows] = np.where(reading, lead[:, None], picks[rows])
        stop[rows[ok]], claim[rows[ok]] = calls[ok], lead[ok]
        going = ~(ok | over)
        if not going.all():
            rows, stats, calls, active, env = rows[going], stats.subset(going), calls[going], active[going], env.subset(going)
            cost = cost[going]
            if not len(rows):
                break
        if trace is not None:
            trace.append((rows.copy(), active.copy()))
        stats.add(env.paired(rng)[0].astype(float), active)
        calls = calls + cost
    return _finish(Outcome(stop, claim, picks if len(budgets) else None), started)


def run_schedule(env: sim.Environment, rng: np.random.Generator, plan: list[tuple[int, int]], paired: bool) -> np.ndarray:
    """Fixed-budget elimination by a (survivors, questions) plan; returns each run's recommended position.

    Each round the survivors (the best ``survivors`` by mean over every question so far, ties to the lower
    position, as in `promptbandit.policies.identify._Scheduled`) answer ``questions`` fresh questions each: the
    same questions for all of them when `paired`, one fresh question per call otherwise (TRIPLE).
    """
    k, runs = env.n_arms, env.runs
    alive = np.tile(np.arange(k), (runs, 1))
    sums, counts = np.zeros((runs, k)), np.zeros((runs, k))
    for round_no, (keep, questions) in enumerate(plan):
        if round_no:
            alive = np.sort(best_positions(sums, counts, alive, keep), axis=-1)
        width = alive.shape[1]
        left = questions
        while left:
            steps = min(left, chunk_steps(runs, width))
            if paired:
                got = env.paired(rng, steps, alive)
            else:
                got = env.unpaired(rng, np.broadcast_to(alive, (steps, runs, width)))
            np.put_along_axis(sums, alive, np.take_along_axis(sums, alive, -1) + got.sum(axis=0), axis=-1)
            left -= steps
        np.put_along_axis(counts, alive, np.take_along_axis(counts, alive, -1) + questions, axis=-1)
    return best_positions(sums, counts, alive, 1)[:, 0]


def best_positions(sums: np.ndarray, counts: np.ndarray, alive: np.ndarray, keep: int) -> np.ndarray:
    """The `keep` positions of `alive` (per run) with the best cumulative means, ties to the lower position."""
    means = np.take_along_axis(sums, alive, -1) / np.maximum(np.take_along_axis(counts, alive, -1), 1)
    order = np.lexsort((alive, -means), axis=-1)
    return np.take_along_axis(alive, order[:, :keep], -1)


def run_fixed_budget(env: sim.Environment, rng: np.random.Generator, budgets: Sequence[int],
                     schedule: Callable[[int, int], list[tuple[int, int]]], paired: bool) -> Outcome:
    """One independent batch of runs per budget of a fixed-budget method (no fixed-confidence version)."""
    started = time.perf_counter()
    picks = np.stack([run_schedule(env, rng, schedule(env.n_arms, int(b)), paired) for b in budgets], axis=1)
    return _finish(Outcome(picks=picks), started)


# ---------------------------------------------------------------------------------------------------------------
# One-arm-per-call adaptive policies, vectorised over runs (the update rules of promptbandit.policies)
# ---------------------------------------------------------------------------------------------------------------

class VecReinforce:
    """`promptbandit.policies.reinforce.Reinforce` for a batch of runs: softmax preferences ``h``; after reward
    ``r`` of arm ``a``, ``h += lr * (r - b) * (onehot(a) - softmax(h))`` with ``b`` the mean of all earlier
    rewards (advantage 0 before the first). Recommends the arm of highest preference."""

    name = "reinforce"

    def __init__(self, runs: int, n_arms: int, lr: float = 0.1) -> None:
        self.h = np.zeros((runs, n_arms))
        self.total = np.zeros(runs)
        self.lr = lr
        self._pi = np.zeros((runs, n_arms))

    def select(self, rng: np.random.Generator, t: int, stats: ArmView) -> np.ndarray:
        weights = np.exp(self.h - self.h.max(axis=-1, keepdims=True))
        cumulative = np.cumsum(weights, axis=-1)
        norm = cumulative[:, -1:]
        self._pi = weights / norm
        # inverse CDF on the unnormalised weights; u * norm < norm, so some arm always qualifies
        return (cumulative > rng.random((len(norm), 1)) * norm).argmax(axis=-1)

    def update(self, arms: np.ndarray, rewards: np.ndarray, t: int) -> None:
        scale = self.lr * (rewards - self.total / t) if t else np.zeros_like(rewards)
        step = self._pi * -scale[:, None]
        step[np.arange(len(arms)), arms] += scale
        self.h += step
        self.total += rewards

    def recommend(self, stats: ArmView) -> np.ndarray:
        return self.h.argmax(axis=-1)

    def subset(self, rows: np.ndarray) -> None:
        self.h, self.total, self._pi = self.h[rows], self.total[rows], self._pi[rows]


class VecUCB1:
    """`promptbandit.policies.ucb.UCB1` (c = 1) for a batch of runs: every arm once, then the largest
    ``mean + sqrt(2 ln t / n)``. Ties go to the lower position (positions are in a random order per run).
    Recommends the best mean."""

    name = "ucb1"

    def __init__(self, runs: int, n_arms: int) -> None:
        self.n_arms = n_arms

    def select(self, rng: np.random.Generator, t: int, stats: ArmView) -> np.ndarray:
        if t < self.n_arms:
            return np.full(stats.arm_n.shape[0], t)
        n = stats.arm_n
        return (stats.arm_sum / n + np.sqrt((2.0 * math.log(t)) / n)).argmax(axis=-1)

    def update(self, arms: np.ndarray, rewards: np.ndarray, t: int) -> None:
        pass

    def recommend(self, stats: ArmView) -> np.ndarray:
        return leader(stats)

    def subset(self, rows: np.ndarray) -> None:
        pass


EXACT_BETA_BELOW = 1000     # Thompson: exact Beta draws while min(alpha, beta) is below this


def posterior_draws(rng: np.random.Generator, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One draw from each ``Beta(a, b)``: exact while ``min(a, b) < EXACT_BETA_BELOW``, else from the normal of
    the same mean and variance (at that size the Beta's skewness is below 0.03 and its excess kurtosis below
    0.003, so the two agree to about 1e-3 in distribution; the exact sampler costs 5x more per draw)."""
    mean = a / (a + b)
    draws = mean + np.sqrt(mean * (1 - mean) / (a + b + 1)) * rng.standard_normal(a.shape)
    small = np.minimum(a, b) < EXACT_BETA_BELOW
    if small.any():
        draws[small] = rng.beta(a[small], b[small])
    return draws


class VecThompson:
    """`promptbandit.policies.thompson.Thompson` (Beta(1, 1) prior, 0/1 rewards) for a batch of runs: one
    posterior draw per arm (`posterior_draws`), the largest is pulled. Recommends the highest posterior mean."""

    name = "thompson"

    def __init__(self, runs: int, n_arms: int) -> None:
        self.n_arms = n_arms

    def select(self, rng: np.random.Generator, t: int, stats: ArmView) -> np.ndarray:
        wins = stats.arm_sum
        return posterior_draws(rng, 1.0 + wins, 1.0 + stats.arm_n - wins).argmax(axis=-1)

    def update(self, arms: np.ndarray, rewards: np.ndarray, t: int) -> None:
        pass

    def recommend(self, stats: ArmView) -> np.ndarray:
        return ((1.0 + stats.arm_sum) / (2.0 + stats.arm_n)).argmax(axis=-1)

    def subset(self, rows: np.ndarray) -> None:
        pass


POLICIES: dict[str, Callable[[int, int], Any]] = {"reinforce": VecReinforce, "ucb1": VecUCB1, "thompson": VecThompson}


def run_sequential(env: sim.Environment, rng: np.random.Generator, policy_name: str, budgets: Sequence[int],
                   cap: int, delta: float) -> Outcome:
    """A one-arm-per-call policy on fresh questions, all runs stepping together.

    The unpaired test runs every K calls (valid: the confidence sequences hold at all times at once). After the
    largest budget, runs that have stopped are dropped; the rest go on to `cap`.
    """
    started = time.perf_counter()
    k, runs = env.n_arms, env.runs
    policy = POLICIES[policy_name](runs, k)
    stop, claim = np.full(runs, np.inf), np.full(runs, -1)
    picks = np.full((runs, len(budgets)), -1)
    read_at = {int(b): i for i, b in enumerate(budgets)}
    last = max(read_at, default=0)
    rows, stats, t = np.arange(runs), empty_arms(k, runs), 0
    while len(rows) and t < max(cap, last):
        arms = policy.select(rng, t, stats)
        rewards = env.unpaired(rng, arms[None])[0].astype(float)
        add_one(stats, arms, rewards)
        policy.update(arms, rewards, t)
        t += 1
        if t in read_at:
            picks[rows, read_at[t]] = policy.recommend(stats)
        if t % k == 0 and t <= cap:
            fresh = certified_unpaired(stats, delta) & np.isinf(stop[rows])
            if fresh.any():
                stop[rows[fresh]], claim[rows[fresh]] = t, leader(stats)[fresh]
            if t >= last:
                keep = np.isinf(stop[rows])
                if not keep.all():
                    rows, stats, env = rows[keep], stats.subset(keep), env.subset(keep)
                    policy.subset(keep)
    return _finish(Outcome(stop, claim, picks if len(budgets) else None), started)


# ---------------------------------------------------------------------------------------------------------------
# Settings and jobs
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    """One simulated problem.

    Attributes:
        name: short name (used in file names).
        title: one line for the report.
        accuracies: arm accuracies (synthetic), or None for replay.
        spread: difficulty standard deviation (logit scale).
        rho: copula correlation across arms on one question.
        matrix: path of a recorded matrix (replay), or None.
        cap: most calls of one fixed-confidence run.
        arm_names: names of the arms (replay) for the report.
    """

    name: str
    title: str
    accuracies: tuple[float, ...] | None
    spread: float = 0.0
    rho: float = 0.0
    matrix: str | None = None
    cap: int = 1_000_000
    arm_names: tuple[str, ...] = ()
    twin: str | None = None      # a setting whose one-call-per-question runs are the same in law (see `jobs_of`)

    def environment(self, runs: int, rng: np.random.Generator, shuffle: bool = True) -> sim.Environment:
        if self.matrix is not None:
            _, table = sim.load_matrix(Path(self.matrix))
            return sim.replay(table, runs, rng, shuffle=shuffle)
        assert self.accuracies is not None
        return sim.synthetic(self.accuracies, self.spread, self.rho, runs, rng, shuffle=shuffle)

    def true_means(self) -> np.ndarray:
        if self.matrix is not None:
            return sim.load_matrix(Path(self.matrix))[1].mean(axis=1)
        return np.asarray(self.accuracies, dtype=float)

    def has_best(self) -> bool:
        return bool(sim.true_best(self.true_means()) >= 0)


@dataclass(frozen=True)
class Method:
    """A method of the benchmark: its design, which criteria it has, and how to run it."""

    name: str
    design: str
    fixed_confidence: bool
    fixed_budget: bool
    about: str


METHODS = (
    Method("grid", "paired", True, True, "uniform paired grid: every arm answers each fresh question"),
    Method("round-robin", "unpaired", True, True, "the original study: arms in turn, a fresh question per call"),
    Method("reinforce", "unpaired", True, True, "the original study's REINFORCE softmax policy (lr 0.1, "
           "running-mean baseline), one arm per call"),
    Method("ucb1", "unpaired", True, True, "UCB1 (c = 1), one arm per call"),
    Method("thompson", "unpaired", True, True, "Beta-Bernoulli Thompson sampling, one arm per call"),
    Method("triple-sh", "unpaired", False, True, "TRIPLE-style successive halving: fresh question per call, "
           "cumulative means, budget split equally over ceil(log2 K) rounds"),
    Method("ours-cs", "paired", True, True, "CS-elimination: the leader and every arm still possibly better "
           "answer each fresh question; stop when certified (fixed budget: its leader after B calls)"),
    Method("ours-sh", "paired", False, True, "paired successive halving (halving_schedule)"),
    Method("ours-sr", "paired", False, True, "paired successive rejects (rejects_schedule)"),
)
METHOD_INDEX = {m.name: i for i, m in enumerate(METHODS)}


@dataclass(frozen=True)
class Job:
    """One method on one setting (or one validity case) for a batch of runs."""

    key: str                 # setting or validity case name
    index: int               # its position, for the seed
    method: str
    setting: Setting
    runs: int
    budgets: tuple[int, ...]
    cap: int
    delta: float
    seed: int
    naive_z: float | None = None


def generators(job: Job) -> tuple[np.random.Generator, np.random.Generator]:
    """The environment's generator (shared by every method of a setting, so all see the same arm orders) and the
    method's own generator."""
    env = np.random.default_rng(np.random.SeedSequence([job.seed, job.index, 0]))
    own = np.random.default_rng(np.random.SeedSequence([job.seed, job.index, 1 + METHOD_INDEX.get(job.method, 99)]))
    return env, own


def run_job(job: Job) -> tuple[str, str, Outcome, Outcome | None, float]:
    """Run one job; returns (key, method, outcome, naive outcome or None, CPU seconds)."""
    cpu = time.process_time()
    env_rng, rng = generators(job)
    env = job.setting.environment(job.runs, env_rng)
    naive = None
    if job.method in ("grid", "grid-naive"):
        out, naive = run_grid(env, rng, job.budgets, job.cap, job.delta, job.naive_z)
    elif job.method == "round-robin":
        out = run_round_robin(env, rng, job.budgets, job.cap, job.delta)
    elif job.method in POLICIES:
        out = run_sequential(env, rng, job.method, job.budgets, job.cap, job.delta)
    elif job.method == "ours-cs":
        out = run_cs_elimination(env, rng, job.budgets, job.cap, job.delta)
    else:
        schedule, paired = {"ours-sh": (halving_schedule, True), "ours-sr": (rejects_schedule, True),
                            "triple-sh": (halving_schedule, False)}[job.method]
        out = run_fixed_budget(env, rng, job.budgets, schedule, paired)
    return job.key, job.method, out, naive, time.process_time() - cpu


# ---------------------------------------------------------------------------------------------------------------
# Summaries (pure)
# ---------------------------------------------------------------------------------------------------------------

def order_statistic(values: np.ndarray, q: float) -> float:
    """The ``q`` quantile as an order statistic (inverted CDF), so that infinite values (cap hit) stay exact."""
    ordered = np.sort(values)
    return float(ordered[max(0, math.ceil(q * len(ordered)) - 1)])


def fixed_confidence_summary(out: Outcome, best: np.ndarray) -> dict[str, Any]:
    """Median and 90th percentile of calls to stop (inf: more than that share hit the cap), right / wrong / capped."""
    assert out.stop is not None and out.claim is not None
    claimed = out.claim >= 0
    return {"median": order_statistic(out.stop, 0.5), "p90": order_statistic(out.stop, 0.9),
            "correct": float(np.mean(claimed & (out.claim == best))),
            "wrong": float(np.mean(claimed & (out.claim != best))),
            "claimed": float(np.mean(claimed)), "capped": float(np.mean(~claimed)), "runs": int(len(out.stop))}


def budget_to_target(budgets: Sequence[int], probability: Sequence[float], target: float = TARGET_P) -> float:
    """The smallest budget from which the probability stays >= `target` (inf when the last one is below)."""
    value = math.inf
    for budget, p in zip(reversed(budgets), reversed(probability), strict=True):
        if p < target:
            break
        value = float(budget)
    return value


def fixed_budget_summary(out: Outcome, best: np.ndarray, budgets: Sequence[int]) -> dict[str, Any]:
    """Probability of naming the true best arm after each budget, and the budget from which it stays >= 0.95."""
    assert out.picks is not None
    prob = (out.picks == best[:, None]).mean(axis=0)
    return {"budgets": list(budgets), "p_correct": [float(p) for p in prob],
            "budget_95": budget_to_target(budgets, list(prob))}


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact binomial confidence interval for `k` successes in `n` trials."""
    log_fact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n + 1)))])
    i = np.arange(n + 1)

    def cdf(x: int, p: float) -> float:     # P(X <= x) for X ~ Binomial(n, p)
        if p <= 0:
            return 1.0
        if p >= 1:
            return 1.0 if x >= n else 0.0
        logs = log_fact[n] - log_fact[i] - log_fact[n - i] + i * math.log(p) + (n - i) * math.log1p(-p)
        return float(np.exp(logs[: x + 1]).sum())

    def solve(f: Callable[[float], float], goal: float) -> float:
        lo, hi = 0.0, 1.0          # f decreasing in p
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if f(mid) > goal else (lo, mid)
        return (lo + hi) / 2

    tail = (1 - level) / 2
    low = 0.0 if k == 0 else solve(lambda p: cdf(k - 1, p), 1 - tail)
    high = 1.0 if k == n else solve(lambda p: cdf(k, p), tail)
    return low, high


def normal_quantile(p: float) -> float:
    """Inverse of `simulator.normal_cdf` by bisection."""
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if float(sim.normal_cdf(mid)) < p else (lo, mid)
    return (lo + hi) / 2


@dataclass(frozen=True)
class Bound:
    """A number that may only be known from one side: ``value`` exactly, or ``> value`` / ``< value``."""

    value: float
    side: str = "="      # "=", ">" or "<"

    def text(self, fmt: Callable[[float], str]) -> str:
        return ("" if self.side == "=" else self.side) + fmt(self.value)


def measured(value: float, limit: float) -> Bound:
    """A median or 95%-budget: exact when finite, else only known to exceed `limit`."""
    return Bound(value) if math.isfinite(value) else Bound(limit, ">")


def ratio(num: Bound, den: Bound) -> Bound | None:
    """``num / den`` with one-sided knowledge carried through (None when nothing can be said)."""
    r = num.value / den.value
    sides = (num.side, den.side)
    if sides == ("=", "="):
        return Bound(r)
    if sides == ("=", ">"):
        return Bound(r, "<")
    if sides == (">", "="):
        return Bound(r, ">")
    return None


def judge_at_most(value: Bound | None, target: float) -> tuple[str, str]:
    """(MET / MISSED / UNKNOWN, how much) for ``value <= target``."""
    if value is None:
        return "UNKNOWN", "both sides censored"
    if value.side in ("=", "<") and value.value <= target:
        return "MET", f"margin {target - value.value:.3f}"
    if value.side in ("=", ">") and value.value > target:
        return "MISSED", f"by {value.value - target:.3f} ({value.value / target - 1:.0%} over)"
    return "UNKNOWN", "bound not decisive"


def judge_below(ours: Bound, theirs: Bound) -> tuple[str, str]:
    """(MET / MISSED / UNKNOWN, how much) for ``ours < theirs``."""
    if ours.side == "=" and (theirs.side == ">" and ours.value <= theirs.value or ours.value < theirs.value):
        return "MET", f"ratio {ours.value / theirs.value:.2f}" + (" (upper bound)" if theirs.side == ">" else "")
    if ours.side == ">" and theirs.side == ">":
        return "UNKNOWN", "neither reaches 0.95 within the budgets"
    if theirs.side == "=" and ours.value >= theirs.value:
        return "MISSED", f"ratio {ours.value / theirs.value:.2f}" + (" (lower bound)" if ours.side == ">" else "")
    return "UNKNOWN", "bound not decisive"


# ---------------------------------------------------------------------------------------------------------------
# Explanations: what the confidence sequence predicts for a profile (used in the notes)
# ---------------------------------------------------------------------------------------------------------------

def difference_variances(setting: Setting, rng: np.random.Generator, questions: int = 200_000) -> np.ndarray:
    """Variance of ``r_best - r_j`` on one question, per arm j in the setting's order (by simulation, so it
    works for every environment)."""
    env = setting.environment(1, rng, shuffle=False)
    best = int(np.argmax(env.means[0]))
    draws = env.paired(rng, questions)[:, 0, :].astype(float)
    return (draws[:, best][:, None] - draws).var(axis=0)


def questions_to_separate(gap: float, variance: float, delta: float, n_arms: int) -> float:
    """Questions after which the paired CS radius for a pair with this gap and per-question variance falls below
    the gap (every empirical quantity at its expectation): when ``certified`` / elimination happens on average."""
    if gap <= 0:
        return math.inf
    lo, hi = 1.0, 1e12
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        rad = float(radius(mid, mid * max(variance, 1e-12), delta / max(n_arms - 1, 1), PairedStats.WIDTH))
        lo, hi = (mid, hi) if rad > gap else (lo, mid)
    return hi


def predicted_ratio(setting: Setting, delta: float, rng: np.random.Generator) -> dict[str, Any]:
    """The calls of CS-elimination relative to the grid that the CS radius predicts for this profile.

    Arm j stays active until its pair with the best arm separates (``n_j`` questions); the best arm and its
    closest rival answer ``n_max`` questions. Grid: ``K n_max`` calls; CS-elimination: ``n_max + sum_j n_j``.
    The floor of any paired design that must evaluate the top two on every question is ``2 / K``.
    """
    means = setting.true_means()
    best = int(np.argmax(means))
    variances = difference_variances(setting, rng)
    n = np.array([questions_to_separate(float(means[best] - m), float(v), delta, len(means)) if j != best else 0.0
                  for j, (m, v) in enumerate(zip(means, variances, strict=True))])
    top = float(n.max())
    # the large-sample limit: n_j proportional to v_j / gap_j**2 (any CS of the usual sqrt(v log log v) shape)
    gaps = means[best] - means
    clt = np.array([v / g ** 2 if j != best else 0.0 for j, (v, g) in enumerate(zip(variances, gaps, strict=True))])
    return {"questions_per_arm": [float(x) for x in n], "difference_variance": [float(v) for v in variances],
            "grid_calls": len(means) * top, "ours_calls": top + float(n.sum()),
            "ratio": (top + float(n.sum())) / (len(means) * top),
            "clt_ratio": float((clt.max() + clt.sum()) / (len(means) * clt.max())), "floor": 2 / len(means)}


# ---------------------------------------------------------------------------------------------------------------
# Building the whole benchmark
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class Plan:
    """Everything the run will do, from the command line."""

    settings: list[Setting]
    validity: list[Setting]
    seeds: int
    validity_runs: int
    budgets: tuple[int, ...]
    delta: float
    seed: int
    adaptive_cap: int
    validity_cap: int
    workers: int
    quick: bool
    notes: list[str] = field(default_factory=list)


def jobs_of(plan: Plan) -> list[Job]:
    """One job per (setting, method) and per (validity case, ours / grid with the naive test)."""
    jobs = []
    for index, setting in enumerate(plan.settings):
        with_budget = setting.has_best()
        for method in METHODS:
            if not method.fixed_confidence and not with_budget:
                continue
            adaptive = method.name in POLICIES
            if adaptive and setting.twin is not None:
                continue        # the twin's runs stand for these (see `source_of`)
            cap = min(setting.cap, plan.adaptive_cap) if adaptive else setting.cap
            budgets = plan.budgets if with_budget and method.fixed_budget else ()
            jobs.append(Job(setting.name, index, method.name, setting, plan.seeds, budgets, cap, plan.delta, plan.seed))
    for index, case in enumerate(plan.validity, start=100):
        z = normal_quantile(1 - plan.delta / (len(case.true_means()) - 1))
        jobs.append(Job(case.name, index, "ours-cs", case, plan.validity_runs, (), plan.validity_cap, plan.delta,
                        plan.seed))
        jobs.append(Job(case.name, index, "grid-naive", case, plan.validity_runs, (), plan.validity_cap, plan.delta,
                        plan.seed, naive_z=z))
    return jobs


def cost_estimate(job: Job) -> float:
    """Rough relative cost, to start the longest jobs first."""
    k = len(job.setting.true_means())
    per_call = {"reinforce": 4.0, "ucb1": 3.0, "thompson": 4.0, "ours-cs": 1.5}.get(job.method, 0.3)
    return per_call * job.runs * min(job.cap, 10 ** 6) * (k / 10)


def execute(jobs: list[Job], workers: int, log: Callable[[str], None]) -> dict[tuple[str, str], dict[str, Any]]:
    """Run the jobs (in `workers` processes when more than 1), longest first; results by (key, method)."""
    ordered = sorted(jobs, key=cost_estimate, reverse=True)
    results: dict[tuple[str, str], dict[str, Any]] = {}

    def keep(item: tuple[str, str, Outcome, Outcome | None, float]) -> None:
        key, method, out, naive, cpu = item
        results[(key, method)] = {"out": out, "naive": naive, "cpu": cpu}
        log(f"  {key:>12} {method:<12} {out.seconds:7.1f} s wall, {cpu:7.1f} s CPU")

    if workers <= 1:
        for job in ordered:
            keep(run_job(job))
        return results
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for item in pool.map(run_job, ordered):
            keep(item)
    return results


def source_of(plan: Plan, setting: Setting, method: str) -> tuple[int, Setting]:
    """The setting whose runs stand for (setting, method): itself, or its twin for the one-call policies.

    A method that asks one arm per fresh question never sees how arms co-vary on a question, so with the same
    accuracies and spread its whole run has the same law whatever rho is; simulating it again would only
    repeat the same experiment with other seeds (round-robin and triple-sh are rerun, as a check).
    """
    if method in POLICIES and setting.twin is not None:
        index = next(i for i, s in enumerate(plan.settings) if s.name == setting.twin)
        return index, plan.settings[index]
    return next(i for i, s in enumerate(plan.settings) if s.name == setting.name), setting


def summarise(plan: Plan, results: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    """Per setting: fixed-confidence and fixed-budget summaries of every method."""
    out: dict[str, Any] = {}
    bests: dict[int, np.ndarray] = {}
    for setting in plan.settings:
        block: dict[str, Any] = {"fixed_confidence": {}, "fixed_budget": {}, "seconds": {}, "runs_from": {}}
        for method in METHODS:
            index, source = source_of(plan, setting, method.name)
            found = results.get((source.name, method.name))
            if found is None:
                continue
            if index not in bests:        # the arm orders of that setting's runs, rebuilt from its seed
                env_rng = np.random.default_rng(np.random.SeedSequence([plan.seed, index, 0]))
                bests[index] = sim.true_best(source.environment(plan.seeds, env_rng).means)
            best = bests[index]
            block["runs_from"][method.name] = source.name
            res: Outcome = found["out"]
            block["seconds"][method.name] = round(res.seconds, 2)
            if res.stop is not None:
                cap = min(source.cap, plan.adaptive_cap) if method.name in POLICIES else source.cap
                block["fixed_confidence"][method.name] = {**fixed_confidence_summary(res, best), "cap": cap}
            if res.picks is not None:
                block["fixed_budget"][method.name] = fixed_budget_summary(res, best, plan.budgets)
        out[setting.name] = block
    return out


def targets(plan: Plan, summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The target ratios, each from one criterion and the same runs."""
    rows = []
    last = float(max(plan.budgets))
    for setting in plan.settings:
        if not setting.has_best():
            continue
        fc, fb = summary[setting.name]["fixed_confidence"], summary[setting.name]["fixed_budget"]

        def median(name: str, fc: dict[str, Any] = fc) -> Bound:
            return measured(fc[name]["median"], fc[name]["cap"])

        def b95(name: str, fb: dict[str, Any] = fb) -> Bound:
            return measured(fb[name]["budget_95"], last)

        for other, goal in (("grid", 0.30), ("round-robin", 0.25)):
            value = ratio(median("ours-cs"), median(other))
            status, how = judge_at_most(value, goal)
            rows.append({"setting": setting.name, "criterion": "fixed confidence",
                         "ratio": f"ours-cs median calls / {other} median calls",
                         "value": None if value is None else value.text(lambda v: f"{v:.3f}"),
                         "target": f"<= {goal:.2f}", "status": status, "detail": how})
        for ours in ("ours-sh", "ours-sr"):
            status, how = judge_below(b95(ours), b95("triple-sh"))
            rows.append({"setting": setting.name, "criterion": "fixed budget",
                         "ratio": f"{ours} 95%-budget vs triple-sh 95%-budget",
                         "value": f"{b95(ours).text(fmt_calls)} vs {b95('triple-sh').text(fmt_calls)}",
                         "target": "below", "status": status, "detail": how})
        if setting.rho == 0 and setting.matrix is None:
            for ours in ("ours-sh", "ours-sr"):
                value = ratio(b95(ours), b95("grid"))
                status, how = judge_at_most(value, 0.5)
                rows.append({"setting": setting.name, "criterion": "fixed budget",
                             "ratio": f"{ours} 95%-budget / grid 95%-budget",
                             "value": None if value is None else value.text(lambda v: f"{v:.3f}"),
                             "target": "<= 0.50", "status": status, "detail": how})
    return rows


def validity(plan: Plan, results: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """Share of runs that claim a winner where no claim can be right, with exact 95% intervals."""
    rows = []
    for case in plan.validity:
        ours: Outcome = results[(case.name, "ours-cs")]["out"]
        grid: Outcome = results[(case.name, "grid-naive")]["out"]
        naive: Outcome = results[(case.name, "grid-naive")]["naive"]
        row: dict[str, Any] = {"case": case.name, "title": case.title, "arms": len(case.true_means()),
                               "runs": plan.validity_runs, "cap": plan.validity_cap}
        for label, res in (("ours", ours), ("grid_certified", grid), ("grid_naive", naive)):
            assert res.claim is not None and res.stop is not None
            k = int((res.claim >= 0).sum())
            low, high = clopper_pearson(k, len(res.claim))
            row[label] = {"claims": k, "share": k / len(res.claim), "ci95": [low, high],
                          "median_calls_when_claimed": float(np.median(res.stop[res.claim >= 0])) if k else None}
        rows.append(row)
    return rows


def explanations(plan: Plan) -> dict[str, Any]:
    """Predicted CS-elimination / grid ratios for the settings with a best arm (see `predicted_ratio`)."""
    rng = np.random.default_rng(np.random.SeedSequence([plan.seed, 999]))
    return {s.name: predicted_ratio(s, plan.delta, rng) for s in plan.settings if s.has_best()}


# ---------------------------------------------------------------------------------------------------------------
# Rendering (after everything is computed)
# ---------------------------------------------------------------------------------------------------------------

def fmt_calls(value: float) -> str:
    return f"{value:,.0f}"


def fmt_stat(value: float, cap: int) -> str:
    return fmt_calls(value) if math.isfinite(value) else f">{fmt_calls(cap)}"


def fmt_share(value: float) -> str:
    return f"{value:.3f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] | None = None) -> str:
    """A Markdown table."""
    align = ["---:" if (right or [False] * len(header))[i] else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


STOP_RULE = {"grid": "paired test, every question (K calls)", "ours-cs": "paired test, every question",
             "round-robin": "unpaired test, every K calls", "reinforce": "unpaired test, every K calls",
             "ucb1": "unpaired test, every K calls", "thompson": "unpaired test, every K calls"}


def confidence_table(block: dict[str, Any]) -> str:
    rows = []
    for method in METHODS:
        s = block["fixed_confidence"].get(method.name)
        if s is None:
            if method.name == "triple-sh":
                rows.append([method.name, method.design, "n/a (fixed-budget method)", "n/a", "n/a", "n/a", "n/a", "n/a",
                             "n/a"])
            continue
        rows.append([method.name, method.design, STOP_RULE[method.name], fmt_calls(s["cap"]),
                     fmt_stat(s["median"], s["cap"]), fmt_stat(s["p90"], s["cap"]),
                     fmt_share(s["correct"]), fmt_share(s["wrong"]), fmt_share(s["capped"])])
    return table(["method", "design", "stop rule", "cap", "median calls", "p90 calls", "stopped correctly",
                  "stopped wrongly", "hit cap"], rows, [False, False, False, True, True, True, True, True, True])


def budget_columns(budgets: Sequence[int]) -> list[int]:
    """The budgets shown as table columns: every other one, always the last."""
    shown = list(range(0, len(budgets), 2))
    if shown[-1] != len(budgets) - 1:
        shown.append(len(budgets) - 1)
    return shown


def budget_table(block: dict[str, Any], budgets: Sequence[int]) -> str:
    shown = budget_columns(budgets)
    rows = []
    for method in METHODS:
        s = block["fixed_budget"].get(method.name)
        if s is None:
            continue
        b95 = s["budget_95"]
        rows.append([method.name] + [f"{s['p_correct'][i]:.2f}" for i in shown]
                    + [fmt_calls(b95) if math.isfinite(b95) else f">{fmt_calls(budgets[-1])}"])
    return table(["method"] + [fmt_calls(budgets[i]) for i in shown] + ["stays >= 0.95 from"], rows,
                 [False] + [True] * (len(shown) + 1))


def plot_setting(path: Path, setting: Setting, block: dict[str, Any], budgets: Sequence[int], runs: int) -> None:
    """Probability of naming the best arm against the budget (log x), one line per method."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    styles = {"paired": "-", "unpaired": "--"}
    for method in METHODS:
        s = block["fixed_budget"].get(method.name)
        if s is not None:
            ax.plot(budgets, s["p_correct"], styles[method.design], marker="o", markersize=3, label=method.name,
                    linewidth=2.2 if method.name.startswith("ours") else 1.2)
    ax.axhline(TARGET_P, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("budget (model calls)")
    ax.set_ylabel("P(recommendation is the best arm)")
    ax.set_title(f"{setting.title} ({runs} runs per point)", fontsize=9)
    ax.legend(fontsize=7, ncol=2, loc="lower right")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def validity_table(rows: list[dict[str, Any]]) -> str:
    def cell(entry: dict[str, Any]) -> str:
        low, high = entry["ci95"]
        return f"{entry['claims']} ({entry['share']:.3f}, 95% CI {low:.3f}-{high:.3f})"

    body = [[r["case"], str(r["arms"]), str(r["runs"]), fmt_calls(r["cap"]), cell(r["ours"]), cell(r["grid_certified"]),
             cell(r["grid_naive"])] for r in rows]
    return table(["case", "arms", "runs", "cap (calls)", "ours-cs + certified: false claims",
                  "grid + certified: false claims", "grid + naive z-test: false claims"], body,
                 [False, True, True, True, False, False, False])


def targets_table(rows: list[dict[str, Any]]) -> str:
    body = [[r["setting"], r["criterion"], r["ratio"], r["value"] or "n/a", r["target"], r["status"], r["detail"]]
            for r in rows]
    return table(["setting", "criterion", "ratio", "value", "target", "status", "detail"], body)


def describe_setting(setting: Setting) -> str:
    means = setting.true_means()
    if setting.matrix is not None:
        names = setting.arm_names or tuple(f"arm {i}" for i in range(len(means)))
        arms = ", ".join(f"{n} {m:.3f}" for n, m in sorted(zip(names, means, strict=True), key=lambda x: -x[1]))
        return f"replay of `{Path(setting.matrix).name}` ({len(means)} arms); accuracies over the matrix: {arms}"
    acc = ", ".join(f"{a:.2f}" for a in means)
    corr = f"Gaussian copula rho = {setting.rho}" if setting.rho else "conditionally independent given the question"
    return f"{len(means)} arms at {acc}; difficulty spread {setting.spread} (logit sd), {corr}"


def render(plan: Plan, summary: dict[str, Any], target_rows: list[dict[str, Any]], valid: list[dict[str, Any]],
           explain: dict[str, Any], meta: dict[str, Any], out: Path) -> str:
    """The Markdown report (the numbers come from `summary` and friends; nothing is computed here)."""
    budgets = plan.budgets
    lines = ["# Best-arm identification: fixed confidence and fixed budget", ""]
    if plan.quick:
        lines += ["> **Quick mode** (smoke test): tiny numbers of runs and caps. These numbers mean nothing.", ""]
    lines += [
        f"Generated by `{meta['command']}` on {meta['created']}; {meta['python']}, numpy {meta['numpy']}, "
        f"{meta['cpus']} CPUs, {plan.workers} worker processes. Wall time {meta['wall_s']:.0f} s "
        f"(CPU time of all jobs {meta['cpu_s']:.0f} s). Load average {meta['load_start']} at the start and "
        f"{meta['load_end']} at the end: the machine was shared with other jobs, so times are pessimistic.",
        "",
        "Everything is simulated (`bench/simulator.py`); no model is called. Each *run* is one independent simulated "
        f"experiment with its own random arm order; {plan.seeds} runs per method and setting, "
        f"{plan.validity_runs} per validity case. Methods only see arm positions, and every run shuffles which "
        "arm sits at which position, so the shipped tie-breaking (lowest index) favours no arm.",
        "",
        "## Methods",
        "",
    ]
    lines += [f"- **{m.name}** ({m.design}): {m.about}." for m in METHODS]
    lines += [
        "",
        "## How the test works",
        "",
        f"Fixed confidence, at delta = {plan.delta}: a run stops the first time an anytime-valid test says its leader "
        "is the best arm; the claim is wrong with probability at most delta whatever the sampling rule and however "
        "often the test is looked at. Paired designs (grid, ours-cs) use the paired empirical-Bernstein confidence "
        "sequences of `promptbandit.confidence` (`certified`: the leader's lower bound on mu_lead - mu_j above 0 for "
        "every j, delta / (K - 1) per pair); unpaired designs use `certified_unpaired` on per-arm sequences (leader's "
        "lower bound above every other arm's upper bound, one-sided at delta / K each). ours-cs checks before every "
        "question (as `CSElimination` does), the grid after every question (K calls), the unpaired designs every K "
        "calls. Looking less often than every call is still valid: the sequences hold at all times at once, so any "
        "set of looks is covered; it can only make a method stop a little later (at most K - 1 calls).",
        "",
        "For speed the paired decisions are computed by `decide` in `bench/identify.py`: the shipped `leader` and "
        "`radius` on the leader's K - 1 pairs only (both `active_set` and `certified` look at nothing else), with "
        "the pair statistics of `PairedStats.add` kept once per unordered pair. "
        "`tests/test_bench_identify.py` checks both against the shipped functions bit for bit, and the whole "
        "vectorised CS-elimination against the `CSElimination` class step by step.",
        "",
        "Fixed budget: for each budget B the method spends B calls and names one arm (best mean for grid, "
        "round-robin and UCB1; highest posterior mean for Thompson; highest preference for REINFORCE; the survivor "
        "for the halving and rejects schedules; ours-cs names its leader after the last question that ends within "
        "B calls, or its claim once certified). The anytime methods are read along one run; the halving and rejects "
        "methods get an independent batch of runs per budget. Reported: the probability of naming the true best "
        "arm, and the smallest budget from which it stays >= 0.95 on the budget grid "
        f"({', '.join(fmt_calls(b) for b in budgets)}).",
        "",
        "## Settings",
        "",
    ]
    lines += [f"- **{s.name}**: {describe_setting(s)}. Cap {fmt_calls(s.cap)} calls "
              f"({fmt_calls(min(s.cap, plan.adaptive_cap))} for reinforce, ucb1 and thompson)." for s in plan.settings]
    lines += [
        "",
        "Skills are calibrated by bisection with 160-node Gauss-Hermite quadrature so that each arm's marginal "
        "accuracy E_q[sigmoid(theta - b_q)] is the requested one (to 1e-12).",
        "",
    ]
    for setting in plan.settings:
        block = summary[setting.name]
        lines += [f"## Setting: {setting.name}", "", describe_setting(setting) + ".", ""]
        copied = sorted(m for m, src in block["runs_from"].items() if src != setting.name)
        if copied:
            lines += [f"Rows {', '.join(copied)} are the runs of setting `{block['runs_from'][copied[0]]}`: these "
                      "methods ask one arm per fresh question, which never shows the correlation across arms, so "
                      "their runs have the same law there (compare the round-robin and triple-sh rows, which are "
                      "simulated again here).", ""]
        if not setting.has_best():
            lines += ["No unique best arm: every claim is false. Fixed budget does not apply.", ""]
        lines += ["### Fixed confidence", "", confidence_table(block), ""]
        if block["fixed_budget"]:
            lines += ["### Fixed budget", "", "Probability of naming the true best arm after B calls:", "",
                      budget_table(block, budgets), "", f"![{setting.name}](identify-{setting.name}.png)", ""]
    lines += ["## Targets", "", "Each ratio uses one criterion and the runs of this benchmark run. Medians that hit "
              "the cap give one-sided ratios (`<` or `>`).", "", targets_table(target_rows), ""]
    lines += [
        "## Validity",
        "",
        f"{plan.validity_runs} runs per case, spread {plan.validity[0].spread if plan.validity else '-'}, independent "
        f"outcomes, each run capped at {fmt_calls(plan.validity_cap)} calls. No claim can be right (with a tied top, "
        "naming either tied arm is a false claim too), so the share of runs that claim a winner is the error rate; it "
        f"must stay below delta = {plan.delta}. 95% intervals are exact (Clopper-Pearson). The naive rule runs on the "
        "grid's data: after every question (from question 30 on), a fixed-n one-sided paired z-test of the leader "
        f"against each other arm at {plan.delta} / (K - 1) (Bonferroni), stopping at the first question where the "
        "leader beats all of them. `grid + certified` is the anytime test on the very same data.",
        "",
        validity_table(valid),
        "",
        "## Notes",
        "",
    ]
    lines += [f"- {note}" for note in plan.notes]
    lines += [f"- {note}" for note in auto_notes(plan, summary, target_rows, valid, explain)]
    lines += ["", "## Reproduce", "", "```", meta["command"], "```", "",
              f"Machine-readable results: `{out.with_suffix('.json').name}`.", ""]
    return "\n".join(lines)


def plan_means(plan: Plan, name: str) -> np.ndarray:
    return next(s for s in plan.settings if s.name == name).true_means()


def auto_notes(plan: Plan, summary: dict[str, Any], target_rows: list[dict[str, Any]], valid: list[dict[str, Any]],
               explain: dict[str, Any]) -> list[str]:
    """Notes whose numbers come from this run: predicted ratios and what the validity cases showed."""
    notes = []
    for name, e in explain.items():
        fc = summary[name]["fixed_confidence"]
        if "ours-cs" in fc and "grid" in fc and math.isfinite(fc["ours-cs"]["median"]) and math.isfinite(fc["grid"]["median"]):
            measured_ratio = fc["ours-cs"]["median"] / fc["grid"]["median"]
            means = plan_means(plan, name)
            per_arm = ", ".join(f"{m:.2f}: {fmt_calls(n)}" for m, n in zip(means, e["questions_per_arm"], strict=True)
                                if n > 0)
            notes.append(
                f"`{name}`: the CS radius predicts CS-elimination / grid = {e['ratio']:.3f} for this profile "
                f"(measured {measured_ratio:.3f}). Each arm stays active until its pair with the best arm separates, "
                f"after about this many questions (arm accuracy: questions, every quantity at its expectation): "
                f"{per_arm}. The leader and its "
                f"closest rival answer every question, so no paired elimination can go below 2 / K = {e['floor']:.2f}, "
                "and arms only a little worse than the best stay active for a large share of the run. Even in the "
                "large-sample limit (questions per arm proportional to variance / gap^2, the shape of every "
                f"confidence sequence of this kind) the ratio for this profile is {e['clt_ratio']:.3f}.")
    for setting in plan.settings:
        if setting.matrix is None or setting.name not in explain:
            continue
        means = np.sort(setting.true_means())[::-1]
        questions = sim.load_matrix(Path(setting.matrix))[1].shape[1]
        e = explain[setting.name]
        top = max(e["questions_per_arm"])
        notes.append(f"`{setting.name}`: the best two arms differ by {means[0] - means[1]:.4f} in accuracy, "
                     f"{(means[0] - means[1]) * questions:.0f} of the {questions} recorded questions. The CS needs about "
                     f"{fmt_calls(top)} paired questions to separate that pair (every quantity at its expectation), "
                     f"so the grid would need about {fmt_calls(len(means) * top)} calls and CS-elimination about "
                     f"{fmt_calls(e['ours_calls'])} (cap {fmt_calls(setting.cap)}). On this matrix the top arms are "
                     "practically tied, so most runs end uncertified within the caps; "
                     + (", ".join(f"{m} certified a winner in {f['claimed']:.0%} of runs ({f['wrong']:.0%} wrongly)"
                                  for m, f in summary[setting.name]["fixed_confidence"].items() if f["claimed"] > 0)
                        or "no method certified a winner") + ".")
    for name in summary:
        fb = summary[name]["fixed_budget"]
        if "ours-sh" in fb and "triple-sh" in fb:
            ours, theirs = fb["ours-sh"]["budget_95"], fb["triple-sh"]["budget_95"]
            if math.isfinite(ours) and math.isfinite(theirs) and ours != theirs:
                notes.append(f"`{name}`, fixed budget: ours-sh and triple-sh follow the same halving schedule and differ "
                             f"only in asking the survivors the same questions; that alone moves the 95%-budget from "
                             f"{fmt_calls(theirs)} to {fmt_calls(ours)} calls.")
    notes.append("95%-budgets are read on the budget grid (a factor of about sqrt(2) apart), so their ratios are "
                 f"quantised (1, 0.71, 0.5, 0.35, ...) and one grid step is within the sampling noise of {plan.seeds} "
                 "runs: a ratio that lands exactly on its target is met only just.")
    for row in valid:
        if row["grid_naive"]["share"] <= plan.delta:
            notes.append(f"Validity `{row['case']}`: here the naive rule claimed a winner in only "
                         f"{row['grid_naive']['share']:.1%} of runs: with {row['arms']} equal arms it needs the leader "
                         f"to beat all {row['arms'] - 1} others at once at {plan.delta} / {row['arms'] - 1} each, "
                         f"which is rare within {fmt_calls(row['cap'] // row['arms'])} questions. Its error grows with "
                         "the horizon (it keeps testing at a fixed level) and is large as soon as one rival is close "
                         "(the other cases); the anytime test's does not grow.")
    for row in valid:
        notes.append(f"Validity `{row['case']}`: ours-cs claimed a winner in {row['ours']['claims']} of {row['runs']} "
                     f"runs, grid + certified in {row['grid_certified']['claims']}, the naive z-test in "
                     f"{row['grid_naive']['claims']}.")
    return notes


# ---------------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------------

SETTING_NAMES = ("independent", "correlated", "no-effect", "replay")
QUICK = {"seeds": 24, "validity_runs": 60, "budgets": (250, 500, 1000, 2000), "cap": 20_000, "adaptive_cap": 4_000,
         "null_cap": 4_000, "validity_cap": 3_000, "workers": 1}


def floats(text: str) -> tuple[float, ...]:
    return tuple(float(x) for x in text.split(",") if x.strip())


def ints(text: str) -> tuple[int, ...]:
    return tuple(int(float(x)) for x in text.split(",") if x.strip())


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--accuracies", type=floats, default=STUDY, help="arm accuracies of the study-like settings")
    p.add_argument("--spread", type=float, default=2.0, help="difficulty standard deviation, logit scale")
    p.add_argument("--rho", type=float, default=0.5, help="copula correlation of the correlated setting")
    p.add_argument("--null-accuracy", type=float, default=0.58, help="accuracy of every arm in the no-effect setting")
    p.add_argument("--matrix", type=Path, default=MATRIX, help="recorded (arm x question) matrix for replay")
    p.add_argument("--settings", type=lambda s: tuple(x for x in s.split(",") if x), default=None,
                   help=f"comma-separated subset of {','.join(SETTING_NAMES)} (default: all; replay if the matrix exists)")
    p.add_argument("--seeds", type=int, default=200, help="runs per method and setting")
    p.add_argument("--validity-runs", type=int, default=1000, help="runs per validity case")
    p.add_argument("--budgets", type=ints, default=DEFAULT_BUDGETS, help="fixed-budget grid (calls)")
    p.add_argument("--cap", type=int, default=1_000_000, help="max calls of a fixed-confidence run")
    p.add_argument("--adaptive-cap", type=int, default=400_000,
                   help="max calls of a fixed-confidence run of reinforce, ucb1, thompson (simulated call by call)")
    p.add_argument("--null-cap", type=int, default=100_000, help="max calls per run in the no-effect setting")
    p.add_argument("--validity-cap", type=int, default=50_000, help="max calls per validity run")
    p.add_argument("--delta", type=float, default=0.05, help="error probability of the fixed-confidence test")
    p.add_argument("--seed", type=int, default=0, help="base seed")
    p.add_argument("--workers", type=int, default=2, help="worker processes")
    p.add_argument("--quick", action="store_true", help="tiny smoke-test sizes (overrides the sizes above)")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "identify.md", help="Markdown report")
    p.add_argument("--render-only", action="store_true",
                   help="rebuild the report and plots from the JSON next to --out (same other options), no simulation")
    return p


def build_plan(args: argparse.Namespace) -> Plan:
    """Settings, validity cases and sizes from the parsed arguments (raises ValueError on bad input)."""
    sizes = {k: getattr(args, k) for k in QUICK}
    if args.quick:
        sizes.update(QUICK)
    budgets = tuple(sorted(set(sizes["budgets"])))
    acc = tuple(args.accuracies)
    if len(acc) < 2:
        raise ValueError("--accuracies needs at least two arms")
    if not 0 < args.delta < 1:
        raise ValueError(f"--delta must be in (0, 1), got {args.delta}")
    if min(budgets) < len(acc):
        raise ValueError(f"every budget must be at least the number of arms ({len(acc)})")
    wanted = args.settings
    if wanted is None:
        wanted = SETTING_NAMES if args.matrix.exists() else SETTING_NAMES[:3]
    unknown = set(wanted) - set(SETTING_NAMES)
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)}; choose from {', '.join(SETTING_NAMES)}")
    cap, null_cap = sizes["cap"], sizes["null_cap"]
    if max(budgets) > min(cap, sizes["adaptive_cap"]) and not args.quick:
        raise ValueError("--cap and --adaptive-cap must be at least the largest budget")
    cap = max(cap, max(budgets))
    adaptive_cap = max(sizes["adaptive_cap"], max(budgets))
    indep = Setting("independent", "study-like, independent", acc, args.spread, 0.0, cap=cap)
    catalogue = {
        "independent": indep,
        "correlated": Setting("correlated", f"study-like, correlated (rho {args.rho})", acc, args.spread, args.rho,
                              cap=cap, twin="independent" if "independent" in wanted else None),
        "no-effect": Setting("no-effect", f"no effect ({len(acc)} arms at {args.null_accuracy})",
                             (args.null_accuracy,) * len(acc), args.spread, 0.0, cap=null_cap),
    }
    if "replay" in wanted:
        if not args.matrix.exists():
            raise ValueError(f"replay needs the matrix file {args.matrix}, which does not exist")
        names, table = sim.load_matrix(args.matrix)
        catalogue["replay"] = Setting("replay", f"replay of {args.matrix.name} ({table.shape[0]} arms x "
                                      f"{table.shape[1]} questions)", None, matrix=str(args.matrix), cap=cap,
                                      arm_names=tuple(names))
    settings = [catalogue[name] for name in SETTING_NAMES if name in wanted]
    for k in {len(setting.true_means()) for setting in settings}:
        for budget in budgets:
            for schedule in (halving_schedule, rejects_schedule):
                spent = sum(alive * questions for alive, questions in schedule(k, budget))
                if spent > budget:
                    raise ValueError(f"{schedule.__name__}({k}, {budget}) spends {spent} calls, more than the budget")
    tied = (acc[0],) + (acc[0],) + tuple(acc[2:]) if len(acc) > 2 else (acc[0], acc[0])
    validity_cases = [
        Setting("all-equal", f"{len(acc)} arms all at {args.null_accuracy}", (args.null_accuracy,) * len(acc),
                args.spread, 0.0, cap=sizes["validity_cap"]),
        Setting("tied-top", f"top two tied: {', '.join(f'{a:.2f}' for a in tied)}", tied, args.spread, 0.0,
                cap=sizes["validity_cap"]),
        Setting("two-equal", "2 arms both at 0.60", (0.60, 0.60), args.spread, 0.0, cap=sizes["validity_cap"]),
    ]
    notes = [
        f"reinforce, ucb1 and thompson are simulated call by call (one numpy step per call, all runs at once), "
        f"about 0.1-0.25 ms of CPU per step of 200 runs here, so their fixed-confidence runs stop at "
        f"{fmt_calls(adaptive_cap)} calls instead of {fmt_calls(cap)}. In a separate probe (20 runs of the "
        "independent setting up to 1,000,000 calls) reinforce and thompson never certified: the softmax policy "
        "collapses onto one arm, and Thompson gives the runner-up too few calls for the unpaired test; ucb1 stopped "
        "after 168k-421k calls. Reproduce with `--settings independent --seeds 20 --adaptive-cap 1000000`.",
        f"Thompson draws each arm's posterior exactly (numpy's Beta sampler) while min(alpha, beta) < "
        f"{EXACT_BETA_BELOW}, and from the normal of the same mean and variance beyond (the two then differ by about "
        "1e-3 in distribution); the exact sampler alone would cost several times more.",
        f"No-effect setting: every method is capped at {fmt_calls(null_cap)} calls (every claim there is false; the "
        f"validity section measures the error rate of ours with {sizes['validity_runs']} runs per case). The "
        "anytime guarantee holds at every horizon, so a longer cap can only add the few claims made later.",
        "Every halving and rejects plan on the budget grid spends at most its budget, for every setting's number "
        "of arms (checked before the run).",
    ]
    if "replay" not in wanted:
        notes.append(f"No replay setting: `{args.matrix}` did not exist when this ran. Rerun the same command once it "
                     "does (replay is included automatically).")
    return Plan(settings, validity_cases, sizes["seeds"], sizes["validity_runs"], budgets, args.delta, args.seed,
                adaptive_cap, sizes["validity_cap"], sizes["workers"], args.quick, notes)


def to_json(value: Any) -> Any:
    """JSON-safe copy: infinities as the string "inf", numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else "-inf"
    return value


def from_json(value: Any) -> Any:
    """Inverse of `to_json` for what `render` reads: the strings "inf" and "-inf" become floats again."""
    if isinstance(value, dict):
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if value in ("inf", "-inf"):
        return float(value)
    return value


def write_outputs(plan: Plan, summary: dict[str, Any], target_rows: list[dict[str, Any]], valid: list[dict[str, Any]],
                  explain: dict[str, Any], meta: dict[str, Any], out: Path) -> None:
    """The plots, the Markdown report and (re)the JSON, then the tables on stdout."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for setting in plan.settings:
        if summary[setting.name]["fixed_budget"]:
            plot_setting(out.parent / f"identify-{setting.name}.png", setting, summary[setting.name], plan.budgets,
                         plan.seeds)
    out.write_text(render(plan, summary, target_rows, valid, explain, meta, out))
    payload = {"meta": meta, "quick": plan.quick, "delta": plan.delta, "seeds": plan.seeds,
               "validity_runs": plan.validity_runs, "budgets": list(plan.budgets), "adaptive_cap": plan.adaptive_cap,
               "settings": [{"name": s.name, "title": s.title, "means": s.true_means().tolist(), "spread": s.spread,
                             "rho": s.rho, "matrix": s.matrix, "cap": s.cap, "arm_names": list(s.arm_names)}
                            for s in plan.settings],
               "results": summary, "targets": target_rows, "validity": valid, "predicted": explain}
    out.with_suffix(".json").write_text(json.dumps(to_json(payload), indent=1) + "\n")
    for setting in plan.settings:
        print(f"\n== {setting.name}: fixed confidence\n" + confidence_table(summary[setting.name]))
        if summary[setting.name]["fixed_budget"]:
            print(f"\n== {setting.name}: fixed budget\n" + budget_table(summary[setting.name], plan.budgets))
    print("\n== targets\n" + targets_table(target_rows))
    print("\n== validity\n" + validity_table(valid))


def rerender(plan: Plan, out: Path) -> int:
    """Rebuild report and plots from the JSON a full run wrote (its numbers and metadata are kept as they are)."""
    data = from_json(json.loads(out.with_suffix(".json").read_text()))
    if [s["name"] for s in data["settings"]] != [s.name for s in plan.settings] or data["seeds"] != plan.seeds:
        print("identify: error: --render-only needs the options of the run that wrote the JSON", file=sys.stderr)
        return 2
    write_outputs(plan, data["results"], data["targets"], data["validity"], data["predicted"], data["meta"], out)
    print(f"re-rendered {out} from {out.with_suffix('.json')}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        plan = build_plan(args)
    except ValueError as err:
        print(f"identify: error: {err}", file=sys.stderr)
        return 2
    if args.render_only:
        return rerender(plan, args.out)
    started, load_start = time.perf_counter(), _load()
    jobs = jobs_of(plan)
    print(f"{len(jobs)} jobs, {plan.workers} workers", file=sys.stderr, flush=True)
    results = execute(jobs, plan.workers, lambda line: print(line, file=sys.stderr, flush=True))
    summary = summarise(plan, results)
    target_rows = targets(plan, summary)
    valid = validity(plan, results)
    explain = explanations(plan)
    command = "python bench/identify.py " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    meta = {"command": command.strip(), "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "python": f"CPython {platform.python_version()}", "numpy": np.__version__, "cpus": os.cpu_count(),
            "wall_s": time.perf_counter() - started, "cpu_s": sum(r["cpu"] for r in results.values()),
            "load_start": load_start, "load_end": _load(),
            "job_seconds": {f"{k}/{m}": round(r["out"].seconds, 2) for (k, m), r in results.items()},
            "job_cpu_seconds": {f"{k}/{m}": round(r["cpu"], 2) for (k, m), r in results.items()}}
    out = args.out
    write_outputs(plan, summary, target_rows, valid, explain, meta, out)
    print(f"\nwrote {out}, {out.with_suffix('.json')} in {meta['wall_s']:.0f} s", file=sys.stderr)
    return 0


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
