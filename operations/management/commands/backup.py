from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operations.backups import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database, while the site runs, to FILE: an SQLite "
        "database file, or a pg_dump custom-format archive for PostgreSQL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default="default", help="Database alias (default).")

    def handle(self, *args: Any, file: Path, database: str, **options: Any) -> None:
        try:
            database_backup(destination=file, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up to {file} ({file.stat().st_size:,} bytes).")
