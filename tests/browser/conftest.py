"""The browser-test harness: Playwright driving Debian's Chromium against the live server.

Every test in this package is an end-to-end journey in a real, headless browser, against the test
database through `live_server` (which implies `transactional_db`). Each test gets a fresh browser
context (`page`), signs in through the real sign-in form (`sign_in`) and checks every page it
visits with axe-core (`support.assert_accessible`). When a test fails, a screenshot and the page's
HTML are saved in `test-artifacts/` at the repository root and their paths printed.

Without Chromium (or Playwright) the whole package is skipped with one reason, so the rest of the
suite (and `make test`) still passes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser import support

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Playwright's sync API runs an asyncio event loop in the test thread, and Django refuses ORM calls
# from a thread with a running loop unless told that this is safe. Here it is: the loop only drives
# the browser; the tests' own database work is ordinary synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
CHROMIUM = next(
    (
        path
        for path in ("/usr/bin/chromium", shutil.which("chromium"))
        if path and os.path.exists(path)
    ),
    None,
)
# The machine's closed network refuses Chromium's background connections; ask for none.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous enough for a loaded CI machine, short enough that a broken page fails quickly.
TIMEOUT_MS = 15_000


def _playwright_missing() -> bool:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return True
    return False


if _playwright_missing():
    SKIP_REASON: str | None = (
        "Playwright or axe-playwright-python not installed (pip install -e '.[dev]'): "
        "browser tests skipped"
    )
elif CHROMIUM is None:
    SKIP_REASON = "Chromium not installed (apt-get install chromium): browser tests skipped"
else:
    SKIP_REASON = None

# Without a browser, every test in this package is skipped for SKIP_REASON. The skips are raised in
# this file, so pytest's summary folds them into one line; the rest of the suite runs as usual.
# (A module-level skip of this conftest would instead break `pytest tests/browser`.)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip before any fixture runs: no live server, no browser."""
    if SKIP_REASON is not None:
        pytest.skip(SKIP_REASON)


class _SkippedModule(pytest.Module):
    """A test module that is skipped without being imported (it would import Playwright)."""

    def collect(self) -> list[pytest.Item]:
        pytest.skip(SKIP_REASON or "")


def pytest_pycollect_makemodule(
    module_path: Path, parent: pytest.Collector
) -> pytest.Module | None:
    """Without Playwright the test modules cannot even be imported: skip them unopened."""
    if SKIP_REASON is not None and _playwright_missing():
        return _SkippedModule.from_parent(parent, path=module_path)
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context (no cookies), in a laptop-sized window, in British English."""
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
def second_page(browser: Browser) -> Iterator[Page]:
    """Another browser (another person's, or the same person's elsewhere): its own cookies."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def sign_in() -> Callable[[Page, Any, Any], None]:
    """`sign_in(page, live_server, person)`: sign in through the real sign-in form."""
    return support.sign_in


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """When a browser test fails, save a screenshot and the page's HTML, and print their paths."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        page = getattr(item, "funcargs", {}).get("page")
        if page is not None and not page.is_closed():
            paths = support.save_artifacts(item.nodeid, page)
            if paths:
                listing = "\n".join(f"saved {path}" for path in paths)
                report.sections.append(("browser artifacts", listing))
                terminal = item.config.pluginmanager.get_plugin("terminalreporter")
                if terminal is not None:  # straight to the log, whatever the -r and -q flags
                    for path in paths:
                        terminal.write_line(f"\n[browser artifact] {path}")
    return report
