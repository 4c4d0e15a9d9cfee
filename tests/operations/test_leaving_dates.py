"""The roster import records when a person left, which is what purge_leavers counts from."""

from __future__ import annotations

import datetime

import pytest

from tests.factories import make_person
from training.imports import roster_import
from training.models import Person, PersonStatus

pytestmark = pytest.mark.django_db

HEADER = "email,full_name,team,role_group,status\n"
MARCH = datetime.date(2024, 3, 1)
JUNE = datetime.date(2024, 6, 1)


def import_status(email: str, status: str, today: datetime.date) -> Person:
    result = roster_import(
        text=f"{HEADER}{email},Sam Example,Stroud District,practitioner,{status}\n", today=today
    )
    assert result.ok, result.errors
    return Person.objects.get(email=email)


def test_a_person_marked_as_left_gets_the_day_of_the_import_as_their_leaving_date():
    make_person(email="sam@council.example")

    assert import_status("sam@council.example", "left", MARCH).left_on == MARCH


def test_a_later_import_that_still_says_left_keeps_the_first_date():
    make_person(email="sam@council.example")
    import_status("sam@council.example", "left", MARCH)

    result = roster_import(
        text=f"{HEADER}sam@council.example,Sam Example,Stroud District,practitioner,left\n",
        today=JUNE,
    )

    assert Person.objects.get(email="sam@council.example").left_on == MARCH
    assert result.unchanged == 1


def test_a_person_who_comes_back_loses_their_leaving_date():
    make_person(email="sam@council.example")
    import_status("sam@council.example", "left", MARCH)

    assert import_status("sam@council.example", "active", JUNE).left_on is None


def test_a_new_person_who_has_already_left_is_dated_from_the_import():
    assert import_status("new@council.example", "left", MARCH).left_on == MARCH


def test_a_leaver_from_before_dates_were_kept_is_not_given_one():
    person = make_person(email="old@council.example", status=PersonStatus.LEFT)

    import_status("old@council.example", "left", JUNE)

    person.refresh_from_db()
    assert person.left_on is None


def test_a_dry_run_records_no_leaving_date():
    make_person(email="sam@council.example")

    roster_import(
        text=f"{HEADER}sam@council.example,Sam Example,Stroud District,practitioner,left\n",
        dry_run=True,
        today=MARCH,
    )

    assert Person.objects.get(email="sam@council.example").left_on is None
