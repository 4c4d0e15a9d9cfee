"""An administrator imports the roster from a CSV file, fixes a bad row and sees the new people."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FilePayload, Page, expect

from accounts.roles import Role
from tests.browser.support import assert_accessible, table_rows
from tests.factories import make_person, make_team
from training.models import ImportRun, Person, RoleGroup

HEADER = "email,full_name,team,role_group,job_title,line_manager_email,status\n"
GOOD_ROWS = [
    "ann.lee@council.example,Ann Lee,Tewkesbury District,Manager,Team manager,,\n",
    "bo.ray@council.example,Bo Ray,Tewkesbury District,practitioner,Social worker,"
    "ann.lee@council.example,\n",
]
BAD_ROW = "cy.jones.council.example,Cy Jones,Youth Justice,Wizard,,,\n"
FIXED_ROW = "cy.jones@council.example,Cy Jones,Youth Justice,partner,Youth worker,,\n"


def csv_file(*rows: str) -> FilePayload:
    """An in-memory CSV file for an <input type=file>, as if chosen from the user's disk."""
    return {
        "name": "roster.csv",
        "mimeType": "text/csv",
        "buffer": (HEADER + "".join(rows)).encode("utf-8"),
    }


def upload(page: Page, *rows: str) -> None:
    page.get_by_label("CSV or Excel file").set_input_files(csv_file(*rows))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_administrator_fixes_a_bad_row_and_imports_the_roster(
    page, live_server, transactional_db, sign_in
):
    team = make_team("Business Support")
    admin = make_person(team=team, role_group=RoleGroup.ADMIN, roles=(Role.ADMINISTRATOR,))
    sign_in(page, live_server, admin)

    # From the roster, the administrator opens the import page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Roster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workforce roster")
    assert_accessible(page)
    page.get_by_role("link", name="Import the roster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import the roster")
    expect(page).to_have_url(f"{live_server.url}/roster/import/")
    assert_accessible(page)

    # They upload a file whose third line (the header is line 1) is wrong in two ways. The import
    # runs in the background (at once, in tests); its own page shows the outcome.
    upload(page, GOOD_ROWS[0], BAD_ROW, GOOD_ROWS[1])
    expect(page.get_by_role("heading", level=1)).to_have_text("Import the roster: roster.csv")

    errors = page.get_by_role("alert")
    expect(errors.get_by_role("heading")).to_have_text(
        "Nothing was imported: 2 problems in the file"
    )
    expect(errors.get_by_role("listitem")).to_have_text(
        [
            "Line 3: 'cy.jones.council.example' is not a valid email address",
            "Line 3: role_group 'Wizard' is not one of "
            "senior_manager, manager, practitioner, partner, admin",
        ]
    )
    assert_accessible(page)
    # All or nothing: the two good lines were not imported either.
    assert not Person.objects.exclude(pk=admin.pk).exists()

    # They fix the line and upload the file again: everyone is imported.
    page.get_by_role("link", name="upload the file again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import the roster")
    upload(page, GOOD_ROWS[0], FIXED_ROW, GOOD_ROWS[1])

    expect(page).to_have_url(re.compile(rf"{live_server.url}/imports/\d+/"))
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("3 people created, 0 updated, 0 unchanged.")
    expect(page.get_by_role("status")).to_contain_text(
        "New teams: Tewkesbury District, Youth Justice."
    )
    assert_accessible(page)

    # The roster lists the new people, with their teams and line manager.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Roster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workforce roster")
    assert_accessible(page)
    rows = {row[1]: row for row in table_rows(page, "#results table")}
    assert set(rows) == {
        admin.email,
        "ann.lee@council.example",
        "bo.ray@council.example",
        "cy.jones@council.example",
    }
    assert rows["bo.ray@council.example"][:6] == [
        "Bo Ray",
        "bo.ray@council.example",
        "Tewkesbury District",
        "Practitioner",
        "Social worker",
        "Ann Lee",
    ]
    assert rows["cy.jones@council.example"][:3] == [
        "Cy Jones",
        "cy.jones@council.example",
        "Youth Justice",
    ]


@pytest.mark.browser
def test_an_import_page_follows_a_running_import_until_it_finishes(
    page, live_server, transactional_db, sign_in
):
    admin = make_person(role_group=RoleGroup.ADMIN, roles=(Role.ADMINISTRATOR,))
    run = ImportRun.objects.create(
        kind=ImportRun.Kind.ROSTER,
        file_name="roster.csv",
        requested_by=admin.user,
        status=ImportRun.Status.RUNNING,
        stage="checking",
        rows_done=4000,
        rows_total=10000,
    )
    sign_in(page, live_server, admin)

    page.goto(f"{live_server.url}/imports/{run.pk}/")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Checking the rows: 4000 of 10000 done.")
    expect(page.get_by_role("progressbar", name="Rows checked")).to_have_attribute("value", "4000")
    assert_accessible(page)

    # The worker moves on, then finishes: the page follows without being reloaded.
    ImportRun.objects.filter(pk=run.pk).update(stage="saving", rows_done=0)
    expect(status).to_contain_text("Saving 10000 rows: this is the last step.")
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.DONE,
        result={"created": 9000, "updated": 1000, "new_teams": ["Youth Justice"]},
    )
    expect(status).to_contain_text("9000 people created, 1000 updated, 0 unchanged.")
    expect(status).to_contain_text("New teams: Youth Justice.")
    expect(page.get_by_role("link", name="Check again")).to_have_count(0)
    assert_accessible(page)
