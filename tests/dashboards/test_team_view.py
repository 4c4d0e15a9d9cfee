"""The team view: a team manager (or a head of service) sees the figures of the teams of the
people they line-manage, and those people by name; nobody else's team."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from competencies.models import Rater
from competencies.services import review_start, review_submit
from tests.factories import (
    attend,
    make_circle,
    make_cohort,
    make_person,
    make_session,
    make_team,
    rate_all,
)
from training.models import Person, PersonStatus, RoleGroup
from training.selectors import line_managed_ids, teams_managed_by

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def trained(person: Person) -> Person:
    attend(person, make_cohort())
    return person


def manager_of(*people: Person, team=None, roles=(Role.TEAM_MANAGER,)) -> Person:
    """A team manager who line-manages `people`."""
    manager = make_person(
        team=team or people[0].team, role_group=RoleGroup.MANAGER, roles=tuple(roles)
    )
    Person.objects.filter(pk__in=[person.pk for person in people]).update(line_manager=manager)
    return manager


@pytest.fixture
def team_manager(cast) -> Person:
    """Line manager of the supervisor, and through them of the practitioner."""
    return manager_of(cast.supervisor)


def url(team) -> str:
    return reverse("team_detail", args=[team.pk])


# Whom a person manages: the roster's rule -------------------------------------------------------


def test_a_manager_manages_their_reports_and_everyone_below_them(cast):
    head = manager_of(cast.supervisor)
    elsewhere = make_person(team=make_team(), line_manager=cast.practitioner)
    left = make_person(team=make_team(), line_manager=cast.supervisor, status=PersonStatus.LEFT)

    managed = line_managed_ids(head)

    assert managed == {cast.supervisor.pk, cast.practitioner.pk, elsewhere.pk}
    assert left.pk not in managed
    assert set(teams_managed_by(head)) == {cast.supervisor.team, elsewhere.team}


def test_a_loop_in_the_roster_ends(cast):
    Person.objects.filter(pk=cast.supervisor.pk).update(line_manager=cast.practitioner)

    assert line_managed_ids(cast.supervisor) == {cast.practitioner.pk}


# The page ---------------------------------------------------------------------------------------


def test_a_team_manager_sees_the_teams_figures_and_the_people_they_manage_by_name(
    cast, as_user, team_manager
):
    trained(cast.practitioner)
    not_mine = trained(make_person(team=cast.practitioner.team))  # counted, never named

    response = as_user(team_manager).get(url(cast.practitioner.team))

    assert response.status_code == 200
    data = response.context["data"]
    # In scope: the team's practitioners (the practice leader is one too).
    assert (data.total.in_scope, data.total.trained) == (3, 2)
    assert [row.name for row in data.people] == [cast.practitioner.full_name]
    assert data.people[0].trained and data.people[0].overdue and data.people[0].in_no_circle
    assert (data.overdue, data.in_no_circle) == (2, 2)
    html = response.content.decode()
    assert cast.practitioner.full_name in html
    assert not_mine.full_name not in html
    assert data.stage == "Installation"


def test_the_figures_follow_the_filters(cast, as_user, team_manager):
    trained(cast.practitioner)
    client = as_user(team_manager)

    managers = client.get(url(cast.practitioner.team), {"role_group": "manager"})
    earlier = client.get(url(cast.practitioner.team), {"as_of": "2016-01-01"})

    assert managers.context["data"].total.in_scope == 2  # the supervisor and the team manager
    assert [row.name for row in managers.context["data"].people] == [cast.supervisor.full_name]
    assert earlier.context["data"].total.trained == 0


def test_the_team_view_answers_only_get(cast, as_user, team_manager):
    response = as_user(team_manager).post(url(cast.practitioner.team))

    assert response.status_code == 405


@pytest.mark.parametrize(
    "role",
    [
        "practitioner",
        "supervisor",
        "practice_leader",
        "programme_lead",
        "administrator",
        "outsider",
    ],
)
def test_every_other_role_is_refused_the_team_view(cast, as_user, team_manager, role):
    assert as_user(getattr(cast, role)).get(url(cast.practitioner.team)).status_code == 403


def test_a_line_manager_without_the_role_is_refused(cast, as_user):
    """The supervisor line-manages the practitioner, but the role is granted, not read off
    the roster."""
    assert as_user(cast.supervisor).get(url(cast.practitioner.team)).status_code == 403


def test_another_team_is_answered_as_a_team_that_does_not_exist(cast, as_user, team_manager):
    client = as_user(team_manager)

    assert client.get(url(cast.outsider.team)).status_code == 404
    assert client.get(reverse("team_detail", args=[10**6])).status_code == 404
    assert client.get(url(cast.outsider.team), **HTMX).status_code == 404


def test_a_team_manager_who_manages_nobody_sees_no_team_even_their_own(cast, as_user):
    lonely = make_person(team=cast.practitioner.team, roles=(Role.TEAM_MANAGER,))

    assert as_user(lonely).get(url(cast.practitioner.team)).status_code == 404


def test_a_head_of_service_sees_each_team_of_the_managers_below_them(cast, as_user):
    other_team = make_team("Gloucester North")
    other_manager = manager_of(make_person(team=other_team))
    head = manager_of(cast.supervisor, other_manager, team=make_team("Senior Leadership Team"))
    client = as_user(head)

    assert client.get(url(cast.practitioner.team)).status_code == 200
    assert client.get(url(other_team)).status_code == 200
    assert client.get(url(cast.outsider.team)).status_code == 404
    assert client.get(url(head.team)).status_code == 404  # managing nobody there


def test_an_htmx_request_gets_only_the_figures(cast, as_user, team_manager):
    response = as_user(team_manager).get(
        url(cast.practitioner.team), {"as_of": "2026-06-30"}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="figures"')
    assert "<h1" not in html and "<form" not in html
    assert "As of 30 June 2026" in html


def _busy_team(cast, manager: Person, size: int) -> None:
    """`size` more people the manager line-manages, with what the view looks at."""
    team = cast.practitioner.team
    for _ in range(size):
        person = trained(make_person(team=team, line_manager=cast.supervisor))
        make_session(
            supervisor=cast.supervisor,
            practitioners=[person],
            starts_at=timezone.now() - datetime.timedelta(days=3),
            status="held",
            reason="New starter",
        )
        make_circle(leaders=[cast.practice_leader], members=[person])
        review = review_start(practitioner=person)
        rate_all(review, Rater.SELF)
        review_submit(review=review)


# Session, account and roles (3), the viewer's person and whom they manage (4: three levels of
# the line, the last empty), the team (1), the figures' catch-up (1) and the figures (10).
QUERIES = 19


@pytest.mark.parametrize("size", [2, 12])
def test_the_team_view_runs_the_same_queries_for_few_or_many_people(
    cast, as_user, team_manager, size, django_assert_num_queries
):
    _busy_team(cast, team_manager, size)
    client = as_user(team_manager)
    client.get(url(cast.practitioner.team))  # figures counted once

    with django_assert_num_queries(QUERIES):
        response = client.get(url(cast.practitioner.team))

    assert len(response.context["data"].people) == size + 1


def test_the_home_page_links_a_team_manager_to_each_of_their_teams(cast, as_user, team_manager):
    trained(cast.practitioner)

    html = as_user(team_manager).get(reverse("home")).content.decode()

    assert "Your teams" in html
    assert f'href="{url(cast.practitioner.team)}"' in html
    assert url(cast.outsider.team) not in html


def test_the_home_page_shows_no_teams_to_anyone_without_the_role(cast, as_user):
    html = as_user(cast.supervisor).get(reverse("home")).content.decode()

    assert "Your teams" not in html


@pytest.mark.parametrize("size", [1, 8])
def test_a_team_managers_home_page_runs_the_same_queries_for_few_or_many(
    cast, as_user, team_manager, size
):
    _busy_team(cast, team_manager, size)
    client = as_user(team_manager)
    client.get(reverse("home"))  # figures counted once
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("home"))

    # 13, and the person's own place on a course (the practitioner's panel since courses)
    assert len(captured.captured_queries) == 14
