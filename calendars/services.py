"""Writes for calendars: private feed addresses and the invitations people are emailed."""

from __future__ import annotations

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from calendars.ics import send_calendar_email
from calendars.models import CalendarFeed, new_feed_token
from calendars.selectors import meeting_entry, session_entry
from circles.models import CircleMeeting
from supervision.models import SupervisionSession
from training.models import Person


def feed_for(person: Person) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(person=person)
    return feed


@transaction.atomic
def feed_token_regenerate(*, person: Person) -> CalendarFeed:
    """A new private address for a person's calendar; the old one stops working at once."""
    feed = feed_for(person)
    feed.token = new_feed_token()
    feed.save()
    return feed


def meeting_invitations_send(
    *, meeting: CircleMeeting, people: list[Person], reason: str, cancel: bool = False
) -> int:
    """Email each person an invitation (REQUEST) or cancellation (CANCEL) for a meeting."""
    entry = meeting_entry(meeting)
    cancel = cancel or meeting.is_cancelled
    when = f"{timezone.localtime(meeting.starts_at):%A %d %B %Y %H:%M}"
    kind = "Cancelled" if cancel else "Invitation"
    return sum(
        send_calendar_email(
            entry=entry,
            name=meeting.circle.name,
            to_email=person.email,
            cancel=cancel,
            subject=f"{kind}: {meeting.circle.name}, {when}",
            body=render_to_string(
                "calendars/email/meeting_invitation.txt",
                {"meeting": meeting, "person": person, "reason": reason},
            ),
        )
        for person in people
    )


def session_invitations_send(
    *, session: SupervisionSession, people: list[Person], reason: str, cancel: bool = False
) -> int:
    """Email each person an invitation (REQUEST) or cancellation (CANCEL) for a 2:1."""
    entry = session_entry(session)
    cancel = cancel or entry.cancelled
    when = f"{timezone.localtime(session.starts_at):%A %d %B %Y %H:%M}"
    kind = "Cancelled" if cancel else "Invitation"
    return sum(
        send_calendar_email(
            entry=entry,
            name="2:1 supervision",
            to_email=person.email,
            cancel=cancel,
            subject=f"{kind}: 2:1 supervision, {when}",
            body=render_to_string(
                "calendars/email/session_invitation.txt",
                {"session": session, "person": person, "note": reason},
            ),
        )
        for person in people
    )
