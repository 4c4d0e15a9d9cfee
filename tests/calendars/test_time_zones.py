"""Every meeting at the right hour in every client: the files read back with vobject, using only
the time-zone block each file carries, give the start held in the database for every event."""

from __future__ import annotations

import datetime
import sys

import pytest
import vobject
import vobject.icalendar
from dateutil import tz
from django.urls import reverse

from calendars.ics import CalendarEntry, build_calendar
from calendars.services import feed_for
from circles.models import CircleMeeting, Ordinal, Weekday
from supervision.models import SupervisionSession
from tests.factories import make_circle, make_person, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_the_files_own_time_zones(monkeypatch):
    """vobject keeps one global map of TZIDs and, given pytz, fills it from its own database;
    a TZID already in the map makes it skip the file's VTIMEZONE. Empty the map and take pytz
    away, so that every time comes from the block in the file or not at all."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    saved = dict(registry)
    registry.clear()
    registry["UTC"] = tz.tzutc()
    monkeypatch.setitem(sys.modules, "pytz", None)
    yield
    registry.clear()
    registry.update(saved)


def read_starts(content: bytes) -> dict[str, datetime.datetime]:
    """UID to start, each resolved with the file's own VTIMEZONE (or written in UTC)."""
    vobject.icalendar.__dict__["__tzidMap"].clear()
    vobject.icalendar.__dict__["__tzidMap"]["UTC"] = tz.tzutc()
    calendar = vobject.readOne(content.decode())
    starts = {}
    for event in calendar.vevent_list:
        start = event.dtstart.value
        assert isinstance(start, datetime.datetime) and start.tzinfo is not None, start
        # A tzinfo read from the file: dateutil's VTIMEZONE reader, or UTC.
        assert type(start.tzinfo).__module__.startswith("dateutil"), type(start.tzinfo)
        starts[event.uid.value] = start
    return starts


def database_starts() -> dict[str, datetime.datetime]:
    meetings = {
        f"circle-meeting-{pk}": at
        for pk, at in CircleMeeting.objects.values_list("pk", "starts_at")
    }
    sessions = {
        f"supervision-{pk}": at
        for pk, at in SupervisionSession.objects.values_list("pk", "starts_at")
    }
    return meetings | sessions


def first(wrong: dict) -> object:
    return next(iter(wrong.items()), None)


def uid_key(uid: str) -> str:
    return uid.split("@")[0]


@pytest.fixture
def ten_years(today):
    """A circle that has met on the last Thursday at 14:00 for ten years, its members, and
    2:1s in the weeks around both clock changes."""
    leader, members = make_person(), [make_person() for _ in range(3)]
    circle = make_circle(
        leaders=[leader],
        members=members,
        ordinal=Ordinal.LAST,
        weekday=Weekday.THURSDAY,
        start_time=datetime.time(14),
        end_time=datetime.time(16),
        starts_on=datetime.date(today.year - 10, 1, 1),
    )
    for weeks in range(-12, 40, 3):
        make_session(
            supervisor=leader,
            practitioners=members[:2],
            starts_at=today + datetime.timedelta(weeks=weeks, hours=5),
        )
    return circle, [leader, *members]


@pytest.mark.any_day
def test_a_ten_year_circle_download_gives_every_start_the_database_holds(
    client, ten_years, only_the_files_own_time_zones, cast, as_user
):
    circle, people = ten_years
    circle.memberships.create(person=cast.practitioner)

    content = as_user(cast.practitioner).get(reverse("circle_calendar", args=[circle.pk])).content

    starts = {uid_key(uid): start for uid, start in read_starts(content).items()}
    expected = {key: at for key, at in database_starts().items() if key.startswith("circle")}
    assert len(starts) == circle.meetings.count() >= 120
    wrong = {key: (starts[key], at) for key, at in expected.items() if starts[key] != at}
    assert not wrong, (
        f"{len(wrong)} of {len(expected)} meetings read at another time, as {first(wrong)}"
    )


@pytest.mark.any_day
def test_every_personal_feed_gives_every_start_the_database_holds(
    client, ten_years, only_the_files_own_time_zones
):
    _, people = ten_years
    expected = database_starts()

    for person in people:
        content = client.get(reverse("calendar_feed", args=[feed_for(person).token])).content
        starts = {uid_key(uid): start for uid, start in read_starts(content).items()}
        assert starts, person
        wrong = {
            key: (start, expected[key]) for key, start in starts.items() if start != expected[key]
        }
        assert not wrong, (
            f"{person}: {len(wrong)} of {len(starts)} read at another time, as {first(wrong)}"
        )


def entry_at(moment: datetime.datetime) -> CalendarEntry:
    return CalendarEntry(
        uid=f"{moment:%Y%m%d%H%M}@example",
        sequence=0,
        starts_at=moment,
        ends_at=moment + datetime.timedelta(hours=1),
        summary="A meeting",
        location="",
        description="",
        cancelled=False,
        last_modified=moment,
    )


def test_the_time_zone_block_is_one_standard_and_one_daylight_part_with_yearly_rules():
    content = build_calendar(
        [
            entry_at(datetime.datetime(2017, 1, 5, 10, tzinfo=datetime.UTC)),
            entry_at(datetime.datetime(2027, 7, 5, 10, tzinfo=datetime.UTC)),
        ],
        name="Ten years",
    ).decode()

    block = content[content.index("BEGIN:VTIMEZONE") : content.index("END:VTIMEZONE")]
    assert block.count("BEGIN:STANDARD") == block.count("BEGIN:DAYLIGHT") == 1
    assert "RDATE" not in block
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in block
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in block
    assert "DTSTART;TZID=Europe/London:20170105T100000" in content


def test_times_are_written_in_utc_when_the_rules_changed_within_the_span(
    only_the_files_own_time_zones,
):
    """The UK's autumn change moved from the fourth Sunday to the last in 1996: no one yearly
    rule covers 1995 and 2027, so the file says UTC rather than a rule some years break."""
    starts = [
        datetime.datetime(1995, 10, 25, 9, tzinfo=datetime.UTC),
        datetime.datetime(2027, 7, 5, 9, tzinfo=datetime.UTC),
    ]

    content = build_calendar([entry_at(moment) for moment in starts], name="Long ago")

    assert b"VTIMEZONE" not in content
    assert sorted(read_starts(content).values()) == starts
