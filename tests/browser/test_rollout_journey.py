"""A programme lead follows the roll-out: reads the chart, changes the date, sorts the teams and
downloads them as CSV and Excel."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from accounts.roles import Role
from tests.browser.support import assert_accessible, table_headers, table_rows
from tests.factories import attend, make_cohort, make_person, make_phase, make_team
from training.models import CourseDay, Person, PersonStatus, RoleGroup

D = datetime.date
TEAMS_TABLE = "#figures section[aria-labelledby=teams-title] table"


def build_workforce() -> Person:
    """Four teams, a pilot and a phase 1 with two cohorts, people at every stage of training.

    As of 30 June 2016 (before phase 1's second cohort):

    | team                    | active | trained | part-trained |
    | Cheltenham District     |      4 |       2 |            0 |
    | Forest of Dean District |      1 |       0 |            1 |
    | Gloucester City         |      5 |       3 |            0 |
    | Stroud and Cotswold     |      2 |       0 |            0 |

    and 7 people trained in all (counting those who have left or are on leave). By today the
    second phase 1 cohort adds one more trained in Cheltenham and one in Stroud: 9 in all.
    Returns the programme lead, who works in Cheltenham.
    """
    pilot, phase1 = make_phase("Pilot", 1), make_phase("Phase 1", 2)
    pilot_cohort = make_cohort(phase=pilot, name="Pilot", day1=D(2015, 11, 3), day2=D(2015, 11, 10))
    spring = make_cohort(phase=phase1, name="Spring", day1=D(2016, 3, 1), day2=D(2016, 3, 8))
    autumn = make_cohort(phase=phase1, name="Autumn", day1=D(2016, 9, 6), day2=D(2016, 9, 13))
    cheltenham, forest = make_team("Cheltenham District"), make_team("Forest of Dean District")
    gloucester, stroud = make_team("Gloucester City"), make_team("Stroud and Cotswold")

    lead = make_person(
        team=cheltenham, role_group=RoleGroup.SENIOR_MANAGER, roles=(Role.PROGRAMME_LEAD,)
    )
    attend(make_person(team=cheltenham), pilot_cohort)
    attend(make_person(team=cheltenham), spring)
    attend(make_person(team=cheltenham), autumn)

    attend(make_person(team=forest), spring, CourseDay.RESTORATIVE)
    attend(make_person(team=forest, status=PersonStatus.LEFT), pilot_cohort)

    attend(make_person(team=gloucester), pilot_cohort)
    attend(make_person(team=gloucester), pilot_cohort)
    attend(make_person(team=gloucester, role_group=RoleGroup.MANAGER), spring)
    make_person(team=gloucester, role_group=RoleGroup.MANAGER)
    make_person(team=gloucester)
    attend(make_person(team=gloucester, status=PersonStatus.EXTENDED_LEAVE), spring)

    attend(make_person(team=stroud, role_group=RoleGroup.PARTNER), autumn)
    attend(make_person(team=stroud), autumn, CourseDay.BASE, attended=False)
    return lead


def team_figures(page: Page) -> list[tuple[str, int, int]]:
    """(team, active staff, trained) for each row of the page's "By team" table, in order."""
    headers = table_headers(page, TEAMS_TABLE)
    team, active, trained = (
        headers.index(name) for name in ("Team", "Active staff", "Trained (active)")
    )
    return [
        (row[team], int(row[active]), int(row[trained])) for row in table_rows(page, TEAMS_TABLE)
    ]


@pytest.mark.browser
def test_programme_lead_checks_the_rollout_on_a_date_and_downloads_the_team_figures(
    page, live_server, transactional_db, sign_in
):
    lead = build_workforce()
    sign_in(page, live_server, lead)

    # From the home page, the lead follows the menu to the roll-out.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Roll-out", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Training roll-out")
    expect(page.locator('[data-figure="trained_total"]')).to_have_text("9")
    assert_accessible(page)
    # Training ended in September 2016: the chart does not stretch ten years of flat line to
    # today, it breaks its time axis and says so.
    chart = page.get_by_role("img", name="Cumulative people trained by month")
    expect(chart.locator("g.break")).to_have_count(1)
    assert chart.locator("rect.bar").count() <= 16
    expect(page.locator("#chart-left-out")).to_contain_text(
        "Nobody has been trained since September 2016, so the total has stayed at 9"
    )

    # They ask for the figures as they stood at the end of June 2016.
    page.get_by_label("Figures as of").fill("2016-06-30")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("heading", name="As of 30 June 2016")).to_be_visible()
    expect(page.locator('[data-figure="trained_total"]')).to_have_text("7")
    expect(page).to_have_url(f"{live_server.url}/rollout/?as_of=2016-06-30&organisation=")
    assert_accessible(page)
    # Every month from the pilot to June 2016 is drawn, and nothing is left out.
    expect(chart.locator("rect.bar")).to_have_count(8)
    expect(chart.locator("g.break")).to_have_count(0)
    expect(page.locator("#chart-left-out")).to_have_count(0)
    assert team_figures(page) == [
        ("Cheltenham District", 4, 2),
        ("Forest of Dean District", 1, 0),
        ("Gloucester City", 5, 3),
        ("Stroud and Cotswold", 2, 0),
    ]

    # They sort the teams by their number of active staff, smallest first.
    teams = page.get_by_role("region", name="By team (active staff)")
    teams.get_by_role("link", name="Active staff").click()
    expect(page).to_have_url(
        f"{live_server.url}/rollout/?as_of=2016-06-30&organisation=&teams-sort=active_staff"
    )
    expect(page.get_by_role("heading", name="As of 30 June 2016")).to_be_visible()
    assert_accessible(page)
    expect(teams.get_by_role("columnheader", name="Active staff")).to_have_attribute(
        "aria-sort", "ascending"
    )
    shown = team_figures(page)
    assert shown == [
        ("Forest of Dean District", 1, 0),
        ("Stroud and Cotswold", 2, 0),
        ("Cheltenham District", 4, 2),
        ("Gloucester City", 5, 3),
    ]

    # They download the teams as CSV: the same teams, in the same order, with the same figures.
    with page.expect_download() as download_info:
        teams.get_by_role("link", name="Download CSV of the team table", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "rollout-teams-2016-06-30.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as downloaded:
        rows = list(csv.DictReader(io.StringIO(downloaded.read())))
    assert [
        (row["Team"], int(row["Active staff"]), int(row["Trained (active)"])) for row in rows
    ] == shown
    # The page is still there and still the same after the download.
    assert team_figures(page) == shown

    # And as Excel: a sheet named for the table, the shares as percentages.
    with page.expect_download() as download_info:
        teams.get_by_role("link", name="Download Excel of the team table", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "rollout-teams-2016-06-30.xlsx"
    # The file Playwright saves has no extension, which openpyxl needs to open it by name.
    with open(download.path(), "rb") as downloaded:
        workbook = openpyxl.load_workbook(downloaded)
    assert workbook.sheetnames == ["Training by team (active staff)"]
    rows = list(workbook.active.iter_rows())
    header = [cell.value for cell in rows[0]]
    team, share = header.index("Team"), header.index("Share trained")
    assert [(row[team].value, row[share].value) for row in rows[1:]] == [
        ("Forest of Dean District", 0),
        ("Stroud and Cotswold", 0),
        ("Cheltenham District", 0.5),
        ("Gloucester City", 0.6),
    ]
    assert {row[share].number_format for row in rows[1:]} == {"0%"}


def page_scrolls_sideways(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")


@pytest.mark.browser
def test_rollout_fits_a_narrow_window_as_at_400_percent_zoom(
    page, live_server, transactional_db, sign_in
):
    """320 CSS pixels wide is a 1280-pixel window at 400% zoom (WCAG 1.4.10 Reflow)."""
    lead = build_workforce()
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_server, lead)
    assert not page_scrolls_sideways(page)

    # The menu folds behind a button; it opens and leads to the roll-out.
    menu_button = page.get_by_role("button", name="Show the menu")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    roll_out = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Roll-out", exact=True
    )
    expect(roll_out).to_be_visible()
    assert_accessible(page)
    roll_out.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Training roll-out")
    assert not page_scrolls_sideways(page)
    assert_accessible(page)

    page.get_by_label("Figures as of").fill("2016-06-30")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("heading", name="As of 30 June 2016")).to_be_visible()
    page.get_by_text("The chart's figures as a table").click()
    expect(page.get_by_role("cell", name="June 2016")).to_be_visible()

    # The page itself never scrolls sideways; a wide table scrolls inside its own box.
    assert not page_scrolls_sideways(page), page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    boxes = page.locator(".table-responsive")
    expect(boxes).to_have_count(4)
    overflowing = boxes.evaluate_all(
        "boxes => boxes.filter(box => box.scrollWidth > box.clientWidth).length"
    )
    assert overflowing >= 1, "expected the phase table to be wider than 320px"
    tables_sticking_out = page.locator("main table:not(.table-responsive table)").evaluate_all(
        "tables => tables.filter(table => table.getBoundingClientRect().right"
        " > window.innerWidth + 1).map(table => table.outerHTML.slice(0, 80))"
    )
    assert tables_sticking_out == []
    assert_accessible(page)

    # The phase table's box is the next Tab stop after the phase downloads, and scrolls with the
    # arrow keys.
    phase_section = page.get_by_role("region", name="By phase")
    phase_section.get_by_role("link", name="Download Excel of the phase table").focus()
    page.keyboard.press("Tab")
    phase_box = phase_section.get_by_role("region", name="Training by phase")
    expect(phase_box).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.wait_for_function(
        "box => box.scrollLeft > 0", arg=phase_box.element_handle(), timeout=5_000
    )
    assert not page_scrolls_sideways(page)
