"""Assembling and verifying the embedded model file."""

from pathlib import Path

import pytest

from promptbandit.backends import embedded
from promptbandit.errors import ModelAssetError


def test_wrong_chunks_are_refused_and_leave_no_file(tmp_path: Path) -> None:
    parts = []
    for i in range(2):
        part = tmp_path / f"part{i}.bin"
        part.write_bytes(b"not a model" * 100)
        parts.append(part)
    target_dir = tmp_path / "models"
    with pytest.raises(ModelAssetError, match="expected 1d9614638d18"):
        embedded.ensure_embedded_model(target_dir, parts)
    assert not any(target_dir.iterdir())


def test_a_corrupted_cached_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / f"{embedded.MODEL_NAME}.gguf").write_bytes(b"corrupt")
    with pytest.raises(ModelAssetError, match="does not match"):
        embedded.ensure_embedded_model(tmp_path, [])


@pytest.mark.model
def test_installed_chunks_assemble_to_the_published_hash(tmp_path: Path) -> None:
    parts = embedded.part_paths()
    assert sum(p.stat().st_size for p in parts) == embedded.MODEL_BYTES
    path = embedded.ensure_embedded_model(tmp_path, parts)
    assert embedded.file_sha256(path) == embedded.MODEL_SHA256
    # The second call trusts the verified-file stamp instead of hashing again.
    assert embedded.ensure_embedded_model(tmp_path, []) == path
