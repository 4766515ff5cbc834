"""A response cache in SQLite, wrapped around any backend.

The key is the SHA-256 of canonical JSON of the model id, the messages and every sampling parameter
(``seed`` carries the sample index when temperature > 0). No secret enters the key or the file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from promptbandit.backends.base import Backend
from promptbandit.errors import ConfigError
from promptbandit.types import Completion, Message, SamplingParams

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model_id TEXT NOT NULL,
    text TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    latency_s REAL NOT NULL,
    created REAL NOT NULL
)
"""


def cache_key(model_id: str, messages: list[Message], params: SamplingParams) -> str:
    """Hash of the canonical JSON of everything that determines a response."""
    # vars() equals asdict() for this flat dataclass and is much cheaper (this runs on every request).
    payload = {"model": model_id, "messages": messages, "params": dict(vars(params))}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class CachingBackend:
    """Serve repeated requests from a SQLite file; only misses reach `inner`.

    Attributes:
        hits, misses: counts since this object was made.
    """

    def __init__(self, inner: Backend, path: Path) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"cache file {path} cannot be used: {exc}") from None
        self.hits = 0
        self.misses = 0

    def describe(self) -> dict[str, Any]:
        return self.inner.describe()

    def lookup(self, messages: list[Message], params: SamplingParams) -> Completion | None:
        """The cached completion for this request, or None."""
        row = self._db.execute(
            "SELECT text, prompt_tokens, completion_tokens, latency_s FROM responses WHERE key = ?",
            (cache_key(self.model_id, messages, params),),
        ).fetchone()
        if row is None:
            return None
        return Completion(text=row[0], prompt_tokens=row[1], completion_tokens=row[2], latency_s=row[3], cached=True)

    async def complete(self, messages: list[Message], params: SamplingParams) -> Completion:
        found = self.lookup(messages, params)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        completion = await self.inner.complete(messages, params)
        self._db.execute(
            "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                cache_key(self.model_id, messages, params), self.model_id, completion.text,
                completion.prompt_tokens, completion.completion_tokens, completion.latency_s, time.time(),
            ),
        )
        return replace(completion, cached=False)

    async def aclose(self) -> None:
        self._db.close()
        await self.inner.aclose()
