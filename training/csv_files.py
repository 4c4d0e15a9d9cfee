"""Reading the CSV files people upload: encodings, headers and line numbers.

Shared by the roster and training imports, so both treat a file the same way.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


class CSVFileError(ValueError):
    """The file as a whole cannot be read as a CSV file."""


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

    def source(self) -> dict[str, str]:
        """The keyword argument an import takes for this file. Raises CSVFileError."""
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
    required = list(required)
    allowed = set(required) | set(optional)
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
    if problems:
        result.errors.extend(RowError(1, problem) for problem in problems)
        return result

    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(columns):
                result.errors.append(
                    RowError(line, f"has {len(values)} values but the header has {len(columns)}")
                )
                continue
            row = {name: value.strip() for name, value in zip(columns, values, strict=True)}
            result.rows.append((line, row))
    except csv.Error as error:
        result.errors.append(RowError(reader.line_num, f"cannot be read as CSV: {error}"))
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, "The file has a header but no rows."))
    return result
