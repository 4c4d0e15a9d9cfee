"""Writes for learning circles: scheduling, membership, meetings, attendance and reminders."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from circles.models import (
    AttendanceStatus,
    CircleMeeting,
    CircleMembership,
    LearningCircle,
    MeetingAttendance,
    MeetingStatus,
)
from circles.schedule import horizon, series_dates
from circles.signals import meeting_notice
from training.dates import local_datetime
from training.models import Person, PersonStatus

logger = logging.getLogger(__name__)

RULE_FIELDS = ("ordinal", "weekday", "start_time", "end_time", "starts_on", "ends_on")


# Scheduling -------------------------------------------------------------------------------------


@transaction.atomic
def circle_schedule(
    *, circle: LearningCircle, today: datetime.date | None = None, rule_changed: bool = False
) -> int:
    """Make sure a row exists for every meeting of the series up to 12 months ahead.

    When the rule has changed, future scheduled meetings follow it (each keeps its month and its
    UID, and gets a higher SEQUENCE); meetings already held, and cancelled ones, stay as they
    are, and months the new rule no longer covers are cancelled. Otherwise only missing months
    are added, so a meeting moved on its own stays where it was put. Returns the rows created.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    dates = series_dates(
        ordinal=circle.ordinal,
        weekday_number=circle.weekday,
        starts_on=circle.starts_on,
        ends_on=circle.ends_on,
        until=horizon(today),
    )
    wanted = {day.replace(day=1): day for day in dates}
    existing = {meeting.month: meeting for meeting in circle.meetings.all()}
    created = 0
    for month, day in wanted.items():
        starts_at, ends_at = (
            local_datetime(day, circle.start_time),
            local_datetime(day, circle.end_time),
        )
        meeting = existing.get(month)
        if meeting is None:
            CircleMeeting.objects.create(
                circle=circle, month=month, starts_at=starts_at, ends_at=ends_at
            )
            created += 1
        elif (
            rule_changed
            and meeting.status == MeetingStatus.SCHEDULED
            and meeting.starts_at > now
            and (meeting.starts_at, meeting.ends_at) != (starts_at, ends_at)
        ):
            meeting.starts_at, meeting.ends_at = starts_at, ends_at
            meeting.sequence += 1
            meeting.save()
    for month, meeting in existing.items():
        if (
            rule_changed
            and month not in wanted
            and meeting.starts_at > now
            and not meeting.is_cancelled
        ):
            meeting.status = MeetingStatus.CANCELLED
            meeting.sequence += 1
            meeting.save()
    return created


@transaction.atomic
def circle_save(
    *, circle: LearningCircle, facilitators: list[Person], today: datetime.date | None = None
) -> LearningCircle:
    """Create or change a circle, then bring its meetings in line with its rule."""
    circle.full_clean()
    before = (
        LearningCircle.objects.filter(pk=circle.pk).values(*RULE_FIELDS).first()
        if circle.pk
        else None
    )
    circle.save()
    circle.facilitators.set(facilitators)
    rule_changed = before is not None and any(
        before[name] != getattr(circle, name) for name in RULE_FIELDS
    )
    circle_schedule(circle=circle, today=today, rule_changed=rule_changed)
    return circle


def circles_extend(*, today: datetime.date | None = None) -> int:
    """The daily job: keep 12 months of meetings ahead for every circle."""
    return sum(
        circle_schedule(circle=circle, today=today) for circle in LearningCircle.objects.all()
    )


# Members ----------------------------------------------------------------------------------------


@transaction.atomic
def circle_member_add(*, circle: LearningCircle, person: Person) -> CircleMembership:
    membership, created = CircleMembership.objects.get_or_create(circle=circle, person=person)
    if created:
        next_meeting = (
            circle.meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now())
            .select_related("circle")
            .first()
        )
        if next_meeting is not None:
            meeting_notice.send(
                sender=CircleMeeting,
                meeting=next_meeting,
                people=[person],
                reason="You have joined this circle.",
            )
    return membership


@transaction.atomic
def circle_member_remove(*, circle: LearningCircle, person: Person) -> None:
    CircleMembership.objects.filter(circle=circle, person=person).delete()


# Meetings ---------------------------------------------------------------------------------------


def invited(circle: LearningCircle) -> list[Person]:
    """Who holds the invitations to a circle's meetings: its members and its practice leaders
    (who may lead without being members), except anyone who has left."""
    people = [*circle.members.all(), *circle.facilitators.all()]
    return [
        person
        for person in {person.pk: person for person in people}.values()
        if person.status != PersonStatus.LEFT
    ]


@transaction.atomic
def meeting_move(
    *,
    meeting: CircleMeeting,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    venue: str = "",
) -> CircleMeeting:
    """Move one meeting; members get an updated invitation."""
    meeting.starts_at, meeting.ends_at = (
        local_datetime(date, start_time),
        local_datetime(date, end_time),
    )
    meeting.venue = venue
    meeting.status = MeetingStatus.SCHEDULED
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    meeting_notice.send(
        sender=CircleMeeting,
        meeting=meeting,
        people=invited(meeting.circle),
        reason="This meeting has moved.",
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: CircleMeeting) -> CircleMeeting:
    """Cancel one meeting; members get a cancellation their calendar understands."""
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.save()
    meeting_notice.send(
        sender=CircleMeeting,
        meeting=meeting,
        people=invited(meeting.circle),
        reason="This meeting is cancelled.",
    )
    return meeting


@transaction.atomic
def meeting_record(
    *, meeting: CircleMeeting, topics: list[str], cases_brought: int | None, notes: str
) -> CircleMeeting:
    meeting.topics, meeting.cases_brought, meeting.notes = topics, cases_brought, notes
    meeting.full_clean()
    meeting.save(update_fields=["topics", "cases_brought", "notes", "updated_at"])
    return meeting


@transaction.atomic
def meeting_attendance_save(*, meeting: CircleMeeting, marks: dict[int, AttendanceStatus]) -> int:
    """Record attendance, {person_id: status}, for members of the meeting's circle only."""
    members = set(meeting.circle.memberships.values_list("person_id", flat=True))
    marks = {person_id: status for person_id, status in marks.items() if person_id in members}
    existing = {
        row.person_id: row
        for row in MeetingAttendance.objects.select_for_update().filter(
            meeting=meeting, person_id__in=marks
        )
    }
    changed, new = [], []
    for person_id, status in marks.items():
        row = existing.get(person_id)
        if row is None:
            new.append(MeetingAttendance(meeting=meeting, person_id=person_id, status=status))
        elif row.status != status:
            row.status = status
            changed.append(row)
    # Through simple-history, so the audit trail records each change and who made it.
    bulk_create_with_history(new, MeetingAttendance)
    bulk_update_with_history(changed, MeetingAttendance, ["status"])
    return len(new) + len(changed)
