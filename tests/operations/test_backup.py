"""backup and restore: a consistent copy of the live database, and back again."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from typing import Any

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


def snapshot() -> dict[str, Any]:
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


# Backups and restores on SQLite leave nothing beside the backup.


@pytest.fixture
def live_database_in_wal_mode():
    """The test database in WAL mode, as the site runs it (the tests otherwise keep SQLite's
    default journal, see tests/settings.py)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
    yield Path(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=DELETE")


def journal_mode(path: Path) -> str:
    """From the file's header (bytes 18 and 19: 1 for a rollback journal, 2 for WAL)."""
    header = path.read_bytes()[:20]
    assert header.startswith(b"SQLite format 3\x00")
    return {(1, 1): "delete", (2, 2): "wal"}[(header[18], header[19])]


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_backup_is_one_file_and_backing_up_and_restoring_leave_nothing_beside_it(
    tmp_path, live_database_in_wal_mode
):
    build_data()
    before = snapshot()
    folder = tmp_path / "backups"
    folder.mkdir()
    backup = folder / "rollout-2026-01-05.backup"

    call_command("backup", str(backup))

    assert sorted(path.name for path in folder.iterdir()) == [backup.name]
    assert journal_mode(backup) == "delete"
    make_person()
    call_command("restore", str(backup), yes=True)
    assert sorted(path.name for path in folder.iterdir()) == [backup.name]
    assert snapshot() == before


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_restoring_a_backup_made_in_wal_mode_leaves_nothing_beside_it(
    tmp_path, live_database_in_wal_mode
):
    """Backups made by earlier versions kept the live database's WAL mode."""
    build_data()
    before = snapshot()
    backup = tmp_path / "rollout.backup"
    with (
        closing(sqlite3.connect(live_database_in_wal_mode)) as live,
        closing(sqlite3.connect(backup)) as copy,
    ):
        live.backup(copy)
    assert journal_mode(backup) == "wal"
    make_person()

    call_command("restore", str(backup), yes=True)

    assert sorted(path.name for path in tmp_path.iterdir()) == [backup.name]
    assert snapshot() == before


# Restore refuses what is not a backup of this site, and changes nothing.


def migrations_table(database: sqlite3.Connection, rows: list[tuple[str, str]]) -> None:
    database.execute(
        "CREATE TABLE django_migrations (id integer PRIMARY KEY, app varchar(255) NOT NULL, "
        "name varchar(255) NOT NULL, applied datetime NOT NULL)"
    )
    database.executemany(
        "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2026-01-05')", rows
    )


ANOTHER_PROJECT = [
    ("contenttypes", "0001_initial"),
    ("auth", "0001_initial"),
    ("shop", "0001_initial"),
]


@on_sqlite
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "rows, message",
    [
        ([("contenttypes", "0001_initial")], "holds none of this site's tables"),
        (ANOTHER_PROJECT + [("training", "0001_initial")], "shop.0001_initial"),
    ],
    ids=["no tables of this site", "another project"],
)
def test_restore_refuses_another_databases_backup_on_sqlite(tmp_path, rows, message):
    build_data()
    before = snapshot()
    other = tmp_path / "other.backup"
    with closing(sqlite3.connect(other)) as database:
        migrations_table(database, rows)
        database.execute("CREATE TABLE shop_order (id integer PRIMARY KEY)")
        database.commit()

    with pytest.raises(CommandError, match="not a backup of this site") as refused:
        call_command("restore", str(other), yes=True)

    assert message in str(refused.value) and "Nothing has been changed" in str(refused.value)
    assert snapshot() == before


def client_environment() -> dict[str, str]:
    settings = connection.settings_dict
    environment = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if settings.get(key):
            environment[variable] = str(settings[key])
    return environment


def psql(database: str, sql: str) -> None:
    subprocess.run(
        ["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={database}"],
        input=sql,
        env=client_environment(),
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def another_postgresql_database(tmp_path):
    """Dumps made with pg_dump of another database on the same server."""
    name = f"{connection.settings_dict['NAME']}_other"
    psql("postgres", f'DROP DATABASE IF EXISTS "{name}"; CREATE DATABASE "{name}";')

    def dump(sql: str) -> Path:
        psql(name, sql)
        path = tmp_path / "other.backup"
        subprocess.run(
            ["pg_dump", "--format=custom", f"--file={path}", f"--dbname={name}"],
            env=client_environment(),
            check=True,
            capture_output=True,
        )
        return path

    yield dump
    psql("postgres", f'DROP DATABASE IF EXISTS "{name}";')


MIGRATIONS_TABLE_SQL = (
    "CREATE TABLE django_migrations (id serial PRIMARY KEY, app varchar(255) NOT NULL, "
    "name varchar(255) NOT NULL, applied timestamptz NOT NULL);"
)


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "sql, message",
    [
        ("CREATE TABLE shop_order (id serial PRIMARY KEY);", "no django_migrations table"),
        (
            MIGRATIONS_TABLE_SQL
            + "INSERT INTO django_migrations (app, name, applied) VALUES "
            + ", ".join(f"('{app}', '{name}', now())" for app, name in ANOTHER_PROJECT)
            + ", ('training', '0001_initial', now());",
            "shop.0001_initial",
        ),
        (
            MIGRATIONS_TABLE_SQL
            + "INSERT INTO django_migrations (app, name, applied) VALUES "
            + "('contenttypes', '0001_initial', now());",
            "holds none of this site's tables",
        ),
    ],
    ids=["not a django database", "another project", "no tables of this site"],
)
def test_restore_refuses_another_databases_backup_on_postgresql(
    another_postgresql_database, sql, message
):
    build_data()
    before = snapshot()
    other = another_postgresql_database(sql)

    with pytest.raises(CommandError, match="not a backup of this site") as refused:
        call_command("restore", str(other), yes=True)

    assert message in str(refused.value) and "Nothing has been changed" in str(refused.value)
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_backup_from_a_newer_version_of_the_site(tmp_path):
    from django.db.migrations.recorder import MigrationRecorder

    build_data()
    newer = MigrationRecorder.Migration.objects.create(
        app="training", name="9999_from_a_newer_version"
    )
    backup = tmp_path / "newer.backup"
    try:
        call_command("backup", str(backup))
    finally:
        # django_migrations is not emptied between tests.
        newer.delete()
    before = snapshot()

    with pytest.raises(CommandError, match="training.9999_from_a_newer_version"):
        call_command("restore", str(backup), yes=True)

    assert snapshot() == before


# Rolling an upgrade back: the database is exactly as the backup was, new tables gone.


def migrations_recorded() -> list[tuple[str, str]]:
    from django.db.migrations.recorder import MigrationRecorder

    return sorted(MigrationRecorder.Migration.objects.values_list("app", "name"))


@pytest.fixture
def upgradable(tmp_path):
    """Takes the upgrade below away again after the test, whatever happened in it, by
    restoring a backup made before it (SQLite cannot drop a column that is a foreign key)."""
    clean = tmp_path / "clean.backup"
    call_command("backup", str(clean))
    yield
    if "note_id" in person_columns():
        call_command("restore", str(clean), yes=True)


def upgrade_with_a_new_table_and_foreign_keys() -> None:
    """What a migration of an upgrade might do: a new table pointing at people, a new column
    on people pointing at it, rows in both, and its record in django_migrations."""
    from django.db.migrations.recorder import MigrationRecorder

    person = Person.objects.order_by("pk").first()
    assert person is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE training_upgradenote (id integer PRIMARY KEY, "
            "person_id bigint NOT NULL REFERENCES training_person (id))"
        )
        cursor.execute(
            "INSERT INTO training_upgradenote (id, person_id) VALUES (1, %s)", [person.pk]
        )
        cursor.execute(
            "ALTER TABLE training_person ADD COLUMN note_id integer NULL "
            "REFERENCES training_upgradenote (id)"
        )
        cursor.execute("UPDATE training_person SET note_id = 1 WHERE id = %s", [person.pk])
    MigrationRecorder.Migration.objects.create(app="training", name="0099_upgradenote")


def person_columns() -> list[str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, "training_person")
    return sorted(column.name for column in description)


@pytest.mark.django_db(transaction=True)
def test_restoring_the_backup_made_before_an_upgrade_undoes_the_upgrades_tables(
    tmp_path, upgradable
):
    build_data()
    before = (snapshot(), migrations_recorded(), person_columns())
    backup = tmp_path / "before-upgrade.backup"
    call_command("backup", str(backup))
    upgrade_with_a_new_table_and_foreign_keys()
    make_person()
    assert "training_upgradenote" in connection.introspection.table_names()

    call_command("restore", str(backup), yes=True)

    assert "training_upgradenote" not in connection.introspection.table_names()
    assert (snapshot(), migrations_recorded(), person_columns()) == before


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_changes_nothing(tmp_path, upgradable):
    build_data()
    backup = tmp_path / "rollout.backup"
    call_command("backup", str(backup))
    upgrade_with_a_new_table_and_foreign_keys()
    make_person()
    before = (snapshot(), migrations_recorded(), person_columns())
    damaged = tmp_path / "damaged.backup"
    content = backup.read_bytes()
    damaged.write_bytes(content[: len(content) * 3 // 4])

    with pytest.raises(CommandError):
        call_command("restore", str(damaged), yes=True)

    assert "training_upgradenote" in connection.introspection.table_names()
    assert (snapshot(), migrations_recorded(), person_columns()) == before
