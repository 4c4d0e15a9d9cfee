"""Bank holidays on both sides of the year, from the maintained `holidays` package: a rule
skips or moves a meeting that falls on one, as the leader chose, and a move onto one warns."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from circles.forms import CircleForm, MoveMeetingForm
from circles.holidays import bank_holiday, next_working_day
from circles.models import MeetingStatus, OnBankHoliday, Ordinal, Weekday
from tests.factories import make_circle, make_person

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2027, 11, 15)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2027, 12, 27), "Christmas Day (observed)"),  # the 25th is a Saturday
        (D(2027, 12, 28), "Boxing Day (observed)"),
        (D(2028, 1, 3), "New Year's Day (observed)"),  # the 1st is a Saturday
        (D(2027, 12, 31), None),  # not a bank holiday in England and Wales
        (D(2028, 1, 4), None),
    ],
)
def test_the_bank_holidays_of_england_and_wales_around_the_new_year(day, name):
    assert bank_holiday(day) == name


def test_the_next_working_day_skips_weekends_and_bank_holidays():
    assert next_working_day(D(2027, 12, 24)) == D(2027, 12, 29)
    assert next_working_day(D(2027, 12, 31)) == D(2028, 1, 4)


@override_settings(BANK_HOLIDAY_REGION="GB-SCT")
def test_the_region_is_a_setting():
    assert bank_holiday(D(2028, 1, 4)) == "New Year Holiday (observed)"
    assert bank_holiday(D(2027, 8, 30)) is None  # England's late summer holiday


def circle_on(ordinal: int, weekday: int, choice: str):
    return make_circle(
        leaders=[make_person()],
        ordinal=ordinal,
        weekday=weekday,
        on_bank_holiday=choice,
        starts_on=D(2027, 11, 1),
        ends_on=D(2028, 2, 28),
        today=TODAY,
    )


def local_day(meeting) -> datetime.date:
    return timezone.localdate(meeting.starts_at)


def test_a_meeting_on_a_december_bank_holiday_moves_to_the_next_working_day():
    """The last Monday of December 2027 is the 27th, Christmas observed; the 28th is Boxing
    Day observed, so the meeting moves to Wednesday the 29th."""
    circle = circle_on(Ordinal.LAST, Weekday.MONDAY, OnBankHoliday.MOVE)

    december = circle.meetings.get(month=D(2027, 12, 1))

    assert (local_day(december), december.status) == (D(2027, 12, 29), MeetingStatus.SCHEDULED)
    assert local_day(circle.meetings.get(month=D(2028, 1, 1))) == D(2028, 1, 31)


def test_a_meeting_on_a_january_bank_holiday_is_skipped_and_says_why():
    """The first Monday of January 2028 is the 3rd, New Year's Day observed."""
    circle = circle_on(Ordinal.FIRST, Weekday.MONDAY, OnBankHoliday.SKIP)

    january = circle.meetings.get(month=D(2028, 1, 1))

    assert (local_day(january), january.status) == (D(2028, 1, 3), MeetingStatus.CANCELLED)
    assert january.cancel_reason == "New Year's Day (observed), a bank holiday."
    december = circle.meetings.get(month=D(2027, 12, 1))
    assert (local_day(december), december.status) == (D(2027, 12, 6), MeetingStatus.SCHEDULED)


def test_the_leader_chooses_skip_or_move_when_creating_a_series(cast):
    data = {
        "name": "Stroud circle",
        "kind": "learning_circle",
        "facilitators": [cast.practice_leader.pk],
        "ordinal": "1",
        "weekday": "0",
        "start_time": "10:00",
        "end_time": "12:00",
        "starts_on": "2027-11-01",
        "venue": "Stroud",
    }

    assert CircleForm().fields["on_bank_holiday"].initial is None
    form = CircleForm(data)
    assert not form.is_valid() and "on_bank_holiday" in form.errors
    assert CircleForm({**data, "on_bank_holiday": "skip"}).is_valid()


def move_to(day: datetime.date, **more: str) -> MoveMeetingForm:
    return MoveMeetingForm(
        {"date": day.isoformat(), "start_time": "10:00", "end_time": "12:00", **more}
    )


def test_moving_a_meeting_onto_a_bank_holiday_warns_and_goes_ahead_only_when_confirmed():
    warned = move_to(D(2027, 12, 28))

    assert not warned.is_valid()
    assert warned.errors["date"] == [
        "28 December 2027 is Boxing Day (observed), a bank holiday. Choose another day, or "
        'tick "Move it to that bank holiday anyway".'
    ]
    assert move_to(D(2027, 12, 28), on_bank_holiday_anyway="on").is_valid()
    assert move_to(D(2027, 12, 31)).is_valid()


def test_the_move_page_shows_the_warning_and_the_box_to_confirm(cast, as_user):
    circle = make_circle(leaders=[cast.practice_leader], starts_on=timezone.localdate())
    meeting = circle.meetings.filter(starts_at__gt=timezone.now()).first()

    response = as_user(cast.practice_leader).post(
        reverse("meeting_change", args=[meeting.pk]),
        {"date": "2027-12-27", "start_time": "10:00", "end_time": "12:00"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Christmas Day (observed), a bank holiday" in html
    assert 'name="on_bank_holiday_anyway"' in html
