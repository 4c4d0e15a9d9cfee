"""The roll-out page, its downloads and rollout_report, narrowed to and grouped by employing
organisation: the council beside each partner agency."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from caseload.models import MonthlyCaseload
from tests.factories import attend, make_cohort, make_person, make_team
from training.models import Organisation, OrganisationKind, council_id
from training.selectors import rollout_summary

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2016, 12, 31)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def workforce(cast) -> Organisation:
    """Beside the cast (all council staff), a probation service of three: two trained."""
    probation = Organisation.objects.create(name="Probation", kind=OrganisationKind.PARTNER)
    team = make_team("Youth justice")
    cohort = make_cohort(day1=datetime.date(2016, 10, 3), day2=datetime.date(2016, 10, 10))
    officers = [make_person(team=team, organisation=probation) for _ in range(3)]
    for officer in officers[:2]:
        attend(officer, cohort)
    council_worker = make_person(team=team)
    attend(council_worker, cohort)
    MonthlyCaseload.objects.create(
        person=officers[0], month=datetime.date(2016, 12, 1), caseload=10, cases_with_model=4
    )
    MonthlyCaseload.objects.create(
        person=council_worker, month=datetime.date(2016, 12, 1), caseload=20, cases_with_model=5
    )
    return probation


def test_the_summary_counts_each_organisation_and_narrows_to_one(workforce):
    everyone = rollout_summary(as_of=AS_OF)
    probation = rollout_summary(as_of=AS_OF, organisation=workforce.pk)

    rows = {row.label: row for row in everyone.organisations}
    assert (rows["Probation"].active_staff, rows["Probation"].trained_active) == (3, 2)
    assert rows["Probation"].kind == "Partner agency"
    council = Organisation.objects.get(pk=council_id()).name
    assert rows[council].trained_active == 1
    assert everyone.trained_total == 3
    assert probation.trained_total == 2
    assert sum(team.active_staff for team in probation.teams) == 3


def test_the_page_filters_by_organisation_and_its_cases_follow(cast, as_user, workforce):
    client = as_user(cast.programme_lead)

    response = client.get(reverse("rollout"), {"as_of": AS_OF, "organisation": workforce.pk})

    summary = response.context["summary"]
    assert (summary.trained_total, summary.cases_with_model, summary.caseload) == (2, 4, 10)
    html = response.content.decode()
    assert "By organisation (active staff)" in html
    assert f'<option value="{workforce.pk}" selected>Probation</option>' in html


def test_an_unknown_organisation_is_named_and_ignored_but_the_date_is_kept(
    cast, as_user, workforce
):
    response = as_user(cast.programme_lead).get(
        reverse("rollout"), {"as_of": AS_OF, "organisation": "999999"}
    )

    assert response.status_code == 200
    assert response.context["summary"].as_of == AS_OF
    assert response.context["summary"].trained_total == 3
    assert "Organisation: Select a valid choice" in response.content.decode()


def test_the_organisation_table_downloads_as_csv(cast, as_user, workforce):
    response = as_user(cast.programme_lead).get(
        reverse("rollout"), {"as_of": AS_OF, "table": "organisations", "_export": "csv"}
    )

    rows = {
        row["Organisation"]: row
        for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    }
    assert (rows["Probation"]["Active staff"], rows["Probation"]["Trained (active)"]) == ("3", "2")


def test_the_htmx_branch_keeps_the_filter(cast, as_user, workforce):
    response = as_user(cast.programme_lead).get(
        reverse("rollout"), {"as_of": AS_OF, "organisation": workforce.pk}, **HTMX
    )

    html = response.content.decode().lstrip()
    assert html.startswith('<div id="figures"')
    assert response.context["summary"].trained_total == 2


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_rollout_report_groups_by_and_narrows_to_an_organisation(workforce):
    everyone = json.loads(run("rollout_report", "--as-of", str(AS_OF), "--format", "json"))
    probation = json.loads(
        run(
            "rollout_report",
            "--as-of",
            str(AS_OF),
            "--format",
            "json",
            "--organisation",
            "PROBATION",
        )
    )
    rows = list(
        csv.reader(io.StringIO(run("rollout_report", "--as-of", str(AS_OF), "--format", "csv")))
    )

    assert {
        "name": "Probation",
        "kind": "Partner agency",
        "active_staff": 3,
        "trained_active": 2,
        "share_trained": 0.6667,
    } in everyone["organisations"]
    assert (probation["trained_total"], probation["cases_with_model"]) == (2, 4)
    assert ["organisations", "Probation", "Partner agency", "3", "2", "0.6667"] in rows


def test_rollout_report_refuses_an_unknown_organisation():
    with pytest.raises(CommandError, match="No organisation is called 'Nobody'"):
        run("rollout_report", "--organisation", "Nobody")
