from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from circles.services import circles_extend, reminders_send


class Command(BaseCommand):
    help = (
        "Run daily: keep 12 months of circle meetings ahead and email members about meetings "
        "in the next few days. Safe to run twice: nobody gets the same reminder twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.REMINDER_DAYS_BEFORE,
            help="Remind people this many days before a meeting (default %(default)s).",
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        created = circles_extend()
        sent = reminders_send(days_before=days)
        self.stdout.write(f"{created} meetings added to the schedule; {sent} reminders sent.")
