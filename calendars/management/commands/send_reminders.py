from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from calendars.services import notices_send, reminders_send
from circles.services import circles_extend
from training.services import place_offers_send


class Command(BaseCommand):
    help = (
        "Run daily: keep 12 months of circle meetings ahead, send again any invitation or "
        "cancellation that could not be sent, and email everyone in a meeting or 2:1 in the next "
        "few days a reminder; email again any offer of a freed place on a course that could not "
        "be sent. Safe to run twice: nobody gets the same reminder or offer twice."
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
        notices = notices_send()
        sent = reminders_send(days_before=days)
        offers = place_offers_send()
        self.stdout.write(
            f"{created} meetings added to the schedule; {notices.sent} invitations sent again"
            f" ({notices.failed} still failing, {notices.dropped} dropped as past); "
            f"{sent} reminders sent; {offers} offers of a course place sent again."
        )
