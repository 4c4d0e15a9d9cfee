"""A practitioner rates their practice by keyboard; their supervisor rates it and signs it off."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from competencies.models import Competency, Rater, Rating, Review, ReviewStatus
from tests.browser.support import assert_accessible, docs_screenshot, published_framework
from training.models import Person

# How each person rates the competencies, in turn down the grid.
SELF_PATTERN = ["Competent", "Advanced", "Basic", "Not yet seen", "Competent", "Advanced"]
SUPERVISOR_PATTERN = ["Competent", "Competent", "Basic", "Basic", "Advanced"]
# The keys that choose each level when the Tab key has just entered a row with nothing chosen.
# The radios run Basic, Competent, Advanced, Not yet seen; the focus starts on Basic, not yet
# chosen. Arrows choose as they move, and wrap round from the first radio to the last.
KEYS = {
    "Basic": ["Space"],
    "Competent": ["ArrowRight"],
    "Advanced": ["ArrowRight", "ArrowRight"],
    "Not yet seen": ["ArrowLeft"],
}
SUMMARY = ("summary", "What the levels look like")
LEVEL_NUMBER = {"Basic": 1, "Competent": 2, "Advanced": 3, "Not yet seen": None}


def named(person: Person, full_name: str) -> Person:
    person.full_name = full_name
    person.save(update_fields=["full_name"])
    return person


def focused(page: Page) -> dict[str, str]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
                    text: (el.textContent || '').trim().slice(0, 60)};
        }"""
    )


def tab_to(page: Page, name: str, most: int = 8) -> list[dict[str, str]]:
    """Press Tab until a radio called `name` has the focus; the stops passed on the way."""
    stops: list[dict[str, str]] = []
    for _ in range(most):
        page.keyboard.press("Tab")
        stop = focused(page)
        if stop["type"] == "radio" and stop["name"] == name:
            return stops
        stops.append(stop)
    raise AssertionError(f"{most} presses of Tab did not reach {name}: {stops}")


def rate_grid_by_keyboard(page: Page, review: Review, levels: list[str]) -> None:
    """From the top of the review page, rate every row of the grid with the keyboard alone.

    The Tab key goes from row to row (past each row's comment box and "What the levels look like"
    button); the arrow keys or Space choose a level, and each choice is saved at once by htmx.
    """
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    competencies = Competency.objects.filter(area__version=review.version_id)
    for number, (competency, level) in enumerate(zip(competencies, levels, strict=True)):
        passed = [
            # A scroll box's text is its whole table: its caption's start is enough.
            (stop["tag"], stop["text"].split(":")[0] if stop["tag"] == "div" else stop["text"])
            for stop in tab_to(page, f"level-{competency.pk}")
        ]
        if number == 0:  # the breadcrumb, the framework's link, the jump link, the grid's
            # scroll box (a named region, so a narrow window scrolls it by keyboard), the first row
            assert passed == [
                ("a", "Reviews"),
                ("a", str(review.version)),
                ("a", "Go to the first competency not yet rated"),
                ("div", "Ratings for each competency"),
                SUMMARY,
            ], passed
        else:  # the previous row's comment box, then this row's description of the levels
            assert passed == [("textarea", ""), SUMMARY], passed
        group = page.get_by_role("group", name=competency.title, exact=True)
        expect(group.get_by_role("radio", name="Basic")).to_be_focused()
        for revision, key in enumerate(KEYS[level], start=1):
            with page.expect_response(
                lambda response: (
                    response.request.method == "POST"
                    and response.url.endswith(f"/reviews/{review.pk}/rate/")
                )
            ) as saved:
                page.keyboard.press(key)
            assert saved.value.status == 200, saved.value.text()
            # The saved status carries the rating's new revision, which the next save builds on,
            # so the next key waits for it (a second arrow pressed before the first save has
            # come back is refused as someone else's change: see the report of this journey).
            expect(page.locator(f"input[name=based_on-{competency.pk}]")).to_have_value(
                str(revision)
            )
        chosen = group.get_by_role("radio", name=level, exact=True)
        expect(chosen).to_be_checked()
        expect(chosen).to_be_focused()
        expect(page.locator(f"#status-{competency.pk}")).to_have_text("Saved")


def pattern(levels: list[str], count: int) -> list[str]:
    return list(itertools.islice(itertools.cycle(levels), count))


def difference(mine: str, theirs: str) -> str:
    """What My progress says about the gap between the two views."""
    mine_number, their_number = LEVEL_NUMBER[mine], LEVEL_NUMBER[theirs]
    if mine_number is None or their_number is None:
        return "—"
    gap = mine_number - their_number
    if gap > 0:
        return f"You rate {gap} level{'s' if gap > 1 else ''} higher"
    return "You rate yourself lower" if gap < 0 else "Same"


@pytest.mark.browser
def test_practitioner_and_supervisor_rate_a_review_by_keyboard_and_sign_it_off(
    page, second_page, live_server, transactional_db, cast, sign_in
):
    version = published_framework()
    titles = list(Competency.objects.filter(area__version=version).values_list("title", flat=True))
    mine = pattern(SELF_PATTERN, len(titles))
    theirs = pattern(SUPERVISOR_PATTERN, len(titles))
    practitioner = named(cast.practitioner, "Sam Taylor")
    supervisor = named(cast.supervisor, "Jo Hughes")
    assert practitioner.line_manager == supervisor

    # The practitioner starts a review about one case.
    sign_in(page, live_server, practitioner)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Competency reviews")
    assert_accessible(page)
    page.get_by_role("link", name="Start a review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a competency review")
    assert_accessible(page)
    page.get_by_label("Case reference (optional)").fill("CR-1042")
    page.get_by_label("Case type").select_option(label="Child protection")
    page.get_by_label("Risk level").select_option(label="High")
    page.get_by_role("button", name="Start rating").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Competency review: Sam Taylor")
    review = Review.objects.get(practitioner=practitioner)
    expect(page).to_have_url(f"{live_server.url}/reviews/{review.pk}/")
    expect(page.locator("main > dl")).to_contain_text("CR-1042: Child protection, high risk")
    expect(page.locator("main > dl")).to_contain_text("Jo Hughes")
    expect(page.get_by_role("radio")).to_have_count(4 * len(titles))
    assert_accessible(page)

    # They rate every competency by keyboard; each choice is saved as it is made.
    page.evaluate("() => { window.notReloaded = true; }")
    rate_grid_by_keyboard(page, review, mine)
    assert page.evaluate("() => window.notReloaded === true")
    assert_accessible(page)
    assert [
        (rating.competency.title, rating.level)
        for rating in Rating.objects.filter(review=review, rater=Rater.SELF)
        .select_related("competency")
        .order_by("competency__area__order", "competency__order")
    ] == [(title, LEVEL_NUMBER[level]) for title, level in zip(titles, mine, strict=True)]

    # They send it to their supervisor; it can no longer be changed.
    page.get_by_role("button", name="Submit to my supervisor").click()
    expect(page.get_by_role("status")).to_have_text("Review sent to your supervisor.")
    expect(page.locator("main > dl")).to_contain_text("Submitted: with the supervisor")
    expect(page.get_by_role("radio")).to_have_count(0)
    assert_accessible(page)

    # Their supervisor, in another browser, finds the review among their supervisees'.
    sign_in(second_page, live_server, supervisor)
    second_page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    expect(second_page.get_by_role("heading", level=1)).to_have_text("Competency reviews")
    assert_accessible(second_page)
    everything = second_page.get_by_role("region", name="All reviews you can read")
    expect(everything.get_by_role("row", name="Sam Taylor")).to_contain_text(
        "CR-1042 (Child protection)"
    )
    waiting = second_page.get_by_role("region", name="Waiting for you")
    waiting.get_by_role("link", name="Sam Taylor's review").click()
    expect(second_page.get_by_role("heading", level=1)).to_have_text(
        "Competency review: Sam Taylor"
    )
    expect(
        second_page.get_by_role("columnheader", name="Practitioner's own rating")
    ).to_be_visible()
    assert_accessible(second_page)

    # They give their own rating of every competency by keyboard, beside the practitioner's.
    rate_grid_by_keyboard(second_page, review, theirs)
    assert_accessible(second_page)
    # As each rating saves they see where the two views differ, and still do after a reload.
    differ = sum(a != b for a, b in zip(mine, theirs, strict=True))
    expect(second_page.get_by_text("Views differ", exact=True)).to_have_count(differ)
    second_page.reload()
    expect(second_page.get_by_role("radio", checked=True)).to_have_count(len(titles))
    assert_accessible(second_page)
    expect(second_page.get_by_text("Views differ", exact=True)).to_have_count(differ)
    docs_screenshot(second_page, "review-grid.png", from_heading=True)

    # They confirm they have discussed it, and sign it off.
    second_page.get_by_label(
        "We have discussed these ratings together and I sign the review off."
    ).check()
    second_page.get_by_role("button", name="Sign off and lock").click()
    expect(second_page.get_by_role("status")).to_have_text("Review signed off and locked.")
    expect(second_page.get_by_text("This review is signed off and locked.")).to_be_visible()
    expect(second_page.get_by_role("radio")).to_have_count(0)
    assert_accessible(second_page)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SIGNED_OFF
    assert review.ratings.filter(rater=Rater.SUPERVISOR).count() == len(titles)

    # The practitioner sees both views side by side in My progress.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My progress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My progress")
    assert_accessible(page)
    shown = page.locator("main table").evaluate_all(
        """tables => tables.flatMap(table => Array.from(table.tBodies[0].rows, row =>
               Array.from(row.cells, cell => cell.textContent.replace(/\\s+/g, ' ').trim())
                   .slice(0, 4)))"""
    )
    assert shown == [
        [title, a, b, difference(a, b)] for title, a, b in zip(titles, mine, theirs, strict=True)
    ]

    # And the review itself is locked: no choices left to make.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    assert_accessible(page)
    page.get_by_role("region", name="All reviews you can read").get_by_role("row").filter(
        has_text="CR-1042"
    ).get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/reviews/{review.pk}/")
    expect(page.get_by_text("This review is signed off and locked.")).to_be_visible()
    expect(page.locator("main > dl")).to_contain_text("Signed off")
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit to my supervisor")).to_have_count(0)
    assert_accessible(page)


@pytest.mark.browser
def test_the_four_levels_of_a_row_stay_on_one_line_at_1366_pixels(
    page, live_server, transactional_db, cast, sign_in
):
    from competencies.services import review_start

    published_framework()
    review = review_start(practitioner=cast.practitioner)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, cast.practitioner)
    page.goto(f"{live_server.url}/reviews/{review.pk}/")

    first_row = page.locator("table.rating-grid tbody tr[id^=row-]").first
    tops = first_row.locator("fieldset .form-check").evaluate_all(
        "checks => checks.map(check => Math.round(check.getBoundingClientRect().top))"
    )
    assert len(tops) == 4
    assert len(set(tops)) == 1, tops
    expect(page.get_by_text(re.compile(r"^0 of \d+ rated$"))).to_be_visible()
