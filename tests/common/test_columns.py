"""Table columns draw each cell without parsing a template for it."""

from __future__ import annotations

import datetime
from unittest import mock

import django_tables2 as tables
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
