"""What goes into a calendar, read from circles, 2:1s and training courses directly."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from calendars.ics import CalendarEntry
from calendars.models import CalendarFeed
from circles.models import CircleMeeting, LearningCircle, MeetingStatus
from circles.selectors import person_meetings
from supervision.models import SessionStatus, SupervisionSession
from supervision.selectors import sessions_for_person
from training.models import Cohort, CourseDay, Person, PersonStatus
from training.selectors import confirmed_places


def meeting_entry(meeting: CircleMeeting) -> CalendarEntry:
    circle = meeting.circle
    description = f"{circle.get_kind_display()}: meets {circle.rule_text}."
    if items := meeting.agenda_items:
        # One line: every calendar shows it alike (a line break is folded away in some).
        description += " Agenda: " + "; ".join(items) + "."
    return CalendarEntry(
        uid=f"circle-meeting-{meeting.pk}@{settings.CALENDAR_UID_DOMAIN}",
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=circle.name,
        location=meeting.place,
        description=description,
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


def course_day_entry(cohort: Cohort, day: CourseDay) -> CalendarEntry | None:
    """One day of a training course, once its date and times are set."""
    span = cohort.span_of(day)
    if span is None:
        return None
    trainers = f" Trainers: {cohort.trainer}." if cohort.trainer else ""
    return CalendarEntry(
        uid=f"course-{cohort.pk}-day-{int(day)}@{settings.CALENDAR_UID_DOMAIN}",
        sequence=cohort.sequence,
        starts_at=span[0],
        ends_at=span[1],
        summary=f"Training: {CourseDay(day).topic}",
        location=cohort.venue_of(day),
        description=f"{cohort.name}, day {int(day)} of the two-day course in the practice "
        f"model.{trainers}",
        cancelled=False,
        last_modified=cohort.updated_at or timezone.now(),
    )


def circle_entries(circle: LearningCircle) -> list[CalendarEntry]:
    """Every meeting of a circle, for its download."""
    return [meeting_entry(meeting) for meeting in circle.meetings.select_related("circle")]


def feed_entries(person: Person, *, since: datetime.date) -> list[CalendarEntry]:
    """A person's circle meetings, 2:1s and the days of the courses they hold a confirmed place
    on, from `since` onwards, in time order."""
    entries = [meeting_entry(meeting) for meeting in person_meetings(person, since=since)]
    entries += [
        session_entry(session)
        for session in sessions_for_person(person).filter(starts_at__date__gte=since)
    ]
    entries += [
        entry
        for place in confirmed_places(person, since=since)
        for day in CourseDay
        if (entry := course_day_entry(place.cohort, day)) is not None
        and timezone.localdate(entry.starts_at) >= since
    ]
    return sorted(entries, key=lambda entry: entry.starts_at)


def feed_by_token(token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("person__user").filter(token=token).first()


def feed_is_live(feed: CalendarFeed) -> bool:
    """A feed works while its person has not left and their account, if they have one, has
    not been disabled: a disabled account reads nothing, through a feed or otherwise."""
    person = feed.person
    if person.status == PersonStatus.LEFT:
        return False
    return person.user is None or person.user.is_active


# What an email about an event says ---------------------------------------------------------------


@dataclass(frozen=True)
class EventDetails:
    """An event as its emails describe it: the calendar entry and the words around it."""

    entry: CalendarEntry
    title: str  # the circle's name, or "2:1 supervision"
    about: str  # a line on what it is: "The circle meets the second Tuesday…"
    path: str  # the event's page on the site
    agenda: list[str] = dataclasses.field(default_factory=list)  # a meeting's agenda items

    @property
    def link(self) -> str:
        return f"{settings.SITE_URL}{self.path}"

    def to_json(self) -> dict[str, object]:
        entry = {
            field.name: value.isoformat() if isinstance(value, datetime.datetime) else value
            for field in dataclasses.fields(CalendarEntry)
            for value in [getattr(self.entry, field.name)]
        }
        return {
            "entry": entry,
            "title": self.title,
            "about": self.about,
            "path": self.path,
            "agenda": self.agenda,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EventDetails:
        entry = dict(data["entry"])
        for name in ("starts_at", "ends_at", "last_modified"):
            entry[name] = datetime.datetime.fromisoformat(entry[name])
        return cls(
            entry=CalendarEntry(**entry),
            title=data["title"],
            about=data["about"],
            path=data["path"],
            # Notices queued before agendas existed have none.
            agenda=list(data.get("agenda", [])),
        )


def meeting_details(meeting: CircleMeeting) -> EventDetails:
    circle = meeting.circle
    return EventDetails(
        entry=meeting_entry(meeting),
        title=circle.name,
        about=f"The circle meets {circle.rule_text}.",
        path=reverse("meeting_detail", args=[meeting.pk]),
        agenda=meeting.agenda_items,
    )


def session_details(session: SupervisionSession) -> EventDetails:
    return EventDetails(
        entry=session_entry(session),
        title="2:1 supervision",
        about=f"2:1 supervision with {session.supervisor.full_name}.",
        path=reverse("session_detail", args=[session.pk]),
    )


def course_day_details(cohort: Cohort, day: CourseDay) -> EventDetails | None:
    entry = course_day_entry(cohort, day)
    if entry is None:
        return None
    return EventDetails(
        entry=entry,
        title=f"{cohort.name}, day {int(day)} ({CourseDay(day).topic})",
        about=f"Day {int(day)} of the two-day course in the practice model: "
        f"{CourseDay(day).topic}.",
        path=reverse("home"),
    )


def events_to_remind(
    *, now: datetime.datetime, until: datetime.datetime
) -> list[tuple[EventDetails, list[Person]]]:
    """Scheduled meetings and planned 2:1s starting after `now` and by `until`, each with the
    people to remind: a circle's members and practice leaders, a 2:1's supervisor and
    practitioners; nobody who has left."""
    meetings = (
        CircleMeeting.objects.filter(
            status=MeetingStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=until
        )
        .select_related("circle")
        .prefetch_related("circle__members", "circle__facilitators")
    )
    sessions = (
        SupervisionSession.objects.filter(
            status=SessionStatus.PLANNED, starts_at__gt=now, starts_at__lte=until
        )
        .select_related("supervisor")
        .prefetch_related("practitioners")
    )
    events = [
        (
            meeting_details(meeting),
            [*meeting.circle.members.all(), *meeting.circle.facilitators.all()],
        )
        for meeting in meetings
    ]
    events += [
        (session_details(session), [session.supervisor, *session.practitioners.all()])
        for session in sessions
    ]
    return [
        (details, list({p.pk: p for p in people if p.status != PersonStatus.LEFT}.values()))
        for details, people in events
    ]
