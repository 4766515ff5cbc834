"""Each policy's update rule against values computed by hand."""

import math

import numpy as np
import pytest

from promptbandit.config import PAIRED_POLICIES
from promptbandit.policies import POLICIES, UCB1, EpsilonGreedy, Reinforce, Thompson, Uniform


def test_reinforce_first_update_has_no_advantage() -> None:
    policy = Reinforce(3, lr=0.5)
    policy.update(0, 1.0)
    assert np.allclose(policy.preferences, [0, 0, 0])


def test_reinforce_update_matches_hand_computation() -> None:
    policy = Reinforce(3, lr=0.5)
    policy.update(0, 1.0)  # baseline now 1.0
    policy.update(1, 0.0)  # advantage -1, pi = 1/3 each: h1 -= 0.5*(2/3), others += 0.5*(1/3)
    assert np.allclose(policy.preferences, [1 / 6, -1 / 3, 1 / 6])
    # baseline = 0.5; arm 2 gets reward 1 -> advantage 0.5
    pi = np.exp([1 / 6, -1 / 3, 1 / 6]) / np.exp([1 / 6, -1 / 3, 1 / 6]).sum()
    policy.update(2, 1.0)
    expected = np.array([1 / 6, -1 / 3, 1 / 6]) + 0.5 * 0.5 * (np.array([0, 0, 1]) - pi)
    assert np.allclose(policy.preferences, expected)
    assert math.isclose(policy.probabilities().sum(), 1.0)


def test_reinforce_moves_probability_toward_the_rewarded_arm() -> None:
    policy = Reinforce(2, lr=0.2)
    for _ in range(50):
        policy.update(0, 1.0)
        policy.update(1, 0.0)
    assert policy.probabilities()[0] > 0.9


def test_ucb1_pulls_every_arm_once_in_some_order_then_uses_the_bound() -> None:
    policy = UCB1(3)
    rng = np.random.default_rng(0)
    first = set()
    for _ in range(3):
        arm = policy.select(rng)
        first.add(arm)
        policy.update(arm, {0: 1.0, 1: 0.0, 2: 0.5}[arm])
    assert first == {0, 1, 2}
    bonus = math.sqrt(2 * math.log(3) / 1)
    assert np.allclose(policy.indices(), [1 + bonus, 0 + bonus, 0.5 + bonus])
    assert policy.select(rng) == 0
    assert np.allclose(policy.probabilities(), [1, 0, 0])


def test_ucb1_index_uses_counts() -> None:
    policy = UCB1(2, c=0.5)
    for reward in (1.0, 0.0, 1.0):
        policy.update(0, reward)
    policy.update(1, 0.0)
    expected0 = 2 / 3 + 0.5 * math.sqrt(2 * math.log(4) / 3)
    expected1 = 0.0 + 0.5 * math.sqrt(2 * math.log(4) / 1)
    assert np.allclose(policy.indices(), [expected0, expected1])


def test_thompson_beta_posterior_probabilities_match_the_closed_form() -> None:
    policy = Thompson(2)
    for reward in (1.0, 1.0, 0.0):
        policy.update(0, reward)  # Beta(3, 2)
    policy.update(1, 0.0)  # Beta(1, 2)
    # P(X > Y) for X~Beta(3,2), Y~Beta(1,2): integral computed by hand = 0.8
    probs = policy.probabilities()
    assert probs[0] == pytest.approx(0.8, abs=0.03)
    assert policy.binary


def test_thompson_switches_to_gaussian_for_fractional_rewards() -> None:
    policy = Thompson(2)
    policy.update(0, 0.7)
    policy.update(1, 0.2)
    assert not policy.binary
    assert policy.variance() == pytest.approx((0.7 - 0.45) ** 2 * 2)
    assert policy.probabilities()[0] > 0.5


def test_thompson_select_is_reproducible_with_the_same_seed() -> None:
    a, b = Thompson(4), Thompson(4)
    picks_a = [a.select(np.random.default_rng(7)) for _ in range(3)]
    picks_b = [b.select(np.random.default_rng(7)) for _ in range(3)]
    assert picks_a == picks_b


def test_epsilon_greedy_probabilities() -> None:
    policy = EpsilonGreedy(4, epsilon=0.2)
    for arm, reward in ((0, 0.0), (1, 1.0), (2, 0.0), (3, 0.5)):
        policy.update(arm, reward)
    assert np.allclose(policy.probabilities(), [0.05, 0.85, 0.05, 0.05])


def test_epsilon_greedy_tries_unpulled_arms_first() -> None:
    policy = EpsilonGreedy(3, epsilon=0.0)
    policy.update(0, 1.0)
    assert np.allclose(policy.probabilities(), [0, 0.5, 0.5])


def test_uniform_is_uniform_and_learns_nothing() -> None:
    policy = Uniform(5)
    policy.update(2, 1.0)
    assert np.allclose(policy.probabilities(), 0.2)


@pytest.mark.parametrize("name", sorted(set(POLICIES) - set(PAIRED_POLICIES)))
def test_every_policy_is_reproducible_under_a_seed(name: str) -> None:
    def picks(seed: int) -> list[int]:
        policy = POLICIES[name](4)
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(30):
            arm = policy.select(rng)
            policy.update(arm, float(arm == 2))
            out.append(arm)
        return out

    assert picks(11) == picks(11)
    assert all(0 <= arm < 4 for arm in picks(3))
