from __future__ import annotations

import datetime
import io
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from circles.models import CircleMeeting, ReminderSent
from circles.services import meeting_cancel, reminders_send
from tests.factories import make_circle, make_person
from training.models import PersonStatus


@pytest.fixture
def meeting_in_two_days(db):
    members = [make_person(), make_person()]
    circle = make_circle(leaders=[make_person()], members=members)
    meeting = circle.meetings.filter(starts_at__gt=timezone.now()).first()
    soon = timezone.now() + datetime.timedelta(days=2)
    CircleMeeting.objects.filter(pk=meeting.pk).update(
        starts_at=soon, ends_at=soon + datetime.timedelta(hours=2)
    )
    # Every other meeting of the series is weeks away.
    return CircleMeeting.objects.get(pk=meeting.pk), members


@pytest.mark.django_db
def test_members_are_reminded_once_however_often_the_job_runs(meeting_in_two_days):
    meeting, members = meeting_in_two_days

    first = reminders_send(days_before=3)
    second = reminders_send(days_before=3)

    assert (first, second) == (2, 0)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(m.email for m in members)
    assert ReminderSent.objects.filter(meeting=meeting).count() == 2
    assert "Reminder: " in mail.outbox[0].subject


@pytest.mark.django_db
def test_meetings_further_off_than_the_set_days_are_not_reminded_yet(meeting_in_two_days):
    assert reminders_send(days_before=1) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_cancelled_meetings_and_people_who_have_left_get_no_reminder(meeting_in_two_days):
    meeting, members = meeting_in_two_days
    members[0].status = PersonStatus.LEFT
    members[0].save()

    assert reminders_send(days_before=3) == 1
    meeting_cancel(meeting=meeting)
    ReminderSent.objects.all().delete()
    mail.outbox.clear()
    assert reminders_send(days_before=3) == 0


@pytest.mark.django_db
def test_a_failed_send_is_not_recorded_so_the_next_run_tries_again(
    meeting_in_two_days, monkeypatch
):
    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("circles.services._send_reminder", broken)
    assert reminders_send(days_before=3) == 0
    assert not ReminderSent.objects.exists()

    monkeypatch.undo()
    assert reminders_send(days_before=3) == 2


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
    assert sum(results) == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_daily_command_extends_schedules_and_sends_reminders(meeting_in_two_days):
    out = io.StringIO()

    call_command("send_reminders", "--days", "3", stdout=out)

    assert "2 reminders sent" in out.getvalue()
