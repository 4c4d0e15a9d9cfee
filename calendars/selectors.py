"""What goes into a calendar, read from circles and 2:1s directly."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from calendars.ics import CalendarEntry
from calendars.models import CalendarFeed
from circles.models import CircleMeeting, CircleMembership, LearningCircle
from supervision.models import SessionStatus, SupervisionSession
from supervision.selectors import sessions_for_person
from training.models import Person


def meeting_entry(meeting: CircleMeeting) -> CalendarEntry:
    circle = meeting.circle
    return CalendarEntry(
        uid=f"circle-meeting-{meeting.pk}@{settings.CALENDAR_UID_DOMAIN}",
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=circle.name,
        location=meeting.place,
        description=f"{circle.get_kind_display()}: meets {circle.rule_text}.",
        cancelled=meeting.is_cancelled,
        last_modified=meeting.updated_at or timezone.now(),
    )


def session_entry(session: SupervisionSession) -> CalendarEntry:
    names = " and ".join(p.full_name for p in session.practitioners.all())
    return CalendarEntry(
        uid=f"supervision-{session.pk}@{settings.CALENDAR_UID_DOMAIN}",
        sequence=session.sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary="2:1 supervision",
        location=session.place,
        description=f"2:1 supervision with {session.supervisor.full_name}: {names}.",
        cancelled=session.status == SessionStatus.CANCELLED,
        last_modified=session.updated_at or timezone.now(),
    )


def circle_entries(circle: LearningCircle) -> list[CalendarEntry]:
    """Every meeting of a circle, for its download."""
    return [meeting_entry(meeting) for meeting in circle.meetings.select_related("circle")]


def person_meetings(person: Person, *, since: datetime.date) -> QuerySet[CircleMeeting]:
    """Meetings of every circle a person belongs to or leads, from `since` onwards."""
    led = LearningCircle.facilitators.through.objects.filter(person=person).values(
        "learningcircle_id"
    )
    belongs = CircleMembership.objects.filter(person=person).values("circle_id")
    return (
        CircleMeeting.objects.filter(Q(circle_id__in=belongs) | Q(circle_id__in=led))
        .filter(starts_at__date__gte=since)
        .select_related("circle")
        .order_by("starts_at")
    )


def feed_entries(person: Person, *, since: datetime.date) -> list[CalendarEntry]:
    """A person's circle meetings and 2:1s from `since` onwards, in time order."""
    entries = [meeting_entry(meeting) for meeting in person_meetings(person, since=since)]
    entries += [
        session_entry(session)
        for session in sessions_for_person(person).filter(starts_at__date__gte=since)
    ]
    return sorted(entries, key=lambda entry: entry.starts_at)


def feed_by_token(token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("person").filter(token=token).first()
