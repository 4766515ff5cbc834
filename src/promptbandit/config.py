"""Run configuration: one frozen, validated object, loaded from YAML/JSON and overridden by CLI options."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from promptbandit.datasets.spec import dataset_spec
from promptbandit.errors import ConfigError
from promptbandit.rewards.spec import reward_spec

PolicyName = Literal["reinforce", "ucb1", "thompson", "epsilon-greedy", "uniform", "cs-elimination",
                     "successive-halving", "successive-rejects"]
PAIRED_POLICIES = ("cs-elimination", "successive-halving", "successive-rejects")
BUDGET_POLICIES = ("successive-halving", "successive-rejects")
DEFAULT_STEPS = 200
PlacementName = Literal["system", "user"]
OnFailure = Literal["continue", "stop"]


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a run. Defaults are the offline no-argument run.

    Attributes:
        name: label used in the default run directory name.
        dataset: ``builtin:arithmetic``, ``hf:<hub id>``, a data file or directory (its format is detected), or
            a mapping with ``source`` plus framing, field-mapping and split options (see `DatasetSpec`).
        arms: arm sets, each a built-in name or a file path.
        baseline: add the no-prefix arm.
        placement: where the prefix goes: the system message or the start of the user message.
        model: ``local`` (the embedded model), ``local:<path.gguf>`` or ``openai:<model name>``.
        base_url: root of an OpenAI-compatible server (with ``openai:`` models).
        api_key_env: name of the environment variable holding the API key.
        temperature, max_tokens: sampling; ``max_tokens`` None takes the data set's own default.
        policy: bandit policy name; ``policy_params`` are its keyword arguments (``lr``, ``c``, ``epsilon``...).
        steps: number of steps; None means 200, or as many as `budget` allows when a budget is set.
        arms_per_step: arms evaluated on each step's question: 1 (one call per step, the original study's
            design), k, or "all"; several arms on one question make paired steps, in which question
            difficulty cancels from comparisons. None: 1, or "all" for the identification policies.
        confidence: stop as soon as one arm is certified best with this confidence (e.g. 0.95) by an
            anytime-valid test; None never stops early. Also sets ``cs-elimination``'s delta.
        budget: model calls for the whole run; fixed-budget policies plan their rounds for it, and no step
            starts that would go past it.
        concurrency: requests in flight at once.
        update_lag: step t is chosen from the policy after steps 0..t-update_lag; None means `concurrency`.
        seed: seeds every random choice.
        out: run directory; None means ``runs/<timestamp>-<name>``.
        cache: SQLite response cache path; None means the user cache directory; "" turns caching off.
        max_attempts: tries per request while errors are retryable.
        on_failure: what a step that still fails after retries does to the run.
        request_timeout: seconds per model request.
        max_calls, max_total_tokens, max_cost: hard caps on requests sent, tokens (prompt + completion) and
            US dollars for the whole run; None means no cap. Never exceeded, at any concurrency.
        prices: USD per million tokens by model name, ``{name: {input: x, output: y}}``; adds to and
            overrides the built-in table (needed for ``max_cost`` on a model it does not know).
        skip_bad_rows: skip malformed data rows (counted and reported) instead of refusing the data set.
        reward: None (the data set's default), a reward name, or a mapping (see `RewardSpec`): judge model,
            gate, pairwise orders, rubric.
    """

    name: str = "run"
    dataset: str | dict[str, Any] = "builtin:arithmetic"
    arms: tuple[str, ...] = ("personas", "controls")
    baseline: bool = False
    placement: PlacementName = "system"
    model: str = "local"
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = 0.0
    max_tokens: int | None = None
    policy: PolicyName = "reinforce"
    policy_params: dict[str, float] = field(default_factory=dict)
    steps: int | None = None
    arms_per_step: int | str | None = None
    confidence: float | None = None
    budget: int | None = None
    concurrency: int = 1
    update_lag: int | None = None
    seed: int = 0
    out: str | None = None
    cache: str | None = None
    max_attempts: int = 4
    on_failure: OnFailure = "continue"
    request_timeout: float = 120.0
    max_calls: int | None = None
    max_total_tokens: int | None = None
    max_cost: float | None = None
    prices: dict[str, dict[str, float]] = field(default_factory=dict)
    skip_bad_rows: bool = False
    reward: str | dict[str, Any] | None = None

    def __post_init__(self) -> None:
        for name, allowed in (("policy", PolicyName), ("placement", PlacementName), ("on_failure", OnFailure)):
            value = getattr(self, name)
            if value not in get_args(allowed):
                options = ", ".join(get_args(allowed))
                raise ConfigError(f"{name}: {value!r} is not one of {options}")
        for name in ("concurrency", "max_attempts"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name}: must be at least 1, got {getattr(self, name)}")
        for name in ("steps", "max_calls", "max_total_tokens", "budget"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ConfigError(f"{name}: must be at least 1, got {getattr(self, name)}")
        if self.max_cost is not None and not self.max_cost > 0:
            raise ConfigError(f"max_cost: must be a positive number of US dollars, got {self.max_cost}")
        if not self.request_timeout > 0:
            raise ConfigError(f"request_timeout: must be a positive number of seconds, got {self.request_timeout}")
        for model, price in self.prices.items():
            if not isinstance(price, dict) or set(price) != {"input", "output"} or not all(
                    isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in price.values()):
                raise ConfigError(f"prices: {model!r} must be {{input: <USD per 1M tokens>, output: <USD per 1M tokens>}}")
        if self.update_lag is not None and self.update_lag < 1:
            raise ConfigError(f"update_lag: must be at least 1, got {self.update_lag}")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ConfigError(f"max_tokens: must be at least 1, got {self.max_tokens}")
        if not 0.0 <= self.temperature <= 2.0:
            raise ConfigError(f"temperature: must be between 0 and 2, got {self.temperature}")
        if not self.arms:
            raise ConfigError("arms: give at least one arm set")
        dataset_spec(self.dataset)
        reward_spec(self.reward)
        if not (self.model == "local" or self.model.startswith(("local:", "openai:"))):
            raise ConfigError(f"model: {self.model!r} must be 'local', 'local:<file.gguf>' or 'openai:<model>'")

        if self.arms_per_step is not None and self.arms_per_step != "all" and (
                isinstance(self.arms_per_step, bool) or not isinstance(self.arms_per_step, int) or self.arms_per_step < 1):
            raise ConfigError(f"arms_per_step: must be a whole number of at least 1 or 'all', got {self.arms_per_step!r}")
        if self.confidence is not None and not 0.0 < self.confidence < 1.0:
            raise ConfigError(f"confidence: must be between 0 and 1 (for example 0.95), got {self.confidence}")
        if self.policy in BUDGET_POLICIES and self.budget is None:
            raise ConfigError(f"budget: policy {self.policy} plans its rounds for a budget of model calls; give budget")
        if self.policy in PAIRED_POLICIES and self.arms_per_step == 1:
            raise ConfigError(f"arms_per_step: policy {self.policy} compares arms on shared questions; it needs at "
                              "least 2 arms per step (or leave arms_per_step unset)")

    @property
    def step_limit(self) -> int:
        """The most steps the run may take."""
        if self.steps is not None:
            return self.steps
        return self.budget if self.budget is not None else DEFAULT_STEPS

    def per_step(self, n_arms: int) -> int:
        """Arms evaluated on each step's question."""
        value = self.arms_per_step
        if value is None:
            value = "all" if self.policy in PAIRED_POLICIES else 1
        return n_arms if value == "all" else min(int(value), n_arms)

    @property
    def lag(self) -> int:
        return self.update_lag or self.concurrency

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["arms"] = list(self.arms)
        return data


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,), "dataset": (str, dict), "arms": (list, str), "baseline": (bool,), "placement": (str,),
    "model": (str,), "base_url": (str, type(None)), "api_key_env": (str,), "temperature": (int, float),
    "max_tokens": (int, type(None)), "policy": (str,), "policy_params": (dict,), "steps": (int, type(None)),
    "arms_per_step": (int, str, type(None)), "confidence": (int, float, type(None)), "budget": (int, type(None)),
    "concurrency": (int,), "update_lag": (int, type(None)), "seed": (int,), "out": (str, type(None)),
    "cache": (str, type(None)), "max_attempts": (int,), "on_failure": (str,), "request_timeout": (int, float),
    "max_calls": (int, type(None)), "max_total_tokens": (int, type(None)), "max_cost": (int, float, type(None)),
    "prices": (dict,), "skip_bad_rows": (bool,),
    "reward": (str, dict, type(None)),
}


def config_from_mapping(data: dict[str, Any], source: str = "config") -> RunConfig:
    """Validate a mapping (from a file or code) and build a RunConfig.

    Raises:
        ConfigError: an unknown key, a value of the wrong type, or a value out of range; the message
            names the source and the field.
    """
    allowed = {f.name for f in fields(RunConfig)}
    for key, value in data.items():
        if key not in allowed:
            raise ConfigError(f"{source}: unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
        types = _FIELD_TYPES[key]
        if isinstance(value, bool) and bool not in types:
            raise ConfigError(f"{source}: {key} must be {_type_names(types)}, got {value!r}")
        if not isinstance(value, types):
            raise ConfigError(f"{source}: {key} must be {_type_names(types)}, got {value!r}")
    values = dict(data)
    if "arms" in values:
        arms = values["arms"]
        arms = [a.strip() for a in arms.split(",")] if isinstance(arms, str) else arms
        if not all(isinstance(a, str) and a for a in arms):
            raise ConfigError(f"{source}: arms must be a list of arm set names or file paths")
        values["arms"] = tuple(arms)
    if "policy_params" in values:
        params = values["policy_params"]
        if not all(isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool)
                   for k, v in params.items()):
            raise ConfigError(f"{source}: policy_params must map names to numbers")
    try:
        return RunConfig(**values)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _type_names(types: tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false", list: "a list",
             dict: "a mapping", type(None): "null"}
    return " or ".join(dict.fromkeys(names[t] for t in types))


def load_config(path: Path) -> RunConfig:
    """Read a YAML or JSON config file.

    Raises:
        ConfigError: the file is missing, not parseable, not a mapping, or fails validation.
    """
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        detail = str(exc).strip().splitlines()
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise ConfigError(f"{path}: not valid {kind}: {detail[0] if detail else exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return config_from_mapping(data, source=str(path))


def with_overrides(config: RunConfig, overrides: dict[str, Any]) -> RunConfig:
    """Apply the options given on the command line (None means 'not given')."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if not given:
        return config
    try:
        return replace(config, **given)
    except ConfigError as exc:
        raise ConfigError(f"command line: {exc}") from None
