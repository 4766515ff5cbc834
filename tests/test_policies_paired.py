"""Policies on paired steps (several arms on one question): update rules and schedules against hand-computed values."""

import numpy as np
import pytest

from promptbandit.policies import UCB1, CSElimination, Reinforce, SuccessiveHalving, SuccessiveRejects, Thompson, Uniform
from promptbandit.policies.base import draw_distinct, select_set, top_k, update_set
from promptbandit.policies.identify import halving_schedule, rejects_schedule, schedule_calls, smallest_budget


def test_reinforce_paired_update_uses_the_question_mean_as_baseline() -> None:
    policy = Reinforce(3, lr=0.5)
    policy.update_set([0, 1], [1.0, 0.0])
    # baseline 0.5; step = 0.5 * (e0 - pi) - 0.5 * (e1 - pi) = 0.5 * e0 - 0.5 * e1; times lr 0.5
    assert np.allclose(policy.preferences, [0.25, -0.25, 0.0])
    assert policy.stats.counts.tolist() == [1, 1, 0]


def test_reinforce_paired_update_by_hand_with_unequal_probabilities() -> None:
    policy = Reinforce(3, lr=1.0)
    policy.preferences = np.log(np.array([0.5, 0.25, 0.25]))
    policy.update_set([0, 1, 2], [1.0, 1.0, 0.0])
    pi = np.array([0.5, 0.25, 0.25])
    b = 2 / 3
    expected = np.log(pi) + (1 - b) * (np.eye(3)[0] - pi) + (1 - b) * (np.eye(3)[1] - pi) + (0 - b) * (np.eye(3)[2] - pi)
    assert np.allclose(policy.preferences, expected)


def test_a_question_every_arm_got_equally_right_teaches_reinforce_nothing() -> None:
    policy = Reinforce(4, lr=1.0)
    policy.update_set([0, 1, 2, 3], [1.0, 1.0, 1.0, 1.0])
    assert np.allclose(policy.probabilities(), 0.25)


def test_reinforce_with_one_arm_per_step_is_the_unpaired_rule() -> None:
    paired, plain = Reinforce(3, lr=0.5), Reinforce(3, lr=0.5)
    for arm, reward in [(0, 1.0), (1, 0.0), (2, 1.0), (0, 0.0)]:
        paired.update_set([arm], [reward])
        plain.update(arm, reward)
    assert np.allclose(paired.preferences, plain.preferences)


def test_failed_calls_are_left_out_of_a_paired_update() -> None:
    policy = Reinforce(3, lr=0.5)
    policy.update_set([0, 1, 2], [1.0, None, 0.0])
    assert np.allclose(policy.preferences, [0.25, 0.0, -0.25])
    assert policy.stats.counts.tolist() == [1, 0, 1]


def test_draw_distinct_gives_k_different_arms_and_follows_the_probabilities() -> None:
    rng = np.random.default_rng(0)
    probs = np.array([0.7, 0.1, 0.1, 0.1])
    firsts = 0
    for _ in range(500):
        arms = draw_distinct(probs, 2, rng)
        assert len(set(arms)) == 2
        firsts += 0 in arms
    assert firsts > 400          # arm 0 is in nearly every pair


def test_draw_distinct_fills_with_zero_probability_arms_last() -> None:
    arms = draw_distinct(np.array([0.0, 1.0, 0.0]), 2, np.random.default_rng(3))
    assert 1 in arms and len(arms) == 2


def test_top_k_breaks_ties_at_random_but_keeps_the_largest() -> None:
    values = np.array([0.5, 0.9, 0.5, 0.5])
    seen = {top_k(values, 2, np.random.default_rng(seed)) for seed in range(30)}
    assert all(1 in pair for pair in seen) and len(seen) == 3


def test_ucb1_and_thompson_pick_their_top_k() -> None:
    ucb = UCB1(3)
    for arm, reward in [(0, 1.0), (1, 0.0), (2, 0.0), (0, 1.0), (1, 0.0), (2, 1.0)]:
        ucb.update(arm, reward)
    order = np.argsort(-ucb.indices())
    assert select_set(ucb, np.random.default_rng(0), 2) == tuple(sorted(order[:2].tolist()))
    ts = Thompson(3)
    for _ in range(200):
        update_set(ts, [0, 1, 2], [1.0, 0.0, 0.0])
    assert 0 in select_set(ts, np.random.default_rng(1), 2)


def test_uniform_falls_back_to_distinct_draws() -> None:
    arms = select_set(Uniform(5), np.random.default_rng(2), 3)
    assert len(arms) == 3 and len(set(arms)) == 3


def test_halving_schedule_by_hand() -> None:
    assert halving_schedule(10, 4000) == [(10, 100), (5, 200), (3, 333), (2, 500)]
    assert sum(alive * n for alive, n in halving_schedule(10, 4000)) <= 4000


def test_rejects_schedule_by_hand() -> None:
    # logbar(4) = 1/2 + 1/2 + 1/3 + 1/4; n_k = floor((100 - 4) / (logbar * (5 - k))) = 15, 20, 30
    assert rejects_schedule(4, 100) == [(4, 15), (3, 5), (2, 10)]
    assert sum(alive * n for alive, n in rejects_schedule(4, 100)) <= 100


@pytest.mark.parametrize("schedule", [halving_schedule, rejects_schedule])
def test_schedules_never_spend_more_than_the_budget(schedule) -> None:
    for arms in (2, 3, 5, 9, 10, 16):
        for budget in range(smallest_budget(schedule, arms), 400):
            plan = schedule(arms, budget)
            assert schedule_calls(plan) <= budget and plan[0] == (arms, plan[0][1]) and plan[0][1] >= 1


def _feed(policy, rewards_of, steps: int, rng) -> list[tuple[int, ...]]:
    chosen = []
    for _ in range(steps):
        if policy.finished():
            break
        arms = policy.select_set(rng, policy.n_arms)
        chosen.append(arms)
        policy.update_set(arms, [rewards_of(a) for a in arms])
    return chosen


def test_successive_halving_keeps_the_better_half_and_stops_when_the_budget_is_spent() -> None:
    policy = SuccessiveHalving(4, budget=40)        # rounds: 4 arms x 5 questions, then 2 arms x 10
    chosen = _feed(policy, lambda a: [0.0, 1.0, 1.0, 0.0][a], 100, np.random.default_rng(0))
    assert chosen == [(0, 1, 2, 3)] * 5 + [(1, 2)] * 10
    assert policy.finished() and policy.recommendation()["arm"] == 1


def test_successive_rejects_drops_the_worst_arm_each_phase() -> None:
    policy = SuccessiveRejects(4, budget=100)
    means = [0.9, 0.1, 0.5, 0.3]
    chosen = _feed(policy, lambda a: means[a], 1000, np.random.default_rng(0))
    assert chosen == [(0, 1, 2, 3)] * 15 + [(0, 2, 3)] * 5 + [(0, 2)] * 10
    assert policy.recommendation()["arm"] == 0


def test_a_tiny_budget_with_empty_phases_asks_exactly_the_planned_questions() -> None:
    policy = SuccessiveRejects(10, budget=35)     # phases of 1, 0, 0, 0, 0, 1, 0, 1, 2 new questions
    chosen = _feed(policy, lambda a: a / 10, 100, np.random.default_rng(0))
    assert sum(len(c) for c in chosen) == schedule_calls(rejects_schedule(10, 35)) <= 35
    assert policy.finished() and policy.recommendation()["arm"] == 9


def test_cs_elimination_drops_clear_losers_first_and_certifies_the_winner() -> None:
    rng = np.random.default_rng(4)
    policy = CSElimination(3, delta=0.05)
    outcome = {0: lambda: 1.0, 1: lambda: 0.0, 2: lambda: float(rng.random() < 0.6)}
    chosen = _feed(policy, lambda a: outcome[a](), 2000, rng)
    assert policy.finished() and policy.recommendation()["arm"] == 0
    assert policy.recommendation()["confidence"] >= 0.95
    sizes = [len(c) for c in chosen]
    assert sizes[0] == 3 and sizes[-1] == 2 and sizes == sorted(sizes, reverse=True)
    assert 1 not in chosen[-1]        # the arm that is always wrong is resolved before the 60% one


def test_cs_elimination_never_stops_on_identical_arms() -> None:
    rng = np.random.default_rng(5)
    policy = CSElimination(3, delta=0.05)
    _feed(policy, lambda a: float(rng.random() < 0.5), 1500, rng)
    assert not policy.finished()


def test_a_budget_too_small_for_the_schedule_is_refused_with_the_smallest_that_fits() -> None:
    # rejects over 10 arms: floor((B - 10) / (logbar(10) * 10)) >= 1 needs B >= 10 + 10 * 2.4290 = 34.29
    with pytest.raises(ValueError, match="needs at least 35 model calls"):
        SuccessiveRejects(10, budget=34)
    SuccessiveRejects(10, budget=smallest_budget(rejects_schedule, 10))
    SuccessiveHalving(10, budget=smallest_budget(halving_schedule, 10))


@pytest.mark.parametrize("make", [lambda: SuccessiveHalving(3, budget=2), lambda: CSElimination(3, delta=1.5)])
def test_bad_identification_parameters_are_refused(make) -> None:
    with pytest.raises(ValueError):
        make()
