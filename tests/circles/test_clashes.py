"""Nobody is booked into two places at once: a supervisor or practitioner in two 2:1s, a
practice leader in two circles' meetings. Members in two circles are warned of."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from circles.models import CircleMeeting, LearningCircle, Ordinal, Weekday
from circles.services import meeting_move
from supervision.models import SupervisionSession
from supervision.services import session_change, session_schedule
from tests.factories import make_circle, make_person, make_session

pytestmark = [pytest.mark.django_db, pytest.mark.any_day]
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def booked(cast):
    """A planned 2:1 of the cast's supervisor and practitioner, two days ahead at 10:00."""
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner, make_person()],
        starts_at=start,
    )


def test_a_supervisor_cannot_be_booked_into_two_2_to_1s_at_once(cast, booked):
    with pytest.raises(ValidationError, match=f"{cast.supervisor.full_name} is already in a 2:1"):
        session_schedule(
            supervisor=cast.supervisor,
            practitioners=[make_person(), make_person()],
            starts_at=booked.starts_at + HOUR / 2,
            ends_at=booked.ends_at + HOUR / 2,
        )
    assert SupervisionSession.objects.count() == 1


def test_a_practitioner_cannot_be_in_two_2_to_1s_at_once(cast, booked):
    other = make_person()
    with pytest.raises(ValidationError, match=f"{cast.practitioner.full_name} is already"):
        session_schedule(
            supervisor=other,
            practitioners=[cast.practitioner, make_person()],
            starts_at=booked.starts_at,
            ends_at=booked.ends_at,
        )


def test_back_to_back_2_to_1s_and_changing_a_2_to_1_in_place_are_fine(cast, booked):
    session_schedule(
        supervisor=cast.supervisor,
        practitioners=[make_person(), make_person()],
        starts_at=booked.ends_at,
        ends_at=booked.ends_at + HOUR,
    )
    session_change(
        session=booked,
        practitioners=list(booked.practitioners.all()),
        starts_at=booked.starts_at - HOUR / 2,
        ends_at=booked.ends_at - HOUR / 2,
    )
    assert SupervisionSession.objects.count() == 2


def test_the_2_to_1_page_shows_the_clash_and_saves_nothing(cast, as_user, booked):
    second = make_person(line_manager=cast.supervisor)
    third = make_person(line_manager=cast.supervisor)
    start = timezone.localtime(booked.starts_at)

    response = as_user(cast.supervisor).post(
        reverse("session_create"),
        {
            "practitioners": [second.pk, third.pk],
            "date": start.date().isoformat(),
            "start_time": "10:30",
            "end_time": "11:30",
            "place": "Room 2",
            "reason": "",
        },
    )

    assert response.status_code == 200
    assert "nobody can be in two places at once" in response.content.decode()
    assert SupervisionSession.objects.count() == 1


def leader_circle(leader, name: str, **rule):
    return make_circle(leaders=[leader], name=name, starts_on=timezone.localdate(), **rule)


def test_a_practice_leader_cannot_lead_two_circles_meeting_at_the_same_time(cast):
    leader_circle(cast.practice_leader, "Stroud circle")

    with pytest.raises(ValidationError, match="cannot be in two places at once"):
        leader_circle(
            cast.practice_leader,
            "Forest circle",
            ordinal=Ordinal.SECOND,
            weekday=Weekday.TUESDAY,
            start_time=datetime.time(11),
            end_time=datetime.time(13),
        )
    assert list(LearningCircle.objects.values_list("name", flat=True)) == ["Stroud circle"]
    # Another day is fine.
    leader_circle(cast.practice_leader, "Forest circle", weekday=Weekday.THURSDAY)


def test_moving_a_meeting_onto_another_circle_the_leader_runs_is_refused(cast):
    stroud = leader_circle(cast.practice_leader, "Stroud circle")
    forest = leader_circle(cast.practice_leader, "Forest circle", weekday=Weekday.THURSDAY)
    target = stroud.meetings.filter(starts_at__gt=timezone.now()).first()
    meeting = forest.meetings.filter(starts_at__gt=timezone.now()).first()

    with pytest.raises(ValidationError, match="leads Stroud circle on"):
        meeting_move(
            meeting=meeting,
            date=timezone.localdate(target.starts_at),
            start_time=datetime.time(11),
            end_time=datetime.time(12),
        )
    assert CircleMeeting.objects.get(pk=meeting.pk).sequence == 0


def test_moving_a_meeting_warns_of_members_in_another_circle_then(cast, as_user):
    shared = make_person()
    stroud = make_circle(
        leaders=[make_person()],
        members=[shared],
        name="Stroud circle",
        starts_on=timezone.localdate(),
    )
    forest = make_circle(
        leaders=[cast.practice_leader],
        members=[shared],
        name="Forest circle",
        weekday=Weekday.THURSDAY,
        starts_on=timezone.localdate(),
    )
    target = stroud.meetings.filter(starts_at__gt=timezone.now()).first()
    meeting = forest.meetings.filter(starts_at__gt=timezone.now()).first()

    response = as_user(cast.practice_leader).post(
        reverse("meeting_change", args=[meeting.pk]),
        {
            "date": timezone.localdate(target.starts_at).isoformat(),
            "start_time": "10:00",
            "end_time": "11:00",
            "venue": "",
        },
        follow=True,
    )

    html = response.content.decode()
    assert "Meeting moved" in html
    assert f"in another circle&#x27;s meeting: {shared.full_name} (Stroud circle)" in html
