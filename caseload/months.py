"""Months as the figures hold them: the first day of each."""

from __future__ import annotations

import datetime
import re

from dateutil.relativedelta import relativedelta

from training.dates import out_of_span

MONTH_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_back(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` before `day`'s."""
    return month_start(day) - relativedelta(months=months)


def parse_month(text: str) -> datetime.date | None:
    """A month written as YYYY-MM, or any date in it (YYYY-MM-DD or DD/MM/YYYY), as its first
    day; None when it is neither or outside the dates the product accepts."""
    text = text.strip()
    day = None
    if match := _YEAR_MONTH.match(text):
        year, month = map(int, match.groups())
        if 1 <= month <= 12:
            day = datetime.date(year, month, 1)
    else:
        for month_format in MONTH_FORMATS:
            try:
                day = datetime.datetime.strptime(text, month_format).date()
                break
            except ValueError:
                continue
    if day is None or out_of_span(day):
        return None
    return month_start(day)
