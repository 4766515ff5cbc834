"""Read a final number out of free text and compare numbers by value (pure functions).

Where the answer is read from, first match wins:

1. the last ``\\boxed{...}`` that holds a number;
2. a GSM8K-style ``#### N`` line;
3. the last "answer is N" / "Answer: N" (after an ``=`` in that clause, the number after the last ``=``);
4. the last bold ``**...**`` span that holds a number;
5. otherwise the last number anywhere in the text.

Numbers compare as exact fractions after removing currency signs, thousands separators, trailing dots and
percent signs, so ``"$1,234.00" == "1234"``, ``"1234." == "1234"`` and ``"1/2" == "0.5"``.
"""

from __future__ import annotations

import re
from fractions import Fraction

# A number: 1,234,567.89 | 12.5 | .5 | 3/4 ; optional sign and currency sign in front.
_NUMBER = re.compile(
    r"(?P<sign>[-+])?\s?[$€£]?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:\s?/\s?\d+(?:\.\d+)?)?|\.\d+)"
)
_BOXED = re.compile(r"\\boxed\s*\{((?:[^{}]|\{[^{}]*\})*)\}")
_HASHES = re.compile(r"####\s*([^\n]+)")
_ANSWER_MARK = re.compile(r"(?:final answer|answer)\s*(?:is|was|would be|=|:)\s*:?\s*([^\n]*)", re.IGNORECASE)
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})


def parse_number(text: str) -> Fraction | None:
    """Parse one number written in any of the usual ways; None when the text holds no number.

    >>> parse_number("$1,234.00")
    Fraction(1234, 1)
    >>> parse_number("1/2") == parse_number("0.5")
    True
    >>> parse_number("-3") , parse_number("1234.")
    (Fraction(-3, 1), Fraction(1234, 1))
    """
    match = _NUMBER.search(text.translate(_MINUS_SIGNS))
    return _to_fraction(match) if match else None


def _to_fraction(match: re.Match[str]) -> Fraction | None:
    raw = match.group("num").replace(",", "").replace(" ", "")
    try:
        if "/" in raw:
            top, bottom = raw.split("/")
            if Fraction(bottom) == 0:
                return None
            value = Fraction(top) / Fraction(bottom)
        else:
            value = Fraction(raw)
    except (ValueError, ZeroDivisionError):
        return None
    return -value if match.group("sign") == "-" else value


def _numbers(text: str) -> list[Fraction]:
    found = (_to_fraction(m) for m in _NUMBER.finditer(text.translate(_MINUS_SIGNS)))
    return [value for value in found if value is not None]


def _from_clause(clause: str) -> Fraction | None:
    """The number a clause such as "18 dollars" or "5 + 3 = 8 apples" states as its result."""
    if "=" in clause:
        after = _numbers(clause.rsplit("=", 1)[1])
        if after:
            return after[0]
    numbers = _numbers(clause)
    return numbers[0] if numbers else None


def extract_number(text: str) -> Fraction | None:
    """Return the final numeric answer a response states, or None when it states none.

    >>> extract_number("so she has 5 + 3 = 8 apples. The answer is 8.")
    Fraction(8, 1)
    >>> extract_number("Thus the price is $\\\\boxed{96}$ after 20% off.")
    Fraction(96, 1)
    """
    for boxed in reversed(_BOXED.findall(text)):
        value = _from_clause(boxed)
        if value is not None:
            return value
    hashes = _HASHES.findall(text)
    if hashes:
        value = _from_clause(hashes[-1])
        if value is not None:
            return value
    for clause in reversed(_ANSWER_MARK.findall(text)):
        value = _from_clause(clause)
        if value is not None:
            return value
    for bold in reversed(_BOLD.findall(text)):
        value = _from_clause(bold)
        if value is not None:
            return value
    numbers = _numbers(text)
    return numbers[-1] if numbers else None


def format_number(value: Fraction) -> str:
    """Show a fraction the way people write it: ``8``, ``0.5``, ``1/3``."""
    if value.denominator == 1:
        return str(value.numerator)
    as_float = float(value)
    if Fraction(repr(as_float)) == value:
        return repr(as_float)
    return f"{value.numerator}/{value.denominator}"


def gold_number(answer: str) -> Fraction | None:
    """Read the gold number of a GSM8K answer (the part after ``####``) or of a plain number string."""
    if "####" in answer:
        answer = answer.rsplit("####", 1)[1]
    return parse_number(answer)


def numbers_equal(a: Fraction | None, b: Fraction | None) -> bool:
    """Two parsed numbers are equal when both exist and have the same value."""
    return a is not None and b is not None and a == b
