"""Short-answer, True/False and multiple-choice rewards (pure parsing and matching)."""

from __future__ import annotations

import asyncio

import pytest

from promptbandit.rewards.choice import ChoiceMatch, parse_choice, score_choice
from promptbandit.rewards.short_answer import matches, normalize, score_short_answer
from promptbandit.rewards.true_false import parse_true_false, score_true_false
from promptbandit.types import Example


@pytest.mark.parametrize("text, verdict", [
    ("True", True), ("True.", True), ("**False**", False), ("false", False), ("The statement is false.", False),
    ("The statement is true.", True), ("This is not true.", False), ("Answer: **True**", True),
    ("I believe it is false because...", False), ("Yes", True), ("It is correct.", True),
])
def test_true_false_verdicts_are_read(text: str, verdict: bool) -> None:
    assert parse_true_false(text) is verdict


@pytest.mark.parametrize("text", ["42", "", "It could be true or false.", "Maybe."])
def test_true_false_without_a_verdict_is_unparseable_and_scores_zero(text: str) -> None:
    example = Example("x", "p", "False", "bool")
    score = score_true_false(example, text)
    assert parse_true_false(text) is None
    assert score.value == 0.0 and score.detail["unparseable"] is True


def test_true_false_right_and_wrong_verdicts() -> None:
    example = Example("x", "p", "True", "bool")
    assert score_true_false(example, "True.").value == 1.0
    assert score_true_false(example, "**False**").value == 0.0
    assert score_true_false(example, "**False**").detail["unparseable"] is False


def test_normalize_folds_accents_case_articles_and_punctuation() -> None:
    assert normalize("The Béchamel!") == normalize("bechamel")
    assert normalize("\u221213.6") == "-13.6"


@pytest.mark.parametrize("response, golds, expected", [
    ("Deuce", ["deuce"], True),
    ("The answer is: deuce.", ["deuce"], True),
    ("Ad-in", ["advantage in", "ad in"], True),
    ("advantage out", ["advantage in", "ad in"], False),
    ("−13.6 eV", ["-13.6 eV"], True),
    ("It could be deuce or advantage or tiebreak or love or game or set or match", ["deuce"], False),
])
def test_short_answers_match_gold_or_alias(response: str, golds: list[str], expected: bool) -> None:
    assert matches(response, golds) is expected


def test_short_answer_reads_the_answer_line_not_the_reasoning() -> None:
    example = Example("t", "p", "deuce", "text", aliases=())
    assert score_short_answer(example, "Players at 40-40...\nAnswer: Deuce").value == 1.0
    assert score_short_answer(example, "Love.\nDeuce is something else.").value == 0.0


@pytest.mark.parametrize("text, letter", [
    ("B", "B"), ("B.", "B"), ("(C)", "C"), ("**D**", "D"), ("Answer: A", "A"), ("The answer is (b).", "B"),
    ("A) Sunlight is the source", "A"), ("a", "A"),
])
def test_choice_letters_are_read(text: str, letter: str) -> None:
    assert parse_choice(text, "ABCD") == letter


def test_choice_without_a_letter_is_unparseable() -> None:
    example = Example("q", "p", "B", "choice", meta={"labels": ["A", "B", "C", "D"]})
    assert parse_choice("All of them are plausible.", "ABCD") is None
    score = score_choice(example, "All of them are plausible.")
    assert score.value == 0.0 and score.detail["unparseable"]
    assert asyncio.run(ChoiceMatch().score(example, "B")).value == 1.0
