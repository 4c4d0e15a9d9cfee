"""The one way the site writes CSV and Excel files, so that no download can carry a formula.

A spreadsheet runs a cell as a formula when its text starts with =, +, - or @ (a tab or a line
break before them is skipped by some), and a formula can fetch addresses or start programs on
the reader's computer. Every text cell that starts with one of those characters is therefore
written with a leading apostrophe in CSV files (the OWASP rule: spreadsheets show the text as
it is) and as a plain text cell in Excel files, marked as text so that editing it does not turn
it into a formula either. Numbers stay numbers, and so does text that is only a number, such as
"-0.25", which no spreadsheet runs.

Excel files open as people expect: the sheet is named for its table, the header row is bold,
stays in view and filters, columns are wide enough to read, dates are date cells (shown
31/12/2016), months are date cells shown as "Dec 2016" and shares are numbers shown as
percentages. CSV files hold the plain values (2016-12-31, 2016-12, 0.5625), which any program
reads back.
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
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""The first characters that make a spreadsheet read a cell as a formula."""

SHEET_TITLE_REFUSED = re.compile(r"[\\/?*\[\]:]")
SHEET_TITLE_LENGTH = 31
"""Excel refuses longer sheet names."""
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

Row = Sequence[object]

DATE_FORMAT = "dd/mm/yyyy"
MONTH_FORMAT = "mmm yyyy"
SHARE_FORMAT = "0%"
WIDEST_COLUMN = 60
"""In characters: longer text wraps in Excel rather than making the sheet hard to read."""


class Share(float):
    """A share of a whole, from 0 to 1 (0.56 for 56%): a plain number in CSV files, a number
    shown as a percentage in Excel."""

    __slots__ = ()


class Month(datetime.date):
    """A whole month, held as its first day: "2016-12" in CSV files, a date cell shown as
    "Dec 2016" in Excel."""

    __slots__ = ()

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month, 1)

    def __str__(self) -> str:
        return f"{self:%Y-%m}"


_PLAIN = frozenset({type(None), int, float, Decimal, bool})


def neutralise(value: Any) -> Any:
    """`value` as a CSV cell that no spreadsheet runs: numbers and blanks as they are, anything
    else as its text, with a leading apostrophe when that text would be a formula."""
    # The commonest kinds first, by their exact type: an export can run this millions of times.
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is str:
        text = value
    elif isinstance(value, int | float | Decimal):
        return value
    else:
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
        self._writer.writerow(map(neutralise, row))

    def writerows(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Row]) -> str:
    """The rows (the header first) as the text of a CSV file."""
    out = io.StringIO()
    CSVWriter(out).writerows(rows)
    return out.getvalue()


def xlsx_bytes(rows: Iterable[Row], *, title: str = "Sheet1") -> bytes:
    """The rows (the header first) as an Excel workbook of one sheet named `title`.

    Text is always written as text, never as a formula. Characters that the file format cannot
    hold (most control characters) are replaced by U+FFFD, so an odd value never stops the
    download.
    """
    workbook = Workbook()
    workbook.properties.title = title
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):  # a new workbook's one sheet is always a worksheet
        raise TypeError(f"{type(sheet).__name__} is not a worksheet")
    sheet.title = sheet_title(title)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    widths: dict[int, int] = {}
    for cells in sheet.iter_rows():
        for cell in cells:
            if not isinstance(cell, Cell):  # a merged cell; this sheet merges none
                continue
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True
            cell.number_format = _number_format(cell.value, cell.number_format)
            widths[cell.column] = max(widths.get(cell.column, 0), _shown_width(cell.value))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, WIDEST_COLUMN)
    if sheet.max_row:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    if sheet.max_row > 1:
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sheet_title(title: str) -> str:
    """`title` as Excel allows a sheet's name: without the characters it refuses, and cut at a
    word (before an aside in brackets that would be cut short) to its greatest length."""
    text = " ".join(SHEET_TITLE_REFUSED.sub(" ", title).split()).strip("'")
    if len(text) > SHEET_TITLE_LENGTH:
        cut = text[: SHEET_TITLE_LENGTH + 1]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut[:SHEET_TITLE_LENGTH]
        if text.count("(") > text.count(")"):
            text = text[: text.rindex("(")]
        text = text.rstrip(" ,;.-").strip("'")
    return text or "Sheet1"


def _xlsx_value(value: object) -> object:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if value is None or isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    return _xlsx_value(str(value))


def _number_format(value: object, current: str) -> str:
    if isinstance(value, Share):
        return SHARE_FORMAT
    if isinstance(value, Month):
        return MONTH_FORMAT
    if isinstance(value, datetime.date):
        return DATE_FORMAT
    return current


def _shown_width(value: object) -> int:
    """About how many characters wide a cell shows its value."""
    if value is None:
        return 0
    if isinstance(value, Share):
        return 5
    if isinstance(value, datetime.date):
        return len("31/12/2016")
    return max(len(line) for line in str(value).splitlines() or [""])
