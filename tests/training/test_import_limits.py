"""Imports refuse a file with too many rows before reading them, and a refused file lists its
first 100 problems and counts the rest, so that a huge or broken file cannot hold the server or
answer with a page of megabytes."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from training.imports import PROBLEMS_SHOWN, roster_import, training_import
from training.models import Person, Team

pytestmark = pytest.mark.django_db

ROSTER_HEADER = "email,full_name,team,role_group"


def roster(rows: int) -> str:
    lines = [ROSTER_HEADER]
    lines += [f"p{n}@council.example,Person {n},Team {n % 20},practitioner" for n in range(rows)]
    return "\n".join(lines) + "\n"


def upload(client, name: str, text: str):
    return client.post(
        reverse(name), {"file": SimpleUploadedFile("file.csv", text.encode())}, follow=True
    )


def test_a_roster_over_the_row_cap_is_refused_whole_with_a_message_and_nothing_written(settings):
    settings.IMPORT_MAX_ROWS = 50
    teams = Team.objects.count()

    result = roster_import(text=roster(51))

    assert [(error.line, error.message[:40]) for error in result.errors] == [
        (52, "the file has more than 50 rows, the most")
    ]
    assert "split it into several files" in result.errors[0].message
    assert not Person.objects.exists()
    assert Team.objects.count() == teams


def test_a_roster_at_the_row_cap_is_imported(settings):
    settings.IMPORT_MAX_ROWS = 50

    result = roster_import(text=roster(50) + "\n\n\n")

    assert result.ok
    assert Person.objects.count() == 50


def test_a_training_file_over_the_row_cap_is_refused_too(settings):
    settings.IMPORT_MAX_ROWS = 3
    text = "email,phase,cohort,day,date,attended\n" + "a@x.example,P,C,1,2016-03-01,yes\n" * 4

    result = training_import(text=text)

    assert len(result.errors) == 1
    assert "more than 3 rows" in result.errors[0].message


def test_a_file_of_a_million_lines_is_refused_at_once_with_one_message(cast, as_user):
    """The case that held a worker for 52 s and answered 55 MB: under the 2 MB upload limit."""
    text = ROSTER_HEADER + "\n" + "x\n" * 1_000_000
    started = time.monotonic()

    response = upload(as_user(cast.administrator), "roster_import", text)

    elapsed = time.monotonic() - started
    page = response.content.decode()
    assert response.status_code == 200
    assert "more than 10,000 rows" in page
    assert "1 problem in the file" in page
    assert len(response.content) < 100_000
    assert elapsed < 10, f"took {elapsed:.1f} s"
    assert not Person.objects.exclude(pk__in=[p.pk for p in vars(cast).values()]).exists()


def test_a_file_with_a_thousand_bad_lines_lists_the_first_100_and_counts_the_rest(cast, as_user):
    bad = [f"p{n}@council.example,Person {n},Team 1,astronaut" for n in range(1000)]
    text = "\n".join([ROSTER_HEADER, *bad]) + "\n"

    response = upload(as_user(cast.administrator), "roster_import", text)

    page = response.content.decode()
    assert "1000 problems in the file" in page
    listed = page.count("role_group &#x27;astronaut&#x27; is not one of")
    assert listed == PROBLEMS_SHOWN == 100
    assert "Line 101: " in page and "Line 102: " not in page
    assert "And 900 more problems, not listed here" in page
    assert Person.objects.count() == 6


def test_a_file_with_exactly_100_problems_lists_them_all_and_no_more(cast, as_user):
    bad = [f"p{n}@council.example,Person {n},Team 1,astronaut" for n in range(100)]

    response = upload(
        as_user(cast.administrator), "roster_import", "\n".join([ROSTER_HEADER, *bad])
    )

    page = response.content.decode()
    assert page.count("is not one of") == 100
    assert "more problem" not in page


def test_at_its_default_the_row_cap_refuses_ten_thousand_and_one_rows_and_no_fewer(settings):
    """Ten thousand rows are checked, row by row, as any file is (one bad row on the last line:
    so nothing is written); one more and the file is refused before its rows are read."""
    assert settings.IMPORT_MAX_ROWS == 10_000
    last_bad = roster(9_999) + "p-last@council.example,Last,Team 1,astronaut\n"

    checked = roster_import(text=last_bad)
    refused = roster_import(text=roster(10_001))

    assert [error.line for error in checked.errors] == [10_001]
    assert [error.line for error in refused.errors] == [10_002]
    assert "more than 10,000 rows" in refused.errors[0].message
