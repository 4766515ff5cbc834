"""What the config's ``reward`` value means, and the dict of constructors that builds the reward."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Literal, get_args

from promptbandit.backends.base import Backend
from promptbandit.errors import ConfigError
from promptbandit.rewards.base import Reward
from promptbandit.rewards.choice import ChoiceMatch
from promptbandit.rewards.combine import Gated
from promptbandit.rewards.exact import NumericMatch
from promptbandit.rewards.judge import DEFAULT_RUBRIC, PairwiseJudge, RubricJudge
from promptbandit.rewards.short_answer import ShortAnswerMatch
from promptbandit.rewards.true_false import TrueFalseMatch
from promptbandit.types import SamplingParams

RewardName = Literal["numeric", "short_answer", "true_false", "choice", "judge_pairwise", "judge_rubric"]
JUDGE_REWARDS = ("judge_pairwise", "judge_rubric")


@dataclass(frozen=True)
class RewardSpec:
    """Which reward scores a step.

    Attributes:
        name: a reward name; None uses the data set's default (numeric, short_answer, true_false or choice).
        gate: optional reward that must give full marks before `name` is asked (else the step scores 0).
        judge_model: model spec of the judge (``local``, ``local:<gguf>``, ``openai:<model>``); None: the run's.
        judge_base_url, judge_api_key_env: the judge's server and key variable, when it differs from the run's.
        orders: pairwise judge: ``both`` presentation orders, or one ``random`` order recorded per step.
        rubric: rubric judge: what a good answer is.
        judge_max_tokens: generation limit for the judge's reply.
    """

    name: RewardName | None = None
    gate: RewardName | None = None
    judge_model: str | None = None
    judge_base_url: str | None = None
    judge_api_key_env: str | None = None
    orders: Literal["both", "random"] = "both"
    rubric: str = DEFAULT_RUBRIC
    judge_max_tokens: int = 160

    def __post_init__(self) -> None:
        for key in ("name", "gate"):
            value = getattr(self, key)
            if value is not None and value not in get_args(RewardName):
                raise ConfigError(f"reward.{key}: {value!r} is not one of {', '.join(get_args(RewardName))}")
        if self.orders not in ("both", "random"):
            raise ConfigError(f"reward.orders: {self.orders!r} is not one of both, random")
        if self.judge_max_tokens < 1:
            raise ConfigError("reward.judge_max_tokens: must be at least 1")

    @property
    def uses_judge(self) -> bool:
        return self.name in JUDGE_REWARDS or self.gate in JUDGE_REWARDS


def reward_spec(value: str | dict[str, Any] | None) -> RewardSpec:
    """Read the config's ``reward``: None, a reward name, or a mapping of `RewardSpec` fields."""
    if value is None or isinstance(value, str):
        return RewardSpec(name=value)  # type: ignore[arg-type]
    allowed = {f.name for f in fields(RewardSpec)}
    for key, item in value.items():
        if key not in allowed:
            raise ConfigError(f"reward: unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
        expected: type | tuple[type, ...] = int if key == "judge_max_tokens" else (str, type(None))
        if isinstance(item, bool) or not isinstance(item, expected):
            raise ConfigError(f"reward.{key}: wrong type {type(item).__name__} ({item!r})")
    return RewardSpec(**value)


@dataclass(frozen=True)
class RewardContext:
    """What reward constructors may need: the answering backend, the judge backend, sampling and the seed."""

    policy: Backend | None = None
    judge: Backend | None = None
    params: SamplingParams = SamplingParams()
    seed: int = 0


def _judge(ctx: RewardContext) -> Backend:
    if ctx.judge is None:
        raise ConfigError("reward: a judge reward needs a judge model")
    return ctx.judge


def _pairwise(spec: RewardSpec, ctx: RewardContext) -> Reward:
    if ctx.policy is None:
        raise ConfigError("reward: judge_pairwise needs the answering model for the no-prefix reference")
    return PairwiseJudge(policy=ctx.policy, judge=_judge(ctx), params=ctx.params,
                         judge_params=SamplingParams(max_tokens=spec.judge_max_tokens), orders=spec.orders,
                         seed=ctx.seed)


REWARDS: dict[str, Callable[[RewardSpec, RewardContext], Reward]] = {
    "numeric": lambda spec, ctx: NumericMatch(),
    "short_answer": lambda spec, ctx: ShortAnswerMatch(),
    "true_false": lambda spec, ctx: TrueFalseMatch(),
    "choice": lambda spec, ctx: ChoiceMatch(),
    "judge_pairwise": _pairwise,
    "judge_rubric": lambda spec, ctx: RubricJudge(
        judge=_judge(ctx), judge_params=SamplingParams(max_tokens=spec.judge_max_tokens), rubric=spec.rubric),
}


def build_reward(spec: RewardSpec, default: str, ctx: RewardContext) -> Reward:
    """The reward `spec` names (or the data set's `default`), behind its gate when one is given."""
    reward = REWARDS[spec.name or default](spec, ctx)
    if spec.gate is not None:
        return Gated(gate=REWARDS[spec.gate](spec, ctx), scorer=reward)
    return reward
