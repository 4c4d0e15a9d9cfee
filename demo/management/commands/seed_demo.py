from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from demo import caseload, circles, competencies, figures, organisation, partners, supervision
from demo.organisation import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoNotLoaded

# The areas of the demo in the order they load: each reads what the ones before it wrote, and
# the stored figures are counted last, from everything else. A new area is one more line.
AREAS: list[tuple[str, Callable[[], list[str]]]] = [
    ("roster", organisation.load_roster),
    ("training", organisation.load_training),
    ("partner agency", partners.load_partners),
    ("accounts", organisation.load_accounts),
    ("circles", circles.load_demo),
    ("supervision", supervision.load_demo),
    ("caseload", caseload.load_demo),
    ("competencies", competencies.load_demo),
    # An area of its own: it reads the ratings just written, planned with their statistics.
    ("goals", competencies.load_goals),
    ("dashboards", figures.load_demo),
]


class Command(BaseCommand):
    help = "Load the demo organisation (idempotent: running it again changes nothing)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        for label, load in AREAS:
            try:
                lines = load()
            except DemoNotLoaded as error:
                raise CommandError(str(error)) from error
            for line in lines:
                self.stdout.write(f"Demo {label}: {line}")
            if connection.vendor == "postgresql":
                # The whole load is one transaction, which autovacuum cannot see: without fresh
                # statistics the next area's queries are planned for empty tables and rescan
                # the rows just written. ANALYZE here counts the transaction's own rows.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS("Demo organisation ready."))
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.email:<32} {', '.join(account.roles)}")
