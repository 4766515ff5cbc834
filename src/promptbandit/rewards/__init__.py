"""Rewards: pure extraction and matching helpers, and the async adapters the run loop calls."""

from promptbandit.rewards.base import Reward
from promptbandit.rewards.exact import NumericMatch, score_numeric

__all__ = ["NumericMatch", "Reward", "score_numeric"]
