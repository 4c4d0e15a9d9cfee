from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from circles.models import (
    AttendanceStatus,
    CircleMeeting,
    LearningCircle,
    MeetingApology,
    MeetingAttendance,
    MeetingFocus,
    MeetingStatus,
)
from circles.services import meeting_record
from competencies.frameworks import current_version, version_new_draft
from competencies.models import Competency
from tests.factories import attend, make_circle, make_cohort, make_person
from training.models import Person

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def other_circle(cast):
    leader = make_person(roles=(), with_account=True)
    return make_circle(leaders=[leader], members=[cast.outsider], name="Forest circle")


def past_meeting(circle) -> CircleMeeting:
    return circle.meetings.filter(starts_at__lt=timezone.now()).last()


# Creating and editing ---------------------------------------------------------------------------


def circle_form(cast, **changes) -> dict[str, object]:
    data = {
        "name": "Stroud circle",
        "kind": "learning_circle",
        "facilitators": [cast.practice_leader.pk],
        "ordinal": "2",
        "weekday": "1",
        "start_time": "10:00",
        "end_time": "12:00",
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        "on_bank_holiday": "move",
        "venue": "Stroud Sub Rooms",
        "online_link": "",
    }
    return {**data, **changes}


def test_a_practice_leader_creates_a_second_tuesday_circle_for_a_year(cast, as_user):
    today = timezone.localdate()
    year = {
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=364)).isoformat(),
    }

    response = as_user(cast.practice_leader).post(
        reverse("circle_create"), circle_form(cast, **year)
    )

    circle = LearningCircle.objects.get(name="Stroud circle")
    assert response.status_code == 302
    assert circle.rule_text == "the second Tuesday of each month, 10:00 to 12:00"
    starts = [timezone.localtime(m.starts_at) for m in circle.meetings.all()]
    assert len(starts) == 12
    assert len({(start.year, start.month) for start in starts}) == 12
    assert all(start.weekday() == 1 and 8 <= start.day <= 14 for start in starts)
    assert all((start.hour, start.minute) == (10, 0) for start in starts)
    assert list(circle.facilitators.all()) == [cast.practice_leader]


def test_a_circle_needs_a_place_and_an_end_after_its_start(cast, as_user):
    response = as_user(cast.practice_leader).post(
        reverse("circle_create"), circle_form(cast, venue="", end_time="09:00")
    )

    html = response.content.decode()
    assert "Give a venue, an online link, or both." in html
    assert "The meeting must end after it starts." in html
    assert not LearningCircle.objects.filter(name="Stroud circle").exists()


@pytest.mark.parametrize("role", ["practitioner", "supervisor", "programme_lead"])
def test_people_who_do_not_lead_circles_cannot_create_one(cast, as_user, role):
    client = as_user(getattr(cast, role))

    assert client.get(reverse("circle_create")).status_code == 403
    assert client.post(reverse("circle_create"), circle_form(cast)).status_code == 403
    assert not LearningCircle.objects.exists()


def test_a_practice_leader_cannot_edit_or_see_a_circle_they_do_not_lead(
    cast, as_user, other_circle
):
    client = as_user(cast.practice_leader)

    assert client.get(reverse("circle_detail", args=[other_circle.pk])).status_code == 404
    assert client.get(reverse("circle_edit", args=[other_circle.pk])).status_code == 404
    meeting = other_circle.meetings.first()
    assert client.get(reverse("meeting_change", args=[meeting.pk])).status_code == 404


def test_a_practice_leader_edits_their_own_circle(cast, as_user, circle):
    response = as_user(cast.practice_leader).post(
        reverse("circle_edit", args=[circle.pk]),
        circle_form(cast, name="Cheltenham learning circle", starts_on=circle.starts_on),
    )

    assert response.status_code == 302
    assert LearningCircle.objects.get(pk=circle.pk).name == "Cheltenham learning circle"


@pytest.mark.parametrize("role", ["programme_lead", "administrator"])
def test_programme_leads_and_administrators_see_every_circle(
    cast, as_user, circle, other_circle, role
):
    response = as_user(getattr(cast, role)).get(reverse("circle_list"))

    assert {c.name for c in response.context["circles"]} == {"Cheltenham circle", "Forest circle"}


def test_the_circle_list_is_paged_in_name_order(cast, as_user, circle, other_circle, monkeypatch):
    monkeypatch.setattr("circles.views.CIRCLES_PER_PAGE", 1)
    client = as_user(cast.programme_lead)

    first = client.get(reverse("circle_list"))
    second = client.get(reverse("circle_list"), {"page": 2})
    beyond = client.get(reverse("circle_list"), {"page": "x"})

    assert [c.name for c in first.context["circles"]] == ["Cheltenham circle"]
    assert [c.name for c in second.context["circles"]] == ["Forest circle"]
    assert [c.name for c in beyond.context["circles"]] == ["Cheltenham circle"]
    html = first.content.decode()
    assert "2 circles you can see" in html and "(page 1 of 2)" in html
    assert 'href="?page=2"' in html and "Previous page" not in html
    assert 'href="?page=1"' in second.content.decode()


def test_a_practitioner_sees_only_their_own_circles(cast, as_user, circle, other_circle):
    response = as_user(cast.practitioner).get(reverse("circle_list"))

    assert [c.name for c in response.context["circles"]] == ["Cheltenham circle"]


# Notes and meetings ------------------------------------------------------------------------------


def test_a_practitioner_reads_their_circles_notes_but_not_another_circles(
    cast, as_user, circle, other_circle
):
    mine, theirs = past_meeting(circle), other_circle.meetings.first()
    CircleMeeting.objects.filter(pk__in=[mine.pk, theirs.pk]).update(notes="Tested risk together")
    client = as_user(cast.practitioner)

    assert (
        "Tested risk together"
        in client.get(reverse("meeting_detail", args=[mine.pk])).content.decode()
    )
    assert client.get(reverse("meeting_detail", args=[theirs.pk])).status_code == 404


def test_an_htmx_attendance_click_saves_one_member_and_returns_only_its_status(
    cast, as_user, circle
):
    other = make_person()
    circle.memberships.create(person=other)
    meeting = past_meeting(circle)

    response = as_user(cast.practice_leader).post(
        reverse("meeting_attendance_mark", args=[meeting.pk]),
        {
            "person": cast.practitioner.pk,
            f"status-{cast.practitioner.pk}": "apologies",
            f"status-{other.pk}": "present",
        },
        **HTMX,
    )

    html = response.content.decode().strip()
    assert html == (
        f'<span id="saved-{cast.practitioner.pk}" role="status" class="small">'
        "Saved: Sent apologies</span>"
    )
    assert dict(meeting.attendance.values_list("person_id", "status")) == {
        cast.practitioner.pk: AttendanceStatus.APOLOGIES
    }


def test_attendance_for_someone_not_in_the_circle_is_refused(cast, as_user, circle):
    meeting = past_meeting(circle)

    response = as_user(cast.practice_leader).post(
        reverse("meeting_attendance_mark", args=[meeting.pk]),
        {"person": cast.outsider.pk, f"status-{cast.outsider.pk}": "present"},
        **HTMX,
    )

    assert response.status_code == 400
    assert not MeetingAttendance.objects.exists()


def test_the_whole_meeting_record_saves_without_javascript(cast, as_user, circle):
    meeting = past_meeting(circle)
    weighing = Competency.objects.get(
        area__version=current_version(), code="likelihood-imminence-impact"
    )

    response = as_user(cast.practice_leader).post(
        reverse("meeting_record_save", args=[meeting.pk]),
        {
            f"status-{cast.practitioner.pk}": "present",
            "worked_on": [f"competency:{weighing.pk}", "stage:restorative"],
            "cases_brought": "2",
            "notes": "Worked on risk",
        },
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.cases_brought, meeting.notes) == (2, "Worked on risk")
    assert sorted(meeting.focus.values_list("stage", "competency_id")) == [
        ("restorative", None),
        ("risk", weighing.pk),
    ]
    assert meeting.attendance.get().status == AttendanceStatus.PRESENT


def test_saving_the_record_again_replaces_what_the_meeting_worked_on(cast, as_user, circle):
    meeting = past_meeting(circle)
    competencies = list(Competency.objects.filter(area__version=current_version())[:2])
    client = as_user(cast.practice_leader)
    url = reverse("meeting_detail", args=[meeting.pk])
    save = reverse("meeting_record_save", args=[meeting.pk])
    client.post(save, {"worked_on": [f"competency:{c.pk}" for c in competencies]})

    client.post(save, {"worked_on": [f"competency:{competencies[1].pk}", "stage:planning"]})

    assert sorted(meeting.focus.values_list("stage", "competency_id")) == sorted(
        [(competencies[1].area.stage, competencies[1].pk), ("planning", None)]
    )
    page = client.get(url).content.decode()
    assert f'value="competency:{competencies[1].pk}" checked' in page
    assert f'value="competency:{competencies[0].pk}">' in page


def test_members_read_what_the_meeting_worked_on_grouped_by_stage(cast, as_user, circle):
    meeting = past_meeting(circle)
    weighing = Competency.objects.get(
        area__version=current_version(), code="likelihood-imminence-impact"
    )
    MeetingFocus.objects.create(meeting=meeting, stage="risk", competency=weighing)
    MeetingFocus.objects.create(meeting=meeting, stage="risk")
    MeetingFocus.objects.create(meeting=meeting, stage="engagement")

    html = as_user(cast.practitioner).get(reverse("meeting_detail", args=[meeting.pk]))

    text = " ".join(html.content.decode().split())
    assert (
        '<dt class="col-sm-4">Engagement</dt> <dd class="col-sm-8">The stage as a whole</dd>'
    ) in text
    assert (
        '<dt class="col-sm-4">Risk assessment</dt> '
        f'<dd class="col-sm-8">The stage as a whole; {weighing.title}</dd>'
    ) in text


def test_a_competency_of_a_draft_framework_is_refused_and_nothing_is_saved(cast, as_user, circle):
    meeting = past_meeting(circle)
    draft = version_new_draft(version=current_version())
    unpublished = Competency.objects.filter(area__version=draft).first()

    response = as_user(cast.practice_leader).post(
        reverse("meeting_record_save", args=[meeting.pk]),
        {"worked_on": [f"competency:{unpublished.pk}"], "notes": "Tried the draft"},
    )

    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()
    assert not meeting.focus.exists()
    assert CircleMeeting.objects.get(pk=meeting.pk).notes == ""


def test_the_record_service_refuses_a_competency_outside_a_published_framework(circle):
    meeting = past_meeting(circle)
    draft = version_new_draft(version=current_version())
    unpublished = Competency.objects.select_related("area__version").filter(area__version=draft)[0]

    with pytest.raises(ValidationError, match="competencies of a published framework"):
        meeting_record(
            meeting=meeting,
            worked_on=[(unpublished.area.stage, unpublished)],
            cases_brought=None,
            notes="",
        )

    assert not MeetingFocus.objects.exists()


def test_a_bad_meeting_record_shows_what_is_wrong_and_saves_nothing(cast, as_user, circle):
    meeting = past_meeting(circle)

    response = as_user(cast.practice_leader).post(
        reverse("meeting_record_save", args=[meeting.pk]),
        {
            f"status-{cast.practitioner.pk}": "present",
            "worked_on": ["stage:juggling"],
            "cases_brought": "-1",
        },
    )

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not MeetingAttendance.objects.exists()
    assert not MeetingFocus.objects.exists()


def test_a_practice_leader_moves_and_cancels_meetings(cast, as_user, circle):
    upcoming = list(circle.meetings.filter(starts_at__gt=timezone.now())[:2])
    client = as_user(cast.practice_leader)
    new_date = timezone.localdate(upcoming[0].starts_at) + datetime.timedelta(days=1)

    client.post(
        reverse("meeting_change", args=[upcoming[0].pk]),
        {
            "date": new_date.isoformat(),
            "start_time": "13:00",
            "end_time": "15:00",
            "venue": "",
        },
    )
    confirm = client.get(reverse("meeting_cancel", args=[upcoming[1].pk]))
    assert "Cancel the meeting on" in confirm.content.decode()
    assert CircleMeeting.objects.get(pk=upcoming[1].pk).status == "scheduled"
    refused = client.post(reverse("meeting_cancel", args=[upcoming[1].pk]), {"reason": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    client.post(reverse("meeting_cancel", args=[upcoming[1].pk]), {"reason": "Snow."})

    moved = CircleMeeting.objects.get(pk=upcoming[0].pk)
    assert timezone.localtime(moved.starts_at).date() == new_date
    assert (moved.sequence, moved.moved) == (1, True)
    cancelled = CircleMeeting.objects.get(pk=upcoming[1].pk)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Snow.")
    html = client.get(reverse("circle_detail", args=[circle.pk])).content.decode()
    assert "Moved</span>" in html and 'Cancelled</span> <span class="small">(Snow.)' in html

    client.post(reverse("meeting_reinstate", args=[upcoming[1].pk]))
    assert CircleMeeting.objects.get(pk=upcoming[1].pk).status == "scheduled"


def test_attendance_is_refused_for_a_meeting_that_has_not_started(cast, as_user, circle):
    meeting = circle.meetings.filter(starts_at__gt=timezone.now()).first()
    client = as_user(cast.practice_leader)
    mark = {
        "person": cast.practitioner.pk,
        f"status-{cast.practitioner.pk}": "present",
    }

    htmx = client.post(reverse("meeting_attendance_mark", args=[meeting.pk]), mark, **HTMX)
    page = client.post(
        reverse("meeting_record_save", args=[meeting.pk]),
        {f"status-{cast.practitioner.pk}": "present"},
    )

    assert htmx.status_code == 400
    assert "once the meeting has started" in page.content.decode()
    assert not MeetingAttendance.objects.exists()


# Members ----------------------------------------------------------------------------------------


def test_an_untrained_member_can_be_added_and_is_flagged(cast, as_user, circle):
    newcomer = make_person()
    client = as_user(cast.practice_leader)

    client.post(reverse("circle_member_add", args=[circle.pk]), {"email": newcomer.email})

    assert circle.memberships.filter(person=newcomer).exists()
    html = client.get(reverse("circle_detail", args=[circle.pk])).content.decode()
    assert html.count("Not trained yet") == 2  # the newcomer and the untrained practitioner


def test_trained_people_in_no_circle_are_listed_by_team(cast, as_user, circle):
    cohort = make_cohort()
    attend(cast.practitioner, cohort)
    attend(cast.supervisor, cohort)

    response = as_user(cast.practice_leader).get(reverse("circles_unplaced"))

    assert list(response.context["people"]) == [cast.supervisor]


# Circle health and query counts -----------------------------------------------------------------


def test_circle_health_counts_the_last_6_held_meetings_and_who_missed_the_last_two(
    cast, as_user, circle
):
    other = make_person()
    circle.memberships.create(person=other)
    held = list(circle.meetings.filter(starts_at__lt=timezone.now()).order_by("starts_at"))
    assert len(held) >= 6
    for meeting in held:
        late = meeting in held[-2:]
        MeetingAttendance.objects.create(
            meeting=meeting, person=cast.practitioner, status="present"
        )
        MeetingAttendance.objects.create(
            meeting=meeting, person=other, status="absent" if late else "present"
        )

    health = (
        as_user(cast.practice_leader)
        .get(reverse("circle_detail", args=[circle.pk]))
        .context["health"]
    )

    assert health.meetings_counted == 6
    assert health.attendance_rate == pytest.approx(10 / 12)
    assert health.missed_last_two == [other]
    assert health.next_meeting.starts_at > timezone.now()

    member_view = as_user(cast.practitioner).get(reverse("circle_detail", args=[circle.pk]))
    leader_view = as_user(cast.practice_leader).get(reverse("circle_detail", args=[circle.pk]))
    assert "Missed the last two" not in member_view.content.decode()
    assert "Missed the last two" in leader_view.content.decode()


@pytest.mark.parametrize("members", [3, 30])
def test_circle_and_attendance_pages_run_a_constant_number_of_queries(
    cast, as_user, members, django_assert_num_queries
):
    people = [make_person() for _ in range(members)]
    circle = make_circle(
        leaders=[cast.practice_leader],
        members=people,
        starts_on=timezone.localdate() - datetime.timedelta(days=200),
    )
    for meeting in circle.meetings.filter(starts_at__lt=timezone.now()):
        MeetingAttendance.objects.bulk_create(
            MeetingAttendance(meeting=meeting, person=person, status="present") for person in people
        )
    client = as_user(cast.practice_leader)
    meeting = past_meeting(circle)

    # session, user, roles, person, circle, leaders, meetings, attendance with people, members
    with django_assert_num_queries(9):
        client.get(reverse("circle_detail", args=[circle.pk]))
    # session, user, roles, person, meeting, circle, leaders, what it worked on, the current
    # framework version, its competencies, attendance, apologies, members
    with django_assert_num_queries(13):
        client.get(reverse("meeting_detail", args=[meeting.pk]))
    # session, user, roles, person, how many circles, a page of them with counts, leaders,
    # upcoming meetings
    with django_assert_num_queries(8):
        client.get(reverse("circle_list"))


def test_the_leader_sees_each_members_last_6_meetings_and_who_never_attends(cast, as_user, circle):
    absent, missing = make_person(), make_person()
    circle.memberships.create(person=absent)
    circle.memberships.create(person=missing)
    held = list(circle.meetings.filter(starts_at__lt=timezone.now()).order_by("starts_at"))[-6:]
    assert len(held) == 6
    for number, meeting in enumerate(held):
        MeetingAttendance.objects.create(
            meeting=meeting, person=cast.practitioner, status="present"
        )
        MeetingAttendance.objects.create(meeting=meeting, person=absent, status="absent")
        MeetingAttendance.objects.create(
            meeting=meeting, person=missing, status="present" if number % 2 else "apologies"
        )

    leader_html = (
        as_user(cast.practice_leader).get(reverse("circle_detail", args=[circle.pk])).content
    ).decode()
    member_html = (
        as_user(cast.practitioner).get(reverse("circle_detail", args=[circle.pk])).content
    ).decode()

    assert "6 of 6 attended" in leader_html
    assert "0 of 6 attended" in leader_html and "Never attended" in leader_html
    assert "3 of 6 attended" in leader_html and "Missed 3 of the last 6" in leader_html
    assert "Never attended" not in member_html and "of 6 attended" not in member_html


def test_a_leader_finds_people_by_name_and_adds_several_at_once(
    cast, as_user, circle, django_capture_on_commit_callbacks
):
    cohort = make_cohort()
    unplaced = make_person()
    attend(unplaced, cohort)
    found = make_person()
    Person.objects.filter(pk=found.pk).update(full_name="Amara Okafor")
    client = as_user(cast.practice_leader)
    url = reverse("circle_members_add", args=[circle.pk])

    page = client.get(url, {"q": "amara oka"})
    partial = client.get(url, {"q": "Okafor"}, **HTMX)

    assert [p.full_name for p in page.context["found"]] == ["Amara Okafor"]
    assert unplaced in list(page.context["unplaced"])
    assert partial.content.decode().strip().startswith('<fieldset id="found"')
    assert "Amara Okafor" in partial.content.decode() and "<html" not in partial.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"people": [found.pk, unplaced.pk]})

    assert response.status_code == 302
    assert set(circle.members.all()) == {cast.practitioner, found, unplaced}
    assert {m.to[0] for m in mail.outbox} == {found.email, unplaced.email}


def test_adding_nobody_or_a_member_again_is_refused_with_a_message(cast, as_user, circle):
    client = as_user(cast.practice_leader)
    url = reverse("circle_members_add", args=[circle.pk])

    nobody = client.post(url, {})
    again = client.post(url, {"people": [cast.practitioner.pk]})

    assert "Choose at least one person to add." in nobody.content.decode()
    assert again.status_code == 200 and circle.members.count() == 1


@pytest.mark.parametrize("people", [3, 30])
def test_the_add_members_page_runs_a_constant_number_of_queries(
    cast, as_user, circle, people, django_assert_num_queries
):
    cohort = make_cohort()
    for _ in range(people):
        attend(make_person(), cohort)
    client = as_user(cast.practice_leader)

    # session, user, roles, person, circle, leaders, people found, people in no circle
    with django_assert_num_queries(8):
        client.get(reverse("circle_members_add", args=[circle.pk]), {"q": "Person"})


# The agenda -------------------------------------------------------------------------------------


def test_a_leader_sets_the_agenda_of_a_meeting_to_come(cast, as_user, circle):
    meeting = circle.meetings.filter(starts_at__gt=timezone.now()).first()
    updated_before = meeting.updated_at

    response = as_user(cast.practice_leader).post(
        reverse("meeting_agenda", args=[meeting.pk]),
        {"agenda": "  Welcome\n\nA stuck case: how much risk is acceptable\n"},
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.agenda == "Welcome\n\nA stuck case: how much risk is acceptable"
    assert meeting.agenda_items == ["Welcome", "A stuck case: how much risk is acceptable"]
    assert meeting.updated_at > updated_before
    member_page = as_user(cast.practitioner).get(reverse("meeting_detail", args=[meeting.pk]))
    assert "<li>A stuck case: how much risk is acceptable</li>" in member_page.content.decode()


def test_an_htmx_agenda_save_returns_only_the_agenda_section(cast, as_user, circle):
    meeting = circle.meetings.filter(starts_at__gt=timezone.now()).first()

    response = as_user(cast.practice_leader).post(
        reverse("meeting_agenda", args=[meeting.pk]), {"agenda": "Engagement"}, **HTMX
    )

    html = response.content.decode().strip()
    assert html.startswith('<section id="agenda"') and "<html" not in html
    assert "<li>Engagement</li>" in html and "Agenda saved" in html
    assert CircleMeeting.objects.get(pk=meeting.pk).agenda == "Engagement"


def test_an_agenda_too_long_is_refused_with_a_message_and_nothing_changes(cast, as_user, circle):
    meeting = circle.meetings.filter(starts_at__gt=timezone.now()).first()
    CircleMeeting.objects.filter(pk=meeting.pk).update(agenda="Engagement")
    client = as_user(cast.practice_leader)
    url = reverse("meeting_agenda", args=[meeting.pk])

    page = client.post(url, {"agenda": "x" * 2001})
    partial = client.post(url, {"agenda": "x" * 2001}, **HTMX)

    for response in (page, partial):
        assert response.status_code == 200
        assert "at most 2000 characters" in response.content.decode()
    assert "There is a problem" in page.content.decode()
    assert CircleMeeting.objects.get(pk=meeting.pk).agenda == "Engagement"


# Apologies --------------------------------------------------------------------------------------


def next_meeting(circle) -> CircleMeeting:
    return circle.meetings.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()


def test_a_member_sends_apologies_and_the_register_opens_with_them(cast, as_user, circle):
    meeting = next_meeting(circle)

    response = as_user(cast.practitioner).post(reverse("meeting_apologies_send", args=[meeting.pk]))

    assert response.status_code == 302
    assert list(meeting.apologies.values_list("person_id", flat=True)) == [cast.practitioner.pk]
    member_page = as_user(cast.practitioner).get(reverse("meeting_detail", args=[meeting.pk]))
    assert "You have sent apologies for this meeting." in member_page.content.decode()
    # Once the meeting starts, the leader's register has them marked, not yet saved.
    CircleMeeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    register = as_user(cast.practice_leader).get(reverse("meeting_detail", args=[meeting.pk]))
    page = register.content.decode()
    assert f'id="status-{cast.practitioner.pk}-apologies" value="apologies" checked' in page
    assert "(sent apologies beforehand)" in page
    assert not MeetingAttendance.objects.exists()


def test_a_mark_the_leader_saved_wins_over_the_apologies(cast, as_user, circle):
    meeting = past_meeting(circle)
    MeetingApology.objects.create(meeting=meeting, person=cast.practitioner)
    MeetingAttendance.objects.create(
        meeting=meeting, person=cast.practitioner, status=AttendanceStatus.PRESENT
    )

    page = as_user(cast.practice_leader).get(reverse("meeting_detail", args=[meeting.pk]))

    assert f'id="status-{cast.practitioner.pk}-present" value="present" checked' in (
        page.content.decode()
    )


def test_the_register_saved_without_javascript_keeps_the_apologies(cast, as_user, circle):
    meeting = past_meeting(circle)
    MeetingApology.objects.create(meeting=meeting, person=cast.practitioner)

    as_user(cast.practice_leader).post(
        reverse("meeting_record_save", args=[meeting.pk]),
        {f"status-{cast.practitioner.pk}": "apologies", "notes": ""},
    )

    assert meeting.attendance.get().status == AttendanceStatus.APOLOGIES


def test_an_htmx_apology_returns_only_its_section_and_can_be_withdrawn(cast, as_user, circle):
    meeting = next_meeting(circle)
    client = as_user(cast.practitioner)

    sent = client.post(reverse("meeting_apologies_send", args=[meeting.pk]), **HTMX)
    again = client.post(reverse("meeting_apologies_send", args=[meeting.pk]), **HTMX)
    assert MeetingApology.objects.filter(meeting=meeting).count() == 1
    withdrawn = client.post(reverse("meeting_apologies_withdraw", args=[meeting.pk]), **HTMX)

    for response in (sent, again, withdrawn):
        html = response.content.decode().strip()
        assert html.startswith('<section id="apologies"') and "<html" not in html
    assert "Apologies sent" in sent.content.decode()
    assert "Apologies withdrawn." in withdrawn.content.decode()
    assert 'action="/meetings/' in withdrawn.content.decode()
    assert not MeetingApology.objects.exists()


@pytest.mark.parametrize("when", ["started", "cancelled"])
def test_apologies_are_refused_once_the_meeting_started_or_if_cancelled(
    cast, as_user, circle, when
):
    meeting = next_meeting(circle)
    if when == "started":
        CircleMeeting.objects.filter(pk=meeting.pk).update(
            starts_at=timezone.now() - datetime.timedelta(minutes=5)
        )
    else:
        CircleMeeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    client = as_user(cast.practitioner)

    plain = client.post(reverse("meeting_apologies_send", args=[meeting.pk]), follow=True)
    partial = client.post(reverse("meeting_apologies_send", args=[meeting.pk]), **HTMX)

    expected = "tell its practice leader" if when == "started" else "This meeting is cancelled."
    assert expected in plain.content.decode()
    assert expected in partial.content.decode()
    assert not MeetingApology.objects.exists()


def test_withdrawing_is_refused_once_the_meeting_started(cast, as_user, circle):
    meeting = next_meeting(circle)
    MeetingApology.objects.create(meeting=meeting, person=cast.practitioner)
    CircleMeeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    response = as_user(cast.practitioner).post(
        reverse("meeting_apologies_withdraw", args=[meeting.pk]), **HTMX
    )

    assert "tell its practice leader" in response.content.decode()
    assert MeetingApology.objects.filter(meeting=meeting, person=cast.practitioner).exists()


def test_the_leader_of_a_meeting_to_come_sees_no_apologies_form(cast, as_user, circle):
    meeting = next_meeting(circle)

    page = as_user(cast.practice_leader).get(reverse("meeting_detail", args=[meeting.pk]))

    assert "Send apologies" not in page.content.decode()
