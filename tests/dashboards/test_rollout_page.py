"""The roll-out page: training by phase, team, role group and organisation as of a date, with
the cases worked with the model beside it, its downloads and its htmx partial."""

from __future__ import annotations

import csv
import datetime
import io
from html import unescape

import openpyxl
import pytest
from django.http import QueryDict
from django.urls import reverse

from tests.factories import make_person, make_team
from tests.training.test_views import HTMX, build_workforce, download_links
from training.models import ProgrammeSettings
from training.selectors import rollout_summary

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["programme_lead", "administrator"])
def test_rollout_shows_the_same_figures_as_the_selector(cast, as_user, role):
    build_workforce(20)
    expected = rollout_summary(as_of=datetime.date(2016, 12, 31))

    response = as_user(getattr(cast, role)).get(reverse("rollout"), {"as_of": "2016-12-31"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-figure="trained_total">{expected.trained_total}<' in html
    assert response.context["summary"] == expected
    assert expected.trained_total == 15


def test_rollout_says_whether_training_reached_its_critical_mass_and_names_it_apart(cast, as_user):
    build_workforce(20)
    settings_row = ProgrammeSettings.load()
    settings_row.workforce_target = 20
    settings_row.critical_mass_trained_percent = 50
    settings_row.save()
    client = as_user(cast.programme_lead)

    reached = rollout_summary(as_of=datetime.date(2016, 12, 31))
    page = client.get(reverse("rollout"), {"as_of": "2016-12-31"}).content.decode()
    early = client.get(reverse("rollout"), {"as_of": "2015-01-01"}).content.decode()

    assert reached.has_critical_mass
    assert (
        "Critical mass of trained people (50% of the target: 10 people): <strong>"
        f"reached</strong>, first on {reached.critical_mass_reached_on:%-d %B %Y}." in page
    )
    assert "critical mass of practice" in page
    assert "<strong>not reached yet</strong>; 10 needed, 0 trained so far." in early


def test_rollout_refuses_to_be_posted_to(cast, as_user):
    assert as_user(cast.programme_lead).post(reverse("rollout")).status_code == 405


def test_rollout_without_a_date_counts_up_to_today(cast, as_user):
    response = as_user(cast.programme_lead).get(reverse("rollout"), {"as_of": "not a date"})

    assert response.context["summary"].as_of == datetime.date.today()


def test_rollout_csv_export_has_the_pages_team_figures(cast, as_user):
    build_workforce(20)
    summary = rollout_summary(as_of=datetime.date(2016, 12, 31))

    response = as_user(cast.programme_lead).get(
        reverse("rollout"), {"as_of": "2016-12-31", "table": "teams", "_export": "csv"}
    )

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [
        (row["Team"], int(row["Active staff"]), int(row["Trained (active)"])) for row in rows
    ] == [(team.name, team.active_staff, team.trained_active) for team in summary.teams]


def test_rollout_xlsx_export_opens_as_a_workbook_with_the_phase_figures(cast, as_user):
    build_workforce(20)

    response = as_user(cast.administrator).get(
        reverse("rollout"), {"as_of": "2016-12-31", "table": "phases", "_export": "xlsx"}
    )

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Phase", "Starts", "Ends", "Trained in phase")
    assert [(row[0], row[3], row[4]) for row in rows[1:]] == [("Pilot", 8, 8), ("Phase 1", 7, 15)]


def test_each_rollout_download_link_says_which_table_it_downloads(cast, as_user):
    build_workforce(20)
    client = as_user(cast.programme_lead)

    response = client.get(reverse("rollout"), {"as_of": "2016-12-31", "teams-sort": "name"})

    links = download_links(response.content.decode())
    assert [name for name, _ in links] == [
        "Download CSV of the phase table",
        "Download Excel of the phase table",
        "Download CSV of the team table",
        "Download Excel of the team table",
        "Download CSV of the role group table",
        "Download Excel of the role group table",
        "Download CSV of the organisation table",
        "Download Excel of the organisation table",
    ]
    # Each link downloads the table it names, on the page's date and in the page's order.
    sheets = {}
    for name, href in links:
        query = QueryDict(unescape(href).removeprefix("?"))
        assert (query["as_of"], query["teams-sort"]) == ("2016-12-31", "name")
        download = client.get(reverse("rollout"), query)
        if name.startswith("Download Excel"):
            workbook = openpyxl.load_workbook(io.BytesIO(download.content))
            sheets[name.removeprefix("Download Excel of ")] = workbook.sheetnames
    assert sheets == {
        "the phase table": ["Training by phase"],
        "the team table": ["Training by team (active staff)"],
        "the role group table": ["Training by role group"],
        "the organisation table": ["Training by organisation"],
    }


def test_exported_cells_that_look_like_formulas_are_neutralised(cast, as_user):
    make_person(team=make_team("=HYPERLINK(1)"))

    response = as_user(cast.programme_lead).get(
        reverse("rollout"), {"table": "teams", "_export": "csv"}
    )

    assert "'=HYPERLINK(1)" in response.content.decode()


def test_rollout_htmx_request_gets_only_the_figures(cast, as_user):
    response = as_user(cast.programme_lead).get(reverse("rollout"), {"as_of": "2016-12-31"}, **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="figures"')
    assert "<html" not in html


@pytest.mark.parametrize("size", [20, 2000])
def test_rollout_runs_the_same_number_of_queries_for_20_or_2000_people(
    cast, as_user, size, django_assert_num_queries
):
    build_workforce(size)
    client = as_user(cast.programme_lead)

    # session, user, roles, phases, everyone's stored first days counted twice (people at work
    # by team and state; people trained by phase and day), teams, settings, organisations, the
    # cases worked with the model, summed by phase, team and role group, and the organisations
    # again for the filter's choices
    with django_assert_num_queries(11):
        response = client.get(reverse("rollout"), {"as_of": "2030-01-01"})
    assert response.context["summary"].trained_total == size * 3 // 4 + 0


# Roster -----------------------------------------------------------------------------------------
