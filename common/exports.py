"""Downloads of any django-tables2 table as CSV or Excel, through the one spreadsheet writer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django_tables2 import Table

from common.spreadsheets import csv_text, xlsx_bytes

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPORT_FORMATS = tuple(CONTENT_TYPES)
BYTE_ORDER_MARK = "\ufeff"
"""Excel opens a CSV file as UTF-8 only when it starts with this mark (without it, "Siân"
reads "SiÃ¢n"); every other program skips it."""


def attachment(content: str | bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A response that browsers save as `filename` instead of showing it."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_response(request: HttpRequest, table: Table, filename: str) -> HttpResponse | None:
    """A CSV or XLSX download of `table` when the request asks for one (`?_export=csv`), with
    the columns and values the table exports (its `value_*` methods, without excluded ones).

    The Excel sheet is named for the table (its caption), so a workbook saved beside others
    still says what it holds.
    """
    export_format = request.GET.get("_export")
    if export_format not in EXPORT_FORMATS:
        return None
    rows = list(table.as_values())
    if export_format == "csv":
        content: str | bytes = BYTE_ORDER_MARK + csv_text(rows)
    else:
        content = xlsx_bytes(rows, title=getattr(table, "caption", "") or filename)
    return attachment(
        content,
        filename=f"{filename}.{export_format}",
        content_type=CONTENT_TYPES[export_format],
    )
