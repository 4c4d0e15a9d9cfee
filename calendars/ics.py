"""iCalendar files for feeds, downloads and email invitations (RFC 5545 and RFC 5546).

One VEVENT per meeting, never an RRULE series: each meeting is its own row that can be moved,
cancelled or rescheduled by a rule change on its own, so every client sees exactly the rows we
hold, with a stable UID and a SEQUENCE that rises on every change. Cancelled meetings stay in
feeds with STATUS:CANCELLED so subscribed calendars mark them rather than silently drop them.
Times carry TZID=Europe/London with a VTIMEZONE, so clients show them in local time on both
sides of the clock changes.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT_ID = "-//Practice roll-out//Learning circles//EN"


@dataclass(frozen=True)
class CalendarEntry:
    """What a calendar needs to know of one meeting, and nothing more."""

    uid: str
    sequence: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    summary: str
    location: str
    description: str
    cancelled: bool
    last_modified: datetime.datetime


def _local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE))


def _event(entry: CalendarEntry, stamp: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", entry.last_modified.astimezone(datetime.UTC))
    event.add("sequence", entry.sequence)
    event.add("dtstart", _local(entry.starts_at))
    event.add("dtend", _local(entry.ends_at))
    event.add("summary", f"Cancelled: {entry.summary}" if entry.cancelled else entry.summary)
    if entry.location:
        event.add("location", entry.location)
    if entry.description:
        event.add("description", entry.description)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if entry.cancelled else "OPAQUE")
    return event


def build_calendar(
    entries: Iterable[CalendarEntry],
    *,
    name: str,
    method: str = "PUBLISH",
    attendee_email: str | None = None,
) -> bytes:
    """A whole VCALENDAR. With an attendee, each event names the organiser and the attendee
    (as an iTIP REQUEST or CANCEL sent by email needs)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    entries = list(entries)
    for entry in entries:
        event = _event(entry, stamp)
        if attendee_email:
            organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
            organizer.params["cn"] = vText("Practice roll-out")
            event.add("organizer", organizer)
            attendee = vCalAddress(f"mailto:{attendee_email}")
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            attendee.params["partstat"] = vText("NEEDS-ACTION")
            attendee.params["rsvp"] = vText("FALSE")
            event.add("attendee", attendee)
        calendar.add_component(event)
    if entries:
        first = min(entry.starts_at for entry in entries).date()
        last = max(entry.ends_at for entry in entries).date()
        calendar.add_missing_timezones(
            first_date=first - datetime.timedelta(days=366),
            last_date=last + datetime.timedelta(days=366),
        )
    return calendar.to_ical()


def send_calendar_email(
    *, entry: CalendarEntry, name: str, to_email: str, subject: str, body: str, cancel: bool = False
) -> int:
    """Email one person an iTIP REQUEST for an entry, or a CANCEL if it is cancelled (or
    `cancel`, for a person no longer invited to an entry that goes on).

    The calendar goes both as a `text/calendar; method=…` alternative (what Outlook and Gmail
    act on) and as an invite.ics attachment for clients that only offer attachments.
    """
    method = "CANCEL" if cancel or entry.cancelled else "REQUEST"
    if cancel:
        entry = dataclasses.replace(entry, cancelled=True)
    ics = build_calendar([entry], name=name, method=method, attendee_email=to_email)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[to_email])
    message.attach_alternative(ics.decode(), f"text/calendar; method={method}")
    message.attach("invite.ics", ics, "application/ics")
    return message.send()
