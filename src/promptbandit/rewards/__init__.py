"""Rewards: pure extraction and matching helpers, and the async adapters the run loop calls."""

from promptbandit.rewards.base import Reward
from promptbandit.rewards.exact import NumericMatch, score_numeric
from promptbandit.rewards.spec import REWARDS, RewardContext, RewardSpec, build_reward, reward_spec

__all__ = ["REWARDS", "NumericMatch", "Reward", "RewardContext", "RewardSpec", "build_reward", "reward_spec",
           "score_numeric"]
