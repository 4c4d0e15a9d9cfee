from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from supervision.models import SessionStatus, SupervisionSession, SupervisionSettings
from supervision.selectors import supervisees
from supervision.services import session_schedule, session_set_status
from tests.factories import attend, make_cohort, make_person, make_session
from training.models import PersonStatus

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = timezone.now()
TODAY = timezone.localdate(NOW)


def overdue_of(supervisor, person, now=NOW) -> bool:
    return supervisees(supervisor, now=now).get(pk=person.pk).overdue


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), LONDON)


EVENING = at(TODAY, 18)


def test_a_2_to_1_held_on_the_day_42_days_ago_counts_all_day(cast):
    # Whole days: a 2:1 at 09:00 forty-two days ago still counts at 18:00 today (until this
    # rule was shared with the dashboard, this page counted 42 days to the minute).
    attend(cast.practitioner, make_cohort())
    make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner],
        starts_at=at(TODAY - datetime.timedelta(days=42), 9),
        status=SessionStatus.HELD,
    )

    assert overdue_of(cast.supervisor, cast.practitioner, now=EVENING) is False


def test_a_2_to_1_held_late_on_the_day_before_that_is_overdue(cast):
    attend(cast.practitioner, make_cohort())
    make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner],
        starts_at=at(TODAY - datetime.timedelta(days=43), 22, 30),
        status=SessionStatus.HELD,
    )

    assert overdue_of(cast.supervisor, cast.practitioner, now=at(TODAY, 0, 30)) is True


def test_only_active_trained_people_are_expected_to_have_2_to_1s(cast):
    on_leave = make_person(line_manager=cast.supervisor, status=PersonStatus.EXTENDED_LEAVE)
    attend(on_leave, make_cohort())

    assert overdue_of(cast.supervisor, cast.practitioner) is False  # not trained
    assert overdue_of(cast.supervisor, on_leave) is False
    attend(cast.practitioner, make_cohort())
    assert overdue_of(cast.supervisor, cast.practitioner) is True


def test_the_overdue_period_is_an_administrators_setting(cast):
    attend(cast.practitioner, make_cohort())
    make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner],
        starts_at=at(TODAY - datetime.timedelta(days=20), 9),
        status=SessionStatus.HELD,
    )
    SupervisionSettings.objects.filter(pk=1).update(overdue_days=14)

    assert overdue_of(cast.supervisor, cast.practitioner, now=EVENING) is True


@pytest.mark.parametrize("status", [SessionStatus.CANCELLED, SessionStatus.PLANNED])
def test_cancelled_and_merely_planned_sessions_do_not_count_as_held(cast, status):
    attend(cast.practitioner, make_cohort())
    make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner],
        starts_at=NOW - datetime.timedelta(days=3),
        status=status,
    )

    person = supervisees(cast.supervisor, now=NOW).get(pk=cast.practitioner.pk)
    assert (person.overdue, person.last_held) == (True, None)


def test_supervisees_come_from_line_management_and_from_sessions(cast):
    other_team_member = make_person()
    make_session(supervisor=cast.supervisor, practitioners=[other_team_member, cast.practitioner])

    names = {person.pk for person in supervisees(cast.supervisor)}

    assert names == {cast.practitioner.pk, other_team_member.pk}


def test_last_and_next_sessions_are_shown(cast):
    held = make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner],
        starts_at=NOW - datetime.timedelta(days=10),
        status=SessionStatus.HELD,
    )
    planned = make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner])

    person = supervisees(cast.supervisor, now=NOW).get(pk=cast.practitioner.pk)

    assert (person.last_held, person.next_planned) == (held.starts_at, planned.starts_at)


def test_the_last_and_next_sessions_are_the_latest_held_and_earliest_planned_of_their_own(cast):
    def session(days: int, status: str, practitioners=(cast.practitioner,)):
        return make_session(
            supervisor=cast.supervisor,
            practitioners=list(practitioners),
            starts_at=NOW + datetime.timedelta(days=days),
            status=status,
        )

    latest_held = session(-20, SessionStatus.HELD)
    session(-40, SessionStatus.HELD)
    session(-5, SessionStatus.CANCELLED)
    session(-3, SessionStatus.HELD, practitioners=[make_person()])
    next_planned = session(7, SessionStatus.PLANNED)
    session(14, SessionStatus.PLANNED)
    session(3, SessionStatus.CANCELLED)
    session(2, SessionStatus.PLANNED, practitioners=[make_person()])

    person = supervisees(cast.supervisor, now=NOW).get(pk=cast.practitioner.pk)

    assert (person.last_held, person.next_planned) == (
        latest_held.starts_at,
        next_planned.starts_at,
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's plan")
def test_the_last_and_next_sessions_are_read_from_the_persons_own_sessions(cast):
    # Not by walking everyone's 2:1s in date order from now until one of theirs comes up.
    plan = supervisees(cast.supervisor, now=NOW).explain()

    assert "(status=? AND starts_at<?)" not in plan
    assert "(status=? AND starts_at>?)" not in plan


def test_a_2_to_1_with_one_practitioner_needs_a_reason(cast):
    starts = NOW + datetime.timedelta(days=2)
    with pytest.raises(ValidationError, match="only one practitioner"):
        session_schedule(
            supervisor=cast.supervisor,
            practitioners=[cast.practitioner],
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
        )
    with pytest.raises(ValidationError, match="two practitioners"):
        session_schedule(
            supervisor=cast.supervisor,
            practitioners=[cast.practitioner, make_person(), make_person()],
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
        )
    assert not SupervisionSession.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_scheduling_sends_everyone_a_calendar_invitation(cast):
    starts = NOW + datetime.timedelta(days=2)
    second = make_person()

    session_schedule(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner, second],
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
    )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cast.supervisor.email, cast.practitioner.email, second.email]
    )
    assert mail.outbox[0].alternatives[0][1] == "text/calendar; method=REQUEST"


def test_a_future_2_to_1_cannot_be_recorded_as_held(cast):
    session = make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner])

    with pytest.raises(ValidationError):
        session_set_status(session=session, status=SessionStatus.HELD)


def test_the_personal_calendar_feed_includes_2_to_1s(cast, client):
    from calendars.services import feed_for

    make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner, make_person()])

    content = client.get(reverse("calendar_feed", args=[feed_for(cast.practitioner).token]))

    assert "SUMMARY:2:1 supervision" in content.content.decode()


# Pages ------------------------------------------------------------------------------------------


def test_a_supervisor_schedules_a_2_to_1_through_the_page(cast, as_user):
    second = make_person(line_manager=cast.supervisor)
    day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()

    response = as_user(cast.supervisor).post(
        reverse("session_create"),
        {
            "practitioners": [cast.practitioner.pk, second.pk],
            "date": day,
            "start_time": "14:00",
            "end_time": "15:00",
            "place": "Room 2",
        },
    )

    session = SupervisionSession.objects.get()
    assert response.url == reverse("session_detail", args=[session.pk])
    assert set(session.practitioners.all()) == {cast.practitioner, second}
    assert timezone.localtime(session.starts_at).hour == 14


def test_the_schedule_form_offers_only_the_supervisors_own_supervisees(cast, as_user):
    response = as_user(cast.supervisor).post(
        reverse("session_create"),
        {
            "practitioners": [cast.outsider.pk],
            "date": "2030-01-01",
            "start_time": "10:00",
            "end_time": "11:00",
        },
    )

    assert "Select a valid choice" in response.content.decode()
    assert not SupervisionSession.objects.exists()


@pytest.mark.parametrize("role", ["practitioner", "practice_leader", "programme_lead"])
def test_only_supervisors_schedule_2_to_1s(cast, as_user, role):
    assert as_user(getattr(cast, role)).get(reverse("session_create")).status_code == 403


def test_an_untrained_supervisor_is_warned(cast, as_user):
    html = as_user(cast.supervisor).get(reverse("supervision")).content.decode()
    assert "You have not completed both days of the course yet" in html

    attend(cast.supervisor, make_cohort())
    html = as_user(cast.supervisor).get(reverse("supervision")).content.decode()
    assert "You have not completed both days of the course yet" not in html


@pytest.mark.parametrize("size", [2, 20])
def test_the_supervisee_list_runs_a_constant_number_of_queries(
    cast, as_user, size, django_assert_num_queries
):
    for _ in range(size):
        person = make_person(line_manager=cast.supervisor)
        make_session(
            supervisor=cast.supervisor,
            practitioners=[person, cast.practitioner],
            starts_at=NOW - datetime.timedelta(days=5),
            status=SessionStatus.HELD,
        )
    client = as_user(cast.supervisor)

    # session, user, roles, person, settings, supervisees' 2:1s, supervisees, trained check
    # (their stored first days), sessions, their practitioners
    with django_assert_num_queries(10):
        response = client.get(reverse("supervision"))
    assert len(response.context["supervisees"]) == size + 1


def test_each_practitioner_sees_only_their_own_reviews_on_a_shared_2_to_1(cast, as_user):
    from competencies.services import review_start

    peer = make_person(team=cast.practitioner.team, line_manager=cast.supervisor, with_account=True)
    session = make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner, peer])
    review_start(practitioner=peer, session=session, case_reference="CR-7781", case_type="cin")
    review_start(
        practitioner=cast.practitioner, session=session, case_reference="CR-1042", case_type="cp"
    )
    url = reverse("session_detail", args=[session.pk])

    practitioner = as_user(cast.practitioner).get(url).content.decode()
    supervisor = as_user(cast.supervisor).get(url).content.decode()

    assert "CR-1042" in practitioner and "CR-7781" not in practitioner
    assert peer.full_name not in practitioner.split("Reviews discussed")[1]
    assert "CR-1042" in supervisor and "CR-7781" in supervisor


def test_the_supervisor_marks_a_2_1_held_from_its_page_and_a_wrong_status_changes_nothing(
    cast, as_user
):
    session = make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner],
        starts_at=timezone.now() - datetime.timedelta(hours=2),
    )
    client = as_user(cast.supervisor)
    url = reverse("session_status", args=[session.pk])

    refused = client.post(url, {"status": "planned"}, follow=True)
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED
    assert "Choose whether the 2:1 was held or is cancelled." in refused.content.decode()

    response = client.post(url, {"status": "held"})
    session.refresh_from_db()
    assert response.url == reverse("session_detail", args=[session.pk])
    assert session.status == SessionStatus.HELD
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "2:1 recorded as held." in page
    assert client.post(reverse("session_detail", args=[session.pk])).status_code == 405
