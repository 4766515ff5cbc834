"""promptbandit: find the prompt prefix that makes a language model do best on a task, as a bandit problem."""

from promptbandit.api import Comparison, Run, compare, load_run, plot, report, summarize
from promptbandit.config import RunConfig, config_from_mapping, load_config
from promptbandit.errors import PromptBanditError
from promptbandit.runner import RunResult, run, run_async
from promptbandit.types import Arm, Example, StepRecord

__all__ = [
    "Arm", "Comparison", "Example", "PromptBanditError", "Run", "RunConfig", "RunResult", "StepRecord", "compare",
    "config_from_mapping", "load_config", "load_run", "plot", "report", "run", "run_async", "summarize",
]
