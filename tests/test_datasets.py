"""Loading data sets: the real GSM8K file, the built-in set, and malformed rows."""

from pathlib import Path

import pytest

from promptbandit.datasets import BUILTIN, load_dataset
from promptbandit.errors import DatasetError

GSM8K = Path(__file__).resolve().parents[2] / "shared" / "data" / "gsm8k" / "test.jsonl"


@pytest.mark.skipif(not GSM8K.is_file(), reason="shared data not present beside the checkout")
def test_real_gsm8k_file_loads_with_gold_numbers() -> None:
    dataset = load_dataset(str(GSM8K))
    assert len(dataset.examples) == 1319
    first = dataset.examples[0]
    assert first.answer == "18" and first.id == "test-1"
    assert "Answer: <number>" in first.prompt
    assert all("," not in e.answer for e in dataset.examples)
    assert dataset.sha256 and len(dataset.sha256) == 64


def test_builtin_set_has_no_answer_42() -> None:
    dataset = load_dataset(BUILTIN)
    assert len(dataset.examples) == 120
    assert all(e.answer != "42" for e in dataset.examples)
    assert load_dataset(BUILTIN).examples == dataset.examples


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ('{"question": "q", "answer": "#### 1"}\n{"question": "q2", "answer": "#### 2"\n', ":2: not valid JSON"),
        ('{"question": "q", "answer": "no hashes"}\n', ":1: field 'answer' must end with '#### <number>'"),
        ('{"answer": "#### 3"}\n', ":1: field 'question' must be a non-empty string"),
        ('[1, 2]\n', ":1: expected a JSON object"),
    ],
)
def test_malformed_rows_name_file_and_line(tmp_path: Path, lines: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(lines)
    with pytest.raises(DatasetError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        load_dataset(str(path))


def test_missing_file_and_unknown_sources() -> None:
    with pytest.raises(DatasetError, match="data file not found"):
        load_dataset("/nope/test.jsonl")
    with pytest.raises(DatasetError, match="unknown built-in"):
        load_dataset("builtin:poetry")
    with pytest.raises(DatasetError, match="expected a .jsonl file"):
        load_dataset("data.parquet")


def test_hub_source_without_network_or_library_is_one_clear_error() -> None:
    with pytest.raises(DatasetError, match="hf:"):
        load_dataset("hf:openai/gsm8k")
