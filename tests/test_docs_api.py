"""The Python example in docs/api.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


@pytest.mark.model
def test_api_doc_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = _python_blocks(DOC.read_text(encoding="utf-8"))
    assert blocks, "docs/api.md has no python example"
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - executing our own documentation
    printed = capsys.readouterr().out
    assert "after 6 steps" in printed and "## Best arm per run" in printed
    for made in ("runs/api-demo/report.html", "runs/api-demo/reward.png", "runs/compare.md", "runs/compare.csv"):
        assert (tmp_path / made).is_file(), made
