"""Feeds read back with vobject, a reader independent of the library that writes them."""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.urls import reverse
from django.utils import timezone

from calendars.models import CalendarFeed
from calendars.services import feed_for, feed_token_regenerate
from circles.models import Ordinal, Weekday
from circles.services import meeting_cancel, meeting_move
from tests.factories import make_circle, make_course, make_person, make_place, make_session
from training.models import PersonStatus

pytestmark = [pytest.mark.django_db, pytest.mark.any_day]

LONDON = ZoneInfo("Europe/London")


def second_tuesdays(first_month: datetime.date, count: int) -> list[datetime.date]:
    """Worked out here by hand, independently of the product's rule code."""
    dates: list[datetime.date] = []
    month = first_month
    while len(dates) < count:
        first_tuesday = month + datetime.timedelta(days=(1 - month.weekday()) % 7)
        dates.append(first_tuesday + datetime.timedelta(days=7))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return dates


def read_feed(client, person) -> list:
    response = client.get(reverse("calendar_feed", args=[feed_for(person).token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = vobject.readOne(response.content.decode())
    return sorted(calendar.vevent_list, key=lambda event: event.dtstart.value)


@pytest.fixture
def year_of_second_tuesdays():
    """'The second Tuesday, 10:00 to 12:00' for a year from next month, with one member."""
    member = make_person()
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    circle = make_circle(
        leaders=[make_person()],
        members=[member],
        starts_on=next_month,
        ends_on=next_month + datetime.timedelta(days=364),
        ordinal=Ordinal.SECOND,
        weekday=Weekday.TUESDAY,
        start_time=datetime.time(10),
        end_time=datetime.time(12),
    )
    return circle, member, second_tuesdays(next_month, 12)


def test_the_feed_has_the_12_meetings_at_10_local_time_across_both_clock_changes(
    client, year_of_second_tuesdays
):
    circle, member, expected_dates = year_of_second_tuesdays

    events = read_feed(client, member)

    assert [event.dtstart.value.date() for event in events] == expected_dates
    for event in events:
        start, end = event.dtstart.value, event.dtend.value
        assert start.tzinfo is not None
        local_start, local_end = start.astimezone(LONDON), end.astimezone(LONDON)
        assert (local_start.time(), local_end.time()) == (datetime.time(10), datetime.time(12))
    offsets = {event.dtstart.value.utcoffset() for event in events}
    # A year always spans the March and October changes: both GMT and BST meetings are there.
    assert offsets == {datetime.timedelta(0), datetime.timedelta(hours=1)}
    utc_hours = {event.dtstart.value.astimezone(datetime.UTC).hour for event in events}
    assert utc_hours == {9, 10}


def test_every_event_has_a_stable_uid_a_dtstamp_and_a_sequence(client, year_of_second_tuesdays):
    circle, member, _ = year_of_second_tuesdays

    first = read_feed(client, member)
    again = read_feed(client, member)

    assert [event.uid.value for event in first] == [event.uid.value for event in again]
    assert len({event.uid.value for event in first}) == 12
    for event in first:
        assert event.dtstamp.value.tzinfo is not None
        assert event.sequence.value == "0"
        assert event.summary.value == circle.name


def test_the_feed_has_a_vtimezone_for_europe_london(client, year_of_second_tuesdays):
    _, member, _ = year_of_second_tuesdays

    response = client.get(reverse("calendar_feed", args=[feed_for(member).token]))

    calendar = vobject.readOne(response.content.decode())
    assert calendar.vtimezone.tzid.value == "Europe/London"
    assert "DTSTART;TZID=Europe/London:" in response.content.decode()


def test_moved_and_cancelled_meetings_show_as_such_with_a_higher_sequence(
    client, year_of_second_tuesdays
):
    circle, member, expected = year_of_second_tuesdays
    meetings = list(circle.meetings.order_by("starts_at"))
    meeting_move(
        meeting=meetings[2],
        date=expected[2] + datetime.timedelta(days=2),
        start_time=datetime.time(14),
        end_time=datetime.time(15, 30),
        venue="Room 4",
    )
    meeting_cancel(meeting=meetings[5])

    events = {event.uid.value: event for event in read_feed(client, member)}

    moved = events[f"circle-meeting-{meetings[2].pk}@127.0.0.1"]
    local = moved.dtstart.value.astimezone(LONDON)
    assert (local.date(), local.time()) == (
        expected[2] + datetime.timedelta(days=2),
        datetime.time(14),
    )
    assert (moved.sequence.value, moved.location.value) == ("1", "Room 4")
    cancelled = events[f"circle-meeting-{meetings[5].pk}@127.0.0.1"]
    assert (cancelled.status.value, cancelled.sequence.value) == ("CANCELLED", "1")
    assert sum(event.status.value == "CONFIRMED" for event in events.values()) == 11


def test_the_feed_says_nothing_of_attendance_notes_or_other_members(
    client, year_of_second_tuesdays
):
    circle, member, _ = year_of_second_tuesdays
    other = make_person()
    circle.memberships.create(person=other)
    meeting = circle.meetings.first()
    meeting.notes = "Secret reflection"
    meeting.save()

    content = client.get(reverse("calendar_feed", args=[feed_for(member).token])).content.decode()

    assert "Secret reflection" not in content
    assert other.email not in content and other.full_name not in content
    assert "ATTENDEE" not in content


def test_a_persons_token_gives_only_their_own_circles(client, year_of_second_tuesdays):
    circle, member, _ = year_of_second_tuesdays
    stranger = make_person()
    make_circle(leaders=[stranger], members=[stranger], name="Another circle")

    mine = read_feed(client, member)
    theirs = read_feed(client, stranger)

    assert {event.summary.value for event in mine} == {circle.name}
    assert {event.summary.value for event in theirs} == {"Another circle"}


def test_unknown_and_regenerated_tokens_give_nothing(client, year_of_second_tuesdays):
    _, member, _ = year_of_second_tuesdays
    old = feed_for(member).token

    feed_token_regenerate(person=member)

    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=["x" * 43])).status_code == 404
    new = CalendarFeed.objects.get(person=member).token
    assert new != old and len(new) >= 40
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 200


def test_a_person_who_has_left_has_no_feed(client, year_of_second_tuesdays):
    _, member, _ = year_of_second_tuesdays
    token = feed_for(member).token
    member.status = PersonStatus.LEFT
    member.save()

    assert client.get(reverse("calendar_feed", args=[token])).status_code == 404


@pytest.mark.parametrize("circles", [1, 8])
def test_the_feed_runs_a_constant_number_of_queries(client, django_assert_num_queries, circles):
    member = make_person()
    for _ in range(circles):
        make_circle(leaders=[make_person()], members=[member])
        make_session(supervisor=make_person(), practitioners=[member, make_person()])
        make_place(member, make_course())
    token = feed_for(member).token

    # the feed with its person; meetings with circles; 2:1s and their practitioners; confirmed
    # course places with their courses; and, when the content has changed since last served,
    # one update of the feed's ETag
    with django_assert_num_queries(6):
        client.get(reverse("calendar_feed", args=[token]))
    with django_assert_num_queries(5):
        client.get(reverse("calendar_feed", args=[token]))


@pytest.mark.parametrize("token", ["abc%00def", "a%20b", "%F0%9F%99%82", "x" * 300])
def test_a_feed_address_that_cannot_be_a_token_is_not_found(client, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


# What subscribed calendars are told, and how often they ask ---------------------------------------


def feed_url(person) -> str:
    return reverse("calendar_feed", args=[feed_for(person).token])


def test_the_feed_names_itself_and_asks_to_be_fetched_again_every_hour(
    client, year_of_second_tuesdays
):
    _, member, _ = year_of_second_tuesdays

    content = client.get(feed_url(member)).content.decode()

    calendar = vobject.readOne(content)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in content
    assert "X-PUBLISHED-TTL:PT1H\r\n" in content
    assert calendar.contents["name"][0].value == "Learning circles and 2:1s"
    assert calendar.x_wr_calname.value == "Learning circles and 2:1s"


def test_a_circle_download_names_the_circle_as_escaped_text(cast, as_user):
    name = "Stroud, Forest; and the \\ Vale"
    circle = make_circle(leaders=[cast.practice_leader], name=name)

    content = as_user(cast.practice_leader).get(reverse("circle_calendar", args=[circle.pk]))

    text = content.content.decode()
    assert "X-WR-CALNAME:Stroud\\, Forest\\; and the \\\\ Vale\r\n" in text
    calendar = vobject.readOne(text)
    assert calendar.contents["name"][0].value == name
    assert calendar.x_wr_calname.value == name


def test_head_answers_as_get_does_without_the_body(client, year_of_second_tuesdays):
    _, member, _ = year_of_second_tuesdays

    got, head = client.get(feed_url(member)), client.head(feed_url(member))

    assert head.status_code == 200 and head.content == b""
    assert (head["Content-Type"], head["ETag"]) == (got["Content-Type"], got["ETag"])


def test_a_conditional_request_gets_304_until_something_changes(client, year_of_second_tuesdays):
    circle, member, expected = year_of_second_tuesdays
    first = client.get(feed_url(member))
    etag, last_modified = first["ETag"], first["Last-Modified"]

    assert client.get(feed_url(member), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(feed_url(member), HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.head(feed_url(member), HTTP_IF_NONE_MATCH=etag).status_code == 304

    meeting_move(
        meeting=circle.meetings.order_by("starts_at")[3],
        date=expected[3] + datetime.timedelta(days=1),
        start_time=datetime.time(14),
        end_time=datetime.time(15),
    )

    changed = client.get(feed_url(member), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert client.get(feed_url(member), HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_the_same_meetings_give_the_same_feed_byte_for_byte(client, year_of_second_tuesdays):
    _, member, _ = year_of_second_tuesdays

    assert client.get(feed_url(member)).content == client.get(feed_url(member)).content


def test_a_disabled_account_has_no_feed(client, cast):
    make_circle(leaders=[cast.practice_leader], members=[cast.practitioner])
    url = feed_url(cast.practitioner)
    assert client.get(url).status_code == 200

    cast.practitioner.user.is_active = False
    cast.practitioner.user.save()

    assert client.get(url).status_code == 404
    assert client.head(url).status_code == 404


def test_feed_tokens_are_not_written_in_full_to_the_log(client, year_of_second_tuesdays, caplog):
    _, member, _ = year_of_second_tuesdays
    revoked = feed_for(member).token
    feed_token_regenerate(person=member)
    current = feed_for(member).token
    caplog.set_level(logging.DEBUG)

    client.get(f"/calendar/{revoked}.ics")  # 404
    client.post(f"/calendar/{current}.ics")  # 405
    client.get(f"/calendar/{current}.ics")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"/calendar/{revoked[:4]}….ics" in logged
    assert revoked not in logged and current not in logged
    assert revoked[4:12] not in logged and current[4:12] not in logged
