"""Numeric answer extraction on response shapes real models produce."""

from fractions import Fraction

import pytest

from promptbandit.rewards.exact import score_numeric
from promptbandit.rewards.numeric import extract_number, gold_number, parse_number

CASES = [
    # (response, expected extracted value)
    ("765", 765),
    ("85 × 9 equals 765.", 765),
    ("67 - 12 = 55", 55),
    ("The correct result is 55.", 55),
    ("Answer: 18", 18),
    ("answer: 18 dollars", 18),
    ("So she makes 9 * 2 = 18 dollars.\nAnswer: 18", 18),
    ("Answer: 5 + 3 = 8", 8),
    ("The answer is 72.", 72),
    ("The final answer is: 1,234", 1234),
    ("Thus, the final answer is $\\boxed{96}$.", 96),
    ("\\[\n\\boxed{3.5}\n\\]", Fraction(7, 2)),
    ("The total is \\boxed{\\$1,200}.", 1200),
    ("#### 42", 42),
    ("Step 1: 3 + 4 = 7\nStep 2: 7 * 2 = 14\n#### 14", 14),
    ("So, the grand total of bugs eaten by all of the frogs is **63 bugs**.\nNow that's a feast! 🐸", 63),
    ("Thus, the new price is **$96** after the 20% discount.", 96),
    ("She has $1,234.00 left.", 1234),
    ("It costs 1234. dollars", 1234),
    ("The temperature is -3 degrees.", -3),
    ("The temperature is \u22123 degrees.", -3),
    ("Half of it: 1/2", Fraction(1, 2)),
    ("That's 0.5 of the cake.", Fraction(1, 2)),
    ("He runs 12.5 miles per day, so in 4 days 50 miles.", 50),
    ("I think it is 20%", 20),
    ("The answer is 3 apples, since 10 - 7 = 3.", 3),
    ("There are 5 boxes with 6 each, so 30 in total", 30),
    ("Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = $<<9*2=18>>18 every day.", 18),
    ("Final answer: $\\boxed{18}$ dollars, because 9 eggs at 2 each.", 18),
    ("**Answer:** 4", 4),
    ("The answer is €15.", 15),
    ("Result = 1,000,000", 1000000),
    (".5 liters", Fraction(1, 2)),
    ("I cannot help with that.", None),
    ("banana", None),
    ("", None),
]


@pytest.mark.parametrize(("response", "expected"), CASES)
def test_extract_number_reads_the_stated_answer(response: str, expected: int | Fraction | None) -> None:
    got = extract_number(response)
    assert got == (None if expected is None else Fraction(expected))


@pytest.mark.parametrize(("a", "b"), [("$1,234.00", "1234"), ("1234.", "1234"), ("1/2", "0.5"), ("-3", "\u22123"),
                                      ("10", "10.0"), ("0.25", "1/4")])
def test_numbers_compare_by_value(a: str, b: str) -> None:
    assert parse_number(a) == parse_number(b)


def test_gold_number_reads_the_part_after_hashes() -> None:
    assert gold_number("Some work <<2*3=6>>6\n#### 1,000") == 1000


def test_score_is_one_only_for_the_right_value() -> None:
    assert score_numeric("#### 18", "She makes $18.").value == 1.0
    assert score_numeric("#### 18", "She makes $19.").value == 0.0
    assert score_numeric("#### 18", "no idea").extracted is None


def test_division_by_zero_is_not_a_number() -> None:
    assert parse_number("3/0") is None
