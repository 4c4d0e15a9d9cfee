from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from training.csv_files import CSVFileError, decode_upload
from training.imports import ImportResult


class CSVImportCommand(BaseCommand):
    """Shared shape of the import commands: a file, --dry-run, every bad line on stderr."""

    noun = "rows"

    def run_import(self, *, text: str, dry_run: bool) -> ImportResult:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file, with a header row.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing."
        )

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            text = decode_upload(file.read_bytes())
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except CSVFileError as error:
            raise CommandError(str(error)) from error
        result = self.run_import(text=text, dry_run=dry_run)
        if result.errors:
            for error in result.errors:
                self.stderr.write(f"{file}: {error}")
            raise CommandError(f"Nothing imported: {len(result.errors)} problem(s) in {file}.")
        for line in result.summary(self.noun):
            self.stdout.write(line)
