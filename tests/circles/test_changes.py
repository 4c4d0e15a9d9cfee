"""Changes reach everyone who holds the invitation: the emails, their METHOD and SEQUENCE."""

from __future__ import annotations

import datetime

import pytest
import vobject
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role, grant_roles
from circles.models import CircleMeeting, MeetingStatus, Weekday
from circles.services import (
    circle_delete,
    circle_member_remove,
    circle_save,
    meeting_cancel,
    meeting_move,
    meeting_reinstate,
)
from tests.factories import make_circle, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.any_day]


def itip(message) -> tuple[str, str, int, str]:
    """(METHOD, UID, SEQUENCE, STATUS) of an emailed invitation, read with vobject."""
    content, mimetype = message.alternatives[0]
    calendar = vobject.readOne(content)
    assert mimetype == f"text/calendar; method={calendar.method.value}"
    event = calendar.vevent
    return (
        calendar.method.value,
        event.uid.value,
        int(event.sequence.value),
        event.status.value,
    )


def uid(meeting: CircleMeeting) -> str:
    return f"circle-meeting-{meeting.pk}@127.0.0.1"


@pytest.fixture
def circle():
    """A second-Tuesday circle that started four months ago, a member and a leader who is
    not a member."""
    return make_circle(
        leaders=[make_person()],
        members=[make_person()],
        starts_on=timezone.localdate() - datetime.timedelta(days=120),
    )


def future(circle) -> list[CircleMeeting]:
    return list(circle.meetings.filter(starts_at__gt=timezone.now()).order_by("starts_at"))


def invited_emails(circle) -> list[str]:
    return sorted([p.email for p in circle.members.all()] + [circle.facilitators.get().email])


def test_a_rule_change_sends_an_update_with_a_higher_sequence_for_every_meeting_it_moves(
    circle, django_capture_on_commit_callbacks
):
    ahead = future(circle)
    past = list(circle.meetings.filter(starts_at__lte=timezone.now()))
    circle.weekday, circle.start_time, circle.end_time = (
        Weekday.THURSDAY,
        datetime.time(14),
        datetime.time(16),
    )

    with django_capture_on_commit_callbacks(execute=True):
        circle_save(circle=circle, facilitators=list(circle.facilitators.all()))

    sent = sorted(itip(m) + (m.to[0],) for m in mail.outbox)
    assert sent == sorted(
        ("REQUEST", uid(m), 1, "CONFIRMED", email)
        for m in ahead
        for email in invited_emails(circle)
    )
    for meeting in past:
        assert CircleMeeting.objects.get(pk=meeting.pk).sequence == 0
    assert all("now meets the second Thursday" in m.body for m in mail.outbox)


def test_a_rule_change_leaves_a_meeting_moved_on_its_own_where_it_was_put_and_says_so(
    circle, client, django_capture_on_commit_callbacks
):
    leader = circle.facilitators.get()

    leader.user = User.objects.create_user(leader.email, password="x" * 20)
    leader.save()
    grant_roles(leader.user, Role.PRACTICE_LEADER)
    moved = future(circle)[1]
    new_day = timezone.localdate(moved.starts_at) + datetime.timedelta(days=2)
    meeting_move(
        meeting=moved, date=new_day, start_time=datetime.time(9), end_time=datetime.time(11)
    )
    mail.outbox.clear()
    client.force_login(leader.user)
    form = {
        "name": circle.name,
        "kind": circle.kind,
        "facilitators": [leader.pk],
        "ordinal": circle.ordinal,
        "weekday": Weekday.WEDNESDAY,
        "start_time": "10:00",
        "end_time": "12:00",
        "starts_on": circle.starts_on.isoformat(),
        "ends_on": "",
        "on_bank_holiday": "move",
        "venue": circle.venue,
        "online_link": "",
    }

    preview = client.post(reverse("circle_edit", args=[circle.pk]), form)

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Check what this change does before saving" in html
    assert "stay where they were put" in html
    assert CircleMeeting.objects.get(pk=future(circle)[0].pk).sequence == 0  # nothing saved yet
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(reverse("circle_edit", args=[circle.pk]), {**form, "confirm": "1"})

    assert saved.status_code == 302
    kept = CircleMeeting.objects.get(pk=moved.pk)
    assert (timezone.localdate(kept.starts_at), kept.sequence) == (new_day, 1)
    assert uid(kept) not in {itip(m)[1] for m in mail.outbox}
    assert len(mail.outbox) == 2 * (len(future(circle)) - 1)
    messages = [str(m) for m in saved.wsgi_request._messages]
    assert any("Meetings moved on their own stay where they were put: 1." in m for m in messages)


def test_ending_the_series_sooner_cancels_the_months_it_no_longer_covers(
    circle, django_capture_on_commit_callbacks
):
    circle.ends_on = timezone.localdate() + datetime.timedelta(days=40)

    with django_capture_on_commit_callbacks(execute=True):
        circle_save(circle=circle, facilitators=list(circle.facilitators.all()))

    cancelled = circle.meetings.filter(status=MeetingStatus.CANCELLED)
    assert cancelled.count() >= 9
    assert {itip(m)[0] for m in mail.outbox} == {"CANCEL"}
    assert len(mail.outbox) == 2 * cancelled.count()
    assert {itip(m)[2] for m in mail.outbox} == {1}


def test_a_removed_member_is_sent_a_cancellation_of_every_meeting_to_come(
    circle, django_capture_on_commit_callbacks
):
    member = circle.members.get()

    with django_capture_on_commit_callbacks(execute=True):
        circle_member_remove(circle=circle, person=member)

    assert {m.to[0] for m in mail.outbox} == {member.email}
    assert sorted(itip(m)[:2] for m in mail.outbox) == sorted(
        ("CANCEL", uid(meeting)) for meeting in future(circle)
    )
    assert "no longer a member" in mail.outbox[0].body


def test_deleting_a_circle_sends_everyone_a_cancellation_of_every_meeting_to_come(
    circle, django_capture_on_commit_callbacks
):
    ahead, people = future(circle), invited_emails(circle)

    with django_capture_on_commit_callbacks(execute=True):
        circle_delete(circle=circle)

    assert not CircleMeeting.objects.exists()
    assert sorted((itip(m)[:2], m.to[0]) for m in mail.outbox) == sorted(
        (("CANCEL", uid(meeting)), email) for meeting in ahead for email in people
    )


def test_cancelling_says_why_and_reinstating_undoes_it_with_a_higher_sequence(
    circle, django_capture_on_commit_callbacks
):
    meeting = future(circle)[0]

    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, reason="The room is needed for training.")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reinstate(meeting=meeting)

    cancels = [m for m in mail.outbox if itip(m)[0] == "CANCEL"]
    requests = [m for m in mail.outbox if itip(m)[0] == "REQUEST"]
    assert {itip(m)[2:] for m in cancels} == {(1, "CANCELLED")}
    assert all("The room is needed for training." in m.body for m in cancels)
    assert {itip(m)[2:] for m in requests} == {(2, "CONFIRMED")}
    assert len(cancels) == len(requests) == 2
    assert CircleMeeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED
