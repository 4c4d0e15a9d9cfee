"""The browser-test harness: Playwright driving Debian's Chromium against pytest-django's live server.

Every test in this package is an end-to-end journey in a real (headless) browser. Each test gets a
fresh browser context (`page`), signs in through the real sign-in form (`sign_in`) and checks every
page it visits with axe-core (`assert_accessible`). When a test fails, a screenshot and the page's
HTML are saved in `test-artifacts/` at the repository root and their paths printed.

Without Chromium (or Playwright) the whole package is skipped with one reason, so the rest of the
suite still runs.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from training.models import Person

# Playwright's sync API runs an asyncio event loop in the test thread, and Django refuses ORM calls
# from a thread with a running loop unless told that this is safe. Here it is: the loop only drives
# the browser, and the test's own database work is ordinary synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
ARTIFACTS = REPO_ROOT / "test-artifacts"

CHROMIUM = next(
    (path for path in ("/usr/bin/chromium", shutil.which("chromium")) if path and Path(path).exists()),
    None,
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the level the accessibility statement promises.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Generous enough for a loaded CI machine, short enough that a broken page fails quickly.
TIMEOUT_MS = 15_000


def _skip_reason() -> str | None:
    if CHROMIUM is None:
        return "Chromium not installed (apt-get install chromium): browser tests skipped"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return 'Playwright or axe-playwright-python not installed (pip install -e ".[dev]"): browser tests skipped'
    return None


SKIP_REASON = _skip_reason()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every test in this package, with one reason, when the browser cannot run."""
    if SKIP_REASON is None:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(skip)


# Browser and pages ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context (no cookies), at a laptop-sized window, British English."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in() -> Callable[[Page, Any, Person], None]:
    """`sign_in(page, live_server, person)`: sign in through the real sign-in form."""
    return sign_in_as


def sign_in_as(page: Page, live_server: Any, person: Person) -> None:
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)


# Accessibility ----------------------------------------------------------------------------------


def assert_accessible(page: Page, context: str | dict | None = None) -> None:
    """No axe-core violations of WCAG 2.0/2.1/2.2 A and AA on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, context=context, options=options)
    violations = results.response["violations"]
    assert not violations, f"axe found violations on {page.url}:\n" + describe_violations(
        violations
    )


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" [{violation.get('helpUrl', '')}]"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node.get('html', '')[:200]}")
            if node.get("failureSummary"):
                summary = node["failureSummary"].replace("\n", " / ")
                lines.append(f"      {summary}")
    return "\n".join(lines)


# Artifacts on failure ---------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """When a browser test fails, save a screenshot and the page's HTML, and say where."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        page = getattr(item, "funcargs", {}).get("page")
        if page is not None and not page.is_closed():
            paths = _save_artifacts(item, page)
            if paths:
                report.sections.append(
                    ("browser artifacts", "\n".join(f"saved {path}" for path in paths))
                )
                # Also straight to the terminal, so CI logs show the paths whatever the -r flags.
                terminal = item.config.pluginmanager.get_plugin("terminalreporter")
                if terminal is not None:
                    for path in paths:
                        terminal.write_line(f"\n[browser artifact] {path}")
    return report


def _save_artifacts(item: pytest.Item, page: Page) -> list[Path]:
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("::", 1)[-1])[:150]
    saved = []
    screenshot = ARTIFACTS / f"{stem}.png"
    html = ARTIFACTS / f"{stem}.html"
    try:
        page.screenshot(path=str(screenshot), full_page=True)
        saved.append(screenshot)
    except Exception as error:  # a crashed page must not hide the test's own failure
        print(f"Could not save a screenshot: {error}")
    try:
        html.write_text(page.content(), encoding="utf-8")
        saved.append(html)
    except Exception as error:
        print(f"Could not save the page's HTML: {error}")
    return saved
