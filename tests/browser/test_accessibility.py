"""Pages anyone reaches without signing in: the accessibility statement and the sign-in form."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import assert_accessible


def focused(page: Page) -> dict[str, str]:
    """What has the keyboard focus: its tag, id, name and text."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), id: el.id || '', name: el.name || '',
                    text: (el.textContent || '').trim()};
        }"""
    )


@pytest.mark.browser
def test_the_accessibility_statement_is_open_to_everyone_and_axe_clean(page, live_server):
    page.goto(f"{live_server.url}/accessibility/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
    assert_accessible(page)


@pytest.mark.browser
def test_sign_in_page_works_from_the_keyboard(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)

    # The first Tab from the top of the page lands on the skip link, which becomes visible.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    assert_accessible(page)

    # Activating it moves the focus to the main content.
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    # From there, Tab reaches the email field, then the password, then (after the "keep me signed
    # in" box) the submit button, in that order.
    stops = []
    for _ in range(10):
        page.keyboard.press("Tab")
        stops.append(focused(page))
        if stops[-1]["tag"] == "button":
            break
    names = [stop["name"] or stop["text"] for stop in stops]
    assert "login" in names, names
    assert names.index("login") < names.index("password") < names.index("Sign in"), names
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()


@pytest.mark.browser
def test_the_accessibility_check_reports_each_violation_with_its_rule_help_and_target(page):
    """The harness itself: a page with known faults fails, and the message says where and why."""
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Faulty</title></head><body><main>'
        '<h1>Faulty</h1><img src="data:," id="no-alt"><input id="no-label" type="text">'
        "</main></body></html>"
    )

    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)

    message = str(failure.value)
    assert "image-alt" in message
    assert "Images must have alternative text" in message
    assert "#no-alt" in message
    assert "label" in message
    assert "#no-label" in message


@pytest.mark.browser
def test_a_person_signs_out_their_other_sessions_from_the_keyboard(
    page, second_page, live_server, transactional_db, cast, sign_in
):
    sign_in(second_page, live_server, cast.practitioner)  # another browser, left signed in
    sign_in(page, live_server, cast.practitioner)

    page.get_by_role("link", name="Your sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions")
    expect(page.get_by_role("row")).to_have_count(3)  # the header and two sessions
    assert_accessible(page)

    button = page.get_by_role("button", name="Sign Out Other Sessions")
    button.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("row")).to_have_count(2)
    assert_accessible(page)
    second_page.reload()
    expect(second_page.get_by_role("button", name="Sign in")).to_be_visible()


@pytest.mark.browser
def test_the_error_summary_and_its_links_pass_axe_including_contrast(
    page, live_server, transactional_db, cast, sign_in
):
    from tests.browser.support import published_framework

    published_framework()
    sign_in(page, live_server, cast.practitioner)
    page.goto(f"{live_server.url}/reviews/new/")
    page.get_by_label("Case reference (optional)").fill("jamie smith")
    page.get_by_role("button", name="Start").click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link").first).to_be_visible()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Case reference (optional)")).to_be_focused()
