from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from operations.services import leavers_purge


class Command(BaseCommand):
    help = (
        "Purge people who left more than --older-than years ago (default: the "
        'LEAVER_RETENTION_YEARS setting): each becomes an anonymous "A former member" in the '
        "2:1s, circles and registers they were part of, so other people's records and the "
        "figures stay whole; their name, email address, reviews, ratings, comments and history "
        "are deleted, and their accounts emptied (kept, so the audit trail still shows which "
        "account made each change)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            metavar="YEARS",
            help=f"Years since leaving (default {settings.LEAVER_RETENTION_YEARS}, from "
            "LEAVER_RETENTION_YEARS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be purged; change nothing."
        )

    def handle(self, *args: Any, older_than: int | None, dry_run: bool, **options: Any) -> None:
        if older_than is not None and older_than < 1:
            raise CommandError("--older-than must be at least 1 year.")
        result = leavers_purge(older_than_years=older_than, dry_run=dry_run)
        for line in result.summary():
            self.stdout.write(line)
