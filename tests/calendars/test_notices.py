"""Invitations, updates and cancellations go through an outbox: written with the change, sent
once it commits, and kept and tried again when sending fails, never turning into an error page
after the change has been saved."""

from __future__ import annotations

import datetime
import io
import logging

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from calendars.models import Notice
from calendars.services import notices_send
from circles.models import CircleMeeting, LearningCircle
from circles.services import meeting_move
from tests.factories import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.any_day]


def next_meeting(circle: LearningCircle) -> CircleMeeting:
    meeting = circle.meetings.filter(starts_at__gt=timezone.now()).first()
    assert meeting is not None
    return meeting


def move_form(meeting: CircleMeeting) -> dict[str, str]:
    day = timezone.localdate(meeting.starts_at) + datetime.timedelta(days=1)
    return {"date": day.isoformat(), "start_time": "13:00", "end_time": "15:00", "venue": ""}


@pytest.fixture
def mail_server_down(monkeypatch):
    def refused(self, messages):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    return monkeypatch


def test_a_line_break_in_a_circles_name_breaks_neither_the_page_nor_the_files(
    cast, as_user, circle, django_capture_on_commit_callbacks
):
    """Written past the forms (the admin, an old row): the change, the email and the
    calendar files all still work, with the name on one line."""
    LearningCircle.objects.filter(pk=circle.pk).update(name="Stroud\r\nBcc: someone@else.example")
    meeting = next_meeting(circle)
    client = as_user(cast.practice_leader)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meeting_change", args=[meeting.pk]), move_form(meeting))

    assert response.status_code == 302
    assert CircleMeeting.objects.get(pk=meeting.pk).sequence == 1
    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 2  # the member and the leader
    assert all(
        subject.startswith("Updated: Stroud Bcc: someone@else.example, ") for subject in subjects
    )
    assert not Notice.objects.exists()
    download = client.get(reverse("circle_calendar", args=[circle.pk]))
    assert download.status_code == 200
    assert b"X-WR-CALNAME:Stroud Bcc: someone@else.example\r\n" in download.content


def test_a_failed_send_keeps_the_notice_logs_it_and_the_daily_job_sends_it(
    cast, as_user, circle, django_capture_on_commit_callbacks, mail_server_down, caplog
):
    meeting = next_meeting(circle)
    client = as_user(cast.practice_leader)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meeting_change", args=[meeting.pk]), move_form(meeting))

    assert response.status_code == 302
    assert CircleMeeting.objects.get(pk=meeting.pk).sequence == 1  # the move stands
    waiting = Notice.objects.order_by("person_id")
    assert [(n.person_id, n.method, n.sequence, n.attempts) for n in waiting] == sorted(
        [(p.pk, "REQUEST", 1, 1) for p in (cast.practitioner, cast.practice_leader)]
    )
    assert {n.last_error for n in waiting} == {"ConnectionRefusedError"}
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 2 and "daily job tries again" in failures[0].getMessage()

    mail_server_down.undo()
    out = io.StringIO()
    call_command("send_reminders", "--days", "0", stdout=out)

    assert "2 invitations sent again" in out.getvalue()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cast.practitioner.email, cast.practice_leader.email]
    )
    assert "SEQUENCE:1" in mail.outbox[0].alternatives[0][0]
    assert not Notice.objects.exists()


def test_a_notice_is_written_with_its_change_or_not_at_all(circle):
    meeting = next_meeting(circle)

    with pytest.raises(RuntimeError), transaction.atomic():
        meeting_move(
            meeting=meeting,
            date=timezone.localdate(meeting.starts_at),
            start_time=datetime.time(13),
            end_time=datetime.time(14),
        )
        assert Notice.objects.count() == 2
        raise RuntimeError("the change fails after the notice was written")

    assert not Notice.objects.exists()
    assert CircleMeeting.objects.get(pk=meeting.pk).sequence == 0


def test_a_notice_of_an_event_already_over_is_dropped_not_sent(circle, mail_server_down):
    meeting = next_meeting(circle)
    meeting_move(
        meeting=meeting,
        date=timezone.localdate(meeting.starts_at),
        start_time=datetime.time(13),
        end_time=datetime.time(14),
    )
    mail_server_down.undo()
    over = timezone.now() - datetime.timedelta(hours=1)
    for notice in Notice.objects.all():
        notice.event["entry"]["ends_at"] = over.isoformat()
        notice.save()

    result = notices_send()

    assert (result.sent, result.failed, result.dropped) == (0, 0, 2)
    assert mail.outbox == [] and not Notice.objects.exists()


def test_one_failing_notice_does_not_stop_the_others(circle, monkeypatch):
    other = make_person()
    circle.memberships.create(person=other)
    meeting = next_meeting(circle)
    meeting_move(
        meeting=meeting,
        date=timezone.localdate(meeting.starts_at),
        start_time=datetime.time(13),
        end_time=datetime.time(14),
    )
    real = EmailBackend.send_messages

    def refuse_one(self, messages):
        if messages[0].to == [other.email]:
            raise ConnectionRefusedError("mailbox unavailable")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_one)

    result = notices_send()

    assert (result.sent, result.failed) == (2, 1)
    assert list(Notice.objects.values_list("person_id", flat=True)) == [other.pk]


def test_a_notice_queued_before_meetings_had_agendas_is_still_sent(circle):
    meeting = next_meeting(circle)
    with transaction.atomic():
        meeting_move(
            meeting=meeting,
            date=timezone.localdate(meeting.starts_at),
            start_time=datetime.time(13),
            end_time=datetime.time(15),
        )
    notice = Notice.objects.first()
    del notice.event["agenda"]  # as the outbox held it before agendas
    notice.save()

    sent = notices_send()

    assert (sent.sent, sent.failed) == (2, 0)  # the practitioner and the practice leader
    assert not Notice.objects.exists()
