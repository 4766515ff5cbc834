"""Loaders and framings on the real files in ../shared/data: balance, seeded determinism, BOM, both layouts."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from promptbandit.datasets import load_dataset
from promptbandit.datasets.truthfulqa import load_truthfulqa_mc1, load_truthfulqa_tf, read_csv_rows
from promptbandit.datasets.ultrafeedback import load_ultrafeedback_tf
from promptbandit.errors import ConfigError, DatasetError

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TQA_CSV = DATA / "truthfulqa" / "TruthfulQA.csv"
TQA_MC = DATA / "truthfulqa" / "mc_task.json"
UF_ARGILLA = DATA / "ultrafeedback" / "sample.jsonl"
UF_TRL = DATA / "ultrafeedback" / "sample_trl_binarized_eval.jsonl"
DOMAINS = DATA / "domains"
ARC = DATA / "arc_easy" / "ARC-Easy-test.jsonl"


def test_truthfulqa_csv_bom_is_stripped_from_the_first_column() -> None:
    assert TQA_CSV.read_bytes()[:3] == b"\xef\xbb\xbf"
    assert list(read_csv_rows(TQA_CSV)[0])[0] == "Type"


def test_truthfulqa_true_false_is_balanced_and_one_item_per_question() -> None:
    examples = load_truthfulqa_tf(TQA_CSV, seed=3)
    counts = Counter(e.answer for e in examples)
    assert len(examples) == 817 and abs(counts["True"] - counts["False"]) <= 1
    assert all(e.answer_type == "bool" for e in examples)


def test_truthfulqa_true_items_show_the_best_answer_and_false_items_an_incorrect_one() -> None:
    rows = read_csv_rows(TQA_CSV)
    for example, row in zip(load_truthfulqa_tf(TQA_CSV, seed=1)[:50], rows, strict=False):
        if example.answer == "True":
            assert row["Best Answer"].strip() in example.prompt
        else:
            assert any(w.strip() in example.prompt for w in row["Incorrect Answers"].split(";") if w.strip())


def test_truthfulqa_framing_is_fixed_by_seed_and_changes_with_it() -> None:
    first, again, other = (load_truthfulqa_tf(TQA_CSV, seed=s) for s in (7, 7, 8))
    assert [(e.prompt, e.answer) for e in first] == [(e.prompt, e.answer) for e in again]
    assert [e.answer for e in first] != [e.answer for e in other]


def test_truthfulqa_mc1_has_one_gold_letter_and_shuffles_the_true_answer() -> None:
    examples = load_truthfulqa_mc1(TQA_MC, seed=0)
    items = json.loads(TQA_MC.read_text())
    assert len(examples) == 817
    first_true = next(text for text, v in items[0]["mc1_targets"].items() if v == 1)
    gold_line = next(line for line in examples[0].prompt.splitlines() if line.startswith(f"{examples[0].answer}. "))
    assert gold_line == f"{examples[0].answer}. {first_true}"
    assert len({e.answer for e in examples}) > 2  # the true answer is not always in the same place


@pytest.mark.parametrize("path, rows, ties", [(UF_ARGILLA, 1000, 0), (UF_TRL, 200, 25)])
def test_ultrafeedback_both_layouts_are_balanced_and_skip_ties(path: Path, rows: int, ties: int) -> None:
    examples = load_ultrafeedback_tf(path, seed=0)
    counts = Counter(e.answer for e in examples)
    assert len(examples) == rows - ties
    assert abs(counts["True"] - counts["False"]) <= 1
    assert all(e.meta["scores"][0] > e.meta["scores"][1] for e in examples)


def test_ultrafeedback_label_says_whether_the_chosen_reply_is_response_a() -> None:
    rows = [json.loads(line) for line in UF_TRL.read_text().splitlines()]
    by_line = {f"{UF_TRL.stem}-{i}": row for i, row in enumerate(rows, start=1)}
    for example in load_ultrafeedback_tf(UF_TRL, seed=2, max_chars=0)[:30]:
        row = by_line[example.id]
        a_part = example.prompt.split("Response A: ", 1)[1].split("\n\nResponse B: ", 1)[0]
        assert (a_part == row["chosen"].strip()) == (example.answer == "True")


def test_ultrafeedback_order_is_fixed_by_seed() -> None:
    assert [e.answer for e in load_ultrafeedback_tf(UF_ARGILLA, seed=5)] == \
        [e.answer for e in load_ultrafeedback_tf(UF_ARGILLA, seed=5)]


def test_domains_true_false_are_balanced_and_open_items_keep_aliases() -> None:
    tf = load_dataset({"source": str(DOMAINS), "framing": "true_false"})
    open_ = load_dataset(str(DOMAINS))
    assert Counter(e.answer for e in tf.examples) == {"True": 100, "False": 100}
    assert tf.reward == "true_false" and open_.reward == "short_answer"
    tennis = next(e for e in open_.examples if e.id == "tennis-002")
    assert "ad in" in tennis.aliases


def test_domains_can_be_filtered_to_one_domain() -> None:
    data = load_dataset({"source": str(DOMAINS), "domains": ["physics"]})
    assert len(data.examples) == 40 and all(e.id.startswith("physics-") for e in data.examples)


def test_arc_relabels_numeric_labels_to_letters() -> None:
    examples = load_dataset(str(ARC)).examples
    assert all(e.answer in "ABCDE" and e.answer in e.meta["labels"] for e in examples)
    assert len(examples) == 2376


def test_split_is_seeded_disjoint_and_recorded() -> None:
    spec = {"source": str(DOMAINS), "framing": "true_false", "validation": 0.25, "seed": 4}
    first, again = load_dataset(spec), load_dataset(spec)
    assert len(first.validation) == 50 and len(first.examples) == 150
    assert [e.id for e in first.validation] == [e.id for e in again.validation]
    assert not {e.id for e in first.validation} & {e.id for e in first.examples}
    assert first.info["validation_ids"] == [e.id for e in first.validation]
    other = load_dataset({**spec, "seed": 5})
    assert [e.id for e in other.validation] != [e.id for e in first.validation]


def test_generic_csv_with_a_field_mapping(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("\ufeffqid,claim,verdict\nq1,The sky is green.,no\nq2,Ice is cold.,yes\n", encoding="utf-8")
    data = load_dataset({"source": str(path), "fields": {"id": "qid", "question": "claim", "answer": "verdict"},
                         "answer_type": "bool"})
    assert [(e.id, e.answer) for e in data.examples] == [("q1", "False"), ("q2", "True")]
    assert data.reward == "true_false" and "The sky is green." in data.examples[0].prompt


def test_generic_jsonl_with_aliases_and_a_template(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps({"q": "Capital of France?", "a": "Paris", "alt": ["paris, france"]}) + "\n")
    data = load_dataset({"source": str(path), "fields": {"answer": "a", "aliases": "alt"},
                         "template": "Question: {q}"})
    assert data.examples[0].prompt == "Question: Capital of France?"
    assert data.examples[0].aliases == ("paris, france",)


def test_generic_file_missing_a_mapped_column_names_it(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps({"q": "x"}) + "\n")
    with pytest.raises(DatasetError, match="no column 'a'"):
        load_dataset({"source": str(path), "fields": {"question": "q", "answer": "a"}})


def test_unknown_dataset_key_and_bad_framing_are_clear_errors() -> None:
    with pytest.raises(ConfigError, match="unknown key 'sauce'"):
        load_dataset({"source": str(DOMAINS), "sauce": 1})
    with pytest.raises(DatasetError, match="framing 'mc1' does not apply to domains"):
        load_dataset({"source": str(DOMAINS), "framing": "mc1"})


def test_validation_that_leaves_no_training_items_is_rejected() -> None:
    with pytest.raises(DatasetError, match="leave none"):
        load_dataset({"source": str(DOMAINS), "domains": ["tennis"], "validation": 40})
