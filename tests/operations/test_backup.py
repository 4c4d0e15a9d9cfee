"""backup and restore: a consistent copy of the live database, and back again."""

from __future__ import annotations

import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import attend, make_cohort, make_person, make_team
from training.models import CourseAttendance, Person, Team

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="an SQLite database")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql" or shutil.which("pg_dump") is None,
    reason="a PostgreSQL database and its client programs",
)


def snapshot() -> dict[str, object]:
    return {
        "people": Person.objects.count(),
        "teams": Team.objects.count(),
        "attendance": CourseAttendance.objects.count(),
        "sample": list(
            Person.objects.order_by("email").values_list("email", "full_name", "team__name")[:5]
        ),
    }


def build_data() -> None:
    team = make_team("Stroud District")
    cohort = make_cohort()
    for _ in range(5):
        attend(make_person(team=team, with_account=True), cohort)


def round_trip(tmp_path) -> None:
    build_data()
    before = snapshot()
    backup = tmp_path / "rollout.backup"

    call_command("backup", str(backup))
    Person.objects.filter(email__in=[row[0] for row in before["sample"][:2]]).delete()
    make_person(team=make_team("Added after the backup"))
    assert snapshot() != before
    call_command("restore", str(backup), yes=True)

    assert snapshot() == before


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_the_database_as_it_was_on_sqlite(tmp_path):
    round_trip(tmp_path)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_the_database_as_it_was_on_postgresql(tmp_path):
    round_trip(tmp_path)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_to_overwrite_without_yes_and_changes_nothing(tmp_path):
    build_data()
    backup = tmp_path / "rollout.backup"
    call_command("backup", str(backup))
    make_person()
    before = snapshot()

    with pytest.raises(CommandError, match="run again with --yes"):
        call_command("restore", str(backup))

    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    build_data()
    before = snapshot()
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("not a database")

    with pytest.raises(CommandError):
        call_command("restore", str(not_a_backup), yes=True)

    assert snapshot() == before


@pytest.mark.django_db
def test_a_backup_needs_a_folder_to_go_in(tmp_path):
    with pytest.raises(CommandError, match="There is no folder"):
        call_command("backup", str(tmp_path / "missing" / "rollout.backup"))


@pytest.mark.django_db
def test_restore_says_when_there_is_no_backup(tmp_path):
    with pytest.raises(CommandError, match="There is no backup"):
        call_command("restore", str(tmp_path / "missing.backup"), yes=True)
