"""Case references: the only way a review names a case, kept free of children's details.

A review may name its case only by the organisation's pseudonymous reference. Unless the
organisation sets its own format (`CASE_REFERENCE_PATTERN`, which then alone decides), a
reference must be:

- digits, in groups joined by single `-`, `/`, `.` or `_`, after an optional prefix of one to
  three letters (all capitals or all small letters) and an optional separator: `CR-104522`,
  `2016/00417`, `cin_77`, `EH.2041.3`, `104522`;
- free of anything that reads as a date: three groups that make a calendar date as day, month,
  year, as month, day, year (a year of two or four digits) or as year, month, day; or eight digits
  in a row that make one as DDMMYYYY, MMDDYYYY or YYYYMMDD with a year from 1900 to 2099.

So a name (four or more letters in a row, letters after the digits, a prefix written like a name
such as `Jo`) and a date of birth are refused however they are joined: `JaydenSmith2015`,
`Jayden.Smith.01-02-2015`, `J.Smith-12/03/2014`, `CR-12/03/2014`, `CR-20140312`. Not refused: a
name of three letters or fewer written in capitals (`AMY-2015`), a year alone, and six digits in
a row (`CR-120314`), which most case numbers are.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError

SHAPE = re.compile(
    r"(?:(?P<prefix>[A-Z]{1,3}|[a-z]{1,3})[-/._]?)?(?P<number>[0-9]+(?:[-/._][0-9]+)*)"
)
GROUPS = re.compile(r"[0-9]+")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2099


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _full_year(text: str) -> int | None:
    if len(text) == 2:
        return 2000 + int(text)
    if len(text) == 4:
        return int(text)
    return None


def _reads_as_date(groups: list[str]) -> bool:
    """Whether three consecutive digit groups make a calendar date in any usual order."""
    for first, second, third in zip(groups, groups[1:], groups[2:], strict=False):
        if len(first) <= 2 and len(second) <= 2 and (year := _full_year(third)):
            a, b = int(first), int(second)
            if _is_date(year, b, a) or _is_date(year, a, b):
                return True
        iso = len(first) == 4 and len(second) <= 2 and len(third) <= 2
        if iso and _is_date(int(first), int(second), int(third)):
            return True
    return False


def _holds_a_packed_date(group: str) -> bool:
    """Whether eight digits in a row make a date as DDMMYYYY, MMDDYYYY or YYYYMMDD."""
    for start in range(len(group) - 7):
        digits = group[start : start + 8]
        readings = (
            (int(digits[4:]), int(digits[2:4]), int(digits[:2])),
            (int(digits[4:]), int(digits[:2]), int(digits[2:4])),
            (int(digits[:4]), int(digits[4:6]), int(digits[6:])),
        )
        if any(
            EARLIEST_YEAR <= year <= LATEST_YEAR and _is_date(year, month, day)
            for year, month, day in readings
        ):
            return True
    return False


def case_reference_problem(value: str) -> str | None:
    """Why the built-in rule refuses `value`, or None when it accepts it."""
    shape = SHAPE.fullmatch(value)
    if shape is None:
        if re.search(r"[A-Za-z]{4}|[0-9][^0-9]*[A-Za-z]|^[A-Z][a-z]", value):
            return (
                "It has letters that could be a name: more than three in a row, letters after "
                "the digits, or a capital followed by small letters."
            )
        return "It is not in the shape of a case reference."
    groups = GROUPS.findall(shape["number"])
    if _reads_as_date(groups) or any(_holds_a_packed_date(group) for group in groups):
        return "It holds what reads as a date, which could be a date of birth."
    return None


def validate_case_reference(value: str) -> None:
    """Refuse a case reference that breaks the organisation's format, or the built-in rule."""
    pattern = settings.CASE_REFERENCE_PATTERN
    if pattern:
        if not re.fullmatch(pattern, value):
            raise ValidationError(settings.CASE_REFERENCE_MESSAGE, code="case_reference")
        return
    if problem := case_reference_problem(value):
        raise ValidationError(f"{problem} {settings.CASE_REFERENCE_MESSAGE}", code="case_reference")
