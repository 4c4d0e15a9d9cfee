"""New starters are routed: each appears on "to be trained", then "to be placed in a circle" and,
for practitioners, "needs a supervisor for 2:1s", and leaves each list at the right moment."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
import time_machine
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from circles.models import CircleMembership
from circles.selectors import people_to_be_placed
from supervision.selectors import people_needing_a_supervisor
from tests.factories import attend, make_circle, make_cohort, make_course, make_person, make_session
from training.models import Person, PersonStatus, RoleGroup
from training.selectors import people_to_be_trained
from training.services import place_confirm, places_nominate

pytestmark = pytest.mark.django_db


def on_lists(person, manager) -> set[str]:
    """The lists a person is on, for everyone and for their line manager alike."""
    lists: dict[str, Callable[..., QuerySet[Person]]] = {
        "to be trained": people_to_be_trained,
        "to be placed": people_to_be_placed,
        "needs a supervisor": people_needing_a_supervisor,
    }
    found = {name for name, query in lists.items() if query().filter(pk=person.pk).exists()}
    mine = {
        name
        for name, query in lists.items()
        if query(line_manager=manager).filter(pk=person.pk).exists()
    }
    assert found == mine
    return found


def test_a_new_starter_moves_from_list_to_list_until_they_have_a_circle_and_a_supervisor(cast):
    # Their line manager is a manager who does not hold the supervisor role.
    manager = make_person(team=cast.practitioner.team, role_group=RoleGroup.MANAGER)
    starter = make_person(team=cast.practitioner.team, line_manager=manager)
    assert on_lists(starter, manager) == {"to be trained"}

    # Nominated, then on a waiting list: still to be trained, since they hold no place yet.
    full = make_course(capacity=1)
    [holder] = places_nominate(cohort=full, people=[make_person()], by=None)
    place_confirm(place=holder)
    [place] = places_nominate(cohort=full, people=[starter], by=manager)
    assert on_lists(starter, manager) == {"to be trained"}
    place_confirm(place=place)
    place.refresh_from_db()
    assert place.status == "waiting"
    assert on_lists(starter, manager) == {"to be trained"}

    # A confirmed place on a course to come takes them off the list.
    course = make_course()
    starter_elsewhere = make_person(team=cast.practitioner.team, line_manager=manager)
    [confirmed] = places_nominate(cohort=course, people=[starter_elsewhere], by=manager)
    place_confirm(place=confirmed)
    assert on_lists(starter_elsewhere, manager) == set()

    # Trained (both days attended, the day after the course): to be placed in a circle, and
    # needing a supervisor.
    attend(starter_elsewhere, course)
    with time_machine.travel(timezone.now() + datetime.timedelta(weeks=6), tick=True):
        assert on_lists(starter_elsewhere, manager) == {"to be placed", "needs a supervisor"}

        # In a circle: off that list.
        make_circle(leaders=[cast.practice_leader], members=[starter_elsewhere])
        assert on_lists(starter_elsewhere, manager) == {"needs a supervisor"}

        # A 2:1 planned with a supervisor: off the last list.
        make_session(supervisor=cast.supervisor, practitioners=[starter_elsewhere, make_person()])
        assert on_lists(starter_elsewhere, manager) == set()


def test_a_course_ended_without_completing_it_puts_someone_back_on_to_be_trained(cast):
    course = make_course()
    starter = make_person(team=cast.practitioner.team, line_manager=cast.supervisor)
    [place] = places_nominate(cohort=course, people=[starter], by=cast.supervisor)
    place_confirm(place=place)
    assert not people_to_be_trained().filter(pk=starter.pk).exists()

    after = course.day2_date + datetime.timedelta(days=1)
    attend(starter, course, 1)  # day 1 only
    assert people_to_be_trained(today=after).filter(pk=starter.pk).exists()


def test_a_practitioner_whose_line_manager_supervises_needs_no_supervisor(cast):
    trained = make_person(team=cast.practitioner.team, line_manager=cast.supervisor)
    attend(trained, make_cohort())
    assert not people_needing_a_supervisor().filter(pk=trained.pk).exists()

    # Nor does a manager: the list is of practitioners.
    manager = make_person(role_group=RoleGroup.MANAGER)
    attend(manager, make_cohort())
    assert not people_needing_a_supervisor().filter(pk=manager.pk).exists()


def test_leavers_are_on_no_list(cast):
    leaver = make_person(status=PersonStatus.LEFT, line_manager=cast.supervisor)
    assert on_lists(leaver, cast.supervisor) == set()


def test_the_home_pages_and_the_dashboard_count_each_list(cast, as_user):
    manager = make_person(team=cast.practitioner.team, role_group=RoleGroup.MANAGER)
    new_starter = make_person(team=cast.practitioner.team, line_manager=cast.supervisor)
    in_no_circle = make_person(team=cast.practitioner.team, line_manager=cast.supervisor)
    attend(in_no_circle, make_cohort())
    unsupervised = make_person(team=cast.practitioner.team, line_manager=manager)
    attend(unsupervised, make_cohort())
    CircleMembership.objects.create(
        circle=make_circle(leaders=[cast.practice_leader]), person=unsupervised
    )
    expected = {
        "to_be_trained": people_to_be_trained().count(),
        "to_be_placed": people_to_be_placed().count(),
        "needs_supervisor": people_needing_a_supervisor().count(),
    }
    assert expected["needs_supervisor"] == 1
    assert new_starter in people_to_be_trained()

    supervisor_home = as_user(cast.supervisor).get(reverse("home")).context["home"]
    assert (
        supervisor_home.supervisor.staff.to_be_trained.total,
        supervisor_home.supervisor.staff.to_be_placed.total,
    ) == (
        people_to_be_trained(line_manager=cast.supervisor).count(),
        people_to_be_placed(line_manager=cast.supervisor).count(),
    )
    assert new_starter in supervisor_home.supervisor.staff.to_be_trained.items

    lead_home = as_user(cast.programme_lead).get(reverse("home"))
    routing = lead_home.context["home"].programme.routing
    assert {
        "to_be_trained": routing.to_be_trained.total,
        "to_be_placed": routing.to_be_placed.total,
        "needs_supervisor": routing.needs_supervisor.total,
    } == expected
    assert f"To be trained: {expected['to_be_trained']}" in lead_home.content.decode()

    follow_up = as_user(cast.programme_lead).get(reverse("fidelity_follow_up"))
    page = follow_up.content.decode()
    for name, count in expected.items():
        assert f'data-figure="{name}">{count}<' in page


def test_the_dashboards_htmx_figures_leave_the_lists_out(cast, as_user):
    response = as_user(cast.programme_lead).get(
        reverse("fidelity_follow_up"), HTTP_HX_REQUEST="true"
    )
    assert 'id="routing"' not in response.content.decode()
    assert response.context["routing"] is None


# The "to be trained" page -------------------------------------------------------------------------


def test_a_supervisor_sees_and_nominates_only_their_own_staff(cast, as_user):
    course = make_course()
    theirs = make_person(team=cast.practitioner.team, line_manager=cast.supervisor)
    someone_elses = make_person(team=cast.practitioner.team)
    client = as_user(cast.supervisor)

    page = client.get(reverse("to_be_trained"))
    assert theirs in page.context["people"]
    assert someone_elses not in page.context["people"]

    refused = client.post(
        reverse("to_be_trained"), {"people": [someone_elses.pk], "cohort": course.pk}
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors
    assert not course.places.exists()

    done = client.post(
        reverse("to_be_trained"), {"people": [theirs.pk, cast.practitioner.pk], "cohort": course.pk}
    )
    assert done.status_code == 302
    assert set(course.places.values_list("person", "nominated_by", "status")) == {
        (theirs.pk, cast.supervisor.pk, "nominated"),
        (cast.practitioner.pk, cast.supervisor.pk, "nominated"),
    }


def test_the_programme_lead_sees_a_teams_people_from_the_rollout_link(cast, as_user):
    other = make_person()
    client = as_user(cast.programme_lead)

    rollout = client.get(reverse("rollout")).content.decode()
    assert f"{reverse('to_be_trained')}?team=" in rollout

    page = client.get(reverse("to_be_trained"), {"team": other.team_id})
    assert [person.pk for person in page.context["people"]] == [other.pk]


def test_the_to_be_trained_page_answers_htmx_with_its_list_only(cast, as_user):
    response = as_user(cast.programme_lead).get(reverse("to_be_trained"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="people">')
    assert "<html" not in content


def test_the_to_be_trained_page_refuses_other_methods(cast, as_user):
    assert as_user(cast.programme_lead).put(reverse("to_be_trained")).status_code == 405


@pytest.mark.parametrize("size", [5, 50])
def test_the_to_be_trained_page_runs_a_constant_number_of_queries(
    cast, as_user, size, django_assert_num_queries
):
    course = make_course()
    for _ in range(size):
        make_person(team=cast.practitioner.team, line_manager=cast.supervisor)
        places_nominate(cohort=course, people=[make_person(line_manager=cast.supervisor)], by=None)
    make_course()
    client = as_user(cast.programme_lead)

    # session, user, roles, their person; people with their training and their pending places;
    # the teams to filter by; the courses to come, read once for the form's choices and the list
    with django_assert_num_queries(8):
        client.get(reverse("to_be_trained"))


def test_a_practitioner_holding_the_supervisor_role_only_nominates(cast, as_user):
    leader = make_person(
        team=cast.practitioner.team, role_group=RoleGroup.MANAGER, roles=(Role.SUPERVISOR,)
    )
    assert as_user(leader).get(reverse("to_be_trained")).context["people"] == []
