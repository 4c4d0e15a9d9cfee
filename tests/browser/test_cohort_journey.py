"""A practice leader sets up a training cohort on the site and completes its register."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.browser.support import assert_accessible
from tests.factories import make_person, make_phase, make_team
from training.models import Cohort, CourseAttendance, CourseDay


@pytest.mark.browser
def test_practice_leader_creates_a_cohort_and_ticks_a_day_that_was_not_on_file(
    page, live_server, transactional_db, sign_in
):
    make_phase("Implementation phase 2")
    team = make_team("Cheltenham District")
    leader = make_person(team=team, roles=(Role.PRACTITIONER, Role.PRACTICE_LEADER))
    trainee = make_person(team=team)
    sign_in(page, live_server, leader)

    # From the cohorts, the practice leader starts a new one.
    page.goto(f"{live_server.url}/cohorts/")
    page.get_by_role("link", name="New cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New training cohort")
    assert_accessible(page)
    page.get_by_label("Phase").select_option(label="Implementation phase 2")
    page.get_by_label("Name").fill("Phase 2 cohort C")
    page.get_by_label("Day 1 (Restorative Practice)").fill("2016-09-06")
    page.get_by_label("Day 2 (the BASE model)").fill("2016-09-05")
    page.get_by_role("button", name="Save cohort").click()

    # Day 2 before day 1 is refused, with the reason beside the field.
    expect(page.get_by_text("Day 2 cannot come before day 1.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Day 2 (the BASE model)").fill("2016-09-13")
    page.get_by_role("button", name="Save cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phase 2 cohort C")
    assert_accessible(page)
    cohort = Cohort.objects.get(name="Phase 2 cohort C")

    # The register came with only day 1 for the trainee (as a council's sheet often does).
    CourseAttendance.objects.create(
        person=trainee, cohort=cohort, day=CourseDay.RESTORATIVE, attended=True
    )
    page.reload()
    day2 = page.get_by_label(f"{trainee.full_name} attended day 2")
    expect(day2).not_to_be_checked()

    # Ticking day 2 saves it at once, through htmx, and survives a reload.
    with page.expect_response(lambda response: response.request.method == "POST"):
        day2.check()
    page.reload()
    expect(page.get_by_label(f"{trainee.full_name} attended day 2")).to_be_checked()
    assert CourseAttendance.objects.get(person=trainee, cohort=cohort, day=2).attended
    assert_accessible(page)
