"""The backend protocol: one async call that answers chat messages."""

from __future__ import annotations

from typing import Any, Protocol

from promptbandit.types import Completion, Message, SamplingParams


class Backend(Protocol):
    """A chat model.

    Attributes:
        model_id: names the model exactly enough to key a cache on it (never contains a secret).
    """

    model_id: str

    async def complete(self, messages: list[Message], params: SamplingParams) -> Completion:
        """Answer `messages`.

        Raises:
            BackendError: the call failed; its `retryable` flag says whether trying again may help.
        """
        ...

    def describe(self) -> dict[str, Any]:
        """Facts for the run manifest (model id, file hash, base URL); never secrets."""
        ...

    async def aclose(self) -> None:
        """Release connections or model memory."""
        ...
