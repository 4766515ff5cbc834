"""Run a GGUF model in process with llama-cpp-python."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from promptbandit.errors import BackendError, ModelAssetError
from promptbandit.types import Completion, Message, SamplingParams


class LlamaCppBackend:
    """A local GGUF model. Calls are run one at a time in a worker thread (llama.cpp is not re-entrant).

    Args:
        model_path: the .gguf file.
        model_id: cache and manifest identity; should include the file hash.
        n_ctx: context window in tokens.
        n_threads: CPU threads for llama.cpp (None: its default).
    """

    def __init__(
        self, model_path: Path, model_id: str, *, n_ctx: int = 4096, n_threads: int | None = None,
        file_sha256: str | None = None,
    ) -> None:
        self.model_path = model_path
        self.model_id = model_id
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.file_sha256 = file_sha256
        self._llm: Any = None
        self._lock = asyncio.Lock()
        self._executor: ThreadPoolExecutor | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "llama.cpp (in process)",
            "model_id": self.model_id,
            "model_file": self.model_path.name,
            "model_sha256": self.file_sha256,
            "n_ctx": self.n_ctx,
        }

    def _load(self) -> Any:
        if self._llm is None:
            try:
                from llama_cpp import Llama  # noqa: PLC0415 - optional extra, loaded on first use
            except ImportError:
                raise ModelAssetError("local models need llama-cpp-python: pip install 'promptbandit[local]'") from None
            try:
                self._llm = Llama(
                    model_path=str(self.model_path), n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False
                )
            except (ValueError, RuntimeError) as exc:
                raise ModelAssetError(f"{self.model_path}: llama.cpp could not load this GGUF ({exc})") from None
        return self._llm

    def _call(self, messages: list[Message], params: SamplingParams) -> Completion:
        llm = self._load()
        start = time.perf_counter()
        try:
            out = llm.create_chat_completion(
                messages=messages,
                temperature=params.temperature,
                top_p=params.top_p,
                max_tokens=params.max_tokens,
                seed=params.seed if params.seed is not None else 0,
            )
        except ValueError as exc:  # e.g. the prompt does not fit the context window
            raise BackendError(f"llama.cpp rejected the request: {exc}", retryable=False) from None
        usage = out.get("usage") or {}
        return Completion(
            text=out["choices"][0]["message"].get("content") or "",
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            latency_s=time.perf_counter() - start,
        )

    async def complete(self, messages: list[Message], params: SamplingParams) -> Completion:
        async with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama.cpp")
            return await asyncio.get_running_loop().run_in_executor(self._executor, self._call, messages, params)

    async def aclose(self) -> None:
        """Free the model, after any generation still running in the worker thread has finished.

        A cancelled request (Ctrl-C) leaves its generation running in the thread; freeing the model under it
        would crash the process, so the thread is drained first.
        """
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        llm, self._llm = self._llm, None
        if llm is not None:
            llm.close()
