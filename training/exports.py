"""CSV and Excel downloads of any table, with formula injection neutralised.

A cell that a spreadsheet would run as a formula (text starting with =, +, -, @, a tab or a
carriage return) is written with a leading apostrophe, which spreadsheets show as plain text.
Numbers are left as numbers.
"""

from __future__ import annotations

from typing import Any

import tablib
from django.http import HttpRequest, HttpResponse
from django_tables2.export import TableExport

EXPORT_FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    safe = tablib.Dataset(headers=[neutralise(header) for header in dataset.headers or []])
    for row in dataset:
        safe.append([neutralise(value) for value in row])
    return safe


def export_response(request: HttpRequest, table: object, filename: str) -> HttpResponse | None:
    """A CSV or XLSX download of `table` when the request asks for one (`?_export=csv`)."""
    export_format = request.GET.get("_export")
    if export_format not in EXPORT_FORMATS:
        return None
    exporter = TableExport(export_format, table)
    exporter.dataset = safe_dataset(exporter.dataset)
    return exporter.response(f"{filename}.{export_format}")
