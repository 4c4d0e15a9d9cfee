from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operations.services import leavers_purge


class Command(BaseCommand):
    help = (
        "Delete people who left more than --older-than years ago (default 6), with their "
        "training, circle and other records and the history of them; empty their accounts "
        "(kept, so the audit trail still shows which account made each change). People whom "
        "other people's records name are kept and listed by ID."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, default=6, metavar="YEARS")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; change nothing."
        )

    def handle(self, *args: Any, older_than: int, dry_run: bool, **options: Any) -> None:
        if older_than < 1:
            raise CommandError("--older-than must be at least 1 year.")
        result = leavers_purge(older_than_years=older_than, dry_run=dry_run)
        for line in result.summary():
            self.stdout.write(line)
