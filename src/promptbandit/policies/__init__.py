"""Bandit policies over an ordered tuple of arms, and the table that maps config names to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from promptbandit.policies.base import Policy, SetPolicy
from promptbandit.policies.epsilon_greedy import EpsilonGreedy
from promptbandit.policies.identify import CSElimination, SuccessiveHalving, SuccessiveRejects
from promptbandit.policies.reinforce import Reinforce
from promptbandit.policies.thompson import Thompson
from promptbandit.policies.ucb import UCB1
from promptbandit.policies.uniform import Uniform

POLICIES: dict[str, Callable[..., Policy | SetPolicy]] = {
    "reinforce": Reinforce,
    "ucb1": UCB1,
    "thompson": Thompson,
    "epsilon-greedy": EpsilonGreedy,
    "uniform": Uniform,
    "cs-elimination": CSElimination,
    "successive-halving": SuccessiveHalving,
    "successive-rejects": SuccessiveRejects,
}


def make_policy(name: str, n_arms: int, **params: Any) -> Policy | SetPolicy:
    """Build the policy called `name`; `params` are its keyword arguments (learning rate and so on)."""
    return POLICIES[name](n_arms, **params)


__all__ = ["POLICIES", "CSElimination", "EpsilonGreedy", "Policy", "Reinforce", "SetPolicy", "SuccessiveHalving",
           "SuccessiveRejects", "Thompson", "UCB1", "Uniform", "make_policy"]
