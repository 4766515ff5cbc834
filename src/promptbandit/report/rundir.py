"""Read a run directory into one object: manifest, arms, step records, summary and (when present) validation.

This is the only place in report/ that reads files. It never writes and never runs a model, so it works on a
finished run, an interrupted one (no summary yet: it is computed from the steps) and a run still in progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptbandit import analysis
from promptbandit.config import RunConfig, config_from_mapping
from promptbandit.errors import RunDirError
from promptbandit.store import MANIFEST, STEPS, SUMMARY, read_json, read_steps
from promptbandit.types import Arm, StepRecord

VALIDATION = "validation.json"
REPORT = "report.html"


@dataclass(frozen=True)
class Run:
    """Everything a run directory holds, as objects.

    Attributes:
        path: the run directory.
        manifest: the parsed ``manifest.json`` (resolved config, seed, model, data set, versions).
        arms: the arms in index order.
        records: the step records in step order.
        summary: ``summary.json``, or the same summary computed from the records when the file is absent.
        validation: ``validation.json`` when the run has been validated, else None.
    """

    path: Path
    manifest: dict[str, Any]
    arms: tuple[Arm, ...]
    records: tuple[StepRecord, ...]
    summary: dict[str, Any]
    validation: dict[str, Any] | None = None

    @property
    def config(self) -> RunConfig:
        """The run's configuration as a `RunConfig` (validated again, so it can be edited and rerun)."""
        return config_from_mapping(dict(self.manifest.get("config", {})), source=str(self.path / MANIFEST))

    @property
    def name(self) -> str:
        """The run's name from its config, or the directory name."""
        return str(self.manifest.get("config", {}).get("name") or self.path.name)

    @property
    def dataset(self) -> str:
        """The data set's source as given in the config (``builtin:arithmetic``, a path, ``hf:...``)."""
        return str(self.manifest.get("dataset", {}).get("source") or self.manifest.get("config", {}).get("dataset", "?"))

    @property
    def model(self) -> str:
        """The model's id from the manifest, falling back to the configured model name."""
        return str(self.manifest.get("model", {}).get("model_id") or self.manifest.get("config", {}).get("model", "?"))


def load_run(path: str | Path) -> Run:
    """Read the run directory at `path`.

    Raises:
        RunDirError: the directory or its manifest is missing, or a file in it is malformed.
    """
    run_dir = Path(path)
    if not run_dir.is_dir():
        raise RunDirError(f"{run_dir} is not a run directory (no such directory)")
    if not (run_dir / MANIFEST).is_file():
        raise RunDirError(f"{run_dir} is not a run directory ({MANIFEST} is missing)")
    manifest = read_json(run_dir / MANIFEST)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("arms"), list):
        raise RunDirError(f"{run_dir / MANIFEST}: not a promptbandit manifest (no list of arms)")
    arms = tuple(_arm(run_dir, item) for item in manifest["arms"])
    records = tuple(read_steps(run_dir / STEPS))
    for record in records:
        if not 0 <= record.arm < len(arms):
            raise RunDirError(f"{run_dir / STEPS}: step {record.step} names arm {record.arm}, "
                              f"but the manifest has {len(arms)} arms")
    summary = read_json(run_dir / SUMMARY) if (run_dir / SUMMARY).is_file() else analysis.summarize(arms, records)
    validation = read_json(run_dir / VALIDATION) if (run_dir / VALIDATION).is_file() else None
    if validation is not None and not isinstance(validation, dict):
        raise RunDirError(f"{run_dir / VALIDATION}: expected a JSON object")
    return Run(run_dir, manifest, arms, records, summary, validation)


def _arm(run_dir: Path, item: Any) -> Arm:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise RunDirError(f"{run_dir / MANIFEST}: an arm entry has no name: {item!r}")
    return Arm(name=item["name"], prefix=str(item.get("prefix", "")), group=str(item.get("group", "")))
