"""Every experiment preset runs end to end with the embedded model on the real data, then validates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptbandit import runner
from promptbandit.config import load_config, with_overrides
from promptbandit.datasets import load_dataset
from promptbandit.validation import VALIDATION, validate

ROOT = Path(__file__).resolve().parents[1]
PRESETS = sorted((ROOT / "experiments").glob("*.yaml"))
NAMES = ["domains-identify", "domains-knowledge-limited", "gsm8k-personas",
         "sanity-controls", "truthfulqa-people", "truthfulqa-traits",
         "ultrafeedback-people", "ultrafeedback-traits"]


def test_every_preset_of_the_study_exists() -> None:
    assert [p.stem for p in PRESETS] == NAMES


@pytest.mark.parametrize("preset", PRESETS, ids=[p.stem for p in PRESETS])
def test_preset_config_loads_and_holds_out_validation_items(preset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    config = load_config(preset)
    assert config.name == preset.stem and config.baseline
    data = load_dataset(config.dataset)
    assert data.validation and not {e.id for e in data.validation} & {e.id for e in data.examples}


@pytest.mark.model
@pytest.mark.parametrize("preset", PRESETS, ids=[p.stem for p in PRESETS])
def test_preset_runs_and_validates_with_the_embedded_model(
    preset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    config = load_config(preset)
    if isinstance(config.dataset, dict) and "max_chars" in config.dataset:
        # UltraFeedback: shorter responses keep the prompts (and this test) small; the framing is unchanged.
        config = with_overrides(config, {"dataset": {**config.dataset, "max_chars": 80}})
    config = with_overrides(config, {"steps": 3, "max_tokens": 8, "out": str(tmp_path / "run")})
    result = runner.run(config)
    assert len({r.step for r in result.records}) == 3
    assert len(result.records) == 3 * config.per_step(len(result.arms))
    assert set(result.summary["unparseable"]) == {arm.name for arm in result.arms}
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    held_out = set(manifest["dataset"]["validation_ids"])
    assert held_out and not held_out & {r.example_id for r in result.records}
    report = validate(result.run_dir, top=1, limit=2)
    assert (result.run_dir / VALIDATION).is_file()
    assert report["items"] == 2 and len(report["arms"]) == 1
    assert {row["id"] for row in report["per_item"]} <= held_out
