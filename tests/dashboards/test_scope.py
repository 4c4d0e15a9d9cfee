"""The dashboard's trained figure and the roll-out's reconcile, on the demo organisation: the
dashboard names its scope, and the people trained but out of it are counted by reason. The
expected figures are read from the two commands, never written here, so the demo may change."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from training.models import Team

pytestmark = pytest.mark.django_db


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command(*args, "--format", "json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def dates() -> list[datetime.date]:
    return [datetime.date(2016, 12, 31), timezone.localdate()]


@pytest.mark.parametrize("role_group", ["all", "practitioner", "senior_manager"])
def test_trained_and_trained_not_in_scope_add_up_to_the_roll_outs_trained(demo, role_group):
    for as_of in dates():
        rollout = run("rollout_report", "--as-of", as_of.isoformat())
        report = run("fidelity_report", "--as-of", as_of.isoformat(), "--role-group", role_group)

        total = report["total"]
        assert total["trained"] + total["trained_not_in_scope"] == rollout["trained_total"]
        assert report["scope"]["trained_by_date"] == rollout["trained_total"]
        assert sum(report["scope"]["not_in_scope"].values()) == total["trained_not_in_scope"]
        assert total["trained"] > 0, as_of


def test_every_filter_reconciles_and_names_its_reasons(demo):
    team = Team.objects.order_by("name").first()
    as_of = "2016-12-31"
    rollout = run("rollout_report", "--as-of", as_of)
    everyone = run("fidelity_report", "--as-of", as_of, "--role-group", "all")
    practitioners = run("fidelity_report", "--as-of", as_of)
    one_team = run("fidelity_report", "--as-of", as_of, "--team", team.name)

    for report in (everyone, practitioners, one_team):
        assert (
            report["total"]["trained"] + report["total"]["trained_not_in_scope"]
            == rollout["trained_total"]
        )
    # Practitioners are fewer than everyone by the trained people of the other role groups.
    others = sum(
        group["trained_active"]
        for key, group in rollout["role_groups"].items()
        if key != "practitioner"
    )
    assert practitioners["scope"]["not_in_scope"]["role_group"] == others
    assert "role_group" not in everyone["scope"]["not_in_scope"]
    assert one_team["scope"]["not_in_scope"]["team"] > 0
    # The demo has trained people who left or went on extended leave: counted as such.
    assert everyone["scope"]["not_in_scope"].get("extended_leave", 0) > 0


def test_an_unknown_team_is_refused_by_name(demo):
    with pytest.raises(Exception, match="No team is named 'Nowhere'"):
        run("fidelity_report", "--team", "Nowhere")


def test_the_dashboard_names_its_scope_and_says_why_it_differs_from_the_roll_out(demo, client):
    client.force_login(User.objects.get(email="programme.lead@council.example"))
    as_of = "2016-12-31"
    report = run("fidelity_report", "--as-of", as_of)
    rollout = run("rollout_report", "--as-of", as_of)

    page = client.get(reverse("fidelity"), {"as_of": as_of}).content.decode()

    total = report["total"]
    assert f"Practitioners: {total['trained']} of {total['in_scope']} trained" in page
    assert (
        f"{rollout['trained_total']} trained by this date, as the Roll-out page counts them; "
        f"{total['trained_not_in_scope']} of them not in scope: " in page
    )
    assert "Practitioners unless you choose another" in page
    assert f"{report['scope']['not_in_scope']['role_group']} in another role group" in page


def test_an_organisation_narrows_both_pages_alike(demo):
    """The roll-out filters by organisation too, so the organisation narrows who is counted on
    both sides rather than being a reason; without that the partner's figures would count the
    council's trained people as out of scope."""
    for organisation in ("County Probation Service", "County Health Trust"):
        for as_of in dates():
            rollout = run(
                "rollout_report", "--as-of", as_of.isoformat(), "--organisation", organisation
            )
            report = run(
                "fidelity_report",
                "--as-of",
                as_of.isoformat(),
                "--role-group",
                "all",
                "--organisation",
                organisation,
            )
            total = report["total"]
            assert total["trained"] + total["trained_not_in_scope"] == rollout["trained_total"]
            assert rollout["trained_total"] > 0, (organisation, as_of)
