"""The numbers behind the plots and the rollout filter."""

from __future__ import annotations

import doctest

import pytest
from handmade_runs import step

from promptbandit.report import compare, series
from promptbandit.report.series import cumulative_mean, moving_average, outcome, probability_series, reward_series


def test_doctests_of_the_pure_report_modules_pass() -> None:
    for module in (series, compare):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0


def test_outcome_splits_correct_incorrect_and_failed() -> None:
    assert [outcome(step(0, 0, r)) for r in (1.0, 0.5, 0.49, 0.0, None)] == \
        ["correct", "correct", "incorrect", "incorrect", "failed"]


def test_probability_series_starts_uniform_and_follows_the_records() -> None:
    records = [step(0, 0, 1.0, probabilities=(0.6, 0.4)), step(1, 1, 0.0, probabilities=(0.7, 0.3))]
    steps, lines = probability_series(records, 2)
    assert steps == [0, 1, 2]
    assert lines == [[0.5, 0.6, 0.7], [0.5, 0.4, 0.3]]


def test_moving_average_is_a_trailing_window() -> None:
    assert moving_average([0.0, 1.0, 1.0, 1.0, 0.0], 3) == pytest.approx([0.0, 0.5, 2 / 3, 1.0, 2 / 3])
    with pytest.raises(ValueError):
        moving_average([1.0], 0)


def test_reward_series_skips_failed_steps() -> None:
    records = [step(0, 0, 1.0), step(1, 0, None), step(2, 1, 0.0)]
    steps, cumulative, moving, window = reward_series(records, window=2)
    assert steps == [1, 3]
    assert cumulative == cumulative_mean([1.0, 0.0]) == [1.0, 0.5]
    assert moving == [1.0, 0.5] and window == 2
