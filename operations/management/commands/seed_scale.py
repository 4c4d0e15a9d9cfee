from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operations.scale import seed_scale
from training.dates import as_of_option


class Command(BaseCommand):
    help = (
        "Fill an empty database with a generated organisation, for measuring the site at scale "
        "(county: --people 300 --months 36; region: 3000 x 36; national: 30000 x 12)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, required=True, help="Posts on the roster.")
        parser.add_argument("--months", type=int, required=True, help="Months of history.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same rows.")
        parser.add_argument("--until", help="The last day of the history (default: today).")

    def handle(
        self, *args: Any, people: int, months: int, seed: int, until: str | None, **options: Any
    ) -> None:
        try:
            summary = seed_scale(
                people=people,
                months=months,
                seed=seed,
                until=as_of_option(until) if until else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{summary.people} people in {summary.teams} teams, {summary.cohorts} cohorts, "
            f"{summary.circles} circles with {summary.meetings} meetings and "
            f"{summary.attendance} attendance marks, {summary.sessions} 2:1s, "
            f"{summary.reviews} reviews with {summary.ratings} ratings, "
            f"in {summary.seconds:.1f} s."
        )
        for role, email in summary.accounts.items():
            self.stdout.write(f"  {role:<16} {email}")
