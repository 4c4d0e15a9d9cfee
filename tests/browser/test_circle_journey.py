"""A practice leader sets up a learning circle for a year, then takes a register by keyboard."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from circles.models import AttendanceStatus, CircleMeeting, MeetingAttendance, MeetingStatus
from tests.browser.support import assert_accessible, docs_screenshot
from tests.factories import make_circle, make_person
from training.models import Person

SECOND_TUESDAY = "the second Tuesday of each month, 10:00 to 12:00"


def named(person: Person, full_name: str) -> Person:
    """Give a factory-made person a real-looking name (the screenshots show it)."""
    person.full_name = full_name
    person.save(update_fields=["full_name"])
    return person


def focused(page: Page) -> dict[str, str]:
    """What has the keyboard focus: its tag, type, name, id and text."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
                    id: el.id || '', text: (el.textContent || '').trim()};
        }"""
    )


def second_tuesdays(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every second Tuesday from `first` to `last`, counted the long way round (not the product's
    rrule), so that the page's count is checked against an independent answer."""
    days = (first + datetime.timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if day.weekday() == 1 and 8 <= day.day <= 14]


def selected_options(select: Locator) -> list[str]:
    return select.evaluate("select => Array.from(select.selectedOptions, option => option.text)")


def coming_meetings(page: Page) -> Locator:
    return page.get_by_role("region", name="Coming meetings").get_by_role("listitem")


@pytest.mark.browser
def test_practice_leader_sets_up_a_circle_for_a_year_and_changes_two_meetings(
    page, live_server, transactional_db, cast, sign_in
):
    leader = named(cast.practice_leader, "Priya Shah")
    ann = named(make_person(team=leader.team), "Ann Lee")
    bo = named(make_person(team=leader.team), "Bo Ray")
    today = timezone.localdate()
    year_end = today + datetime.timedelta(days=364)
    sign_in(page, live_server, leader)

    # From the menu, the leader opens Circles and asks for a new one.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Circles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning circles")
    assert_accessible(page)
    page.get_by_role("link", name="New circle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New learning circle")
    expect(page).to_have_url(f"{live_server.url}/circles/new/")
    assert_accessible(page)

    # The form starts with the leader as the circle's practice leader.
    assert selected_options(page.get_by_label("Practice leaders")) == ["Priya Shah"]

    # The second Tuesday of each month, 10:00 to 12:00, for a year.
    page.get_by_label("Name").fill("Cheltenham West circle")
    when = page.get_by_role("group", name="When it meets")
    when.get_by_label("Which week").select_option(label="second")
    when.get_by_label("Day").select_option(label="Tuesday")
    when.get_by_label("Start time").fill("10:00")
    when.get_by_label("End time").fill("12:00")
    when.get_by_label("First month from").fill(today.isoformat())
    when.get_by_label("Last month until").fill(year_end.isoformat())
    # Nothing is chosen for bank holidays until the leader chooses.
    holidays = page.get_by_role("group", name="When a meeting falls on a bank holiday")
    expect(holidays.get_by_role("radio", checked=True)).to_have_count(0)
    holidays.get_by_label("Move it to the next working day").check()
    page.get_by_label("Venue").fill("Shire Hall, Room 2")
    page.get_by_role("button", name="Save circle").click()

    # The circle page says when it meets and lists a year of coming meetings.
    expect(page.get_by_role("heading", level=1)).to_have_text("Cheltenham West circle")
    expect(page.get_by_role("status")).to_contain_text(
        f"Cheltenham West circle created: it meets {SECOND_TUESDAY}."
    )
    assert_accessible(page)
    expected = [
        day
        for day in second_tuesdays(today, year_end)
        if timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))) > timezone.now()
    ]
    assert len(expected) in (11, 12)  # 12 on most days; 11 when today falls just after one
    expect(coming_meetings(page)).to_have_count(len(expected))
    expect(coming_meetings(page).first).to_contain_text(
        expected[0].strftime("%A %-d %B %Y, 10:00–12:00")
    )
    expect(coming_meetings(page).last).to_contain_text(
        expected[-1].strftime("%A %-d %B %Y, 10:00–12:00")
    )
    circle_url = page.url

    # They add two members by their work email.
    for person in (ann, bo):
        page.get_by_label("Add a member by work email").fill(person.email)
        page.get_by_role("button", name="Add member").click()
        expect(page.get_by_role("status")).to_contain_text(
            f"{person.full_name} added; they have been sent an invitation."
        )
        assert_accessible(page)
    members = page.get_by_role("region", name="Members (2)").get_by_role("rowheader")
    expect(members).to_have_text(["Ann Lee", "Bo Ray"])

    # They move the second coming meeting to the Wednesday afternoon...
    moved_from = expected[1]
    moved_to = moved_from + datetime.timedelta(days=1)
    page.get_by_role("link", name=f"Move the meeting on {moved_from:%-d %B %Y}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Move the meeting on {moved_from:%A %-d %B %Y}"
    )
    assert_accessible(page)
    page.get_by_label("Date").fill(moved_to.isoformat())
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("End time").fill("16:00")
    page.get_by_role("button", name="Move meeting").click()
    expect(page).to_have_url(circle_url)
    expect(page.get_by_role("status")).to_contain_text(
        "Meeting moved; everyone invited is sent the new time."
    )
    assert_accessible(page)
    expect(coming_meetings(page).nth(1)).to_contain_text(f"{moved_to:%A %-d %B %Y}, 14:00–16:00")

    # ... and cancels the third.
    cancelled = expected[2]
    page.get_by_role("link", name=f"Cancel the meeting on {cancelled:%-d %B %Y}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Cancel the meeting on {cancelled:%A %-d %B %Y}, 10:00?"
    )
    assert_accessible(page)
    page.get_by_label("Why it is cancelled").fill("The room is needed for training.")
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(page).to_have_url(circle_url)
    expect(page.get_by_role("status")).to_contain_text(
        "Meeting cancelled; everyone invited is told why."
    )
    assert_accessible(page)
    expect(coming_meetings(page).nth(2)).to_contain_text(f"{cancelled:%A %-d %B %Y}")
    expect(coming_meetings(page).nth(2)).to_contain_text("Cancelled (The room is needed")
    expect(coming_meetings(page).nth(1)).to_contain_text("Moved")
    expect(coming_meetings(page)).to_have_count(len(expected))
    docs_screenshot(page, "circle.png")

    # The database agrees: one meeting moved (and its sequence raised), one cancelled.
    meetings = list(CircleMeeting.objects.filter(circle__name="Cheltenham West circle"))
    assert len(meetings) == len(expected)
    moved = timezone.localtime(meetings[1].starts_at)
    assert (moved.date(), moved.time()) == (moved_to, datetime.time(14))
    assert (meetings[1].status, meetings[1].sequence, meetings[1].moved) == (
        MeetingStatus.SCHEDULED,
        1,
        True,
    )
    assert (meetings[2].status, meetings[2].sequence) == (MeetingStatus.CANCELLED, 1)
    assert [m.status for m in meetings].count(MeetingStatus.CANCELLED) == 1


@pytest.mark.browser
def test_practice_leader_takes_the_register_of_a_past_meeting_by_keyboard_alone(
    page, live_server, transactional_db, cast, sign_in
):
    leader = named(cast.practice_leader, "Priya Shah")
    ann = named(make_person(team=leader.team), "Ann Lee")
    bo = named(make_person(team=leader.team), "Bo Ray")
    circle = make_circle(
        leaders=[leader],
        members=[ann, bo],
        name="Cheltenham East circle",
        starts_on=timezone.localdate() - datetime.timedelta(days=120),
    )
    meeting = circle.meetings.filter(starts_at__lt=timezone.now()).last()
    sign_in(page, live_server, leader)

    # The leader finds the circle and its most recent meeting.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Circles").click()
    assert_accessible(page)
    page.get_by_role("link", name="Cheltenham East circle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cheltenham East circle")
    assert_accessible(page)
    when = timezone.localtime(meeting.starts_at)
    page.get_by_role("region", name="Recent meetings").get_by_role(
        "link", name=f"{when:%A %-d %B %Y}"
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Cheltenham East circle: {when:%A %-d %B %Y}"
    )
    expect(page).to_have_url(f"{live_server.url}/meetings/{meeting.pk}/")
    assert_accessible(page)
    ann_group = page.get_by_role("group", name="Ann Lee")
    bo_group = page.get_by_role("group", name="Bo Ray")
    expect(ann_group.get_by_role("radio")).to_have_count(3)
    for radio in (*ann_group.get_by_role("radio").all(), *bo_group.get_by_role("radio").all()):
        expect(radio).not_to_be_checked()
    page.evaluate("() => { window.notReloaded = true; }")

    # From the top of the page, by keyboard alone: the skip link, then Tab to Ann's radio group.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    stops = []
    for _ in range(10):
        page.keyboard.press("Tab")
        stops.append(focused(page))
        if stops[-1]["type"] == "radio":
            break
    assert [stop["text"].split("\n")[0].strip() for stop in stops[:-1]] == [
        "Learning circles",
        "Cheltenham East circle",
        "Move or cancel this meeting",
        # The register's scroll box: a named region, so a narrow window scrolls it by keyboard.
        "Attendance of each member",
    ]
    # Nothing is chosen yet, so Tab lands on the group's first radio, "Present".
    expect(ann_group.get_by_role("radio", name="Present")).to_be_focused()

    # The right arrow moves to "Sent apologies" and chooses it; htmx saves it at once.
    page.keyboard.press("ArrowRight")
    expect(ann_group.get_by_role("radio", name="Sent apologies")).to_be_focused()
    expect(ann_group.get_by_role("radio", name="Sent apologies")).to_be_checked()
    expect(page.locator(f"#saved-{ann.pk}")).to_have_text("Saved: Sent apologies")
    assert_accessible(page)

    # Tab goes on to Bo's group, where Space chooses the focused "Present".
    page.keyboard.press("Tab")
    expect(bo_group.get_by_role("radio", name="Present")).to_be_focused()
    page.keyboard.press("Space")
    expect(bo_group.get_by_role("radio", name="Present")).to_be_checked()
    expect(page.locator(f"#saved-{bo.pk}")).to_have_text("Saved: Present")
    expect(bo_group.get_by_role("radio", name="Present")).to_be_focused()
    assert_accessible(page)

    # Both were saved without the page reloading.
    assert page.evaluate("() => window.notReloaded === true")
    assert page.evaluate("() => location.pathname") == f"/meetings/{meeting.pk}/"
    docs_screenshot(page, "attendance.png")

    # After a reload the choices are still there.
    page.reload()
    assert page.evaluate("() => window.notReloaded === undefined")
    expect(ann_group.get_by_role("radio", name="Sent apologies")).to_be_checked()
    expect(bo_group.get_by_role("radio", name="Present")).to_be_checked()
    expect(page.get_by_role("radio", checked=True)).to_have_count(2)
    assert_accessible(page)

    # And in the database.
    assert dict(
        MeetingAttendance.objects.filter(meeting=meeting).values_list("person_id", "status")
    ) == {ann.pk: AttendanceStatus.APOLOGIES, bo.pk: AttendanceStatus.PRESENT}


@pytest.mark.browser
def test_the_date_fields_show_the_dates_they_start_with(
    page, live_server, transactional_db, cast, sign_in
):
    circle = make_circle(leaders=[cast.practice_leader], name="Stroud circle")
    meeting = circle.meetings.first()
    sign_in(page, live_server, cast.practice_leader)

    page.goto(f"{live_server.url}/circles/new/")
    expect(page.get_by_label("First month from")).to_have_value(
        timezone.localdate().isoformat(), timeout=1_000
    )
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/change/")
    expect(page.get_by_label("Date")).to_have_value(
        f"{timezone.localtime(meeting.starts_at):%Y-%m-%d}", timeout=1_000
    )
