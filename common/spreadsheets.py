"""The one way the site writes CSV and Excel files, so that no download can carry a formula.

A spreadsheet runs a cell as a formula when its text starts with =, +, - or @ (a tab or a line
break before them is skipped by some), and a formula can fetch addresses or start programs on
the reader's computer. Every text cell that starts with one of those characters is therefore
written with a leading apostrophe in CSV files (the OWASP rule: spreadsheets show the text as
it is) and as a plain text cell in Excel files, marked as text so that editing it does not turn
it into a formula either. Numbers stay numbers, and so does text that is only a number, such as
"-0.25", which no spreadsheet runs.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""The first characters that make a spreadsheet read a cell as a formula."""

SHEET_TITLE_REFUSED = re.compile(r"[\\/?*\[\]:]")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

Row = Sequence[object]


def neutralise(value: Any) -> Any:
    """`value` as a CSV cell that no spreadsheet runs: numbers and blanks as they are, anything
    else as its text, with a leading apostrophe when that text would be a formula."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def restore(value: str) -> str:
    """A cell read back from a CSV file this site wrote: the apostrophe that `neutralise` added
    is taken off again, so a file downloaded, edited and uploaded keeps its text."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class _Writable(Protocol):
    def write(self, text: str, /) -> object: ...


class CSVWriter:
    """`csv.writer` with every cell neutralised."""

    def __init__(self, stream: _Writable, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Row) -> None:
        self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Row]) -> str:
    """The rows (the header first) as the text of a CSV file."""
    out = io.StringIO()
    CSVWriter(out).writerows(rows)
    return out.getvalue()


def xlsx_bytes(rows: Iterable[Row], *, title: str = "Sheet1") -> bytes:
    """The rows (the header first) as an Excel workbook of one sheet.

    Text is always written as text, never as a formula. Characters that the file format cannot
    hold (most control characters) are replaced by U+FFFD, so an odd value never stops the
    download.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE_REFUSED.sub("-", title)[:31] or "Sheet1"
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True
    if sheet.max_row > 1:
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(value: object) -> object:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if value is None or isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    return _xlsx_value(str(value))
