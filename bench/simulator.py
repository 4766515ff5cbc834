"""Simulated prompt-prefix bandits for the identification benchmark: pure numpy, vectorised over a batch of runs.

Two environments share one small interface (`Environment`):

- `Synthetic`: a difficulty model. Question ``q`` has difficulty ``b_q ~ Normal(0, spread**2)`` on the logit scale;
  arm ``a`` has a skill ``theta_a`` calibrated (`calibrate_skills`) so that its marginal accuracy
  ``E_q[sigmoid(theta_a - b_q)]`` is the requested one. Given the question, arm ``a`` is right with probability
  ``p_aq = sigmoid(theta_a - b_q)``. With ``rho = 0`` the arms are conditionally independent given the question;
  with ``rho > 0`` a Gaussian copula correlates them further: arm ``a`` is right iff
  ``Phi(sqrt(rho) * W_q + sqrt(1 - rho) * E_aq) < p_aq`` with ``W_q, E_aq ~ Normal(0, 1)`` independent. The copula
  leaves every arm's marginal accuracy unchanged (``Phi(...)`` is uniform), so the calibration holds for any rho.
- `Replay`: a recorded 0/1 (arm x question) matrix; every fresh question is a column drawn uniformly with
  replacement, and the arms' outcomes are that column.

Every run (row of the batch) gets its own random order of the arms (`random_orders`; a `Synthetic` stores the
skills already in that order, a `Replay` keeps ``order[r, i]``, the matrix row at position ``i`` of run ``r``), so
that a rule that breaks ties towards the lowest index, as `promptbandit.confidence.leader` does, favours no
particular arm. Methods only ever see positions; `Environment.means` gives the true accuracy of each position of
each run.

Two ways to ask questions:

- `Environment.paired`: one fresh question per run and step, answered by several arms (the same question for all
  of them), shape ``(steps, runs, arms)``;
- `Environment.unpaired`: every single call gets its own fresh question. For one call the copula has no effect (a
  single ``Phi(...)`` is uniform), so unpaired draws are the same in law for any rho and are drawn without it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

QUADRATURE_NODES = 160
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(QUADRATURE_NODES)
_WEIGHTS = _WEIGHTS / math.sqrt(2 * math.pi)     # so that sum(w * f(x)) = E[f(Z)], Z ~ Normal(0, 1)


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    """The logistic function, without overflow for large ``|x|``."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def normal_cdf(x: np.ndarray | float) -> np.ndarray:
    """Standard normal CDF through a Chebyshev-fitted erfc (fractional error below 1.2e-7 everywhere)."""
    z = np.abs(np.asarray(x, dtype=float)) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (
        0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    half_erfc = 0.5 * t * np.exp(-z * z + poly)     # = 1 - Phi(|x|)
    return np.where(np.asarray(x) >= 0, 1.0 - half_erfc, half_erfc)


def marginal_accuracy(skills: np.ndarray | float, spread: float) -> np.ndarray:
    """``E_b[sigmoid(skill - b)]`` for ``b ~ Normal(0, spread**2)``, by Gauss-Hermite quadrature."""
    s = np.asarray(skills, dtype=float)
    return np.tensordot(sigmoid(s[..., None] - spread * _NODES), _WEIGHTS, axes=([-1], [0]))


def calibrate_skills(accuracies: np.ndarray | list[float], spread: float, *, steps: int = 200) -> np.ndarray:
    """Skills whose marginal accuracy under difficulty spread `spread` equals `accuracies`, by bisection.

    The marginal accuracy is strictly increasing in the skill, so bisection on a bracket wide enough for any
    accuracy in (0, 1) converges to the float nearest the root within `steps` halvings.

    Raises:
        ValueError: when an accuracy is not strictly between 0 and 1.
    """
    acc = np.asarray(accuracies, dtype=float)
    if np.any((acc <= 0) | (acc >= 1)):
        raise ValueError(f"accuracies must be strictly between 0 and 1, got {acc.tolist()}")
    width = 40.0 + 12.0 * spread
    lo, hi = np.full(acc.shape, -width), np.full(acc.shape, width)
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        below = marginal_accuracy(mid, spread) < acc
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def true_best(means: np.ndarray) -> np.ndarray:
    """Position of the unique best arm of each run (shape ``means.shape[:-1]``), or -1 where the top is tied."""
    top = means.max(axis=-1, keepdims=True)
    ties = (means == top).sum(axis=-1)
    return np.where(ties == 1, means.argmax(axis=-1), -1)


def random_orders(rng: np.random.Generator, runs: int, n_arms: int, shuffle: bool = True) -> np.ndarray:
    """One random permutation of the arms per run (the identity for every run when `shuffle` is false)."""
    if not shuffle:
        return np.tile(np.arange(n_arms), (runs, 1))
    return np.argsort(rng.random((runs, n_arms)), axis=-1)


class Environment(Protocol):
    """A batch of independent simulated runs of one bandit problem."""

    @property
    def runs(self) -> int:
        """How many runs the batch holds."""
        ...

    @property
    def n_arms(self) -> int:
        """How many arms each run has."""
        ...

    @property
    def means(self) -> np.ndarray:
        """True accuracy of every position of every run, shape ``(runs, n_arms)``."""
        ...

    def paired(self, rng: np.random.Generator, steps: int = 1, arms: np.ndarray | None = None) -> np.ndarray:
        """Outcomes (bool, ``(steps, runs, m)``) of `steps` fresh questions per run, each answered by the `m`
        positions ``arms[r]`` (shape ``(runs, m)``) of run ``r``, or by every arm when `arms` is None."""
        ...

    def unpaired(self, rng: np.random.Generator, arms: np.ndarray) -> np.ndarray:
        """Outcomes (bool, shape of `arms`) of single calls, each on its own fresh question. `arms` holds
        positions and has shape ``(steps, runs)`` or ``(steps, runs, m)``."""
        ...

    def subset(self, rows: np.ndarray) -> Environment:
        """The same problem for the runs `rows` only (an index array or a boolean mask)."""
        ...


def _select(values: np.ndarray, arms: np.ndarray | None) -> np.ndarray:
    """``values[r, arms[r, i]]`` (shape of `arms`), or `values` itself when `arms` is None."""
    return values if arms is None else np.take_along_axis(values, arms, axis=-1)


def _per_run(values: np.ndarray, arms: np.ndarray) -> np.ndarray:
    """``values[r, arms[t, r, ...]]`` for `arms` of shape ``(steps, runs)`` or ``(steps, runs, m)``."""
    rows = np.arange(values.shape[0]).reshape((1, -1) + (1,) * (arms.ndim - 2))
    return values[rows, arms]


@dataclass(frozen=True)
class Synthetic:
    """The difficulty model (see the module doc) for a batch of runs.

    Attributes:
        skills: logit skill of each position of each run, ``(runs, K)``.
        accuracy: true marginal accuracy of each position of each run, ``(runs, K)``.
        spread: standard deviation of the question difficulty (logit scale).
        rho: copula correlation of the arms on one question (0: conditionally independent).
    """

    skills: np.ndarray
    accuracy: np.ndarray
    spread: float
    rho: float

    @property
    def runs(self) -> int:
        return int(self.skills.shape[0])

    @property
    def n_arms(self) -> int:
        return int(self.skills.shape[1])

    @property
    def means(self) -> np.ndarray:
        return self.accuracy

    def paired(self, rng: np.random.Generator, steps: int = 1, arms: np.ndarray | None = None) -> np.ndarray:
        skills = _select(self.skills, arms)
        difficulty = self.spread * rng.standard_normal((steps, self.runs))
        p = sigmoid(skills[None] - difficulty[..., None])
        if self.rho > 0:
            shared = rng.standard_normal((steps, self.runs, 1))
            own = rng.standard_normal(p.shape)
            u = normal_cdf(math.sqrt(self.rho) * shared + math.sqrt(1 - self.rho) * own)
        else:
            u = rng.random(p.shape)
        return u < p

    def unpaired(self, rng: np.random.Generator, arms: np.ndarray) -> np.ndarray:
        p = sigmoid(_per_run(self.skills, arms) - self.spread * rng.standard_normal(arms.shape))
        return rng.random(arms.shape) < p

    def subset(self, rows: np.ndarray) -> Synthetic:
        return Synthetic(self.skills[rows], self.accuracy[rows], self.spread, self.rho)


@dataclass(frozen=True)
class Replay:
    """Questions drawn with replacement from the columns of a recorded 0/1 matrix, for a batch of runs.

    Attributes:
        table: ``(arms, questions)`` booleans, 1 where the arm answered the question correctly.
        order: ``(runs, K)`` arm (row of `table`) at each position of each run.
    """

    table: np.ndarray
    order: np.ndarray

    @property
    def runs(self) -> int:
        return int(self.order.shape[0])

    @property
    def n_arms(self) -> int:
        return int(self.order.shape[1])

    @property
    def means(self) -> np.ndarray:
        return self.table.mean(axis=1)[self.order]

    def paired(self, rng: np.random.Generator, steps: int = 1, arms: np.ndarray | None = None) -> np.ndarray:
        rows = _select(self.order, arms)
        questions = rng.integers(self.table.shape[1], size=(steps, self.runs))
        return self.table[rows[None], questions[..., None]]

    def unpaired(self, rng: np.random.Generator, arms: np.ndarray) -> np.ndarray:
        questions = rng.integers(self.table.shape[1], size=arms.shape)
        return self.table[_per_run(self.order, arms), questions]

    def subset(self, rows: np.ndarray) -> Replay:
        return Replay(self.table, self.order[rows])


def synthetic(accuracies: list[float] | np.ndarray, spread: float, rho: float, runs: int,
              rng: np.random.Generator, *, shuffle: bool = True) -> Synthetic:
    """A `Synthetic` batch of `runs` runs with arms of the given marginal accuracies (in a random order per run).

    Raises:
        ValueError: for an accuracy outside (0, 1), a negative spread or rho outside [0, 1).
    """
    if spread < 0:
        raise ValueError(f"spread must be >= 0, got {spread}")
    if not 0 <= rho < 1:
        raise ValueError(f"rho must be in [0, 1), got {rho}")
    acc = np.asarray(accuracies, dtype=float)
    skills = calibrate_skills(acc, spread)
    order = random_orders(rng, runs, len(acc), shuffle)
    return Synthetic(skills[order], acc[order], float(spread), float(rho))


def replay(correct: np.ndarray, runs: int, rng: np.random.Generator, *, shuffle: bool = True) -> Replay:
    """A `Replay` batch of `runs` runs over the 0/1 matrix `correct` (arms x questions)."""
    table = np.asarray(correct).astype(bool)
    if table.ndim != 2 or table.shape[1] == 0:
        raise ValueError(f"a replay matrix needs shape (arms, questions) with questions > 0, got {table.shape}")
    return Replay(table, random_orders(rng, runs, table.shape[0], shuffle))


def load_matrix(path: Path) -> tuple[list[str], np.ndarray]:
    """Arm names and the ``(arms, questions)`` 0/1 matrix of a recorded matrix file (see bench/record_matrix.py).

    Raises:
        ValueError: when the file does not have one 0/1 row of equal length per arm.
    """
    data = json.loads(Path(path).read_text())
    names = [str(arm["name"]) for arm in data["arms"]]
    rows = data["correct"]
    if len(rows) != len(names) or len({len(row) for row in rows}) != 1:
        raise ValueError(f"{path}: need one row of equal length per arm in 'correct'")
    table = np.asarray(rows)
    if not np.isin(table, (0, 1)).all():
        raise ValueError(f"{path}: 'correct' must hold only 0 and 1")
    if "questions" in data and len(data["questions"]) != table.shape[1]:
        raise ValueError(f"{path}: {len(data['questions'])} questions but rows of length {table.shape[1]}")
    return names, table.astype(bool)
