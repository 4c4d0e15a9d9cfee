from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_person
from training.models import CourseAttendance, Person

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_rollout_report_refuses_a_bad_date():
    with pytest.raises(CommandError, match="--as-of must be a date as YYYY-MM-DD"):
        run("rollout_report", "--as-of", "31/12/2016")


@pytest.mark.parametrize("command", ["rollout_report", "fidelity_report"])
@pytest.mark.parametrize("as_of", ["9999-12-31", "1999-12-31"])
def test_the_report_commands_refuse_a_date_outside_the_span(command, as_of):
    with pytest.raises(CommandError, match="--as-of: Enter a date between 1 January 2000 and"):
        run(command, "--as-of", as_of)


def test_import_roster_command_imports_a_good_file_in_the_name_of_its_administrator(tmp_path, cast):
    path = tmp_path / "roster.csv"
    path.write_text("email,full_name,team,role_group\na@x.example,A,T,partner\n")

    output = run("import_roster", str(path), "--by", cast.administrator.email.upper())

    assert "1 people created" in output
    person = Person.objects.get(email="a@x.example")
    assert set(person.history.values_list("history_user", flat=True)) == {
        cast.administrator.user_id
    }


@pytest.mark.parametrize("by", [None, "nobody@x.example", "practitioner"])
def test_a_real_import_needs_an_administrator_named_with_by(tmp_path, cast, by):
    path = tmp_path / "roster.csv"
    path.write_text("email,full_name,team,role_group\na@x.example,A,T,partner\n")
    by_option = (
        [] if by is None else ["--by", getattr(cast, by).email if by == "practitioner" else by]
    )

    with pytest.raises(CommandError, match="--by"):
        run("import_roster", str(path), *by_option)

    assert not Person.objects.filter(email="a@x.example").exists()


def test_import_roster_command_fails_and_prints_every_bad_line(tmp_path, capsys):
    make_person(email="keep@x.example")
    path = tmp_path / "roster.csv"
    path.write_text("email,full_name,team,role_group\nbad,A,T,partner\nb@x.example,B,T,wizard\n")
    errors = io.StringIO()

    with pytest.raises(CommandError, match="Nothing imported: 2 problem"):
        call_command("import_roster", str(path), "--dry-run", stdout=io.StringIO(), stderr=errors)

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
