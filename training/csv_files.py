"""Reading the CSV files and Excel workbooks people upload: encodings, headers and line numbers.

Shared by the roster and training imports, so both treat a file the same way.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import openpyxl


class CSVFileError(ValueError):
    """The file as a whole cannot be read as a CSV file (or as an Excel workbook)."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class ImportFile:
    """An uploaded file, as its name and bytes: what an import reads, now or in the background."""

    name: str
    data: bytes

    @property
    def is_workbook(self) -> bool:
        return self.name.lower().endswith(".xlsx")

    def source(self) -> dict[str, str | bytes]:
        """The keyword argument an import takes for this file: a CSV file's text or a workbook's
        bytes. Raises CSVFileError for a file that cannot be either."""
        if self.is_workbook:
            check_workbook(self.data)
            return {"workbook": self.data}
        return {"text": decode_upload(self.data)}


@dataclass
class ParsedCSV:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode_upload(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without a BOM) or Excel's Windows-1252."""
    if b"\x00" in data:
        raise CSVFileError(
            "This is not a CSV file: it contains binary data. Save it as CSV and try again."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise CSVFileError(
            "The file's text encoding is not recognised. Save it as 'CSV UTF-8' and try again."
        ) from error


def parse_csv(text: str, *, required: Iterable[str], optional: Iterable[str] = ()) -> ParsedCSV:
    """Rows of a CSV file keyed by lower-case column name, each with its line number.

    The header is line 1. Column names are matched case-insensitively, in any order. Missing
    required columns, unknown columns and repeated columns are errors on line 1; blank lines are
    skipped. Values are stripped of surrounding spaces.
    """
    result = ParsedCSV()
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        result.errors.append(RowError(1, "The file is empty: it needs a header row."))
        return result
    except csv.Error as error:
        result.errors.append(RowError(1, f"The header row cannot be read: {error}."))
        return result

    columns = _columns(header, list(required), optional, result)
    if result.errors:
        return result
    try:
        end = reader.line_num
        for values in reader:
            # A quoted value may hold line breaks: a row is known by the line it starts on.
            line, end = end + 1, reader.line_num
            _add_row(result, line, values, columns)
    except csv.Error as error:
        result.errors.append(RowError(reader.line_num, f"cannot be read as CSV: {error}"))
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, "The file has a header but no rows."))
    return result


def _columns(
    header: list[str], required: list[str], optional: Iterable[str], result: ParsedCSV
) -> list[str]:
    """The header's column names, with any problem with them added to `result` on line 1."""
    allowed = set(required) | set(optional)
    columns = [name.strip().lower() for name in header]
    problems = []
    missing = [name for name in required if name not in columns]
    if missing:
        problems.append("missing required column(s): " + ", ".join(missing))
    unknown = [name for name in columns if name not in allowed]
    if unknown:
        shown = ", ".join(f"'{name}'" if name else "(blank)" for name in unknown)
        problems.append(
            f"unknown column(s): {shown}; the columns are "
            + ", ".join(required + sorted(allowed - set(required)))
        )
    repeated = sorted(name for name, count in Counter(columns).items() if count > 1)
    if repeated:
        problems.append("repeated column(s): " + ", ".join(repeated))
    result.errors.extend(RowError(1, problem) for problem in problems)
    return columns


def _add_row(result: ParsedCSV, line: int, values: list[str], columns: list[str]) -> None:
    if not any(value.strip() for value in values):
        return
    if len(values) != len(columns):
        result.errors.append(
            RowError(line, f"has {len(values)} values but the header has {len(columns)}")
        )
        return
    result.rows.append(
        (line, {name: value.strip() for name, value in zip(columns, values, strict=True)})
    )


# An .xlsx file is a zip archive; one that would unpack to more than this is refused unread.
WORKBOOK_MAX_UNPACKED_BYTES = 100 * 1024 * 1024


def check_workbook(data: bytes) -> None:
    """Raise CSVFileError unless `data` looks like an Excel workbook (.xlsx) of a sane size."""
    not_a_workbook = CSVFileError(
        "This is not an Excel workbook (.xlsx). Save it from Excel as 'Excel Workbook' or as CSV "
        "and try again."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise not_a_workbook from error
    if not any(entry.filename == "xl/workbook.xml" for entry in entries):
        raise not_a_workbook
    if sum(entry.file_size for entry in entries) > WORKBOOK_MAX_UNPACKED_BYTES:
        raise CSVFileError("The workbook is too large once unpacked. Save it as CSV and try again.")


def parse_xlsx(data: bytes, *, required: Iterable[str], optional: Iterable[str] = ()) -> ParsedCSV:
    """Rows of the sheet an Excel workbook opens on, read as `parse_csv` reads a CSV file.

    Line numbers are the sheet's row numbers. Cells are read as Excel shows them: dates as
    YYYY-MM-DD, whole numbers without ".0", TRUE and FALSE as yes and no; formulas by their last
    calculated value. Cells beyond the header's last column count only if they hold something.
    """
    result = ParsedCSV()
    try:
        check_workbook(data)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except CSVFileError as error:
        result.errors.append(RowError(1, str(error)))
        return result
    except Exception as error:  # openpyxl raises many kinds of error for a damaged workbook
        result.errors.append(RowError(1, f"The workbook cannot be read: {error}."))
        return result
    try:
        _read_sheet(workbook.active, list(required), optional, result)
    except Exception as error:
        result.errors.append(RowError(1, f"The workbook cannot be read: {error}."))
    finally:
        workbook.close()
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, "The sheet has a header but no rows."))
    return result


def _read_sheet(
    sheet: Any, required: list[str], optional: Iterable[str], result: ParsedCSV
) -> None:
    # The sheet's own record of its size may be wrong (some programs never write it).
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    header = _trimmed([_cell_text(value) for value in next(rows, ())])
    if not header:
        result.errors.append(RowError(1, "The sheet is empty: it needs a header row."))
        return
    columns = _columns(header, required, optional, result)
    if result.errors:
        return
    for line, cells in enumerate(rows, start=2):
        values = _trimmed([_cell_text(value) for value in cells])
        if values and len(values) < len(columns):
            values += [""] * (len(columns) - len(values))
        _add_row(result, line, values, columns)


def _trimmed(values: list[str]) -> list[str]:
    """Without the empty cells at the end of a row, which spreadsheets keep for formatting."""
    while values and not values[-1].strip():
        values.pop()
    return values


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(
    *,
    text: str | None = None,
    workbook: bytes | None = None,
    required: Iterable[str],
    optional: Iterable[str] = (),
) -> ParsedCSV:
    """The rows of a CSV file's text or of an Excel workbook's bytes, whichever is given."""
    if workbook is not None:
        return parse_xlsx(workbook, required=required, optional=optional)
    return parse_csv(text or "", required=required, optional=optional)
