"""Helpers for the browser tests: accessibility checks, signing in, reading tables and artifacts.

Imported lazily by tests and conftest, so that nothing here needs Playwright at collection time.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from training.models import Person

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = REPO_ROOT / "test-artifacts"
# The screenshots in the README and docs: refreshed only when asked, so that a test run leaves the
# working tree as it found it.
DOCS_SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the level the accessibility statement promises.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}


# Accessibility ----------------------------------------------------------------------------------


def assert_accessible(page: Page) -> None:
    """No axe-core violations of WCAG 2.0/2.1/2.2 A and AA on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    results = Axe().run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, (
        f"axe found {len(violations)} accessibility violation(s) on {page.url}:\n"
        + describe_violations(violations)
    )


def assert_landmarks_named_once(page: Page) -> None:
    """No two landmarks of the same kind share a name (axe's landmark-unique, a best practice
    that the WCAG tags above leave out): a screen reader's list of regions tells each apart."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "rule", "values": ["landmark-unique"]}}
    violations = Axe().run(page, options=options).response["violations"]
    assert not violations, describe_violations(violations)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """Each violation's id, impact and help text, then every offending node's target and HTML."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" <{violation.get('helpUrl', '')}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    target {target}: {node.get('html', '')[:300]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


# Data the tests need ----------------------------------------------------------------------------


def published_framework():
    """The starter framework, which a migration publishes; the database flush after an earlier
    transactional test removes it, so it is imported again when it is missing."""
    from competencies.frameworks import current_version, framework_import, version_publish

    version = current_version()
    if version is None:
        text = (REPO_ROOT / "competencies" / "starter_framework.json").read_text(encoding="utf-8")
        version = version_publish(version=framework_import(text=text, file_format="json"))
    return version


# Signing in -------------------------------------------------------------------------------------


def sign_in(page: Page, live_server: Any, person: Person) -> None:
    """Sign in as `person` through the real sign-in form, as a user would, and land on home."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Home greets the person by name (or welcomes an account not on the roster); the menu
    # (collapsed behind a button in a narrow window) offers sign-out.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^(Hello, .+|Welcome)$"))
    expect(page.locator("form[action='/accounts/logout/'] button")).to_have_text("Sign out")
    assert_accessible(page)


# Reading the page -------------------------------------------------------------------------------


def table_rows(page: Page, selector: str) -> list[list[str]]:
    """The text of every body cell of a table, row by row, whitespace collapsed."""
    return page.locator(selector).evaluate(
        """table => Array.from(table.tBodies[0].rows, row =>
               Array.from(row.cells, cell => cell.textContent.replace(/\\s+/g, ' ').trim()))"""
    )


def table_headers(page: Page, selector: str) -> list[str]:
    return page.locator(selector).evaluate(
        """table => Array.from(table.tHead.rows[0].cells,
               cell => cell.textContent.replace(/\\s+/g, ' ').trim())"""
    )


# Artifacts on failure ---------------------------------------------------------------------------


def save_artifacts(nodeid: str, page: Page) -> list[Path]:
    """A full-page screenshot and the HTML of `page`, in test-artifacts/, named after the test."""
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")[:150]
    saved = []
    screenshot, html = ARTIFACTS / f"{stem}.png", ARTIFACTS / f"{stem}.html"
    try:
        page.screenshot(path=str(screenshot), full_page=True)
        saved.append(screenshot)
    except Exception as error:  # a crashed page must not hide the test's own failure
        print(f"Could not save a screenshot of {page.url}: {error}")
    try:
        html.write_text(page.content(), encoding="utf-8")
        saved.append(html)
    except Exception as error:
        print(f"Could not save the HTML of {page.url}: {error}")
    return saved


# Screenshots for the docs -----------------------------------------------------------------------


def docs_screenshot(page: Page, name: str, *, from_heading: bool = False) -> Path:
    """A viewport-sized (1280x900) screenshot for the docs, without a focus ring in it.

    It goes to docs/screenshots/ when UPDATE_SCREENSHOTS=1, and to test-artifacts/ otherwise.
    The page is scrolled to the top, or to just above its first heading with `from_heading`.
    """
    folder = DOCS_SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.activeElement?.blur()")
    # Instantly: Bootstrap makes scrolling smooth, and a screenshot would catch it halfway.
    if from_heading:
        page.get_by_role("heading", level=1).evaluate(
            "heading => window.scrollTo({top: heading.getBoundingClientRect().top + window.scrollY"
            " - 16, behavior: 'instant'})"
        )
    else:
        page.evaluate("() => window.scrollTo({top: 0, behavior: 'instant'})")
    path = folder / name
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size < 300_000
    return path
