"""Dates of a monthly series, as people say them: "the second Tuesday of each month"."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, rrule, weekday

HORIZON_MONTHS = 12


def series_dates(
    *,
    ordinal: int,
    weekday_number: int,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    until: datetime.date,
) -> list[datetime.date]:
    """Each month's meeting date from `starts_on` to the earlier of `ends_on` and `until`."""
    last = min(ends_on, until) if ends_on else until
    if last < starts_on:
        return []
    rule = rrule(
        MONTHLY,
        byweekday=weekday(weekday_number)(ordinal),
        dtstart=datetime.datetime.combine(starts_on, datetime.time()),
        until=datetime.datetime.combine(last, datetime.time()),
    )
    return [moment.date() for moment in rule]


def horizon(today: datetime.date) -> datetime.date:
    """How far ahead meetings exist as rows: to the end of the month 12 months from today, so
    that a monthly series has the same number of meetings ahead whatever the day of the month
    (from the 1st, "12 months" would otherwise stop short of a meeting later in that month)."""
    return today + relativedelta(months=HORIZON_MONTHS, day=31)
