"""Any OpenAI-compatible chat API (OpenAI, vLLM, Ollama, Together, llama.cpp server) via the official SDK."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import openai

from promptbandit.errors import BackendError, ConfigError
from promptbandit.types import Completion, Message, SamplingParams

# Local servers accept any key; the SDK insists on one, so send this when none is configured.
_NO_KEY = "no-key"


def public_url(url: str | None) -> str | None:
    """`url` without user info, query or fragment, so it can be logged and used in cache keys."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def read_api_key(env_name: str, base_url: str | None) -> str:
    """Read the key from the environment variable `env_name`.

    A missing key is an error only for OpenAI itself (no `base_url`); local servers get a placeholder.
    """
    key = os.environ.get(env_name, "").strip()
    if key:
        return key
    if base_url is None:
        raise ConfigError(f"no API key: set the environment variable {env_name} (or pass --base-url for a local server)")
    return _NO_KEY


class OpenAIBackend:
    """Chat completions over HTTP. The SDK's own retries are off; `Retrying` decides what to retry.

    Args:
        model: the model name the server knows.
        base_url: server root such as ``http://127.0.0.1:8080/v1``; None for api.openai.com.
        api_key: the secret; kept only inside the SDK client.
        timeout: seconds per request.
    """

    def __init__(self, model: str, *, base_url: str | None, api_key: str, timeout: float = 120.0) -> None:
        self.model = model
        self.base_url = base_url
        self.model_id = f"openai:{model}@{public_url(base_url) or 'api.openai.com'}"
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)
        # What a server sends back (error text, even a reply) may echo the key; it is cut out before anything
        # is logged, cached or shown. Placeholder keys for local servers are not secrets.
        self._secret = api_key if api_key and api_key != _NO_KEY else None

    def describe(self) -> dict[str, Any]:
        return {"kind": "openai-compatible", "model_id": self.model_id, "model": self.model,
                "base_url": public_url(self.base_url)}

    async def complete(self, messages: list[Message], params: SamplingParams) -> Completion:
        start = time.perf_counter()
        where = public_url(self.base_url) or "api.openai.com"
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": params.temperature,
                                "top_p": params.top_p, "max_tokens": params.max_tokens}
        if params.seed is not None:
            body["seed"] = params.seed
        try:
            # The SDK's generic `post` (its documented way to reach any endpoint) keeps its auth, timeouts and
            # error types but skips the typed-parameter transform and model parsing of
            # `chat.completions.create`, which cost more CPU per request than the rest of a step together
            # (see docs/bench/throughput.md). The answer's shape is checked here instead.
            raw = await self._client.post("/chat/completions", body=body, cast_to=bytes)
        except openai.APIError as exc:
            error = translate_error(exc, where)
            raise BackendError(redact(str(error), self._secret), retryable=error.retryable,
                               retry_after=error.retry_after, status=error.status) from None
        try:
            data = json.loads(raw)
        except ValueError:
            raise BackendError(f"{where}: the server's answer is not valid JSON", retryable=True) from None
        completion = completion_from_json(data, time.perf_counter() - start, where)
        if self._secret and self._secret in completion.text:
            completion = replace(completion, text=redact(completion.text, self._secret))
        return completion

    async def aclose(self) -> None:
        await self._client.close()


def redact(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` replaced by ``[redacted]``.

    >>> redact("echo: Bearer sk-123", "sk-123")
    'echo: Bearer [redacted]'
    """
    return text.replace(secret, "[redacted]") if secret else text


def completion_from_json(data: Any, latency_s: float, where: str) -> Completion:
    """Read text and usage out of a chat-completion body; a body of the wrong shape is a retryable error.

    >>> completion_from_json({"choices": [{"message": {"content": "4"}}], "usage": {"prompt_tokens": 9,
    ...     "completion_tokens": 1}}, 0.1, "here").text
    '4'
    """
    try:
        choices = data.get("choices") if isinstance(data, dict) else None
        if not choices:
            raise BackendError(f"{where}: the server answered with no choices", retryable=True)
        text = choices[0]["message"].get("content")
        usage = data.get("usage") or {}
        prompt_tokens = int(usage.get("prompt_tokens") or 0)
        completion_tokens = int(usage.get("completion_tokens") or 0)
    except (AttributeError, TypeError, ValueError, IndexError, KeyError):
        raise BackendError(f"{where}: the server's answer is not a chat completion", retryable=True) from None
    if text is not None and not isinstance(text, str):
        raise BackendError(f"{where}: the server's answer has non-text content", retryable=True)
    return Completion(text=text or "", prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                      latency_s=latency_s)


def translate_error(exc: openai.APIError, where: str) -> BackendError:
    """Map an SDK error to a one-line BackendError that says whether a retry may help."""
    if isinstance(exc, openai.APITimeoutError):
        return BackendError(f"{where}: request timed out", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return BackendError(f"{where}: cannot connect to the server", retryable=True)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        retry_after = _retry_after(exc.response.headers.get("retry-after"))
        message = _status_message(exc)
        if status == 401:
            return BackendError(f"{where}: authentication failed (HTTP 401); check the API key variable", status=401)
        retryable = status in (408, 409, 429) or status >= 500
        return BackendError(f"{where}: HTTP {status}: {message}", retryable=retryable, retry_after=retry_after,
                            status=status)
    # Malformed bodies and other protocol surprises: a retry may get a good answer.
    return BackendError(f"{where}: bad response from the server ({type(exc).__name__})", retryable=True)


def _status_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"].strip().splitlines()[0][:200]
        if isinstance(inner, str):
            return inner[:200]
    return exc.message.strip().splitlines()[0][:200] if exc.message else "error"


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
