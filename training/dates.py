"""The span of dates the product works with, and wall-clock times that exist.

Dates are refused outside 1 January 2000 to the end of the year ten years ahead: nothing the
product records happened earlier, and a date in year 9999 or 0001 is a typing slip that would
otherwise build centuries of monthly rows or step past the calendar's end.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateformat import format as format_date

EARLIEST = datetime.date(2000, 1, 1)
YEARS_AHEAD = 10


def date_span(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The first and last dates accepted anywhere a person types or imports a date."""
    today = today or timezone.localdate()
    return EARLIEST, datetime.date(today.year + YEARS_AHEAD, 12, 31)


def out_of_span(day: datetime.date, today: datetime.date | None = None) -> str | None:
    """Why `day` is refused, or None when it is within the span."""
    first, last = date_span(today)
    if first <= day <= last:
        return None
    return f"Enter a date between {format_date(first, 'j F Y')} and {format_date(last, 'j F Y')}."


def as_of_option(value: str) -> datetime.date:
    """The --as-of option of the report commands, or a CommandError that says what is wrong."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not '{value}'.") from error
    if problem := out_of_span(day):
        raise CommandError(f"--as-of: {problem}")
    return day


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """`day` at `time` on the organisation's clock (settings.TIME_ZONE)."""
    return datetime.datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE))


def skipped_time(day: datetime.date, time: datetime.time) -> str | None:
    """Why `time` cannot happen on `day`, or None when it can.

    On the day the clocks go forward an hour of wall-clock time does not exist (01:00 to 02:00 in
    the UK): a meeting from 01:00 to 02:00 that day would last no time at all.
    """
    moment = local_datetime(day, time)
    there_and_back = moment.astimezone(datetime.UTC).astimezone(moment.tzinfo)
    if there_and_back.replace(tzinfo=None) == moment.replace(tzinfo=None):
        return None
    return (
        f"The clocks go forward on {format_date(day, 'l j F Y')}, so {time:%H:%M} does not "
        "exist that day. Choose another time."
    )


def day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` on the organisation's clock."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))


def day_end(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` on the organisation's clock: rules judged by whole days
    count what happened before it."""
    return day_start(day + datetime.timedelta(days=1))


def local_date(moment: datetime.datetime) -> datetime.date:
    """The day a moment falls on, on the organisation's clock."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
