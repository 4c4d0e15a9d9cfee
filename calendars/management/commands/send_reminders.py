from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from calendars.services import notices_send, reminders_send
from circles.services import circles_extend
from dashboards.summary import monthly_summary_send
from notifications.services import emails_send
from training.services import place_offers_send


class Command(BaseCommand):
    help = (
        "Run daily: keep 12 months of circle meetings ahead, send again any invitation, "
        "cancellation or other email that could not be sent, email everyone in a meeting or "
        "2:1 in the next few days a reminder, email again any offer of a freed place on a course "
        "that could not be sent, and on the first working day of a month send programme leads "
        "the monthly summary. Safe to run twice: nobody gets the same reminder, offer or "
        "summary twice."
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
        emails = emails_send()
        sent = reminders_send(days_before=days)
        offers = place_offers_send()
        summary = monthly_summary_send(today=timezone.localdate())
        self.stdout.write(
            f"{created} meetings added to the schedule; {notices.sent} invitations sent again"
            f" ({notices.failed} still failing, {notices.dropped} dropped as past); "
            f"{emails.sent} other emails sent again ({emails.failed} still failing); "
            f"{sent} reminders sent; {offers} offers of a course place sent again."
        )
        if summary is not None:
            self.stdout.write(f"The monthly summary went to {summary.recipients} programme leads.")
