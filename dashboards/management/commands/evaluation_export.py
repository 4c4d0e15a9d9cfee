from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dashboards.evaluation import evaluation_export


class Command(BaseCommand):
    help = (
        "Write the pseudonymised evaluation dataset (a ZIP of CSV files, its identifiers new in "
        "every export) to FILE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        content, _ = evaluation_export()
        file.write_bytes(content)
        self.stdout.write(f"Wrote {file} ({len(content)} bytes).")
