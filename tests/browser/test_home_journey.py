"""Each role starts at the home page and reaches its first task from it, by keyboard and mouse,
axe-clean at desktop width and at 390 px (a phone)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from competencies.models import Rater
from competencies.services import review_start, review_submit
from tests.browser.support import assert_accessible, docs_screenshot, published_framework
from tests.factories import attend, make_circle, make_cohort, make_person, rate_all

pytestmark = pytest.mark.browser


def at_phone_width(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_practitioner_goes_from_home_to_their_draft_review(
    page, live_server, transactional_db, cast, sign_in
):
    published_framework()
    review = review_start(practitioner=cast.practitioner)

    sign_in(page, live_server, cast.practitioner)
    at_phone_width(page)
    docs_screenshot(page, "home-practitioner.png")
    page.get_by_role("link", name=f"Draft review started {review.created_at:%-d %B %Y}").click()

    expect(page).to_have_url(f"{live_server.url}/reviews/{review.pk}/")


def test_a_supervisor_goes_from_home_to_the_review_waiting_for_them(
    page, live_server, transactional_db, cast, sign_in
):
    published_framework()
    review = review_start(practitioner=cast.practitioner)
    rate_all(review, Rater.SELF)
    review_submit(review=review)

    sign_in(page, live_server, cast.supervisor)
    at_phone_width(page)
    docs_screenshot(page, "home-supervisor.png")
    link = page.get_by_role("link", name=f"{cast.practitioner.full_name}'s review")
    link.focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/reviews/{review.pk}/")


def test_a_practice_leader_goes_from_home_to_a_register_not_yet_taken(
    page, live_server, transactional_db, cast, sign_in
):
    started = timezone.localdate() - datetime.timedelta(days=45)
    circle = make_circle(
        leaders=[cast.practice_leader], members=[cast.practitioner], starts_on=started
    )
    held = circle.meetings.filter(starts_at__lt=timezone.now()).order_by("starts_at").last()
    attend(make_person(team=cast.practice_leader.team), make_cohort())

    sign_in(page, live_server, cast.practice_leader)
    at_phone_width(page)
    docs_screenshot(page, "home-practice-leader.png")
    page.get_by_role("region", name="Circles you lead").get_by_role(
        "link", name=f"{circle.name}, {timezone.localtime(held.starts_at):%-d %B %Y}"
    ).click()

    expect(page).to_have_url(f"{live_server.url}/meetings/{held.pk}/")


def test_a_programme_lead_goes_from_home_to_the_dashboard(
    page, live_server, transactional_db, cast, sign_in
):
    attend(cast.practitioner, make_cohort())

    sign_in(page, live_server, cast.programme_lead)
    at_phone_width(page)
    docs_screenshot(page, "home-programme-lead.png")
    page.get_by_role("link", name="Open the dashboard").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Roll-out and fidelity")
