"""A person marked as left in the admin site is treated as the roster import treats them."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.admin_site import post_changed
from tests.factories import PASSWORD, make_person
from training.models import PersonStatus

pytestmark = pytest.mark.django_db


def person_page(person) -> str:
    return reverse("admin:training_person_change", args=[person.pk])


def test_marking_a_person_as_left_in_the_admin_closes_their_account(cast, administrator):
    person = cast.practitioner

    response = post_changed(
        administrator, person_page(person), status=PersonStatus.LEFT, left_on="2026-03-31"
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.status, person.left_on) == (PersonStatus.LEFT, datetime.date(2026, 3, 31))
    assert not User.objects.get(pk=person.user_id).is_active
    assert not Client().login(username=person.email, password=PASSWORD)


def test_a_person_back_from_leaving_can_sign_in_again(cast, administrator):
    person = cast.practitioner
    post_changed(administrator, person_page(person), status=PersonStatus.LEFT, left_on="2026-03-31")

    post_changed(administrator, person_page(person), status=PersonStatus.ACTIVE, left_on="")

    assert User.objects.get(pk=person.user_id).is_active


def test_leaving_without_a_leaving_date_is_refused_with_a_message(cast, administrator):
    person = cast.practitioner

    response = post_changed(administrator, person_page(person), status=PersonStatus.LEFT)

    assert response.status_code == 200
    assert "Give the day this person left" in response.content.decode()
    person.refresh_from_db()
    assert person.status == PersonStatus.ACTIVE
    assert User.objects.get(pk=person.user_id).is_active


def test_a_leaving_date_for_someone_who_has_not_left_is_refused(cast, administrator):
    response = post_changed(administrator, person_page(cast.practitioner), left_on="2026-03-31")

    assert "Only someone who has left has a leaving date" in response.content.decode()
    cast.practitioner.refresh_from_db()
    assert cast.practitioner.left_on is None


def test_a_person_without_an_account_is_not_given_one_when_they_leave(cast, administrator):
    person = make_person(team=cast.practitioner.team)

    post_changed(administrator, person_page(person), status=PersonStatus.LEFT, left_on="2026-03-31")

    person.refresh_from_db()
    assert person.status == PersonStatus.LEFT
    assert person.user_id is None


def test_moving_a_course_day_in_the_admin_updates_the_calendars_of_those_confirmed(
    cast, administrator, django_capture_on_commit_callbacks
):
    import vobject
    from django.core import mail

    from tests.factories import make_course
    from training.services import place_confirm, places_nominate

    course = make_course()
    [place] = places_nominate(cohort=course, people=[cast.practitioner], by=None)
    with django_capture_on_commit_callbacks(execute=True):
        place_confirm(place=place)
    mail.outbox.clear()
    moved = course.day1_date + datetime.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_changed(
            administrator,
            reverse("admin:training_cohort_change", args=[course.pk]),
            day1_date=f"{moved:%Y-%m-%d}",
        )

    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.day1_date, course.sequence) == (moved, 1)
    [message] = mail.outbox
    event = vobject.readOne(message.alternatives[0][0]).vevent
    assert (event.uid.value, event.dtstart.value.date()) == (
        f"course-{course.pk}-day-1@127.0.0.1",
        moved,
    )
