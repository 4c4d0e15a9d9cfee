from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.roles import Role, roles_of
from tests.factories import make_person
from training.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from training.models import CourseAttendance, Person, PersonStatus

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_demo_reproduces_the_published_2016_roll_out():
    run("seed_demo")

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


def test_the_demo_has_the_teams_the_report_lists_and_a_pilot_practitioner_on_leave():
    run("seed_demo")

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


def test_seeding_the_demo_twice_changes_nothing():
    run("seed_demo")
    before = (Person.objects.count(), CourseAttendance.objects.count(), User.objects.count())

    output = run("seed_demo")

    assert "0 people created, 0 updated, 270 unchanged." in output
    assert (
        Person.objects.count(),
        CourseAttendance.objects.count(),
        User.objects.count(),
    ) == before


def test_the_demo_has_one_sign_in_per_role():
    output = run("seed_demo")

    for email, *_ in DEMO_ACCOUNTS:
        assert email in output
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)
    holders = {role: [] for role in Role}
    for email, *_ in DEMO_ACCOUNTS:
        for role in roles_of(User.objects.get(email=email)):
            holders[role].append(email)
    assert all(holders.values()), holders


def test_rollout_report_csv_and_table_carry_the_same_figures_as_json():
    run("seed_demo")
    as_of = ("--as-of", "2016-12-31")

    rows = list(csv.reader(io.StringIO(run("rollout_report", *as_of, "--format", "csv"))))
    table = run("rollout_report", *as_of)

    assert ["phases", "Implementation phase 2", "150", "168", "11", "17", "110", "12", "0"] in rows
    assert "168 trained" in table
    assert "Implementation phase 2      150         168" in table


def test_rollout_report_refuses_a_bad_date():
    with pytest.raises(CommandError, match="--as-of must be a date as YYYY-MM-DD"):
        run("rollout_report", "--as-of", "31/12/2016")


def test_import_roster_command_imports_a_good_file(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("email,full_name,team,role_group\na@x.example,A,T,partner\n")

    assert "1 people created" in run("import_roster", str(path))
    assert Person.objects.filter(email="a@x.example").exists()


def test_import_roster_command_fails_and_prints_every_bad_line(tmp_path, capsys):
    make_person(email="keep@x.example")
    path = tmp_path / "roster.csv"
    path.write_text("email,full_name,team,role_group\nbad,A,T,partner\nb@x.example,B,T,wizard\n")
    errors = io.StringIO()

    with pytest.raises(CommandError, match="Nothing imported: 2 problem"):
        call_command("import_roster", str(path), stdout=io.StringIO(), stderr=errors)

    assert "line 2: 'bad' is not a valid email address" in errors.getvalue()
    assert "line 3: role_group 'wizard'" in errors.getvalue()
    assert list(Person.objects.values_list("email", flat=True)) == ["keep@x.example"]


def test_import_training_command_dry_run_saves_nothing(tmp_path):
    make_person(email="a@x.example")
    path = tmp_path / "training.csv"
    path.write_text("email,phase,cohort,day,date,attended\na@x.example,P,C,1,01/03/2016,yes\n")

    output = run("import_training", str(path), "--dry-run")

    assert "Dry run, nothing saved: would have 1 attendance records created" in output
    assert not CourseAttendance.objects.exists()


def test_an_import_command_reports_a_missing_file():
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_roster", "/nonexistent/roster.csv")
