"""The one spreadsheet writer: what it neutralises, what it leaves alone, and that Excel files
hold text as text."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest

from common.spreadsheets import csv_text, neutralise, restore, xlsx_bytes

FORMULAS = [
    '=HYPERLINK("http://x","click")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "=cmd|' /C calc'!A0",
]


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("value", FORMULAS)
def test_a_csv_cell_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(value):
    assert read_csv(csv_text([["header"], [value]])) == [["header"], ["'" + value]]


@pytest.mark.parametrize(
    "value", [3, -2.5, "-0.25", "+44", "1e5", "Gloucester Pod 7", "O'Neil", "a=b", ""]
)
def test_numbers_and_ordinary_text_are_written_as_they_are(value):
    assert read_csv(csv_text([[value]])) == [[str(value)]]


def test_headers_and_values_that_are_not_text_are_checked_as_the_text_they_become():
    class Named:
        def __str__(self) -> str:
            return "=1+1"

    assert neutralise(Named()) == "'=1+1"
    assert neutralise(datetime.date(2016, 3, 1)) == "2016-03-01"
    assert neutralise(None) is None


@pytest.mark.parametrize("value", FORMULAS)
def test_reading_back_takes_off_only_the_apostrophe_the_writer_added(value):
    assert restore(neutralise(value)) == value
    assert restore("'quoted'") == "'quoted'"


@pytest.mark.parametrize("value", FORMULAS)
def test_an_excel_cell_that_looks_like_a_formula_is_text(value):
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([["header"], [value]]))).active

    cell = sheet["A2"]
    # XML reads a carriage return back as a line feed.
    assert (cell.value, cell.data_type, cell.quotePrefix) == (
        value.replace("\r", "\n"),
        "s",
        True,
    )


def test_excel_keeps_numbers_dates_and_text_that_looks_like_an_error_code():
    content = xlsx_bytes([["n", "d", "e"], [3, datetime.date(2016, 3, 1), "#N/A"]])

    row = openpyxl.load_workbook(io.BytesIO(content)).active[2]
    assert [cell.data_type for cell in row] == ["n", "d", "s"]
    assert [cell.value for cell in row] == [3, datetime.datetime(2016, 3, 1), "#N/A"]


def test_a_character_excel_cannot_hold_is_replaced_instead_of_failing_the_download():
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([["a\x01b"]]))).active

    assert sheet["A1"].value == "a\ufffdb"
