"""The admin site changes circles only as their pages do, through the services.

A circle's rule changed there moves its future meetings; meetings and members are shown but moved,
cancelled, added and removed only on their pages, which send the invitations.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from circles.models import CircleMembership, MeetingStatus, Weekday
from tests.admin_site import form_data, post_changed
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.mark.any_day
def test_changing_a_circles_rule_in_the_admin_moves_its_future_meetings(circle, administrator):
    future = list(circle.meetings.filter(starts_at__gt=timezone.now()))
    past = list(circle.meetings.filter(starts_at__lt=timezone.now()))

    response = post_changed(
        administrator,
        reverse("admin:circles_learningcircle_change", args=[circle.pk]),
        weekday=str(Weekday.THURSDAY),
    )

    assert response.status_code == 302
    assert future
    for meeting in future:
        meeting.refresh_from_db()
        local = timezone.localtime(meeting.starts_at)
        assert (local.weekday(), meeting.sequence) == (Weekday.THURSDAY, 1)
    for meeting in past:
        meeting.refresh_from_db()
        assert meeting.sequence == 0


def test_a_circle_added_in_the_admin_is_scheduled(cast, settings):
    root = User.objects.create_superuser("root@council.example", "a-long-test-password")
    client = Client()
    client.force_login(root)
    data = form_data(client, reverse("admin:circles_learningcircle_add"))
    data.update(
        name=["Stroud circle"],
        venue=["Stroud Sub Rooms"],
        facilitators=[str(cast.practice_leader.pk)],
        starts_on=[timezone.localdate().isoformat()],
    )

    response = client.post(reverse("admin:circles_learningcircle_add"), data)

    assert response.status_code == 302
    circle = cast.practice_leader.circles_led.get(name="Stroud circle")
    assert circle.meetings.count() >= 12


def test_a_circle_cannot_be_deleted_in_the_admin(circle):
    root = User.objects.create_superuser("root@council.example", "a-long-test-password")
    client = Client()
    client.force_login(root)

    response = client.post(
        reverse("admin:circles_learningcircle_delete", args=[circle.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert circle.meetings.exists()


def test_a_member_added_in_the_admin_is_not_saved_without_an_invitation(
    cast, circle, administrator
):
    newcomer = make_person(team=cast.practitioner.team)
    url = reverse("admin:circles_learningcircle_change", args=[circle.pk])
    data = form_data(administrator, url)
    prefix = next(name for name in data if name.endswith("-TOTAL_FORMS")).removesuffix(
        "-TOTAL_FORMS"
    )
    total = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(total + 1)]
    data[f"{prefix}-{total}-person"] = [str(newcomer.pk)]
    data[f"{prefix}-{total}-circle"] = [str(circle.pk)]

    administrator.post(url, data)

    assert not CircleMembership.objects.filter(person=newcomer).exists()
    assert mail.outbox == []


def test_the_circles_admin_page_links_to_its_page_for_members_and_meetings(circle, administrator):
    page = administrator.get(reverse("admin:circles_learningcircle_change", args=[circle.pk]))

    assert reverse("circle_detail", kwargs={"pk": circle.pk}) in page.content.decode()


@pytest.mark.parametrize("who", ["administrator", "superuser"])
def test_a_meeting_cannot_be_moved_or_cancelled_in_the_admin(circle, administrator, who):
    if who == "superuser":
        administrator = Client()
        administrator.force_login(
            User.objects.create_superuser("root@council.example", "a-long-test-password")
        )
    meeting = circle.meetings.filter(starts_at__gt=timezone.now()).first()
    url = reverse("admin:circles_circlemeeting_change", args=[meeting.pk])
    page = administrator.get(url)
    moved = timezone.localtime(meeting.starts_at) + datetime.timedelta(days=1)

    response = administrator.post(
        url,
        {
            "circle": circle.pk,
            "month": meeting.month.isoformat(),
            "starts_at_0": moved.date().isoformat(),
            "starts_at_1": "10:00",
            "ends_at_0": moved.date().isoformat(),
            "ends_at_1": "12:00",
            "status": MeetingStatus.CANCELLED,
            "sequence": "0",
        },
    )

    assert page.status_code == 200
    assert reverse("meeting_change", kwargs={"pk": meeting.pk}) in page.content.decode()
    assert response.status_code == 403
    before = (meeting.starts_at, meeting.status, meeting.sequence)
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.status, meeting.sequence) == before
