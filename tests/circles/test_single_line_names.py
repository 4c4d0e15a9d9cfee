"""A circle's name or venue with a line break is refused wherever it is typed, and nothing is
saved: such a name would break the circle's calendar files and invitations later."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from circles.forms import MoveMeetingForm
from circles.models import CircleMeeting, LearningCircle
from circles.services import circle_save
from tests.circles.test_views import circle_form

pytestmark = pytest.mark.django_db

BROKEN = "Stroud\r\ncircle"
MESSAGE = (
    "Write this on one line: it contains a line break at character 7. Remove line breaks, tabs "
    "and other control characters."
)


def test_the_circle_form_refuses_a_name_with_a_line_break(cast, as_user):
    response = as_user(cast.practice_leader).post(
        reverse("circle_create"), circle_form(cast, name=BROKEN)
    )

    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not LearningCircle.objects.exists()
    assert not CircleMeeting.objects.exists()


def test_the_admin_refuses_a_name_with_a_line_break(cast, client):
    admin = User.objects.create_superuser("root@council.example", password="a-long-password-1")
    client.force_login(admin)

    response = client.post(
        reverse("admin:circles_learningcircle_add"),
        {
            **circle_form(cast, name=BROKEN),
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not LearningCircle.objects.exists()


@pytest.mark.parametrize("field", ["name", "venue"])
def test_the_service_refuses_a_name_or_venue_with_a_line_break_and_saves_nothing(cast, field):
    circle = LearningCircle(
        name="Stroud circle", venue="Stroud Sub Rooms", starts_on=timezone.localdate()
    )
    setattr(circle, field, "Stroud\u2028Sub Rooms")

    with pytest.raises(ValidationError) as refused:
        circle_save(circle=circle, facilitators=[cast.practice_leader])

    assert list(refused.value.message_dict) == [field]
    assert not LearningCircle.objects.exists()
    assert not CircleMeeting.objects.exists()


def test_the_form_that_moves_a_meeting_refuses_a_venue_with_a_line_break():
    form = MoveMeetingForm(
        {
            "date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            "start_time": "14:00",
            "end_time": "16:00",
            "venue": "Room 4\nBCC: everyone@council.example",
        }
    )

    assert not form.is_valid()
    assert form.errors["venue"] == [MESSAGE]
