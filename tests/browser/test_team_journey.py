"""A team manager starts at the home page and reaches their team's view from it, axe-clean at
desktop width and at 390 px; while a filter change is on its way, the figures say so."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Route, expect

from accounts.roles import Role
from tests.browser.support import (
    assert_accessible,
    assert_landmarks_named_once,
    docs_screenshot,
)
from tests.factories import attend, make_circle, make_cohort, make_person, make_session
from training.models import Person, RoleGroup

pytestmark = pytest.mark.browser


def at_phone_width(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def release(page: Page, held: list[Route]) -> None:
    """Let the request held back by the route through, once it has been made."""
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    held[0].continue_()


def a_team(cast) -> Person:
    """A team manager over the cast's supervisor, with a few people who did something."""
    manager = make_person(
        team=cast.practitioner.team, role_group=RoleGroup.MANAGER, roles=(Role.TEAM_MANAGER,)
    )
    Person.objects.filter(pk=cast.supervisor.pk).update(line_manager=manager)
    cohort = make_cohort()
    people = [cast.practitioner] + [
        make_person(team=cast.practitioner.team, line_manager=cast.supervisor) for _ in range(3)
    ]
    for person in people[:3]:
        attend(person, cohort)
    make_session(
        supervisor=cast.supervisor,
        practitioners=people[:2],
        starts_at=timezone.now() - datetime.timedelta(days=5),
        status="held",
        reason="",
    )
    make_circle(leaders=[cast.practice_leader], members=people[:1])
    return manager


def test_a_team_manager_goes_from_home_to_their_teams_view(
    page, live_server, transactional_db, cast, sign_in
):
    manager = a_team(cast)
    team = cast.practitioner.team

    sign_in(page, live_server, manager)
    at_phone_width(page)
    docs_screenshot(page, "home-team-manager.png")
    page.get_by_role("region", name="Your teams").get_by_role("link", name=team.name).click()

    expect(page).to_have_url(f"{live_server.url}/teams/{team.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(team.name)
    expect(page.locator('#figures [data-figure="trained"]')).to_have_text("3")
    people = page.get_by_role("region", name="People you manage in this team")
    expect(people.get_by_role("row")).to_have_count(1 + 4)
    assert_accessible(page)
    assert_landmarks_named_once(page)
    at_phone_width(page)
    docs_screenshot(page, "team.png")


def test_the_figures_say_they_are_loading_while_a_filter_change_is_on_its_way(
    page, live_server, transactional_db, cast, sign_in
):
    manager = a_team(cast)
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/teams/{cast.practitioner.team.pk}/")
    held: list[Route] = []
    page.route(
        re.compile(r".*/teams/\d+/\?.*role_group=manager.*"), lambda route: held.append(route)
    )
    figures, status = page.locator("#figures"), page.locator("#figures-status")
    expect(page.locator("#figures-loading")).to_be_hidden()

    page.get_by_label("Role group", exact=True).select_option(label="Manager")

    expect(page.locator("#figures-loading")).to_be_visible()
    expect(figures).to_have_attribute("aria-busy", "true")
    expect(status).to_have_text("Loading the figures…")
    assert_accessible(page)
    release(page, held)
    expect(page.locator("#figures-loading")).to_be_hidden()
    expect(page.locator('#figures [data-figure="in_scope"]')).to_have_text("2")
    expect(page.locator("#figures")).not_to_have_attribute("aria-busy", "true")
    expect(status).to_have_text("The figures are up to date.")


def test_the_dashboard_says_its_figures_are_loading_too(
    page, live_server, transactional_db, cast, sign_in
):
    sign_in(page, live_server, cast.programme_lead)
    page.goto(f"{live_server.url}/fidelity/")
    held: list[Route] = []
    page.route(
        re.compile(r".*/fidelity/\?.*role_group=manager.*"), lambda route: held.append(route)
    )

    page.get_by_label("Role group", exact=True).select_option(label="Manager")

    expect(page.locator("#figures-loading")).to_be_visible()
    expect(page.locator("#figures")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#figures-status")).to_have_text("Loading the figures…")
    release(page, held)
    expect(page.locator("#figures-loading")).to_be_hidden()
    expect(page.locator("#figures-status")).to_have_text("The figures are up to date.")
