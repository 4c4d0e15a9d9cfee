"""Bank holidays, from the maintained `holidays` package, for the region in settings
(England and Wales by default: BANK_HOLIDAY_REGION="GB-ENG"; empty for none)."""

from __future__ import annotations

import datetime
import functools

import holidays
from django.conf import settings


@functools.lru_cache(maxsize=128)
def _holidays(region: str, year: int) -> dict[datetime.date, str]:
    if not region:
        return {}
    country, _, subdivision = region.partition("-")
    return dict(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def bank_holiday(day: datetime.date) -> str | None:
    """The name of the bank holiday on `day` ("Christmas Day (observed)"), or None."""
    return _holidays(settings.BANK_HOLIDAY_REGION, day.year).get(day)


def next_working_day(day: datetime.date) -> datetime.date:
    """The first day after `day` that is neither a weekend nor a bank holiday."""
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5 or bank_holiday(day):
        day += datetime.timedelta(days=1)
    return day
