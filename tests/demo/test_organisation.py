"""The demo organisation (loaded once, see conftest.py): the published figures and sign-ins."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.roles import Role, roles_of
from demo.organisation import DEMO_ACCOUNTS, DEMO_PASSWORD
from training.models import CourseAttendance, Organisation, OrganisationKind, Person, PersonStatus

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_demo_reproduces_the_published_2016_roll_out(demo):

    report = json.loads(run("rollout_report", "--as-of", "2016-12-31", "--format", "json"))

    phases = {phase["name"]: phase for phase in report["phases"]}
    zero = {"senior_manager": 0, "manager": 0, "practitioner": 0, "partner": 0, "admin": 0}
    assert (phases["Pilot"]["trained"], phases["Pilot"]["cumulative"]) == (2, 2)
    assert phases["Pilot"]["by_role_group"] == {**zero, "practitioner": 2}
    phase1 = phases["Implementation phase 1"]
    assert (phase1["trained"], phase1["cumulative"]) == (16, 18)
    assert phase1["by_role_group"] == {**zero, "manager": 5, "practitioner": 11}
    phase2 = phases["Implementation phase 2"]
    assert (phase2["trained"], phase2["cumulative"]) == (150, 168)
    assert phase2["by_role_group"] == {
        **zero,
        "senior_manager": 11,
        "manager": 17,
        "practitioner": 110,
        "partner": 12,
    }
    assert report["trained_total"] == 168
    assert [phase["name"] for phase in report["phases"]][:4] == [
        "Development",
        "Pilot",
        "Implementation phase 1",
        "Implementation phase 2",
    ]
    assert [team["name"] for team in report["teams"]] == sorted(
        team["name"] for team in report["teams"]
    )
    assert set(report["role_groups"]) == set(zero)


def test_the_demo_has_the_teams_the_report_lists_and_a_pilot_practitioner_on_leave(demo):

    pilot = Person.objects.filter(
        attendances__cohort__phase__name="Pilot", attendances__attended=True
    ).distinct()
    assert {person.team.name for person in pilot} == {"Gloucester Pod 7"}
    assert sorted(person.status for person in pilot) == [
        PersonStatus.ACTIVE,
        PersonStatus.EXTENDED_LEAVE,
    ]
    phase1_teams = set(
        Person.objects.filter(attendances__cohort__phase__name="Implementation phase 1")
        .values_list("team__name", flat=True)
        .distinct()
    )
    assert {
        "Health Team",
        "Cheltenham District",
        "Forest of Dean District",
        "CIC Wraparound",
        "Gloucester North",
        "Gloucester District Team",
        "Gloucester Pods",
        "Child Sexual Exploitation Team",
    } <= phase1_teams


def test_seeding_the_demo_twice_changes_nothing(demo):
    before = (Person.objects.count(), CourseAttendance.objects.count(), User.objects.count())

    output = run("seed_demo")

    assert "0 people created, 0 updated, 270 unchanged." in output
    assert (
        Person.objects.count(),
        CourseAttendance.objects.count(),
        User.objects.count(),
    ) == before


def test_the_demo_has_one_sign_in_per_role(demo):
    for account in DEMO_ACCOUNTS:
        assert account.email in demo
        assert User.objects.get(email=account.email).check_password(DEMO_PASSWORD)
    holders = {role: [] for role in Role}
    for account in DEMO_ACCOUNTS:
        for role in roles_of(User.objects.get(email=account.email)):
            holders[role].append(account.email)
    assert all(holders.values()), holders


def test_rollout_report_csv_and_table_carry_the_same_figures_as_json(demo):
    as_of = ("--as-of", "2016-12-31")

    rows = list(csv.reader(io.StringIO(run("rollout_report", *as_of, "--format", "csv"))))
    table = run("rollout_report", *as_of)

    # ... and the phase's cases worked with the model, of its caseload (demo.caseload)
    assert [
        "phases",
        "Implementation phase 2",
        *["150", "168", "11", "17", "110", "12", "0"],
        *["240", "1495"],
    ] in rows
    assert "168 trained" in table
    assert "Implementation phase 2      150         168" in table


def test_the_demo_has_2_1_records_and_development_goals_for_its_sign_ins(demo, client):
    from django.urls import reverse
    from django.utils import timezone

    from competencies.models import DevelopmentGoal
    from competencies.selectors import goal_progress
    from demo.competencies import load_goals
    from demo.supervision import load_records
    from supervision.models import AgreedAction, CaseDiscussed, SessionStatus
    from supervision.selectors import session_record

    practitioner = Person.objects.get(email="practitioner@council.example")
    held = practitioner.supervision_sessions.filter(status=SessionStatus.HELD).latest("starts_at")
    coming = (
        practitioner.supervision_sessions.filter(starts_at__gt=timezone.now())
        .prefetch_related("practitioners")
        .earliest("starts_at")
    )
    goal = next(item for item in goal_progress(practitioner) if item.reviewed)
    before = (CaseDiscussed.objects.count(), AgreedAction.objects.count())

    assert session_record(coming, coming.supervisor).carried, "the next 2:1 opens with actions"
    assert AgreedAction.objects.filter(closed_at__isnull=False).exclude(closing_note="").exists()
    assert load_records() == ["2:1 records already loaded."]
    assert load_goals() == ["Development goals already loaded."]
    assert (CaseDiscussed.objects.count(), AgreedAction.objects.count()) == before
    client.force_login(practitioner.user)
    pages = [
        reverse("session_record", args=[held.pk]),
        reverse("review_goals", args=[goal.goal.review_id]),
        reverse("my_progress"),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
    assert goal.goal.description in client.get(reverse("my_progress")).content.decode()
    assert DevelopmentGoal.objects.count() > 100


def test_the_demo_partners_work_for_partner_agencies_some_supervised_outside_the_council(demo):
    partners = Person.objects.filter(role_group="partner")
    agencies = Organisation.objects.filter(kind=OrganisationKind.PARTNER)

    assert partners.count() >= 12
    assert not partners.filter(organisation__kind=OrganisationKind.COUNCIL).exists()
    assert (
        not Person.objects.exclude(role_group="partner")
        .filter(organisation__kind=OrganisationKind.PARTNER)
        .exists()
    )
    assert agencies.count() == 4
    assert agencies.filter(embedded_needs_council_21=False).exists()
    assert agencies.filter(embedded_needs_council_21=True).exists()
    assert "Demo partner agency: County Probation Service" in demo
