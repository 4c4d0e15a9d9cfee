"""Time the roster and training imports on generated files of a realistic size.

Everything runs in one transaction that is rolled back at the end, so the command can be run
against any database (the demo's included) and leaves it as it was.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from training.imports import ImportResult, acting_as, roster_import, training_import
from training.models import Person, RoleGroup, Team, council_id

# The demo's mix of role groups, as weights.
ROLE_MIX = {
    RoleGroup.PRACTITIONER: 70,
    RoleGroup.MANAGER: 12,
    RoleGroup.PARTNER: 8,
    RoleGroup.SENIOR_MANAGER: 4,
    RoleGroup.ADMIN: 6,
}
COHORT_SIZE = 20
PHASES = 5


class Rollback(Exception):
    """Raised to leave the benchmark's transaction without keeping anything."""


class Command(BaseCommand):
    help = (
        "Time the roster and training imports on generated files (10,000 people and 50,000 "
        "attendance rows by default); saves nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=10_000, help="Rows in the roster.")
        parser.add_argument(
            "--attendance", type=int, default=50_000, help="Rows in the training file."
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the generated files.")

    def handle(self, *args: Any, people: int, attendance: int, seed: int, **options: Any) -> None:
        if people < 1 or attendance < 2:
            raise CommandError("--people must be at least 1 and --attendance at least 2.")
        random.seed(seed)
        self.stdout.write(f"Database: {connection.vendor}. Nothing is kept.")
        try:
            with transaction.atomic(), acting_as(self.administrator()):
                roster = roster_csv(people)
                self.time("Roster", people, roster_import, roster)
                self.time("Roster again (unchanged)", people, roster_import, roster)
                emails = self.people_for(attendance // 2, people)
                training = training_csv(emails, attendance)
                self.time("Training attendance", attendance, training_import, training)
                self.time("Training again (unchanged)", attendance, training_import, training)
                raise Rollback
        except Rollback:
            pass

    def time(self, label: str, rows: int, run_import: Any, text: str) -> None:
        stages: dict[str, float] = {}

        def progress(stage: str, done: int, total: int) -> None:
            stages.setdefault(stage, time.perf_counter())

        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            # More rows than an upload may carry: the cap protects the site, not this benchmark.
            result: ImportResult = run_import(text=text, progress=progress, row_cap=False)
            ended = time.perf_counter()
            cpu = time.process_time() - started_cpu
        seconds, saving = ended - started, ended - stages.get("saving", ended)
        if result.errors:
            raise CommandError(f"{label}: the generated file was refused: {result.errors[:3]}")
        self.stdout.write(
            f"{label}: {rows:,} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows a second; "
            f"reading and checking {seconds - saving:.1f} s, saving {saving:.1f} s; "
            f"{cpu:.1f} s of processor time in this process, {len(queries)} queries): "
            f"{result.created:,} created, {result.updated:,} updated, "
            f"{result.unchanged:,} unchanged."
        )

    def administrator(self) -> User:
        """An account to import as, as the site and the import commands always have."""
        return User.objects.create_user("bench.administrator@bench.example")

    def people_for(self, wanted: int, imported: int) -> list[str]:
        """Emails of `wanted` people on the roster, adding the ones the roster file lacked."""
        if wanted > imported:
            team = Team.objects.create(name="Benchmark extra people")
            council = council_id()
            Person.objects.bulk_create(
                Person(
                    organisation_id=council,
                    email=f"extra{number}@bench.example",
                    full_name=f"Extra {number}",
                    team=team,
                    role_group=RoleGroup.PRACTITIONER,
                )
                for number in range(wanted - imported)
            )
        emails = [f"person{number}@bench.example" for number in range(min(wanted, imported))]
        return emails + [f"extra{number}@bench.example" for number in range(wanted - imported)]


def _write(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def roster_csv(size: int) -> str:
    """Teams of 8 to 25, each with a manager the others report to; a few leavers."""
    rows, number, team = [], 0, 0
    groups, weights = list(ROLE_MIX), list(ROLE_MIX.values())
    while number < size:
        team += 1
        manager = f"person{number}@bench.example"
        for place in range(min(random.randint(8, 25), size - number)):
            role_group = RoleGroup.MANAGER if place == 0 else random.choices(groups, weights)[0]
            rows.append(
                [
                    f"person{number}@bench.example",
                    f"Person {number}",
                    f"Benchmark team {team}",
                    role_group.label,
                    "Social worker",
                    "" if place == 0 else manager,
                    "left" if random.random() < 0.03 else "",
                ]
            )
            number += 1
    header = [
        "email",
        "full_name",
        "team",
        "role_group",
        "job_title",
        "line_manager_email",
        "status",
    ]
    return _write(header, rows)


def training_csv(emails: list[str], size: int) -> str:
    """Both days for each person, in cohorts of 20 over five phases, a few days missed."""
    start = datetime.date(2016, 1, 4)
    cohorts = max(1, len(emails) // COHORT_SIZE)
    rows = []
    for index, email in enumerate(emails[: size // 2]):
        cohort = index % cohorts
        day1 = start + datetime.timedelta(days=cohort)
        for day, date in ((1, day1), (2, day1 + datetime.timedelta(days=7))):
            rows.append(
                [
                    email,
                    f"Phase {1 + cohort * PHASES // cohorts}",
                    f"Cohort {cohort + 1}",
                    str(day),
                    date.isoformat(),
                    "no" if random.random() < 0.05 else "yes",
                ]
            )
    return _write(["email", "phase", "cohort", "day", "date", "attended"], rows)
