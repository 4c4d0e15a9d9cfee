"""Each rule of the domain has one home, so every page, the dashboard and the commands that
show it name the same people on the same data, at the boundary instant of the rule.

Where the pages disagreed before the rule was given one home, the test says which way it went.
"""

from __future__ import annotations

import datetime
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import Role
from circles.models import AttendanceStatus, MeetingAttendance
from competencies.models import Rater, Rating
from competencies.selectors import SELF_HIGHER_FLAG
from competencies.services import (
    review_correct,
    review_sign_off,
    review_start,
    review_submit,
)
from dashboards.selectors import FollowUpFigures, RolloutFigures
from supervision.models import SessionStatus
from tests.factories import attend, make_circle, make_cohort, make_person, make_session, rate_all
from training.models import CourseDay, Person, PersonStatus, RoleGroup

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 11, 18)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), LONDON)


@pytest.fixture
def evening():
    """Everything below is judged at 18:00 on TODAY: the pages by the clock, the dashboard and
    the report as of the day."""
    with time_machine.travel(at(TODAY, 18), tick=False):
        yield


def report() -> dict:
    out = io.StringIO()
    call_command("fidelity_report", "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def follow_up(client) -> FollowUpFigures:
    """The dashboard's Follow-up section, as its page counted it."""
    return client.get(reverse("fidelity_follow_up")).context["data"]


def rollout(client) -> RolloutFigures:
    """The dashboard's Roll-out section, as its page counted it."""
    return client.get(reverse("fidelity")).context["data"]


def trained(person, *, on: datetime.date = datetime.date(2026, 3, 8)):
    attend(person, make_cohort(day1=on - datetime.timedelta(days=7), day2=on))
    return person


# Overdue 2:1s: supervision owns it --------------------------------------------------------------


def test_overdue_is_the_same_on_the_supervisors_page_the_dashboard_and_the_report(
    cast, as_user, evening
):
    """Whole days, for active trained people: a 2:1 at 09:00 forty-two days ago counts all day
    (the supervisor's page used to count to the minute and to flag untrained people)."""
    held_on_the_first_day = trained(cast.practitioner)
    held_the_day_before = trained(
        make_person(team=cast.practitioner.team, line_manager=cast.supervisor)
    )
    never_trained = make_person(team=cast.practitioner.team, line_manager=cast.supervisor)
    for person, moment in (
        (held_on_the_first_day, at(TODAY - datetime.timedelta(days=42), 9)),
        (held_the_day_before, at(TODAY - datetime.timedelta(days=43), 22, 30)),
    ):
        make_session(
            supervisor=cast.supervisor,
            practitioners=[person, never_trained],
            starts_at=moment,
            status=SessionStatus.HELD,
            reason="",
        )
    make_session(
        supervisor=cast.supervisor,
        practitioners=[held_the_day_before],
        starts_at=at(TODAY - datetime.timedelta(days=2), 10),
        status=SessionStatus.CANCELLED,
        reason="Alone",
    )

    page = as_user(cast.supervisor).get(reverse("supervision")).context["supervisees"]
    on_page = {person.full_name for person in page if person.overdue}
    on_dashboard = {row.name for row in follow_up(as_user(cast.programme_lead)).flags.overdue}
    in_report = {row["name"] for row in report()["flags"]["overdue"]}

    assert on_page == on_dashboard == in_report == {held_the_day_before.full_name}


# Rated themselves higher: competencies owns the current review and the self level ---------------


def signed_off_with_gap(practitioner, supervisor, *, higher: int):
    review = review_start(practitioner=practitioner)
    rate_all(review, Rater.SELF, level=3)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR, level=3)
    lower = Rating.objects.filter(review=review, rater=Rater.SUPERVISOR).order_by("pk")[:higher]
    Rating.objects.filter(pk__in=[rating.pk for rating in lower]).update(level=2)
    return review_sign_off(review=review, supervisor=supervisor)


def flagged(cast, as_user) -> tuple[set[str], set[str], dict[str, int]]:
    page = as_user(cast.supervisor).get(reverse("supervision")).context["supervisees"]
    on_page = {
        person.full_name
        for person in page
        if person.rated_higher is not None and person.rated_higher >= SELF_HIGHER_FLAG
    }
    rows = follow_up(as_user(cast.programme_lead)).flags.self_higher
    return on_page, {row.name for row in rows}, report()["flags"]["self_higher_by_team"]


def test_rated_higher_is_the_same_on_the_supervisors_page_the_dashboard_and_the_report(
    cast, as_user, evening
):
    """The current review at any age (the dashboard used to look only at reviews signed off in
    the last 6 months, and the supervisor's page only at reviews that supervisor signed off)."""
    team = cast.practitioner.team
    at_the_threshold = cast.practitioner
    below = make_person(team=team, line_manager=cast.supervisor)
    long_ago = make_person(team=team, line_manager=cast.supervisor)
    signed_off_with_gap(at_the_threshold, cast.supervisor, higher=SELF_HIGHER_FLAG)
    signed_off_with_gap(below, cast.supervisor, higher=SELF_HIGHER_FLAG - 1)
    with time_machine.travel(at(TODAY - relativedelta(months=8), 11), tick=False):
        signed_off_with_gap(long_ago, cast.supervisor, higher=SELF_HIGHER_FLAG + 1)

    on_page, on_dashboard, by_team = flagged(cast, as_user)

    assert on_page == on_dashboard == {at_the_threshold.full_name, long_ago.full_name}
    assert by_team == {team.name: 2}


# The current signed-off review: competencies owns it --------------------------------------------


def test_a_correction_replaces_the_current_review_everywhere_at_once(cast, as_user, evening):
    """A corrected review stops counting as soon as the correction is made; until the
    correction is signed off, the review before it is the current one."""
    person = cast.practitioner
    with time_machine.travel(at(TODAY - relativedelta(months=2), 11), tick=False):
        first = signed_off_with_gap(person, cast.supervisor, higher=SELF_HIGHER_FLAG + 1)
    with time_machine.travel(at(TODAY - relativedelta(months=1), 11), tick=False):
        second = signed_off_with_gap(person, cast.supervisor, higher=0)

    assert flagged(cast, as_user) == (set(), set(), {})

    review_correct(review=second, reason="The wrong case was chosen.")

    on_page, on_dashboard, by_team = flagged(cast, as_user)
    assert on_page == on_dashboard == {person.full_name}
    assert by_team == {person.team.name: 1}
    progress = as_user(person).get(reverse("my_progress")).context["areas"]
    shown = {point.review.pk for area in progress for row in area.rows for point in row.points}
    assert shown == {first.pk}


# Trained but in no circle: circles owns it ------------------------------------------------------


def test_in_no_circle_is_the_same_on_the_circles_page_the_dashboard_and_the_report(
    cast, as_user, evening
):
    team = cast.practitioner.team
    trained_today = trained(cast.practitioner, on=TODAY)
    in_a_circle = trained(make_person(team=team))
    leads_only = trained(make_person(team=team))  # leading a circle is not belonging to it
    make_circle(leaders=[leads_only], members=[in_a_circle])
    part_trained = make_person(team=team)
    attend(part_trained, make_cohort(), CourseDay.RESTORATIVE)
    trained(make_person(team=team, status=PersonStatus.LEFT))

    page = as_user(cast.practice_leader).get(reverse("circles_unplaced")).context["people"]
    on_page = {person.full_name for person in page}
    rows = follow_up(as_user(cast.programme_lead)).flags.in_no_circle
    on_dashboard = {row.name for row in rows}
    in_report = {row["name"] for row in report()["flags"]["in_no_circle"]}

    assert on_page == on_dashboard == in_report == {trained_today.full_name, leads_only.full_name}


# Trained, part-trained, not trained: training owns it -------------------------------------------


def test_the_training_state_is_the_same_on_the_roster_the_roll_out_and_the_dashboard(
    cast, as_user, evening
):
    team = cast.practitioner.team
    trained(cast.practitioner, on=TODAY)  # day 2 today: trained as of today
    attend(make_person(team=team), make_cohort(day1=TODAY), CourseDay.RESTORATIVE)
    attend(make_person(team=team), make_cohort(day2=TODAY + datetime.timedelta(days=1)))
    lead = as_user(cast.programme_lead)

    def roster(state: str) -> set[str]:
        table = lead.get(reverse("roster"), {"training": state}).context["table"]
        return {row.record.full_name for row in table.rows if row.record.team_id == team.pk}

    summary = lead.get(reverse("rollout")).context["summary"]
    in_team = next(row for row in summary.teams if row.name == team.name)
    data = rollout(lead)
    out = io.StringIO()
    call_command("rollout_report", "--format", "json", stdout=out)

    trained_people = roster("trained")
    assert trained_people == {cast.practitioner.full_name}
    assert len(roster("part")) == in_team.part_trained_active == 2
    assert in_team.trained_active == len(trained_people) == 1
    assert data.total.trained == report()["total"]["trained"] == 1
    assert json.loads(out.getvalue())["trained_total"] == 1


# The team view: every rule composed, none written again ----------------------------------------


def test_the_team_view_agrees_with_the_dashboard_and_each_rules_own_page(cast, as_user, evening):
    """A team manager's view of their team counts what the dashboard narrowed to that team
    counts, and names the same people as the supervisor's and the circles' pages."""
    team = cast.practitioner.team
    manager = make_person(team=team, role_group=RoleGroup.MANAGER, roles=(Role.TEAM_MANAGER,))
    Person.objects.filter(pk=cast.supervisor.pk).update(line_manager=manager)
    overdue_and_alone = trained(make_person(team=team, line_manager=cast.supervisor))
    seen_lately = trained(make_person(team=team, line_manager=cast.supervisor))
    make_session(
        supervisor=cast.supervisor,
        practitioners=[seen_lately, cast.practitioner],
        starts_at=at(TODAY - datetime.timedelta(days=10), 10),
        status=SessionStatus.HELD,
        reason="",
    )
    circle = make_circle(
        leaders=[cast.practice_leader],
        members=[seen_lately, cast.practitioner],
        starts_on=TODAY - datetime.timedelta(days=100),
    )
    # The practitioner was at the circle's last meeting and at a 2:1 ten days ago: embedded, so
    # their good review counts as practice with fidelity (the steps nest).
    last = circle.meetings.filter(starts_at__lt=at(TODAY, 0)).order_by("-starts_at").first()
    assert last is not None
    MeetingAttendance.objects.create(
        meeting=last, person=cast.practitioner, status=AttendanceStatus.PRESENT
    )
    trained(cast.practitioner)
    signed_off_with_gap(cast.practitioner, cast.supervisor, higher=SELF_HIGHER_FLAG)

    # The home page first: it must not show figures the team view would count differently.
    home = as_user(manager).get(reverse("home")).context["home"].teams.teams
    view = as_user(manager).get(reverse("team_detail", args=[team.pk])).context["data"]
    assert [(row.key, row.stage, row.trained, row.fidelity, row.in_scope) for row in home] == [
        (team.pk, view.stage, view.total.trained, view.total.fidelity, view.total.in_scope)
    ]
    supervised = as_user(cast.supervisor).get(reverse("supervision")).context["supervisees"]
    unplaced = as_user(cast.practice_leader).get(reverse("circles_unplaced")).context["people"]
    lead = as_user(cast.programme_lead)
    data = lead.get(reverse("fidelity"), {"team": team.pk}).context["data"]
    flagged = lead.get(reverse("fidelity_follow_up"), {"team": team.pk}).context["data"]
    practice = lead.get(reverse("fidelity_practice"), {"team": team.pk}).context["data"]

    def named(flag: str) -> set[str]:
        return {row.name for row in view.people if getattr(row, flag)}

    assert named("overdue") == {row.name for row in flagged.flags.overdue}
    assert named("overdue") == {p.full_name for p in supervised if p.overdue}
    assert named("overdue") == {overdue_and_alone.full_name}
    assert named("in_no_circle") == {row.name for row in flagged.flags.in_no_circle}
    assert named("in_no_circle") == {p.full_name for p in unplaced if p.team_id == team.pk}
    assert named("self_higher") == {row.name for row in flagged.flags.self_higher}
    assert named("self_higher") == {cast.practitioner.full_name}
    assert (view.overdue, view.in_no_circle, view.self_higher) == (
        len(flagged.flags.overdue),
        len(flagged.flags.in_no_circle),
        len(flagged.flags.self_higher),
    )
    figures = ("in_scope", "trained", "embedded", "fidelity")
    assert [getattr(view.total, name) for name in figures] == [
        getattr(data.total, name) for name in figures
    ]
    assert view.total.fidelity == 1
    assert view.stage == data.stage
    in_the_teams_table = next(row for row in data.teams if row.key == team.pk)
    assert {m.name: m.trend for m in view.measures}["fidelity"] == in_the_teams_table.trend
    assert [row.fidelity for row in view.timeline] == [row.fidelity for row in data.timeline]
    assert view.gap_trend == practice.gap_trend
