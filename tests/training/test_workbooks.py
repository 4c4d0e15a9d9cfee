"""Excel workbooks (.xlsx) import as CSV files do: the same columns, the same line errors.

The workbooks are written with openpyxl as Excel stores cells: real dates, numbers, TRUE/FALSE.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl.worksheet.worksheet import Worksheet

from tests.factories import make_person
from training import csv_files
from training.imports import roster_import, training_import
from training.models import Cohort, CourseAttendance, Person

pytestmark = pytest.mark.django_db

ROSTER = ["email", "full_name", "team", "role_group", "job_title", "line_manager_email", "status"]
TRAINING = ["email", "phase", "cohort", "day", "date", "attended"]


def workbook(*rows: list[Any] | None, title: str = "Register") -> bytes:
    """An .xlsx file whose first sheet holds `rows`; None leaves a blank row."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = title
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row or [], start=1):
            sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def ann():
    return make_person(email="ann@council.example")


def test_a_roster_workbook_adds_people():
    result = roster_import(
        workbook=workbook(
            ROSTER,
            ["Ann.Lee@Council.example", "Ann Lee", "Health Team", "Manager", "Team manager"],
            [
                "bo@council.example",
                "Bo Ray",
                "Health Team",
                "practitioner",
                None,
                "ann.lee@council.example",
            ],
        )
    )

    assert result.ok, result.errors
    assert result.created == 2
    bo = Person.objects.get(email="bo@council.example")
    assert (bo.team.name, bo.line_manager.full_name, bo.status) == (
        "Health Team",
        "Ann Lee",
        "active",
    )


def test_a_register_workbook_reads_cells_as_excel_shows_them(ann):
    result = training_import(
        workbook=workbook(
            TRAINING,
            # A date cell, a whole number, and TRUE.
            ["ann@council.example", "Pilot", "Cohort 1", 1, datetime.date(2015, 11, 3), True],
            # A date-and-time cell, a number stored as a decimal, and text.
            [
                "ann@council.example",
                "Pilot",
                "Cohort 1",
                2.0,
                datetime.datetime(2015, 11, 10),
                "no",
            ],
        )
    )

    assert result.ok, result.errors
    cohort = Cohort.objects.get()
    assert (cohort.day1_date, cohort.day2_date) == (
        datetime.date(2015, 11, 3),
        datetime.date(2015, 11, 10),
    )
    assert list(CourseAttendance.objects.order_by("day").values_list("day", "attended")) == [
        (1, True),
        (2, False),
    ]


def test_every_bad_line_of_a_register_workbook_is_named_by_its_row_and_nothing_is_imported(ann):
    result = training_import(
        workbook=workbook(
            TRAINING,
            ["ann@council.example", "Pilot", "Cohort 1", 1, datetime.date(2015, 11, 3), True],
            None,  # a blank row still counts
            ["ann@council.example", "Pilot", "Cohort 1", 3, datetime.date(2015, 11, 10), True],
            ["nobody@council.example", "Pilot", "Cohort 1", 2, "10/11/2015", "maybe"],
        )
    )

    assert [(error.line, error.message) for error in result.errors] == [
        (4, "day '3' is not 1, 2, restorative or base"),
        (5, "nobody@council.example is not on the roster"),
        (5, "attended 'maybe' is not yes or no"),
    ]
    assert not CourseAttendance.objects.exists()
    assert not Cohort.objects.exists()


def test_every_bad_line_of_a_roster_workbook_is_named_and_nothing_is_imported():
    result = roster_import(
        workbook=workbook(
            ROSTER,
            ["good@x.example", "Good", "T", "practitioner"],
            ["bad", "Bad", "T", "practitioner"],
            ["c@x.example", "C", "T", "wizard"],
        )
    )

    assert [(error.line, error.message) for error in result.errors] == [
        (3, "'bad' is not a valid email address"),
        (
            4,
            "role_group 'wizard' is not one of "
            "senior_manager, manager, practitioner, partner, admin",
        ),
    ]
    assert not Person.objects.exists()


def test_empty_cells_at_the_end_of_a_row_are_ignored_but_a_value_beyond_the_header_is_not():
    result = roster_import(
        workbook=workbook(
            [*ROSTER[:4], None, None],
            ["a@x.example", "A", "T", "practitioner", None, ""],
            ["b@x.example", "B", "T", "practitioner", None, "stray"],
        )
    )

    assert [(error.line, error.message) for error in result.errors] == [
        (3, "has 6 values but the header has 4")
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "The sheet is empty: it needs a header row."),
        ([ROSTER], "The sheet has a header but no rows."),
        ([["email", "full_name"], ["a@x.example", "A"]], "missing required column(s): team"),
        ([[*ROSTER, "shoe_size"], ["a@x.example"]], "unknown column(s): 'shoe_size'"),
    ],
)
def test_a_workbook_with_no_rows_or_a_wrong_header_is_refused_with_a_message(rows, message):
    result = roster_import(workbook=workbook(*rows))

    assert message in result.errors[0].message
    assert not Person.objects.exists()


def test_the_sheet_the_workbook_opens_on_is_the_one_read():
    book = openpyxl.Workbook()
    book.active.append(["notes"])
    roster = book.create_sheet("Roster")
    roster.append(ROSTER[:4])
    roster.append(["a@x.example", "A", "T", "partner"])
    book.active = 1
    buffer = io.BytesIO()
    book.save(buffer)

    assert roster_import(workbook=buffer.getvalue()).created == 1


def test_a_damaged_workbook_is_refused_on_line_1():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "this is not XML")
        archive.writestr("[Content_Types].xml", "nor this")

    result = roster_import(workbook=buffer.getvalue())

    assert [error.line for error in result.errors] == [1]
    assert result.errors[0].message.startswith("The workbook cannot be read")


def test_a_workbook_that_would_unpack_too_large_is_refused_unread(monkeypatch):
    monkeypatch.setattr(csv_files, "WORKBOOK_MAX_UNPACKED_BYTES", 1000)

    result = roster_import(workbook=workbook(ROSTER, ["a@x.example", "A", "T", "partner"]))

    assert result.errors[0].message.startswith("The workbook is too large once unpacked.")
    assert not Person.objects.exists()


# On the site and in the commands ----------------------------------------------------------------


def test_an_administrator_uploads_a_register_workbook(cast, as_user):
    data = workbook(
        TRAINING, [cast.practitioner.email, "Pilot", "C1", 1, datetime.date(2016, 1, 5), True]
    )

    response = as_user(cast.administrator).post(
        reverse("training_import"),
        {"file": SimpleUploadedFile("register.xlsx", data)},
        follow=True,
    )

    assert "1 attendance records created, 0 updated, 0 unchanged." in response.content.decode()
    assert cast.practitioner.attendances.get().attended


def test_a_roster_workbook_with_bad_lines_lists_them_on_the_site(cast, as_user):
    data = workbook(ROSTER, ["n@x.example", "N", "T", "wizard"], ["bad", "M", "T", "partner"])

    response = as_user(cast.administrator).post(
        reverse("roster_import"), {"file": SimpleUploadedFile("roster.xlsx", data)}, follow=True
    )

    html = response.content.decode()
    assert "Line 2: role_group &#x27;wizard&#x27; is not one of" in html
    assert "Line 3: &#x27;bad&#x27; is not a valid email address" in html
    assert Person.objects.count() == 6


def test_the_import_commands_read_workbooks(tmp_path, cast):
    good = tmp_path / "roster.xlsx"
    good.write_bytes(workbook(ROSTER, ["a@x.example", "A", "T", "partner"]))
    bad = tmp_path / "register.xlsx"
    bad.write_bytes(workbook(TRAINING, ["a@x.example", "P", "C", 9, "2016-01-01", "yes"]))
    out, errors = io.StringIO(), io.StringIO()

    call_command("import_roster", str(good), "--by", cast.administrator.email, stdout=out)
    with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
        call_command("import_training", str(bad), "--dry-run", stdout=out, stderr=errors)

    assert "1 people created" in out.getvalue()
    assert "register.xlsx: line 2: day '9' is not 1, 2, restorative or base" in errors.getvalue()
    assert Person.objects.filter(email="a@x.example").exists()
