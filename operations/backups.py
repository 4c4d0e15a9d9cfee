"""Backups of the whole database: SQLite through its online backup API, PostgreSQL through
pg_dump and pg_restore in their custom format.

A backup is written beside its destination under a temporary name and renamed when complete, so a
file with the destination's name is always a whole backup.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from typing import Any

from django.db import connections


class BackupError(Exception):
    """A backup or restore could not be done; the message says why, for the command line."""


def database_backup(*, destination: Path, alias: str = "default") -> None:
    """Write a consistent copy of the database (which may be in use) to `destination`."""
    if not destination.parent.is_dir():
        raise BackupError(f"There is no folder {destination.parent} to write the backup in.")
    connection = connections[alias]
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        if connection.vendor == "sqlite":
            _sqlite_backup(Path(connection.settings_dict["NAME"]), partial)
        elif connection.vendor == "postgresql":
            _run(["pg_dump", "--format=custom", f"--file={partial}"], connection.settings_dict)
        else:
            raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)


def database_restore(*, source: Path, alias: str = "default") -> None:
    """Replace everything in the database with the backup in `source`."""
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    connection = connections[alias]
    # Nothing of this process may hold the database while it is replaced.
    connection.close()
    if connection.vendor == "sqlite":
        _sqlite_restore(source, Path(connection.settings_dict["NAME"]))
    elif connection.vendor == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={connection.settings_dict['NAME']}",
                str(source),
            ],
            connection.settings_dict,
        )
    else:
        raise BackupError(f"Restoring {connection.vendor} databases is not supported.")


def _sqlite_connect(path: Path, mode: str) -> sqlite3.Connection:
    # A URI with a mode, so that a wrong path is an error rather than a new, empty database.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=20)


def _sqlite_backup(database: Path, destination: Path) -> None:
    if not database.is_file():
        raise BackupError(f"There is no database at {database}.")
    with (
        closing(_sqlite_connect(database, "ro")) as live,
        closing(sqlite3.connect(destination)) as copy,
    ):
        live.backup(copy)
    _sqlite_check(destination)


def _sqlite_restore(source: Path, database: Path) -> None:
    _sqlite_check(source)
    with (
        closing(_sqlite_connect(source, "ro")) as backup,
        closing(_sqlite_connect(database, "rwc")) as live,
    ):
        backup.backup(live)


def _sqlite_check(path: Path) -> None:
    """Refuse a file that is not a sound SQLite database of this site."""
    try:
        with closing(_sqlite_connect(path, "ro")) as database:
            (result,) = database.execute("PRAGMA quick_check").fetchone()
            has_migrations = database.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error}).") from error
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")
    if not has_migrations:
        raise BackupError(f"{path} is not a backup of this site's database.")


def _run(command: list[str], settings_dict: dict[str, Any]) -> None:
    """Run a PostgreSQL client with the site's connection settings in its environment.

    The password goes in the environment, never on the command line where `ps` would show it.
    """
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        )
    environment = dict(os.environ)
    for variable, value in (
        ("PGHOST", settings_dict.get("HOST")),
        ("PGPORT", settings_dict.get("PORT")),
        ("PGUSER", settings_dict.get("USER")),
        ("PGPASSWORD", settings_dict.get("PASSWORD")),
        ("PGDATABASE", settings_dict.get("NAME")),
        ("PGSSLMODE", (settings_dict.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            environment[variable] = str(value)
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
