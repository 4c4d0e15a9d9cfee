from __future__ import annotations

import datetime
import io
import threading

import pytest
import vobject
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from calendars.models import Reminder
from calendars.services import reminders_send
from circles.models import CircleMeeting
from circles.services import meeting_agenda_save, meeting_cancel, meeting_move
from tests.factories import make_circle, make_person, make_session
from training.models import PersonStatus

pytestmark = pytest.mark.any_day


@pytest.fixture
def meeting_in_two_days(db):
    """A meeting in two days with two members; its practice leader is not a member."""
    members = [make_person(), make_person()]
    circle = make_circle(leaders=[make_person()], members=members)
    meeting = circle.meetings.filter(starts_at__gt=timezone.now()).first()
    soon = (timezone.now() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    CircleMeeting.objects.filter(pk=meeting.pk).update(
        starts_at=soon, ends_at=soon + datetime.timedelta(hours=2)
    )
    # Every other meeting of the series is weeks away.
    return CircleMeeting.objects.get(pk=meeting.pk), members


def unfolded(content: bytes | str) -> str:
    text = content.decode() if isinstance(content, bytes) else content
    return text.replace("\r\n ", "")  # unfold long lines (RFC 5545, 3.1)


@pytest.mark.django_db
def test_members_and_the_leader_are_reminded_once_however_often_the_job_runs(
    meeting_in_two_days,
):
    meeting, members = meeting_in_two_days
    leader = meeting.circle.facilitators.get()

    first = reminders_send(days_before=3)
    second = reminders_send(days_before=3)

    assert (first, second) == (3, 0)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        person.email for person in [*members, leader]
    )
    assert Reminder.objects.filter(uid__startswith=f"circle-meeting-{meeting.pk}@").count() == 3
    assert "Reminder: " in mail.outbox[0].subject


@pytest.mark.django_db
def test_a_reminder_carries_the_meetings_ics_and_a_link_to_it(meeting_in_two_days):
    meeting, _ = meeting_in_two_days

    reminders_send(days_before=3)

    message = mail.outbox[0]
    assert f"http://127.0.0.1:8000/meetings/{meeting.pk}/" in message.body
    assert message.alternatives == []  # not shown as a fresh invitation
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == ("invite.ics", "application/ics")
    calendar = vobject.readOne(unfolded(content))
    assert calendar.method.value == "REQUEST"
    assert calendar.vevent.uid.value == f"circle-meeting-{meeting.pk}@127.0.0.1"
    assert calendar.vevent.dtstart.value == meeting.starts_at


@pytest.mark.django_db
def test_a_meeting_moved_after_its_reminder_is_reminded_again(meeting_in_two_days):
    meeting, _ = meeting_in_two_days
    reminders_send(days_before=3)
    mail.outbox.clear()
    new_start = timezone.localtime(meeting.starts_at) + datetime.timedelta(days=1)

    meeting_move(
        meeting=meeting,
        date=new_start.date(),
        start_time=datetime.time(14),
        end_time=datetime.time(15),
    )
    mail.outbox.clear()  # the invitations to the new time

    assert reminders_send(days_before=3) == 3
    assert reminders_send(days_before=3) == 0
    assert {message.subject.split(",")[0] for message in mail.outbox} == {
        f"Reminder: {meeting.circle.name}"
    }


@pytest.mark.django_db
def test_the_supervisor_and_practitioners_of_a_2_to_1_are_reminded(cast):
    session = make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner, make_person()],
        starts_at=timezone.now() + datetime.timedelta(days=1),
    )
    make_session(  # a week away: not yet
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner],
        starts_at=timezone.now() + datetime.timedelta(days=7),
    )

    assert reminders_send(days_before=3) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        p.email for p in [session.supervisor, *session.practitioners.all()]
    )
    assert all(f"/supervision/{session.pk}/" in m.body for m in mail.outbox)
    assert all(m.attachments[0][0] == "invite.ics" for m in mail.outbox)


@pytest.mark.django_db
def test_meetings_further_off_than_the_set_days_are_not_reminded_yet(meeting_in_two_days):
    assert reminders_send(days_before=1) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_cancelled_meetings_and_people_who_have_left_get_no_reminder(meeting_in_two_days):
    meeting, members = meeting_in_two_days
    members[0].status = PersonStatus.LEFT
    members[0].save()

    assert reminders_send(days_before=3) == 2  # the other member and the leader
    meeting_cancel(meeting=meeting)
    Reminder.objects.all().delete()
    mail.outbox.clear()
    assert reminders_send(days_before=3) == 0


@pytest.mark.django_db
def test_a_failed_send_is_not_recorded_so_the_next_run_tries_again(
    meeting_in_two_days, monkeypatch
):
    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("calendars.services.event_email", broken)
    assert reminders_send(days_before=3) == 0
    assert not Reminder.objects.exists()

    monkeypatch.undo()
    assert reminders_send(days_before=3) == 3


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_send_each_reminder_once(meeting_in_two_days):
    results: list[int] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            results.append(reminders_send(days_before=3))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(results) == 2
    assert sum(results) == 3
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_the_daily_command_extends_schedules_and_sends_reminders(meeting_in_two_days):
    out = io.StringIO()

    call_command("send_reminders", "--days", "3", stdout=out)

    assert "3 reminders sent" in out.getvalue()


@pytest.mark.django_db
def test_a_reminder_carries_the_agenda_in_its_text_and_its_calendar_file(meeting_in_two_days):
    meeting, _ = meeting_in_two_days
    meeting_agenda_save(
        meeting=meeting, agenda="Welcome\n\nA stuck case: how much risk is acceptable"
    )

    reminders_send(days_before=3)

    message = mail.outbox[0]
    assert "Agenda:\n1. Welcome\n2. A stuck case: how much risk is acceptable\n" in message.body
    ((_, content, _),) = message.attachments
    description = vobject.readOne(unfolded(content)).vevent.description.value
    assert description.endswith("Agenda: Welcome; A stuck case: how much risk is acceptable.")


@pytest.mark.django_db
def test_a_reminder_of_a_meeting_without_an_agenda_says_nothing_of_one(meeting_in_two_days):
    reminders_send(days_before=3)

    message = mail.outbox[0]
    assert "Agenda" not in message.body
    ((_, content, _),) = message.attachments
    assert "Agenda" not in vobject.readOne(unfolded(content)).vevent.description.value
