"""Model backends: the protocol, the real clients, and the wrappers (retry, cache) composed around them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from promptbandit.backends.base import Backend
from promptbandit.backends.cache import CachingBackend
from promptbandit.backends.embedded import MODEL_NAME, MODEL_SHA256, ensure_embedded_model, file_sha256
from promptbandit.backends.llamacpp import LlamaCppBackend
from promptbandit.backends.openai_compat import OpenAIBackend, read_api_key
from promptbandit.backends.retrying import Retrying
from promptbandit.errors import ConfigError


def make_backend(
    model: str, *, cache_dir: Path, base_url: str | None = None, api_key_env: str = "OPENAI_API_KEY",
    timeout: float = 120.0,
) -> Backend:
    """Build the bare backend a model spec names.

    Args:
        model: ``local`` (embedded), ``local:<path.gguf>`` or ``openai:<model>``.
        cache_dir: user cache directory (the embedded model is assembled there).
    """
    if model == "local":
        path = ensure_embedded_model(cache_dir / "models")
        return LlamaCppBackend(path, f"local:{MODEL_NAME}@{MODEL_SHA256[:16]}", file_sha256=MODEL_SHA256)
    if model.startswith("local:"):
        path = Path(model[len("local:"):]).expanduser()
        if not path.is_file():
            raise ConfigError(f"model file not found: {path}")
        digest = _known_hash(path, cache_dir)
        return LlamaCppBackend(path, f"local:{path.stem}@{digest[:16]}", file_sha256=digest)
    if model.startswith("openai:"):
        name = model[len("openai:"):]
        if not name:
            raise ConfigError("model: 'openai:' needs a model name, for example openai:gpt-4o-mini")
        return OpenAIBackend(name, base_url=base_url, api_key=read_api_key(api_key_env, base_url), timeout=timeout)
    raise ConfigError(f"model: {model!r} must be 'local', 'local:<file.gguf>' or 'openai:<model>'")


def _known_hash(path: Path, cache_dir: Path) -> str:
    """SHA-256 of a model file, remembered per (path, size, mtime) so it is computed once."""
    stat = path.stat()
    index_path = cache_dir / "model-hashes.json"
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    try:
        index = json.loads(index_path.read_text())
    except (OSError, json.JSONDecodeError):
        index = {}
    if key not in index:
        index[key] = file_sha256(path)
        cache_dir.mkdir(parents=True, exist_ok=True)
        # Temp file + rename: another run reading the index never sees half of it.
        partial = index_path.with_name(f".{index_path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(index, indent=1))
        os.replace(partial, index_path)
    return str(index[key])


__all__ = ["Backend", "CachingBackend", "LlamaCppBackend", "OpenAIBackend", "Retrying", "make_backend"]
