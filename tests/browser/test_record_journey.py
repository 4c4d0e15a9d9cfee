"""A supervisor writes the record of a shared 2:1; each practitioner reads their part of it; a
practitioner agrees a development goal and finds it in My progress."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from competencies.models import DevelopmentGoal, Rater
from competencies.services import review_sign_off, review_start, review_submit
from supervision.models import AgreedAction, CaseDiscussed, SessionStatus
from tests.browser.support import assert_accessible
from tests.browser.test_review_journey import named, published_framework
from tests.factories import make_person, make_session, rate_all


def held(cast, practitioners, days_ago: int):
    return make_session(
        supervisor=cast.supervisor,
        practitioners=practitioners,
        starts_at=timezone.now() - datetime.timedelta(days=days_ago),
        status=SessionStatus.HELD,
    )


def add_to_record(page: Page, legend: str, button: str, fields: dict[str, str]) -> None:
    """Fill one of the record's forms by its labels and send it (htmx swaps its section)."""
    form = page.locator("form").filter(has=page.get_by_role("heading", name=legend))
    for label, value in fields.items():
        field = form.get_by_label(label, exact=True)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    form.get_by_role("button", name=button).click()


@pytest.mark.browser
def test_a_supervisor_writes_a_shared_2_1s_record_and_each_practitioner_reads_their_part(
    page, second_page, live_server, transactional_db, cast, sign_in
):
    published_framework()
    supervisor = named(cast.supervisor, "Jo Hughes")
    sam = named(cast.practitioner, "Sam Taylor")
    ali = named(
        make_person(team=sam.team, line_manager=supervisor, roles=(Role.PRACTITIONER,)), "Ali Khan"
    )
    earlier = held(cast, [sam, ali], days_ago=35)
    session = held(cast, [sam, ali], days_ago=0)
    AgreedAction.objects.create(
        session=earlier,
        owner=sam,
        practitioner=sam,
        description="Try the resilience map with one family",
        due_on=timezone.localdate(),
    )

    sign_in(page, live_server, supervisor)
    page.goto(f"{live_server.url}/supervision/{session.pk}/")
    page.get_by_role("link", name="The record of this 2:1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record of the 2:1")
    # It opens with the action still open from the 2:1 before.
    actions = page.get_by_role("region", name="Actions")
    expect(actions).to_contain_text("Try the resilience map with one family")
    assert_accessible(page)

    # A name is refused as a case reference, with the message beside the form.
    case = {
        "Whose case": "Sam Taylor only",
        "Case reference": "Jamie Smith",
        "Case type": "Child protection",
        "Risk level": "High",
    }
    add_to_record(page, "Add a case discussed", "Add the case", case)
    cases = page.get_by_role("region", name="Cases discussed")
    expect(cases.get_by_role("alert")).to_contain_text("Use only your organisation")
    assert_accessible(page)
    add_to_record(
        page, "Add a case discussed", "Add the case", {**case, "Case reference": "CR-1042"}
    )
    expect(cases.get_by_role("status")).to_have_text("Case added to the record.")
    add_to_record(
        page,
        "Add a case discussed",
        "Add the case",
        {**case, "Whose case": "Ali Khan only", "Case reference": "CR-7781"},
    )
    expect(cases.get_by_role("row")).to_have_count(3)
    add_to_record(
        page,
        "Add a note",
        "Add the note",
        {"Whose is it": "Shared: both practitioners", "Note": "Talked through acceptable risk"},
    )
    expect(page.get_by_role("region", name="Notes")).to_contain_text("Talked through")
    # The open action is closed with a note.
    actions.get_by_text("Close this action").click()
    actions.get_by_label("How it was closed").fill("Used it with two families")
    actions.get_by_role("button", name="Close the action").click()
    expect(actions.get_by_role("status")).to_have_text("Action closed.")
    expect(actions).to_contain_text("Used it with two families")
    assert_accessible(page)
    assert list(CaseDiscussed.objects.values_list("case_reference", flat=True)) == [
        "CR-1042",
        "CR-7781",
    ]
    assert AgreedAction.objects.get().closed_in_id == session.pk

    # Sam reads their own case and the shared note, never Ali's case, and writes nothing.
    sign_in(second_page, live_server, sam)
    second_page.goto(f"{live_server.url}/supervision/{session.pk}/record/")
    main = second_page.locator("main")
    expect(main).to_contain_text("CR-1042")
    expect(main).to_contain_text("Talked through acceptable risk")
    expect(main).not_to_contain_text("CR-7781")
    expect(main.locator("form")).to_have_count(0)
    assert_accessible(second_page)


@pytest.mark.browser
def test_a_practitioner_agrees_a_goal_and_sees_it_beside_the_ratings(
    page, live_server, transactional_db, cast, sign_in
):
    published_framework()
    review = review_start(practitioner=cast.practitioner)
    rate_all(review, Rater.SELF, level=2)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR, level=1)
    review_sign_off(review=review, supervisor=cast.supervisor)
    review_on = timezone.localdate() + datetime.timedelta(days=90)

    sign_in(page, live_server, cast.practitioner)
    page.goto(f"{live_server.url}/reviews/{review.pk}/")
    page.get_by_role("link", name="Development goals from this review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Development goals")
    assert_accessible(page)
    competency = page.get_by_label("Competency")
    first = competency.locator("optgroup").first
    expect(first).to_have_attribute(
        "label", "Suggested: rated Basic by the supervisor, or the views differ"
    )
    competency.select_option(index=1)
    page.get_by_label("The goal").fill("Weigh each hazard with the family")
    page.get_by_label("Review date").fill(review_on.isoformat())
    page.get_by_role("button", name="Add the goal").click()
    goals = page.get_by_role("region", name="Goals agreed from this review")
    expect(goals.get_by_role("alert")).to_contain_text("Confirm that you have agreed")
    assert_accessible(page)
    page.get_by_label("We have agreed this goal together.").check()
    page.get_by_role("button", name="Add the goal").click()
    expect(goals.get_by_role("status")).to_have_text("Goal agreed.")
    expect(goals.get_by_role("row")).to_have_count(2)
    assert_accessible(page)
    assert DevelopmentGoal.objects.get().description == "Weigh each hazard with the family"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My progress").click()
    expect(page.locator("main")).to_contain_text("Weigh each hazard with the family")
    expect(page.locator("main")).to_contain_text("Not reviewed yet.")
    assert_accessible(page)
