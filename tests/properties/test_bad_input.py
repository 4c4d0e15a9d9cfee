"""Inputs that once answered 500 or were stored wrongly; each is refused cleanly now."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from competencies.models import Competency, Rating
from competencies.services import review_start
from tests.factories import attend, make_circle, make_cohort
from training.imports import roster_import
from training.models import CourseAttendance, Person

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SUPERSCRIPT_TWO = "\u00b2"  # "²".isdigit() is True, but int("²") fails


@pytest.mark.parametrize(
    "email",
    ["\u0130@example.com", "a" * 250 + "@example.com"],  # "İ" lowers to two characters
)
def test_an_email_that_is_invalid_once_lower_cased_or_too_long_is_a_row_error(email):
    result = roster_import(text=f"email,full_name,team,role_group\n{email},A,T,partner\n")

    assert [error.line for error in result.errors] == [2]
    assert not Person.objects.exists()


def test_odd_digits_in_a_cohort_register_post_are_ignored(cast, as_user):
    cohort = make_cohort()
    attend(cast.practitioner, cohort, attended=False)

    response = as_user(cast.practice_leader).post(
        reverse("cohort_register_save_all", args=[cohort.pk]),
        {"attended": [f"{SUPERSCRIPT_TWO}:1"]},
    )

    assert response.status_code == 302
    assert not CourseAttendance.objects.filter(attended=True).exists()


@pytest.fixture
def meeting(cast):
    circle = make_circle(
        leaders=[cast.practice_leader],
        members=[cast.practitioner],
        starts_on=timezone.localdate() - timezone.timedelta(days=100),
    )
    return circle.meetings.filter(starts_at__lt=timezone.now()).last()


def test_odd_digits_in_an_attendance_field_name_are_ignored(cast, as_user, meeting):
    response = as_user(cast.practice_leader).post(
        reverse("meeting_record_save", args=[meeting.pk]),
        {f"status-{SUPERSCRIPT_TWO}": "present"},
    )

    assert response.status_code == 302
    assert not meeting.attendance.exists()


def test_removing_a_member_named_by_something_not_a_number_is_not_found(cast, as_user, meeting):
    response = as_user(cast.practice_leader).post(
        reverse("circle_member_remove", args=[meeting.circle_id]), {"person": "a"}
    )

    assert response.status_code == 404
    assert meeting.circle.memberships.count() == 1


def test_odd_digits_and_null_characters_in_the_rating_grid(cast, as_user):
    review = review_start(practitioner=cast.practitioner)
    competency = Competency.objects.filter(area__version=review.version_id).first()
    client = as_user(cast.practitioner)

    odd_competency = client.post(
        reverse("review_rate", args=[review.pk]), {"competency": SUPERSCRIPT_TWO}, **HTMX
    )
    odd_revision = client.post(
        reverse("review_ratings_save", args=[review.pk]),
        {
            f"level-{competency.pk}": "2",
            f"based_on-{competency.pk}": SUPERSCRIPT_TWO,
            f"comment-{competency.pk}": "before\x00after",
        },
    )

    assert odd_competency.status_code == 404
    assert odd_revision.status_code == 302
    assert Rating.objects.get(review=review).comment == "beforeafter"
