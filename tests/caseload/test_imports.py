"""The monthly figures import: all or nothing, every bad line named, CSV or Excel."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from caseload.imports import cases_import
from caseload.models import MonthlyCaseload, Source
from tests.factories import make_person

pytestmark = pytest.mark.django_db

HEADER = "email,month,caseload,cases_with_model\n"
D = datetime.date


def figures() -> list[tuple[str, datetime.date, int, int, str]]:
    return list(
        MonthlyCaseload.objects.order_by("person__email", "month").values_list(
            "person__email", "month", "caseload", "cases_with_model", "source"
        )
    )


def test_a_file_with_bad_lines_names_every_one_and_writes_nothing():
    person = make_person(email="ana@council.example")
    text = HEADER + (
        "ana@council.example,2016-09,20,3\n"
        "nobody@council.example,2016-09,20,3\n"
        "ana@council.example,2016-13,20,3\n"
        "ana@council.example,2016-08,5,6\n"
        "ana@council.example,2016-07,-1,x\n"
        "ana@council.example,2027-01,20,3\n"
        "ana@council.example,15/09/2016,21,3\n"
        ",,,\n"
        "not-an-address,,12,\n"
    )

    result = cases_import(text=text)

    assert [(error.line, error.message) for error in result.errors] == [
        (3, "nobody@council.example is not on the roster"),
        (4, "month '2016-13' is not a month as YYYY-MM or a date as YYYY-MM-DD or DD/MM/YYYY"),
        (5, "cases_with_model (6) is more than the caseload (5)"),
        (6, "caseload '-1' is not a whole number from 0 to 500"),
        (6, "cases_with_model 'x' is not a whole number from 0 to 500"),
        (
            7,
            "month '2027-01': Figures are recorded for this month or an earlier one, not a month "
            "to come.",
        ),
        (
            8,
            "ana@council.example's figures for September 2016 are on line 2 and on line 8: keep "
            "one of them",
        ),
        (10, "'not-an-address' is not a valid email address"),
        (10, "month is required"),
        (10, "cases_with_model is required"),
    ]
    assert not MonthlyCaseload.objects.exists()
    assert person.monthly_caseloads.count() == 0


def test_a_month_is_read_as_yyyy_mm_or_as_any_date_in_it_and_stored_as_its_first_day():
    make_person(email="ana@council.example")
    text = HEADER + (
        "ana@council.example,2016-09,20,3\n"
        "ANA@council.example,2016-10-31,21,4\n"
        "ana@council.example,30/11/2016,22,5\n"
    )

    result = cases_import(text=text)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert figures() == [
        ("ana@council.example", D(2016, 9, 1), 20, 3, Source.IMPORT),
        ("ana@council.example", D(2016, 10, 1), 21, 4, Source.IMPORT),
        ("ana@council.example", D(2016, 11, 1), 22, 5, Source.IMPORT),
    ]


def test_importing_again_replaces_changed_months_and_counts_the_rest_unchanged():
    make_person(email="ana@council.example")
    cases_import(
        text=HEADER + "ana@council.example,2016-09,20,3\nana@council.example,2016-10,20,3\n"
    )

    result = cases_import(
        text=HEADER
        + "ana@council.example,2016-09,20,3\nana@council.example,2016-10,20,8\n"
        + "ana@council.example,2016-10,20,8\n"
    )

    assert (result.created, result.updated, result.unchanged, result.repeated) == (0, 1, 1, 1)
    assert [row[3] for row in figures()] == [3, 8]
    assert MonthlyCaseload.history.count() == 3


def test_a_workbook_imports_as_a_csv_file_does_with_excel_dates_as_months():
    make_person(email="ana@council.example")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Email", "Month", "Caseload", "Cases_with_model"])
    sheet.append(["ana@council.example", datetime.datetime(2016, 9, 30), 20, 3])
    sheet.append(["ana@council.example", "2016-10", 21.0, 4])
    sheet.append(["ana@council.example", "2016-11", 22, 23])
    data = io.BytesIO()
    book.save(data)

    refused = cases_import(workbook=data.getvalue())

    assert [(error.line, error.message) for error in refused.errors] == [
        (4, "cases_with_model (23) is more than the caseload (22)")
    ]
    assert not MonthlyCaseload.objects.exists()

    sheet.delete_rows(4)
    data = io.BytesIO()
    book.save(data)
    assert cases_import(workbook=data.getvalue()).created == 2
    assert [(row[1], row[2], row[3]) for row in figures()] == [
        (D(2016, 9, 1), 20, 3),
        (D(2016, 10, 1), 21, 4),
    ]


def test_every_bad_line_is_counted_and_a_page_lists_the_first_hundred():
    make_person(email="ana@council.example")
    months = [f"{year}-{month:02}" for year in range(2004, 2017) for month in range(1, 13)]
    text = HEADER + "".join(f"ana@council.example,{month},1,2\n" for month in months)

    result = cases_import(text=text)

    assert len(result.errors) == 156
    assert result.errors[-1].line == 157
    assert (len(result.errors_shown), result.errors_not_shown) == (100, 56)
    assert not MonthlyCaseload.objects.exists()


def test_a_file_over_the_row_cap_is_refused_unread(settings):
    settings.IMPORT_MAX_ROWS = 3
    make_person(email="ana@council.example")
    text = HEADER + "".join(f"ana@council.example,2016-{n:02},20,3\n" for n in range(1, 5))

    result = cases_import(text=text)

    assert [error.line for error in result.errors] == [5]
    assert "more than 3 rows" in result.errors[0].message
    assert not MonthlyCaseload.objects.exists()


def test_the_command_imports_in_the_administrators_name(cast, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + f"{cast.practitioner.email},2016-09,20,3\n")
    out = io.StringIO()

    call_command("import_cases", str(path), "--by", cast.administrator.email, stdout=out)

    assert "1 monthly figures created, 0 updated, 0 unchanged." in out.getvalue()
    row = MonthlyCaseload.objects.get()
    assert (row.person, row.source, row.recorded_by) == (
        cast.practitioner,
        Source.IMPORT,
        cast.administrator.user,
    )
    assert row.history.get().history_user == cast.administrator.user


def test_the_command_lists_every_bad_line_and_imports_nothing(cast, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + f"{cast.practitioner.email},2016-09,2,3\nx@y.example,2016-09,2,1\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing imported: 2 problem"):
        call_command("import_cases", str(path), "--by", cast.administrator.email, stderr=err)

    assert f"{path}: line 2: cases_with_model (3) is more than the caseload (2)" in err.getvalue()
    assert f"{path}: line 3: x@y.example is not on the roster" in err.getvalue()
    assert not MonthlyCaseload.objects.exists()


def test_the_command_needs_an_administrator(cast, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + f"{cast.practitioner.email},2016-09,20,3\n")

    with pytest.raises(CommandError, match="not an active administrator"):
        call_command("import_cases", str(path), "--by", cast.supervisor.email)

    assert not MonthlyCaseload.objects.exists()
