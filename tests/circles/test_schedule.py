from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from circles.models import CircleMeeting, LearningCircle, MeetingStatus, Ordinal, Weekday
from circles.schedule import horizon, series_dates
from circles.services import circle_save, circles_extend, meeting_cancel, meeting_move
from tests.factories import make_circle, make_person

D = datetime.date


def test_second_tuesday_of_each_month():
    dates = series_dates(
        ordinal=Ordinal.SECOND,
        weekday_number=Weekday.TUESDAY,
        starts_on=D(2027, 1, 1),
        ends_on=None,
        until=D(2027, 12, 31),
    )

    assert dates == [
        D(2027, 1, 12), D(2027, 2, 9), D(2027, 3, 9), D(2027, 4, 13), D(2027, 5, 11),
        D(2027, 6, 8), D(2027, 7, 13), D(2027, 8, 10), D(2027, 9, 14), D(2027, 10, 12),
        D(2027, 11, 9), D(2027, 12, 14),
    ]  # fmt: skip


def test_last_thursday_and_first_monday():
    last_thursdays = series_dates(
        ordinal=Ordinal.LAST, weekday_number=Weekday.THURSDAY,
        starts_on=D(2027, 1, 1), ends_on=D(2027, 3, 31), until=D(2030, 1, 1),
    )  # fmt: skip
    first_mondays = series_dates(
        ordinal=Ordinal.FIRST, weekday_number=Weekday.MONDAY,
        starts_on=D(2027, 2, 2), ends_on=None, until=D(2027, 4, 30),
    )  # fmt: skip

    assert last_thursdays == [D(2027, 1, 28), D(2027, 2, 25), D(2027, 3, 25)]
    assert first_mondays == [D(2027, 3, 1), D(2027, 4, 5)]


@pytest.mark.django_db
def test_a_new_circle_gets_a_row_for_each_meeting_this_month_and_the_12_months_after():
    leader = make_person()
    circle = make_circle(leaders=[leader], starts_on=D(2027, 1, 1), today=D(2027, 1, 1))

    meetings = list(circle.meetings.order_by("starts_at"))

    assert len(meetings) == 13
    assert timezone.localtime(meetings[-1].starts_at).date() == D(2028, 1, 11)
    first = timezone.localtime(meetings[0].starts_at)
    assert (first.date(), first.time(), meetings[0].month) == (
        D(2027, 1, 12),
        datetime.time(10),
        D(2027, 1, 1),
    )
    assert all(timezone.localtime(m.starts_at).hour == 10 for m in meetings)


@pytest.mark.django_db
def test_the_daily_job_extends_the_series_and_adds_nothing_when_run_again():
    circle = make_circle(leaders=[make_person()], starts_on=D(2027, 1, 1), today=D(2027, 1, 1))

    assert circles_extend(today=D(2027, 3, 1)) == 2
    assert circles_extend(today=D(2027, 3, 1)) == 0
    assert circle.meetings.count() == 15


@pytest.mark.parametrize("today", [D(2026, 12, 1), D(2026, 12, 15), D(2026, 12, 31)])
def test_the_horizon_reaches_the_end_of_the_month_12_months_ahead_whatever_the_day(today):
    assert horizon(today) == D(2027, 12, 31)


@pytest.mark.any_day
@pytest.mark.django_db
def test_changing_the_rule_moves_future_meetings_only_and_raises_their_sequence():
    today = timezone.localdate()
    start = today.replace(day=1) - datetime.timedelta(days=100)
    circle = make_circle(leaders=[make_person()], starts_on=start)
    past = list(circle.meetings.filter(starts_at__lte=timezone.now()))
    future_before = {
        m.pk: m.starts_at for m in circle.meetings.filter(starts_at__gt=timezone.now())
    }

    circle.weekday = Weekday.THURSDAY
    circle.start_time = datetime.time(14)
    circle.end_time = datetime.time(16)
    circle_save(circle=circle, facilitators=list(circle.facilitators.all()))

    for meeting in past:
        meeting.refresh_from_db()
        assert timezone.localtime(meeting.starts_at).weekday() == Weekday.TUESDAY
        assert meeting.sequence == 0
    for meeting in CircleMeeting.objects.filter(pk__in=future_before):
        local = timezone.localtime(meeting.starts_at)
        if meeting.starts_at > timezone.now():
            assert (local.weekday(), local.hour, meeting.sequence) == (Weekday.THURSDAY, 14, 1)


@pytest.mark.any_day
@pytest.mark.django_db
def test_ending_the_series_earlier_cancels_the_months_it_no_longer_covers():
    today = timezone.localdate()
    circle = make_circle(leaders=[make_person()], starts_on=today)

    circle.ends_on = today + datetime.timedelta(days=95)
    circle_save(circle=circle, facilitators=list(circle.facilitators.all()))

    cancelled = circle.meetings.filter(status=MeetingStatus.CANCELLED)
    assert cancelled.count() >= 8
    assert all(m.sequence == 1 for m in cancelled)
    assert all(m.starts_at.date() > circle.ends_on for m in cancelled)


@pytest.mark.any_day
@pytest.mark.django_db(transaction=True)
def test_moving_a_meeting_emails_members_an_updated_invitation():
    member = make_person()
    circle = make_circle(leaders=[make_person()], members=[member])
    meeting = circle.meetings.filter(starts_at__gt=timezone.now()).first()

    meeting_move(
        meeting=meeting,
        date=timezone.localdate(meeting.starts_at) + datetime.timedelta(days=1),
        start_time=datetime.time(13),
        end_time=datetime.time(15),
        venue="Room 4",
    )

    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.place) == (1, "Room 4")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [member.email, circle.facilitators.get().email]
    )
    (message,) = [m for m in mail.outbox if m.to == [member.email]]
    content, mimetype = message.alternatives[0]
    content = content.replace("\r\n ", "")  # unfold long lines (RFC 5545, 3.1)
    assert mimetype == "text/calendar; method=REQUEST"
    assert "METHOD:REQUEST" in content
    assert "SEQUENCE:1" in content
    assert "ATTENDEE;" in content and member.email in content


@pytest.mark.any_day
@pytest.mark.django_db(transaction=True)
def test_cancelling_a_meeting_emails_members_a_cancellation():
    member = make_person()
    circle = make_circle(leaders=[make_person()], members=[member])
    meeting = circle.meetings.filter(starts_at__gt=timezone.now()).first()

    meeting_cancel(meeting=meeting)

    content, mimetype = mail.outbox[0].alternatives[0]
    assert mimetype == "text/calendar; method=CANCEL"
    assert "STATUS:CANCELLED" in content
    assert CircleMeeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED


@pytest.mark.any_day
@pytest.mark.django_db(transaction=True)
def test_a_new_member_is_sent_an_invitation_to_the_next_meeting():
    from circles.services import circle_member_add

    person = make_person()
    circle = make_circle(leaders=[make_person()])

    circle_member_add(circle=circle, person=person)
    circle_member_add(circle=circle, person=person)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].alternatives[0][1] == "text/calendar; method=REQUEST"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ordinal", "start", "end", "field"),
    [
        (Ordinal.LAST, datetime.time(1, 0), datetime.time(2, 0), "start_time"),
        (Ordinal.LAST, datetime.time(0, 30), datetime.time(1, 30), "end_time"),
        # The fourth Sunday is the last of March only in some years: 2032 is the first after
        # April 2029, beyond the 12 months of rows, and the rule is refused all the same.
        (Ordinal.FOURTH, datetime.time(1, 15), datetime.time(2, 15), "start_time"),
    ],
)
def test_a_rule_that_meets_in_the_hour_the_clocks_skip_is_refused_and_nothing_is_saved(
    ordinal, start, end, field
):
    with pytest.raises(ValidationError) as refused:
        make_circle(
            leaders=[make_person()],
            ordinal=ordinal,
            weekday=Weekday.SUNDAY,
            start_time=start,
            end_time=end,
            starts_on=D(2029, 4, 1),
            today=D(2029, 4, 1),
        )
    assert list(refused.value.message_dict) == [field]
    assert "The clocks go forward on Sunday" in refused.value.message_dict[field][0]
    assert not LearningCircle.objects.exists() and not CircleMeeting.objects.exists()


@pytest.mark.django_db
def test_a_sunday_circle_at_an_hour_that_always_exists_is_scheduled():
    circle = make_circle(
        leaders=[make_person()],
        ordinal=Ordinal.LAST,
        weekday=Weekday.SUNDAY,
        start_time=datetime.time(2, 0),
        end_time=datetime.time(3, 0),
        starts_on=D(2027, 1, 1),
        today=D(2027, 1, 1),
    )
    march = circle.meetings.get(month=D(2027, 3, 1))
    assert march.ends_at - march.starts_at == datetime.timedelta(hours=1)
