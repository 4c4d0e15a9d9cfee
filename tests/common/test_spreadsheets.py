"""The one spreadsheet writer: what it neutralises, what it leaves alone, and that Excel files
hold text as text."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from common.spreadsheets import Month, Share, csv_text, neutralise, restore, sheet_title, xlsx_bytes

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


def read_xlsx(content: bytes) -> Worksheet:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def test_excel_shows_dates_months_and_shares_as_people_read_them_and_keeps_their_values():
    rows = [
        ["Starts", "Month", "Share trained"],
        [datetime.date(2016, 12, 31), Month.of(datetime.date(2016, 3, 17)), Share(0.5625)],
    ]

    day, month, share = read_xlsx(xlsx_bytes(rows))[2]

    assert day.is_date and day.number_format == "dd/mm/yyyy"
    assert day.value == datetime.datetime(2016, 12, 31)
    assert month.is_date and month.number_format == "mmm yyyy"
    assert month.value == datetime.datetime(2016, 3, 1)
    assert (share.data_type, share.value, share.number_format) == ("n", 0.5625, "0%")


def test_a_csv_file_holds_dates_months_and_shares_as_plain_values():
    rows = [[datetime.date(2016, 12, 31), Month.of(datetime.date(2016, 3, 17)), Share(0.5625)]]

    assert read_csv(csv_text(rows)) == [["2016-12-31", "2016-03", "0.5625"]]


def test_an_ordinary_number_stays_a_plain_number_in_excel():
    cell = read_xlsx(xlsx_bytes([["Mean gap"], [0.25]]))["A2"]

    assert (cell.value, cell.number_format) == (0.25, "General")


def test_the_sheet_is_named_for_its_table_with_a_bold_header_that_stays_in_view_and_filters():
    content = xlsx_bytes(
        [["Team", "Share trained"], ["Gloucester Pod 7", Share(1)]], title="By team"
    )

    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert workbook.sheetnames == ["By team"]
    assert workbook.properties.title == "By team"
    assert [cell.font.bold for cell in sheet[1]] == [True, True]
    assert [cell.font.bold for cell in sheet[2]] == [False, False]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B2"
    assert sheet.column_dimensions["A"].width == len("Gloucester Pod 7") + 2


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Training by phase", "Training by phase"),
        ("Training by team (active staff)", "Training by team (active staff)"),
        ("Training by role group (active staff)", "Training by role group"),
        ("Teams: implementation stage, shares and trend", "Teams implementation stage"),
        (
            "Supervisor ratings at Competent or above, by BASE stage",
            "Supervisor ratings at Competent",
        ),
        ("Self versus supervisor [by month]", "Self versus supervisor by month"),
        ("'Quoted'", "Quoted"),
        ("A" * 40, "A" * 31),
        ("///", "Sheet1"),
    ],
)
def test_a_sheet_name_is_the_title_as_excel_allows_it(title, name):
    assert sheet_title(title) == name
    assert openpyxl.load_workbook(io.BytesIO(xlsx_bytes([["a"]], title=title))).sheetnames == [name]
