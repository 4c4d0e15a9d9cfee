from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.roles import Permission, can
from training.csv_files import CSVFileError, ImportFile
from training.imports import IMPORTERS, ImportResult, acting_as


class CSVImportCommand(BaseCommand):
    """Shared shape of the import commands: a file, --dry-run, --by, every bad line on stderr."""

    kind = ""  # a key of training.imports.IMPORTERS

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help="The CSV file or Excel workbook (.xlsx), with a header row."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing."
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="The administrator importing, recorded as the author of every change in the "
            "audit trail (needed unless --dry-run).",
        )

    def importer(self) -> tuple[Callable[..., ImportResult], str]:
        """The import to run and the noun its summary counts."""
        return IMPORTERS[self.kind]

    def handle(self, *args: Any, file: Path, dry_run: bool, by: str | None, **options: Any) -> None:
        run_import, noun = self.importer()
        try:
            source = ImportFile(name=file.name, data=file.read_bytes()).source()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except CSVFileError as error:
            raise CommandError(str(error)) from error
        author = None if dry_run and not by else self._author(by)
        with acting_as(author):
            result = run_import(**source, dry_run=dry_run)
        if result.errors:
            for problem in result.errors:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"Nothing imported: {len(result.errors)} problem(s) in {file}.")
        for line in result.summary(noun):
            self.stdout.write(line)

    @staticmethod
    def _author(email: str | None) -> User:
        if not email:
            raise CommandError("Say who is importing with --by EMAIL: the audit trail records it.")
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None or not can(user, Permission.IMPORT_ROSTER):
            raise CommandError(f"--by {email}: not an active administrator's account.")
        return user
