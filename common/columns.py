"""Table columns whose downloads keep what their values are.

django-tables2 exports a cell as the text the page shows unless the column says otherwise, so a
date would reach Excel as the text "31/12/2016" and a share as "56%". These columns show the
same on the page but export the value itself, typed so that the spreadsheet writer
(`common.spreadsheets`) makes a date cell, a month or a percentage of it.
"""

from __future__ import annotations

import datetime
from typing import Any

import django_tables2 as tables
from django.utils.formats import date_format

from common.spreadsheets import Month, Share


class DateColumn(tables.DateColumn):
    """A date shown as 31/12/2016; a date cell in Excel, 2016-12-31 in CSV files."""

    # A missing date shows the column's default, as any other column's empty value does.
    empty_values = (None, "")

    def __init__(self, *args: Any, format: str = "d/m/Y", **kwargs: Any) -> None:
        super().__init__(*args, format=format, **kwargs)
        self.format = format

    def render(self, value: datetime.date) -> str:
        # What django-tables2's template `{{ value|date:format }}` gives, without parsing that
        # template again for every cell (most of the time of a page of dated rows).
        return date_format(value, self.format)

    def value(self, value: datetime.date) -> datetime.date:
        return value


class MonthColumn(tables.Column):
    """A month (any day in it) shown as "Dec 2016"; a date cell shown the same way in Excel,
    2016-12 in CSV files."""

    def render(self, value: datetime.date) -> str:
        return f"{value:%b %Y}"

    def value(self, value: datetime.date) -> Month:
        return Month.of(value)


class ShareColumn(tables.Column):
    """A share from 0 to 1 shown as a whole percentage; a number formatted as a percentage in
    Excel, the fraction (to four places) in CSV files."""

    def render(self, value: float) -> str:
        return f"{value:.0%}"

    def value(self, value: float) -> Share:
        return Share(round(value, 4))
