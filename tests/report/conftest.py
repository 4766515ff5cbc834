"""Real embedded-model runs shared by the report tests (made once per test session, tiny and cached)."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptbandit import RunConfig, run


def _real_run(out: Path, **settings: object) -> Path:
    run(RunConfig(out=str(out), **settings))  # type: ignore[arg-type]
    return out


@pytest.fixture(scope="session")
def reinforce_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 REINFORCE steps of the default run (builtin arithmetic, personas and controls, embedded model).

    The learning rate is raised from 0.1 to 0.5 so that twelve steps move the probabilities visibly in the plot.
    """
    return _real_run(tmp_path_factory.mktemp("runs") / "reinforce-seed0", steps=12, seed=0, name="reinforce",
                     policy_params={"lr": 0.5})


@pytest.fixture(scope="session")
def three_runs(tmp_path_factory: pytest.TempPathFactory, reinforce_run: Path) -> list[Path]:
    """The REINFORCE run plus UCB1 and Thompson runs with other seeds."""
    base = tmp_path_factory.mktemp("more-runs")
    return [
        reinforce_run,
        _real_run(base / "ucb1-seed1", steps=10, seed=1, policy="ucb1", name="ucb1"),
        _real_run(base / "thompson-seed2", steps=8, seed=2, policy="thompson", name="thompson"),
    ]
