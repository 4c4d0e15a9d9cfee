"""Table columns draw each cell without parsing a template for it."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import django_tables2 as tables
import pytest
from django.template import Context, Template
from django.test import RequestFactory

from common.columns import DateColumn
from training.templatetags.table_body import table_body

NO_DATE = "—"


class DatedTable(tables.Table):
    on = DateColumn(verbose_name="On")


def _body(table: tables.Table) -> str:
    table.paginate(per_page=100)
    return table_body(Context({"request": RequestFactory().get("/")}), table)


def test_a_date_column_shows_the_day_and_the_default_when_there_is_none():
    body = _body(DatedTable([{"on": datetime.date(2016, 12, 31)}, {"on": None}]))

    assert "<td >31/12/2016</td>" in body
    assert f"<td >{NO_DATE}</td>" in body


def test_a_date_column_downloads_the_date_itself():
    table = DatedTable([{"on": datetime.date(2016, 12, 31)}, {"on": None}])

    assert list(table.as_values()) == [["On"], [datetime.date(2016, 12, 31)], [None]]


def test_a_date_column_parses_no_template_per_row():
    table = DatedTable([{"on": datetime.date(2016, 12, day)} for day in range(1, 31)])

    parse = Template.__init__
    with mock.patch.object(Template, "__init__", autospec=True, side_effect=parse) as made:
        _body(table)

    assert made.call_count == 0


class CountsTable(tables.Table):
    plain = tables.Column()
    localized = tables.Column(localize=True)
    unlocalized = tables.Column(localize=False)


WHOLE_NUMBERS = [0, 7, -12, 1234, 9876543210, True, False, 12.5]


def _as_django_tables2_draws(value: object) -> list[str]:
    """The cells of django-tables2's own template: `{{ cell }}`, `|localize`, `|unlocalize`."""
    template = Template("{% load l10n %}{{ value }}|{{ value|localize }}|{{ value|unlocalize }}")
    return template.render(Context({"value": value})).split("|")


@pytest.mark.parametrize("thousands", [False, True])
def test_counts_are_drawn_as_django_tables2s_template_draws_them(settings, thousands):
    settings.USE_THOUSAND_SEPARATOR = thousands
    table = CountsTable(
        [{"plain": value, "localized": value, "unlocalized": value} for value in WHOLE_NUMBERS]
    )

    body = _body(table)

    rows = re.findall(r"<tr [^>]*>(.*?)</tr>", body)
    for row, value in zip(rows, WHOLE_NUMBERS, strict=True):
        assert re.findall(r"<td [^>]*>(.*?)</td>", row) == _as_django_tables2_draws(value)
