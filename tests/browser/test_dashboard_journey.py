"""The demo programme lead reads the manager dashboard, narrows it to a team and downloads a table.

The whole demo organisation (`manage.py seed_demo`) is loaded into the live server's database, so
the dashboard is checked with realistic figures: a year of roll-out, 2:1s and reviews. Loading it
takes a while (half a minute or more), so one test walks through everything:

1. every chart is named and described, has data points, and shows the figures of its table;
2. the Teams table's CSV download has the page's figures;
3. with JavaScript, choosing a team refreshes the figures in place (htmx) and puts it in the URL;
4. without JavaScript, the same choice and "Show figures" reload the page with the same figures;
5. axe finds nothing at 1280 and at 320 CSS pixels wide, and the page never scrolls sideways.

A second, quick test checks that every dashboard table is named on its own.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.roles import Role
from competencies.frameworks import current_version, framework_import, version_publish
from dashboards.selectors import Filters, RolloutFigures, rollout_figures
from demo.organisation import DEMO_PASSWORD, EMAIL_DOMAIN
from tests.browser.support import (
    REPO_ROOT,
    assert_accessible,
    assert_landmarks_named_once,
    docs_screenshot,
    table_headers,
    table_rows,
)
from training.models import Team

LEAD_EMAIL = f"programme.lead@{EMAIL_DOMAIN}"
TEAM = "Stroud Integrated District Team"
# The dashboard reads the stored figures of the demo's history from 2015 to today.
SLOW_MS = 60_000
SUMMARY = ("in_scope", "trained", "embedded", "fidelity")
# "Series, Mon YYYY: value": the <title> of each point of a line chart.
POINT = re.compile(r"^(?P<series>.+), (?P<x>[A-Z][a-z]{2} \d{4}): (?P<value>\S+)$")
# The table column that holds each line chart series, where the names differ.
COLUMN_OF_SERIES = {"Self higher": "Self rated higher"}


@pytest.fixture
def live_demo(transactional_db: None) -> str:
    """The demo organisation in the live server's database.

    An earlier transactional test flushes the rows that migrations make (the role groups and the
    starter framework), so they are put back first when they are missing.
    """
    for role in Role:
        Group.objects.get_or_create(name=role.label)
    if current_version() is None:
        text = (REPO_ROOT / "competencies" / "starter_framework.json").read_text(encoding="utf-8")
        version_publish(version=framework_import(text=text, file_format="json"))
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def page_without_javascript(browser: Browser) -> Iterator[Page]:
    """Another browser, with JavaScript turned off (and its own cookies)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
        java_script_enabled=False,
    )
    context.set_default_timeout(SLOW_MS)
    yield context.new_page()
    context.close()


# Steps ------------------------------------------------------------------------------------------


def sign_in_as_the_demo_lead(page: Page, live_server: LiveServer) -> None:
    """Through the real sign-in form, with the password the demo gives its accounts."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(LEAD_EMAIL)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The home page has the headline; the dashboard is one click away.
    expect(page.get_by_role("heading", name="The roll-out")).to_be_visible(timeout=SLOW_MS)
    page.get_by_role("link", name="Open the dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Roll-out and fidelity", timeout=SLOW_MS
    )


# Reading the page -------------------------------------------------------------------------------


def summary(page: Page) -> dict[str, str]:
    """The summary figures at the top of the figures, and the implementation stage."""
    return {
        name: page.locator(f'#figures [data-figure="{name}"]').inner_text()
        for name in (*SUMMARY, "stage")
    }


def expected_summary(data: RolloutFigures) -> dict[str, str]:
    return {**{name: str(getattr(data.total, name)) for name in SUMMARY}, "stage": data.stage}


def expect_summary(page: Page, expected: dict[str, str]) -> None:
    """Wait (the figures may be on their way) until the summary shows `expected`."""
    for name in SUMMARY:
        expect(page.locator(f'#figures [data-figure="{name}"]')).to_have_text(
            expected[name], timeout=SLOW_MS
        )
    assert summary(page) == expected


def table_by_column(table: Locator) -> dict[str, dict[str, str]]:
    """{column header: {first cell of the row: cell}} for every body cell of `table`."""
    headers, rows = table.evaluate(
        """table => {
            const text = cell => cell.textContent.replace(/\\s+/g, ' ').trim();
            return [Array.from(table.tHead.rows[0].cells, text),
                    Array.from(table.tBodies[0].rows, row => Array.from(row.cells, text))];
        }"""
    )
    columns: dict[str, dict[str, str]] = {header: {} for header in headers}
    for row in rows:
        for header, cell in zip(headers, row, strict=True):
            columns[header][row[0]] = cell
    return columns


def point_titles(chart: Locator) -> list[str]:
    """The <title> of every data point (a line chart's circles, a bar chart's bars)."""
    return chart.evaluate(
        "svg => Array.from(svg.querySelectorAll(':scope > circle > title, :scope > rect > title'),"
        " title => title.textContent.trim())"
    )


def line_series(chart: Locator) -> dict[str, dict[str, str]]:
    """{series: {month: the value shown}} from the titles of a line chart's points."""
    series: dict[str, dict[str, str]] = {}
    for title in point_titles(chart):
        point = POINT.match(title)
        assert point, f"a point's title is not 'series, month: value': {title!r}"
        series.setdefault(point["series"], {})[point["x"]] = point["value"]
    return series


def check_charts_against_their_tables(page: Page, count: int) -> dict[str, int]:
    """Every chart of the section shown (`count` of them) is named, described and has points,
    each showing its table's figure.

    Returns the number of points of each chart, by the chart's title.
    """
    charts = page.locator("#figures svg[role=img]")
    expect(charts).to_have_count(count)
    points = {}
    for index in range(charts.count()):
        chart = charts.nth(index)
        title = (chart.locator(":scope > title").text_content() or "").strip()
        desc = (chart.locator(":scope > desc").text_content() or "").strip()
        assert title and desc, f"chart {index} has no title or description"
        # The chart is named by its <title> and described by its <desc>, for screen readers.
        labelled_by = (chart.get_attribute("aria-labelledby") or "").split()
        title_id = chart.locator(":scope > title").get_attribute("id")
        desc_id = chart.locator(":scope > desc").get_attribute("id")
        assert labelled_by == [title_id, desc_id], (title, labelled_by)
        expect(chart).to_have_accessible_name(f"{title} {desc}")
        shown = point_titles(chart)
        assert shown, f"the chart {title!r} has no data points"
        points[title] = len(shown)

        # The table that follows the chart, in the same section, holds its figures.
        table = chart.locator("xpath=ancestor::section[1]").locator("table").first
        columns = table_by_column(table)
        if chart.locator(":scope > rect.bar").count():  # a bar chart: "label: value"
            bars = dict(title.rsplit(": ", 1) for title in shown)
            ratings, share = columns["Ratings"], columns["Competent or above"]
            assert bars == {label: share[label] for label in share if int(ratings[label])}, title
        else:
            series = line_series(chart)
            for name, values in series.items():
                column = columns[COLUMN_OF_SERIES.get(name, name)]
                # Every point is a cell of the table; a month without a point has no figure.
                assert values == {month: cell for month, cell in column.items() if cell != "—"}, (
                    f"{title}: {name}"
                )
    return points


def check_funnel(page: Page) -> None:
    """The roll-out chart's "With fidelity" line, its table and the summary agree."""
    section = page.locator("#figures section[aria-labelledby=funnel-title]")
    fidelity = line_series(section.get_by_role("img"))["With fidelity"]
    columns = table_by_column(section.get_by_role("table"))
    assert fidelity == columns["With fidelity"]
    assert len(fidelity) == 12
    # This month's row is the summary at the top.
    month = list(columns["Month"])[-1]
    assert {
        name: columns[header][month]
        for name, header in zip(
            SUMMARY, ("In scope", "Trained", "Embedded", "With fidelity"), strict=True
        )
    } == {name: summary(page)[name] for name in SUMMARY}


def check_case_contexts(page: Page) -> None:
    section = page.locator("#figures section[aria-labelledby=context-title]")
    bars = dict(title.rsplit(": ", 1) for title in point_titles(section.get_by_role("img")))
    table = table_by_column(section.get_by_role("table"))
    assert bars == {
        label: table["Competent or above"][label]
        for label in table["Case context"]
        if int(table["Ratings"][label])
    }
    assert len(bars) >= 2, bars


def teams_table(page: Page) -> list[dict[str, str]]:
    selector = "#figures section[aria-labelledby=teams-title] table"
    headers = table_headers(page, selector)
    return [dict(zip(headers, row, strict=True)) for row in table_rows(page, selector)]


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def page_scrolls_sideways(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")


# The journey ------------------------------------------------------------------------------------


@pytest.mark.browser
def test_programme_lead_reads_the_demo_dashboard_filters_it_and_downloads_the_teams(
    page, page_without_javascript, live_server, live_demo
):
    timings = {}
    started = time.perf_counter()
    assert "Demo organisation ready." in live_demo
    team = Team.objects.get(name=TEAM)
    today = timezone.localdate()
    everyone = rollout_figures(Filters(as_of=today))
    one_team = rollout_figures(Filters(as_of=today, team=team.pk))
    assert expected_summary(one_team) != expected_summary(everyone)
    assert one_team.total.in_scope > 0
    timings["demo loaded and expected figures counted"] = time.perf_counter() - started

    # 1. The lead signs in, lands on the home page and opens the dashboard from it; every chart
    # shows its table's figures.
    started = time.perf_counter()
    page.set_default_timeout(SLOW_MS)
    sign_in_as_the_demo_lead(page, live_server)
    expect(page).to_have_url(f"{live_server.url}/fidelity/")
    expect(page.get_by_role("heading", name=f"As of {today:%-d %B %Y}")).to_be_visible()
    assert summary(page) == expected_summary(everyone)
    assert_accessible(page)
    points = check_charts_against_their_tables(page, 1)
    assert points["Roll-out month by month"] == 4 * 12, points
    check_funnel(page)
    # The Practice section, a tab away: the ratings' charts, each beside its table.
    sections = page.get_by_role("navigation", name="Dashboard sections")
    sections.get_by_role("link", name="Practice").click()
    expect(page).to_have_url(f"{live_server.url}/fidelity/practice/")
    expect(sections.get_by_role("link", name="Practice")).to_have_attribute("aria-current", "page")
    check_charts_against_their_tables(page, 3)
    check_case_contexts(page)
    assert_accessible(page)
    sections.get_by_role("link", name="Follow-up").click()
    expect(page.get_by_role("heading", name="For practice leaders and supervisors")).to_be_visible()
    assert_accessible(page)
    sections.get_by_role("link", name="Roll-out").click()
    expect(page).to_have_url(f"{live_server.url}/fidelity/")
    timings["signed in, dashboard checked"] = time.perf_counter() - started

    # 2. The Teams table downloads as CSV with the figures on the page.
    started = time.perf_counter()
    teams = page.get_by_role("region", name="Teams", exact=True)
    with page.expect_download() as download_info:
        teams.get_by_role("link", name="Download CSV of the teams").click()
    download = download_info.value
    assert download.suggested_filename == f"fidelity-teams-{today}.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as downloaded:
        exported = list(csv.DictReader(downloaded))
    shown = teams_table(page)
    assert len(exported) == len(shown) == Team.objects.count()
    for row, cells in zip(exported, shown, strict=True):
        assert row.keys() == cells.keys()
        for column, cell in cells.items():
            if cell.endswith("%"):  # the page rounds the exported fraction to a whole percent
                assert abs(float(row[column]) * 100 - int(cell[:-1])) <= 0.5 + 1e-9, (column, row)
            else:
                assert row[column] == cell, (column, row, cells)
    assert teams_table(page) == shown
    timings["teams CSV downloaded and compared"] = time.perf_counter() - started

    # 3. With JavaScript, choosing a team swaps the figures in place and records it in the URL.
    started = time.perf_counter()
    page.evaluate("() => { window.stillTheSamePage = true; }")
    with page.expect_response(
        lambda response: "team=" in response.url, timeout=SLOW_MS
    ) as response_info:
        page.get_by_label("Team", exact=True).select_option(label=TEAM)
    response = response_info.value
    assert response.ok
    assert response.request.headers.get("hx-request") == "true"
    expect(page).to_have_url(re.compile(rf"/fidelity/\?(.*&)?team={team.pk}(&|$)"))
    expect_summary(page, expected_summary(one_team))
    assert page.evaluate("() => window.stillTheSamePage === true"), "the whole page reloaded"
    expect(page.get_by_label("Team", exact=True)).to_have_value(str(team.pk))
    # The other sections' tabs keep the team chosen.
    expect(sections.get_by_role("link", name="Practice")).to_have_attribute(
        "href", re.compile(rf"^/fidelity/practice/\?(.*&)?team={team.pk}(&|$)")
    )
    in_scope = {row["Team"]: row["In scope"] for row in teams_table(page)}
    assert in_scope[TEAM] == str(one_team.total.in_scope)
    assert {count for name, count in in_scope.items() if name != TEAM} == {"0"}
    assert_accessible(page)
    check_charts_against_their_tables(page, 1)
    check_funnel(page)
    filtered_url = page.url
    timings["team chosen with htmx"] = time.perf_counter() - started

    # The address htmx pushed opens the same figures as a whole page (a reload or a bookmark).
    started = time.perf_counter()
    page.reload()
    expect_summary(page, expected_summary(one_team))
    expect(page.get_by_label("Team", exact=True)).to_have_value(str(team.pk))
    assert_accessible(page)
    timings["pushed URL reloaded"] = time.perf_counter() - started

    # 4. Without JavaScript, the form is an ordinary GET form: the same choice, the same figures.
    started = time.perf_counter()
    no_js = page_without_javascript
    sign_in_as_the_demo_lead(no_js, live_server)
    assert summary(no_js) == expected_summary(everyone)
    no_js.get_by_label("Team", exact=True).select_option(label=TEAM)
    no_js.get_by_role("button", name="Show figures").click()
    expect(no_js).to_have_url(re.compile(rf"/fidelity/\?(.*&)?team={team.pk}(&|$)"))
    expect_summary(no_js, expected_summary(one_team))
    expect(no_js.get_by_label("Team", exact=True)).to_have_value(str(team.pk))
    assert teams_table(no_js) == teams_table(page)
    # axe-core needs JavaScript, so this page's accessibility is checked with it turned on: the
    # same address in the first browser is the same HTML.
    assert query(no_js.url) == query(filtered_url)
    timings["team chosen without JavaScript"] = time.perf_counter() - started

    # 5. The dashboard as a bookmark opens it (for the docs, without the sign-in message); at 320
    # CSS pixels wide (1280 at 400% zoom) it reflows: no sideways scrolling, still axe-clean.
    started = time.perf_counter()
    page.goto(f"{live_server.url}/fidelity/")
    expect_summary(page, expected_summary(everyone))
    docs_screenshot(page, "dashboard.png")
    page.set_viewport_size({"width": 320, "height": 640})
    expect(page.get_by_role("button", name="Show the menu")).to_be_visible()
    assert not page_scrolls_sideways(page), page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert_accessible(page)
    for chart in page.locator("#figures svg[role=img]").all():
        box = chart.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 321, box
    timings["320 px wide"] = time.perf_counter() - started

    print("\n".join(f"{step}: {seconds:.1f} s" for step, seconds in timings.items()))


@pytest.mark.browser
def test_every_dashboard_table_has_its_own_name_and_a_keyboard_scroll_box(
    page, live_server, transactional_db, cast, sign_in
):
    """Each table is named by its own caption, in a focusable region of that name (no data
    needed: the tables are drawn, empty, for an empty organisation)."""
    sign_in(page, live_server, cast.programme_lead)
    # Roll-out: the month by month, teams, phases, service areas, role groups and
    # organisations, the projection to critical mass and the cases worked with the model.
    # Practice: stages, competencies, what circles worked on, the gap, case contexts, cohorts.
    for path, count in (("/fidelity/", 8), ("/fidelity/practice/", 6)):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Roll-out and fidelity")
        check_every_table_is_named_in_a_scroll_box(page, count)


def check_every_table_is_named_in_a_scroll_box(page: Page, count: int) -> None:
    duplicated = page.evaluate(
        """() => { const seen = {};
                   for (const el of document.querySelectorAll('[id]'))
                       seen[el.id] = (seen[el.id] || 0) + 1;
                   return Object.keys(seen).filter(id => seen[id] > 1); }"""
    )
    assert duplicated == []
    assert_landmarks_named_once(page)
    tables = page.locator("#figures table")
    expect(tables).to_have_count(count)
    for table in tables.all():
        caption = (table.locator("caption").text_content() or "").strip()
        box = table.locator("xpath=..")
        expect(box).to_have_attribute("role", "region")
        expect(box).to_have_attribute("tabindex", "0")
        expect(box).to_have_accessible_name(caption)
        expect(table).to_have_accessible_name(caption)
