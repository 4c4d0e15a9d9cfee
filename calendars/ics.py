"""iCalendar files for feeds, downloads and email invitations (RFC 5545 and RFC 5546).

One VEVENT per meeting, never an RRULE series: each meeting is its own row that can be moved,
cancelled or rescheduled by a rule change on its own, so every client sees exactly the rows we
hold, with a stable UID and a SEQUENCE that rises on every change. Cancelled meetings stay in
feeds with STATUS:CANCELLED so subscribed calendars mark them rather than silently drop them.
Times carry the organisation's TZID (Europe/London) with a VTIMEZONE in the classic form that
every client reads alike, Outlook included: one STANDARD and one DAYLIGHT part, each with a yearly
RRULE (the last Sunday of October and of March). The rules are worked out from the time-zone
database and checked against every year the file spans; a zone whose rules changed within that
span gets its times written in UTC instead, which no client can misread.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vText,
)

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


@dataclass(frozen=True)
class Change:
    """One of a zone's yearly clock changes, as a rule: "the last Sunday of March at 01:00"."""

    month: int
    week: int  # 1 to 4, or -1 for the last
    weekday: int  # Monday is 0
    at: datetime.time  # on the clock as it reads before the change
    offset_from: datetime.timedelta
    offset_to: datetime.timedelta
    name: str

    def day(self, year: int) -> datetime.date:
        first = datetime.date(year, self.month, 1)
        if self.week == -1:
            return first + relativedelta(day=31, weekday=_WEEKDAYS[self.weekday](-1))
        return first + relativedelta(weekday=_WEEKDAYS[self.weekday](self.week))

    def moment(self, year: int) -> datetime.datetime:
        """When the change happens in `year`, in UTC."""
        wall = datetime.datetime.combine(self.day(year), self.at)
        return (wall - self.offset_from).replace(tzinfo=datetime.UTC)


_WEEKDAYS = (MO, TU, WE, TH, FR, SA, SU)
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _utc_offset(moment: datetime.datetime, zone: ZoneInfo) -> datetime.timedelta:
    offset = moment.astimezone(zone).utcoffset()
    if offset is None:  # a ZoneInfo always knows the offset of an aware time
        raise ValueError(f"{zone.key} has no offset at {moment}")
    return offset


@functools.lru_cache(maxsize=256)
def _changes_in(zone: ZoneInfo, year: int) -> tuple[tuple[datetime.datetime, Change], ...]:
    """The clock changes of `year` as the time-zone database has them, in UTC, with the rule
    each would be if it recurred every year."""
    found = []
    day = datetime.timedelta(days=1)
    moment = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
    before = _utc_offset(moment, zone)
    while moment.year == year:
        if (moment + day).astimezone(zone).utcoffset() != before:
            # Narrow the change to the minute (some zones change on the half hour).
            at = moment
            while at.astimezone(zone).utcoffset() == before:
                at += datetime.timedelta(minutes=1)
            after = _utc_offset(at, zone)
            wall = (at + before).replace(tzinfo=None)
            month_end = (wall.replace(day=1) + relativedelta(months=1, days=-1)).day
            change = Change(
                month=wall.month,
                week=-1 if wall.day + 7 > month_end else (wall.day - 1) // 7 + 1,
                weekday=wall.weekday(),
                at=wall.time(),
                offset_from=before,
                offset_to=after,
                name=at.astimezone(zone).tzname() or "",
            )
            found.append((at, change))
            before = after
        moment += day
    return tuple(found)


def yearly_changes(zone: ZoneInfo, first: int, last: int) -> list[Change] | None:
    """The zone's clock changes as yearly rules that hold for every year from `first` to
    `last`; an empty list for a zone that keeps one offset; None when no such rules hold."""
    rules = [change for _, change in _changes_in(zone, last)]
    if len(rules) not in (0, 2):
        return None
    for year in range(first, last + 1):
        actual = _changes_in(zone, year)
        if [change for _, change in actual] != rules:
            return None
        if any(change.moment(year) != moment for moment, change in actual):
            return None
    return rules


def _timezone(zone: ZoneInfo, rules: list[Change], year: int) -> Timezone:
    block = Timezone()
    block.add("tzid", zone.key)
    if not rules:
        offset = datetime.datetime(year, 1, 1, tzinfo=zone).utcoffset()
        part: TimezoneStandard | TimezoneDaylight = TimezoneStandard()
        part.add("dtstart", datetime.datetime(1970, 1, 1))
        part.add("tzoffsetfrom", offset)
        part.add("tzoffsetto", offset)
        part.add("tzname", datetime.datetime(year, 1, 1, tzinfo=zone).tzname())
        block.add_component(part)
        return block
    for rule in rules:
        part = TimezoneDaylight() if rule.offset_to > rule.offset_from else TimezoneStandard()
        part.add("dtstart", datetime.datetime.combine(rule.day(1970), rule.at))
        part.add(
            "rrule",
            {
                "freq": "yearly",
                "bymonth": rule.month,
                "byday": f"{rule.week}{_BYDAY[rule.weekday]}",
            },
        )
        part.add("tzoffsetfrom", rule.offset_from)
        part.add("tzoffsetto", rule.offset_to)
        part.add("tzname", rule.name)
        block.add_component(part)
    return block


def _event(entry: CalendarEntry, stamp: datetime.datetime, zone: datetime.tzinfo) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", entry.last_modified.astimezone(datetime.UTC))
    event.add("sequence", entry.sequence)
    event.add("dtstart", entry.starts_at.astimezone(zone))
    event.add("dtend", entry.ends_at.astimezone(zone))
    summary = one_line(entry.summary)
    event.add("summary", f"Cancelled: {summary}" if entry.cancelled else summary)
    if entry.location:
        event.add("location", one_line(entry.location))
    if entry.description:
        event.add("description", one_line(entry.description))
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if entry.cancelled else "OPAQUE")
    return event


def one_line(text: str) -> str:
    """Text for a mail header or a one-line field: control characters (a line break typed into
    a name) become spaces, since a header with a line break is refused at sending."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def build_calendar(
    entries: Iterable[CalendarEntry],
    *,
    name: str,
    method: str = "PUBLISH",
    attendee_email: str | None = None,
    refresh: datetime.timedelta | None = None,
) -> bytes:
    """A whole VCALENDAR. With an attendee, each event names the organiser and the attendee
    (as an iTIP REQUEST or CANCEL sent by email needs). With `refresh`, subscribed clients are
    asked to fetch it again that often (RFC 7986 REFRESH-INTERVAL, and X-PUBLISHED-TTL, which
    Outlook reads).

    A published file (a feed or a download) stamps each event with its last change rather than
    the time of the request, so the same meetings give the same bytes and the feed's ETag holds.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    # Escaped text (RFC 5545 3.3.11): icalendar escapes a calendar property only as a vText.
    calendar.add("name", vText(one_line(name)))
    calendar.add("x-wr-calname", vText(one_line(name)))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    if refresh:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))
    now = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    entries = list(entries)
    zone: datetime.tzinfo = datetime.UTC
    if entries:
        local = ZoneInfo(settings.TIME_ZONE)
        first = min(entry.starts_at for entry in entries).astimezone(local).year
        last = max(entry.ends_at for entry in entries).astimezone(local).year
        rules = yearly_changes(local, first, last)
        if rules is not None:
            calendar.add_component(_timezone(local, rules, last))
            zone = local
    for entry in entries:
        stamp = (
            entry.last_modified.astimezone(datetime.UTC).replace(microsecond=0)
            if method == "PUBLISH"
            else now
        )
        event = _event(entry, stamp, zone)
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
    return calendar.to_ical()


def invitation_message(
    *,
    entry: CalendarEntry,
    name: str,
    to_email: str,
    subject: str,
    body: str,
    cancel: bool = False,
    as_invitation: bool = True,
) -> EmailMultiAlternatives:
    """An email carrying an iTIP REQUEST for an entry, or a CANCEL if it is cancelled (or
    `cancel`, for a person no longer invited to an entry that goes on).

    The calendar goes as an invite.ics attachment and, when `as_invitation`, also as a
    `text/calendar; method=…` alternative, which is what Outlook and Gmail act on (a reminder
    carries only the attachment, so it does not show as a fresh invitation).
    """
    method = "CANCEL" if cancel or entry.cancelled else "REQUEST"
    if cancel:
        entry = dataclasses.replace(entry, cancelled=True)
    ics = build_calendar([entry], name=name, method=method, attendee_email=to_email)
    message = EmailMultiAlternatives(subject=one_line(subject), body=body, to=[to_email])
    if as_invitation:
        message.attach_alternative(ics.decode(), f"text/calendar; method={method}")
    message.attach("invite.ics", ics, "application/ics")
    return message
