from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from operations.backups import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Replace everything in the database with a backup made by the backup command, so that "
        "the database is exactly as it was then (tables added since included). Refuses unless "
        "--yes is given, and refuses, changing nothing, a file that is not a backup of this site."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Yes, replace every record in the database with the backup.",
        )
        parser.add_argument("--database", default="default", help="Database alias (default).")

    def handle(self, *args: Any, file: Path, yes: bool, database: str, **options: Any) -> None:
        name = connections[database].settings_dict["NAME"]
        if not yes:
            raise CommandError(
                f"Restoring replaces every record in the database {name} with the backup in "
                f"{file}. Nothing has been changed; run again with --yes to go ahead."
            )
        try:
            database_restore(source=file, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {name} from {file}.")
