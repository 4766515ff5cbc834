"""One small exception tree. The CLI prints any `PromptBanditError` as one line and exits 2."""

from __future__ import annotations


class PromptBanditError(Exception):
    """Base of every error promptbandit raises on purpose; its message is meant for the user."""


class ConfigError(PromptBanditError):
    """A config file or option is missing, malformed or out of range."""


class DatasetError(PromptBanditError):
    """A data set cannot be found or one of its rows is malformed."""


class ArmsError(PromptBanditError):
    """An arms file or built-in arm set is unknown or malformed."""


class ModelAssetError(PromptBanditError):
    """The embedded model file is missing or does not match its published hash."""


class RunDirError(PromptBanditError):
    """A run directory is missing, incomplete or belongs to a different configuration."""


class BackendError(PromptBanditError):
    """A model call failed.

    Attributes:
        retryable: True when the same request may succeed later (timeouts, 429, 5xx, dropped connections).
        retry_after: seconds the server asked us to wait, when it said so.
        status: the HTTP status when the server answered with an error (None: no answer, or not HTTP).
    """

    def __init__(
        self, message: str, *, retryable: bool = False, retry_after: float | None = None, status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
