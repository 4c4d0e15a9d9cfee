"""Backups of the whole database: SQLite through its online backup API, PostgreSQL through
pg_dump and pg_restore in their custom format.

A backup is written beside its destination under a temporary name and renamed when complete, so a
file with the destination's name is always a whole backup. On SQLite it is one self-contained
file in SQLite's default journal mode, so neither making it nor reading it leaves `-wal` or `-shm`
files beside it.

A restore first checks that the file is a backup of this site (its `django_migrations` table
names migrations of this site's own apps, and none this code does not know), and changes nothing
if it is not. It then brings the database back to exactly the backup's state, tables added since
(by an upgrade's migrations, say) included: SQLite's backup API replaces every page of the
database; on PostgreSQL every table, view, sequence, function and type in the backup's schemas is
dropped and the backup restored in one transaction, so a restore that fails changes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader


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
    """Replace everything in the database with the backup in `source`, after checking that it
    is a backup of this site; raises BackupError, having changed nothing, when it cannot."""
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    connection = connections[alias]
    # Nothing of this process may hold the database while it is replaced.
    connection.close()
    if connection.vendor == "sqlite":
        _sqlite_restore(source, Path(connection.settings_dict["NAME"]))
    elif connection.vendor == "postgresql":
        _postgresql_restore(source, connection.settings_dict)
    else:
        raise BackupError(f"Restoring {connection.vendor} databases is not supported.")


def _check_migrations(source: Path, recorded: set[tuple[str, str]]) -> None:
    """Refuse a backup whose recorded migrations are not a state of this site's database.

    It must have migrations of this site's own apps (the project folder's), and no
    migration this code does not know: those come from another project's database, or from a
    newer version of this site, whose tables this code would not understand.
    """
    project = Path(settings.BASE_DIR).resolve()
    own_apps = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == project
    }
    if not {app for app, _ in recorded} & own_apps:
        raise BackupError(
            f"{source} is not a backup of this site: it holds none of this site's tables. "
            "Nothing has been changed."
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    if unknown := sorted(recorded - known):
        named = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise BackupError(
            f"{source} is not a backup of this site's database: it records migrations this "
            f"site does not have ({named}{more}). It is a backup of another database, or of a "
            "newer version of the site (upgrade the site first). Nothing has been changed."
        )


# SQLite ------------------------------------------------------------------------------------------


def _sqlite_connect(path: Path, mode: str, *, immutable: bool = False) -> sqlite3.Connection:
    """Open with a mode, so that a wrong path is an error rather than a new, empty database.

    `immutable` opens a backup for reading without the locks and shared-memory file of WAL
    mode, so that reading a backup made in WAL mode (by an earlier version) leaves no side files.
    """
    uri = f"{path.resolve().as_uri()}?mode={mode}" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True, timeout=20)


def _sqlite_backup(database: Path, destination: Path) -> None:
    if not database.is_file():
        raise BackupError(f"There is no database at {database}.")
    # Read-write, so that this connection, if it is the last to close, tidies the live
    # database's WAL files away as SQLite does; the backup API only reads it.
    with (
        closing(_sqlite_connect(database, "rw")) as live,
        closing(sqlite3.connect(destination)) as copy,
    ):
        live.backup(copy)
        # The copy has the live database's WAL mode; switching it back makes it one file that
        # opens without creating -wal and -shm files beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
    _sqlite_read(destination)


def _sqlite_restore(source: Path, database: Path) -> None:
    _check_migrations(source, _sqlite_read(source))
    with (
        closing(_sqlite_connect(source, "ro", immutable=True)) as backup,
        closing(_sqlite_connect(database, "rwc")) as live,
    ):
        backup.backup(live)


def _sqlite_read(path: Path) -> set[tuple[str, str]]:
    """Check that a file is a sound SQLite database; returns the migrations it records."""
    try:
        with closing(_sqlite_connect(path, "ro", immutable=True)) as database:
            (result,) = database.execute("PRAGMA quick_check").fetchone()
            has_migrations = database.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
            recorded = (
                set(database.execute("SELECT app, name FROM django_migrations").fetchall())
                if has_migrations
                else set()
            )
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error}).") from error
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")
    return recorded


# PostgreSQL --------------------------------------------------------------------------------------

# A line of `pg_restore --list`: "231; 1259 17534 TABLE public training_person rollout".
TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(?P<schema>\S+) (?P<name>\S+) ", re.MULTILINE)
TOC_MIGRATIONS = re.compile(r"^\d+; \d+ \d+ TABLE DATA (\S+) django_migrations ", re.MULTILINE)

# Run before the backup's own script, in the same transaction: drops everything in the backup's
# schemas (except what belongs to an extension), so that tables an upgrade added since, which the
# backup's script knows nothing of, cannot block or outlive the restore.
EMPTY_SCHEMAS = """
DO $empty$
DECLARE
    statement text;
BEGIN
    FOR statement IN
        SELECT format(
            'DROP %s IF EXISTS %I.%I CASCADE',
            CASE c.relkind
                WHEN 'v' THEN 'VIEW'
                WHEN 'm' THEN 'MATERIALIZED VIEW'
                WHEN 'S' THEN 'SEQUENCE'
                WHEN 'f' THEN 'FOREIGN TABLE'
                ELSE 'TABLE'
            END,
            n.nspname,
            c.relname
        )
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY (__SCHEMAS__)
            AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
            AND NOT c.relispartition
            AND NOT EXISTS (
                SELECT FROM pg_depend d
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
            )
        ORDER BY c.relkind = 'S', c.relname
    LOOP
        EXECUTE statement;
    END LOOP;
    FOR statement IN
        SELECT format('DROP ROUTINE IF EXISTS %s CASCADE', p.oid::regprocedure)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = ANY (__SCHEMAS__)
            AND NOT EXISTS (
                SELECT FROM pg_depend d
                WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
            )
    LOOP
        EXECUTE statement;
    END LOOP;
    FOR statement IN
        SELECT format('DROP TYPE IF EXISTS %s CASCADE', t.oid::regtype)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = ANY (__SCHEMAS__)
            AND t.typtype IN ('c', 'd', 'e', 'r')
            AND NOT EXISTS (
                SELECT FROM pg_depend d
                WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
            )
    LOOP
        EXECUTE statement;
    END LOOP;
END
$empty$;
"""


def _postgresql_restore(source: Path, settings_dict: dict[str, Any]) -> None:
    try:
        contents = _run(["pg_restore", "--list", str(source)], settings_dict)
    except BackupError as error:
        raise BackupError(
            f"{source} is not a backup made by the backup command on PostgreSQL ({error}). "
            "Nothing has been changed."
        ) from error
    schemas = sorted({match["schema"] for match in TOC_TABLE.finditer(contents)})
    if not TOC_MIGRATIONS.search(contents):
        raise BackupError(
            f"{source} is not a backup of this site: it has no django_migrations table. "
            "Nothing has been changed."
        )
    migrations_data = _run(
        ["pg_restore", "--data-only", "--table=django_migrations", "--file=-", str(source)],
        settings_dict,
    )
    _check_migrations(source, _copied_migrations(migrations_data))
    _restore_in_one_transaction(source, settings_dict, schemas)


def _copied_migrations(script: str) -> set[tuple[str, str]]:
    """The (app, name) rows of django_migrations in pg_restore's COPY text of that table."""
    lines = iter(script.splitlines())
    for line in lines:
        if line.startswith("COPY ") and ".django_migrations (" in line:
            columns = [name.strip() for name in line.split("(", 1)[1].split(")", 1)[0].split(",")]
            break
    else:
        return set()
    app, name = columns.index("app"), columns.index("name")
    recorded = set()
    for line in lines:
        if line == "\\.":
            break
        fields = line.split("\t")
        recorded.add((fields[app], fields[name]))
    return recorded


def _restore_in_one_transaction(
    source: Path, settings_dict: dict[str, Any], schemas: list[str]
) -> None:
    """Empty the backup's schemas and run the backup's script, in one psql transaction.

    pg_restore writes the script and psql runs it as it comes. The transaction is committed only
    once pg_restore has written all of it; if either fails, psql ends without committing and
    PostgreSQL rolls everything back.
    """
    for program in ("pg_restore", "psql"):
        _require(program)
    environment = _environment(settings_dict)
    schema_list = "ARRAY[{}]::text[]".format(
        ", ".join("'" + schema.replace("'", "''") + "'" for schema in schemas)
    )
    with (
        tempfile.TemporaryFile() as restore_errors,
        tempfile.TemporaryFile() as psql_errors,
    ):
        psql = subprocess.Popen(
            [
                "psql",
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                f"--dbname={settings_dict['NAME']}",
            ],
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
        )
        restore = subprocess.Popen(
            ["pg_restore", "--no-owner", "--no-privileges", "--file=-", str(source)],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=restore_errors,
        )
        assert psql.stdin is not None and restore.stdout is not None
        try:
            psql.stdin.write(b"BEGIN;\n")
            psql.stdin.write(EMPTY_SCHEMAS.replace("__SCHEMAS__", schema_list).encode())
            shutil.copyfileobj(restore.stdout, psql.stdin)
            if restore.wait() == 0:
                psql.stdin.write(b"\nCOMMIT;\n")
            psql.stdin.close()
        except BrokenPipeError:
            # psql stopped at an error, which it reports below.
            restore.kill()
        restore.wait()
        psql.wait()
        if psql.returncode != 0:
            raise BackupError(f"Restoring failed, nothing was changed: {_read(psql_errors)}")
        if restore.returncode != 0:
            raise BackupError(f"Restoring failed, nothing was changed: {_read(restore_errors)}")


def _read(stream: IO[bytes]) -> str:
    stream.seek(0)
    return stream.read().decode(errors="replace").strip()


def _require(program: str) -> None:
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} is not installed (Debian: apt-get install postgresql-client)."
        )


def _environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The site's connection settings for a PostgreSQL client program.

    The password goes in the environment, never on the command line where `ps` would show it.
    """
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
    return environment


def _run(command: list[str], settings_dict: dict[str, Any]) -> str:
    """Run a PostgreSQL client with the site's connection settings; returns its output."""
    _require(command[0])
    result = subprocess.run(
        command,
        env=_environment(settings_dict),
        capture_output=True,
        encoding="utf-8",
        errors="replace",
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
    return result.stdout
