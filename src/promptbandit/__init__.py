"""promptbandit: find the prompt prefix that makes a language model do best on a task, as a bandit problem."""

from promptbandit.config import RunConfig, config_from_mapping, load_config
from promptbandit.errors import PromptBanditError
from promptbandit.runner import RunResult, run, run_async
from promptbandit.types import Arm, Example, StepRecord

__all__ = [
    "Arm", "Example", "PromptBanditError", "RunConfig", "RunResult", "StepRecord", "config_from_mapping",
    "load_config", "run", "run_async",
]
