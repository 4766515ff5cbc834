"""Small frozen value types shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

AnswerType = Literal["number", "text", "bool", "choice"]
Message = dict[str, str]


@dataclass(frozen=True)
class Arm:
    """One candidate prompt prefix.

    Attributes:
        name: short label shown in tables and plots.
        prefix: the text put before the task; empty for the no-prefix baseline.
        group: optional tag such as "control" or "baseline", used by reports and sanity checks.
    """

    name: str
    prefix: str
    group: str = ""

    @property
    def is_baseline(self) -> bool:
        return not self.prefix


@dataclass(frozen=True)
class Example:
    """One task item with its gold answer.

    Attributes:
        id: stable identifier within the data set.
        prompt: the full user-facing task text (question plus any answer-format instruction).
        answer: the gold answer as text.
        answer_type: how rewards should compare an answer with the gold.
        aliases: other accepted answers.
        meta: free-form extra fields kept for reports.
    """

    id: str
    prompt: str
    answer: str
    answer_type: AnswerType = "number"
    aliases: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class SamplingParams:
    """Generation settings that change a model's answer; all of them go into the cache key."""

    temperature: float = 0.0
    max_tokens: int = 256
    top_p: float = 1.0
    seed: int | None = None


@dataclass(frozen=True)
class Completion:
    """A model's answer and what it cost."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cached: bool = False


@dataclass(frozen=True)
class Score:
    """A reward and how it was reached.

    Attributes:
        value: the reward, usually in [0, 1].
        extracted: the answer read out of the response, if any.
        detail: extra facts such as a judge's verdict and rationale.
    """

    value: float
    extracted: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepRecord:
    """One line of ``steps.jsonl``: what was asked, what came back, the reward and the policy afterwards.

    ``status`` is ``"ok"`` or ``"failed"``; a failed step has ``reward`` None and never updates the policy.

    One line is one model call. ``call`` numbers the lines 0, 1, 2, ...; ``step`` is the step the call
    belongs to: equal to ``call`` when every step evaluates one arm, shared by the ``k`` calls of a paired
    step (one question, ``k`` arms). ``probabilities`` are the policy's after the whole step's update.
    """

    step: int
    arm: int
    arm_name: str
    example_id: str
    prompt: str
    gold: str
    response: str
    extracted: str | None
    reward: float | None
    status: str
    probabilities: tuple[float, ...]
    latency_s: float
    prompt_tokens: int
    completion_tokens: int
    cached: bool
    sample: int = 0
    error: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    call: int = -1

    def __post_init__(self) -> None:
        if self.call < 0:   # logs written before paired steps existed: one call per step
            object.__setattr__(self, "call", self.step)

    def to_json(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["probabilities"] = list(self.probabilities)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StepRecord:
        values = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        values["probabilities"] = tuple(values.get("probabilities", ()))
        return cls(**values)
