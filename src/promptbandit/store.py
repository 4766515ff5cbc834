"""The run directory: manifest, append-only steps log, summary and plot, all written safely.

Every whole-file write goes to a temporary file in the same directory and is renamed over the target,
so a reader never sees half a file. ``steps.jsonl`` is only ever appended to, one flushed line per step;
a line cut short by a crash is dropped (and truncated away) when the run is resumed.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from promptbandit.errors import RunDirError
from promptbandit.types import StepRecord

MANIFEST = "manifest.json"
STEPS = "steps.jsonl"
SUMMARY = "summary.json"
POLICY_PLOT = "policy.png"


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write a file through `write(handle)` so that `path` is either the old or the complete new file."""
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would have.
        os.chmod(handle.name, 0o666 & ~_umask())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_json(path: Path, data: Any) -> None:
    """Atomically write pretty, UTF-8 JSON."""
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))


def read_json(path: Path) -> Any:
    """Read a JSON file of a run directory, with a one-line error when it is missing or broken."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunDirError(f"{path} is missing") from None
    except json.JSONDecodeError as exc:
        raise RunDirError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None


def read_steps(path: Path, *, repair: bool = False) -> list[StepRecord]:
    """Read ``steps.jsonl``.

    A last line without its newline (the process died mid-write) is ignored; with `repair` it is also cut
    from the file so appending can go on. Any other malformed line is an error.
    """
    if not path.is_file():
        return []
    raw = path.read_bytes()
    complete_end = raw.rfind(b"\n") + 1
    if repair and complete_end < len(raw):
        with path.open("r+b") as handle:
            handle.truncate(complete_end)
    records = []
    for number, line in enumerate(raw[:complete_end].decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(StepRecord.from_json(json.loads(line)))
        except (json.JSONDecodeError, TypeError, KeyError) as exc:
            raise RunDirError(f"{path}:{number}: malformed step record ({exc})") from None
    for expected, record in enumerate(records):
        if record.call != expected:
            raise RunDirError(f"{path}: call {record.call} found where call {expected} was expected")
    return records


class StepLog:
    """Appends step records to ``steps.jsonl``, one flushed line each."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = path.open("a", encoding="utf-8")

    def append(self, record: StepRecord) -> None:
        self._handle.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> StepLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
