"""The roster and training imports: all or nothing, every bad line reported.

Each import validates the whole file first. If any line is bad nothing is written and every
problem is returned with its line number (the header is line 1). A dry run does the whole import
inside a transaction and rolls it back, so its summary is exactly what a real run would do.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from common.validators import validate_single_line
from training.csv_files import ParsedCSV, RowError, parse_csv
from training.dates import out_of_span
from training.models import (
    Cohort,
    CourseAttendance,
    CourseDay,
    Person,
    PersonStatus,
    Phase,
    RoleGroup,
    Team,
)
from training.services import person_account_sync

ROSTER_REQUIRED = ["email", "full_name", "team", "role_group"]
ROSTER_OPTIONAL = ["job_title", "line_manager_email", "status"]
TRAINING_COLUMNS = ["email", "phase", "cohort", "day", "date", "attended"]
# A page lists this many problems of a refused file, and counts the rest.
PROBLEMS_SHOWN = 100


@dataclass
class ImportResult:
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_teams: list[str] = field(default_factory=list)
    new_phases: list[str] = field(default_factory=list)
    new_cohorts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors_shown(self) -> list[RowError]:
        return self.errors[:PROBLEMS_SHOWN]

    @property
    def errors_not_shown(self) -> int:
        return max(0, len(self.errors) - PROBLEMS_SHOWN)

    def summary(self, noun: str) -> list[str]:
        prefix = "Dry run, nothing saved: would have " if self.dry_run else ""
        lines = [
            f"{prefix}{self.created} {noun} created, {self.updated} updated, "
            f"{self.unchanged} unchanged."
        ]
        for label, names in (
            ("New teams", self.new_teams),
            ("New phases", self.new_phases),
            ("New cohorts", self.new_cohorts),
        ):
            if names:
                lines.append(f"{label}: {', '.join(names)}.")
        return lines


def _over_the_row_cap(text: str) -> RowError | None:
    """A file with more than IMPORT_MAX_ROWS rows, refused before any row is read: checking a
    file of a million lines would hold the server for a minute. Blank lines do not count (the
    imports skip them); a value that runs over several lines counts each."""
    cap = settings.IMPORT_MAX_ROWS
    # Fewer line breaks than the cap: certainly few enough rows, without reading them.
    if text.count("\n") + text.count("\r") <= cap:
        return None
    rows = -1  # the header is not a row
    for line, content in enumerate(io.StringIO(text, newline=""), start=1):
        if content.strip():
            rows += 1
            if rows > cap:
                return RowError(
                    line,
                    f"the file has more than {cap:,} rows, the most one import takes: "
                    "split it into several files and import each. Nothing was read beyond here.",
                )
    return None


def _normalise_key(value: str) -> str:
    return value.strip().lower().replace("-", " ").replace("_", " ")


def _choice(value: str, choices: type[RoleGroup] | type[PersonStatus]) -> str | None:
    wanted = _normalise_key(value)
    for choice in choices:
        if wanted in (_normalise_key(choice.value), _normalise_key(choice.label)):
            return choice.value
    return None


def _email(value: str) -> str | None:
    """The address as stored (lower case), or None if that is not a valid address of at most
    254 characters. Checked after lower-casing: some letters change length when lowered."""
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email if len(email) <= 254 else None


def _single_line_problems(raw: dict[str, str], columns: tuple[str, ...]) -> list[str]:
    """The single-line rule of the model fields these columns fill, checked before anything
    is written (teams, phases and cohorts are created without a form)."""
    problems = []
    for column in columns:
        try:
            validate_single_line(raw.get(column, ""))
        except ValidationError as error:
            problems.append(f"{column}: {error.messages[0]}")
    return problems


# Roster ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RosterRow:
    line: int
    email: str
    full_name: str
    team: str
    role_group: str
    job_title: str
    line_manager_email: str
    status: str


def _validate_roster(parsed: ParsedCSV) -> tuple[list[_RosterRow], list[RowError]]:
    errors = list(parsed.errors)
    rows: list[_RosterRow] = []
    seen: dict[str, int] = {}
    for line, raw in parsed.rows:
        problems = []
        email = _email(raw["email"]) if raw["email"] else None
        if not raw["email"]:
            problems.append("email is required")
        elif email is None:
            problems.append(f"'{raw['email']}' is not a valid email address")
        elif email in seen:
            problems.append(f"{email} is already on line {seen[email]}")
        for column in ("full_name", "team"):
            if not raw[column]:
                problems.append(f"{column} is required")
        role_group = _choice(raw["role_group"], RoleGroup) if raw["role_group"] else None
        if not raw["role_group"]:
            problems.append("role_group is required")
        elif role_group is None:
            problems.append(
                f"role_group '{raw['role_group']}' is not one of "
                + ", ".join(group.value for group in RoleGroup)
            )
        status_text = raw.get("status", "")
        status = _choice(status_text, PersonStatus) if status_text else PersonStatus.ACTIVE
        if status is None:
            problems.append(
                f"status '{status_text}' is not one of "
                + ", ".join(choice.value for choice in PersonStatus)
            )
        manager_text = raw.get("line_manager_email", "")
        manager_email = _email(manager_text) if manager_text else ""
        if manager_email is None:
            problems.append(f"line_manager_email '{manager_text}' is not a valid email address")
        elif manager_email and manager_email == email:
            problems.append("a person cannot be their own line manager")
        if len(raw["full_name"]) > 200:
            problems.append("full_name is longer than 200 characters")
        if len(raw["team"]) > 120:
            problems.append("team is longer than 120 characters")
        if len(raw.get("job_title", "")) > 200:
            problems.append("job_title is longer than 200 characters")
        problems += _single_line_problems(raw, ("full_name", "team", "job_title"))
        if email and email not in seen:
            seen[email] = line
        if problems:
            errors.extend(RowError(line, problem) for problem in problems)
            continue
        rows.append(
            _RosterRow(
                line=line,
                email=email,
                full_name=raw["full_name"],
                team=raw["team"],
                role_group=role_group,
                job_title=raw.get("job_title", ""),
                line_manager_email=manager_email or "",
                status=status,
            )
        )

    wanted_managers = {row.line_manager_email for row in rows if row.line_manager_email}
    known = set(seen) | set(
        Person.objects.filter(email__in=wanted_managers - set(seen)).values_list("email", flat=True)
    )
    for row in rows:
        if row.line_manager_email and row.line_manager_email not in known:
            errors.append(
                RowError(
                    row.line,
                    f"line manager {row.line_manager_email} is not in the file or on the roster",
                )
            )
    return rows, sorted(errors, key=lambda error: error.line)


def roster_import(
    *, text: str, dry_run: bool = False, today: datetime.date | None = None
) -> ImportResult:
    """Add or update people from a roster CSV file, matching them by email.

    A person who is marked as left is given today as their leaving date (kept if they had already
    left); one who is back loses it.
    """
    today = today or timezone.localdate()
    result = ImportResult(dry_run=dry_run)
    if too_many := _over_the_row_cap(text):
        result.errors = [too_many]
        return result
    parsed = parse_csv(text, required=ROSTER_REQUIRED, optional=ROSTER_OPTIONAL)
    rows, result.errors = _validate_roster(parsed)
    if result.errors:
        return result

    with transaction.atomic():
        teams = {team.name.lower(): team for team in Team.objects.all()}
        people = {
            person.email: person
            for person in Person.objects.filter(email__in=[row.email for row in rows])
        }
        outcome: dict[str, str] = {}
        for row in rows:
            team = teams.get(row.team.lower())
            if team is None:
                team = Team.objects.create(name=row.team)
                teams[row.team.lower()] = team
                result.new_teams.append(team.name)
            person = people.get(row.email)
            values = {
                "full_name": row.full_name,
                "team": team,
                "role_group": row.role_group,
                "job_title": row.job_title,
                "status": row.status,
                "left_on": _left_on(person, row.status, today),
            }
            if person is None:
                person = Person(email=row.email)
                outcome[row.email] = "created"
            elif any(getattr(person, name) != value for name, value in values.items()):
                outcome[row.email] = "updated"
            else:
                outcome[row.email] = "unchanged"
                continue
            for name, value in values.items():
                setattr(person, name, value)
            person.full_clean(exclude=["line_manager", "user"], validate_unique=False)
            person.save()
            people[row.email] = person

        managers = {
            person.email: person
            for person in Person.objects.filter(
                email__in={row.line_manager_email for row in rows if row.line_manager_email}
            )
        }
        for row in rows:
            person = people[row.email]
            manager = managers.get(row.line_manager_email)
            if person.line_manager_id != (manager.pk if manager else None):
                person.line_manager = manager
                person.save(update_fields=["line_manager"])
                if outcome[row.email] == "unchanged":
                    outcome[row.email] = "updated"

        accounts = {user.email: user for user in User.objects.filter(email__in=list(people))}
        for email, person in people.items():
            person_account_sync(person=person, account=accounts.get(email))

        result.created = sum(1 for value in outcome.values() if value == "created")
        result.updated = sum(1 for value in outcome.values() if value == "updated")
        result.unchanged = sum(1 for value in outcome.values() if value == "unchanged")
        if dry_run:
            transaction.set_rollback(True)
    return result


def _left_on(person: Person | None, status: str, today: datetime.date) -> datetime.date | None:
    if status != PersonStatus.LEFT:
        return None
    if person is not None and person.status == PersonStatus.LEFT:
        return person.left_on
    return today


# Training attendance ---------------------------------------------------------------------------

DAY_WORDS = {
    "1": CourseDay.RESTORATIVE,
    "day 1": CourseDay.RESTORATIVE,
    "restorative": CourseDay.RESTORATIVE,
    "restorative practice": CourseDay.RESTORATIVE,
    "2": CourseDay.BASE,
    "day 2": CourseDay.BASE,
    "base": CourseDay.BASE,
}
ATTENDED_WORDS = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def _date(value: str) -> datetime.date | None:
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class _TrainingRow:
    line: int
    person: Person
    phase: str
    cohort: str
    day: CourseDay
    date: datetime.date
    attended: bool


def _validate_training(parsed: ParsedCSV) -> tuple[list[_TrainingRow], list[RowError]]:
    errors = list(parsed.errors)
    emails = {raw["email"].lower() for _, raw in parsed.rows if raw["email"]}
    people = {person.email: person for person in Person.objects.filter(email__in=emails)}
    cohorts = {
        (cohort.phase.name.lower(), cohort.name.lower()): cohort
        for cohort in Cohort.objects.select_related("phase")
    }
    rows: list[_TrainingRow] = []
    first_line_of: dict[tuple[str, str, str, int], int] = {}
    date_of_day: dict[tuple[str, str, int], tuple[datetime.date, int]] = {}
    for line, raw in parsed.rows:
        problems = []
        for column in TRAINING_COLUMNS:
            if not raw[column]:
                problems.append(f"{column} is required")
        email = raw["email"].lower()
        person = people.get(email)
        if raw["email"] and person is None:
            problems.append(f"{raw['email']} is not on the roster")
        day = DAY_WORDS.get(raw["day"].lower())
        if raw["day"] and day is None:
            problems.append(f"day '{raw['day']}' is not 1, 2, restorative or base")
        date = _date(raw["date"])
        if raw["date"] and date is None:
            problems.append(f"date '{raw['date']}' is not a date as YYYY-MM-DD or DD/MM/YYYY")
        elif date is not None and (span_problem := out_of_span(date)):
            problems.append(f"date '{raw['date']}': {span_problem}")
        attended = ATTENDED_WORDS.get(raw["attended"].lower())
        if raw["attended"] and attended is None:
            problems.append(f"attended '{raw['attended']}' is not yes or no")
        if len(raw["phase"]) > 120 or len(raw["cohort"]) > 120:
            problems.append("phase and cohort names are at most 120 characters")
        problems += _single_line_problems(raw, ("phase", "cohort"))
        phase_key, cohort_key = raw["phase"].lower(), raw["cohort"].lower()
        if day is not None and raw["phase"] and raw["cohort"]:
            if email:
                key = (email, phase_key, cohort_key, int(day))
                if key in first_line_of:
                    problems.append(
                        f"{email}'s day {int(day)} of this cohort is already on line "
                        f"{first_line_of[key]}"
                    )
                else:
                    first_line_of[key] = line
            if date is not None:
                day_key = (phase_key, cohort_key, int(day))
                earlier = date_of_day.setdefault(day_key, (date, line))
                existing = cohorts.get((phase_key, cohort_key))
                existing_date = existing.date_of(day) if existing else None
                if earlier[0] != date:
                    problems.append(
                        f"day {int(day)} of {raw['cohort']} is dated {earlier[0]:%d/%m/%Y} on "
                        f"line {earlier[1]}, not {date:%d/%m/%Y}"
                    )
                elif existing_date and existing_date != date:
                    problems.append(
                        f"day {int(day)} of {existing.name} took place on "
                        f"{existing_date:%d/%m/%Y}, not {date:%d/%m/%Y}"
                    )
        if problems:
            errors.extend(RowError(line, problem) for problem in problems)
            continue
        rows.append(
            _TrainingRow(
                line=line,
                person=person,
                phase=raw["phase"],
                cohort=raw["cohort"],
                day=day,
                date=date,
                attended=attended,
            )
        )
    return rows, sorted(errors, key=lambda error: error.line)


def training_import(*, text: str, dry_run: bool = False) -> ImportResult:
    """Record course attendance from a CSV file; phases and cohorts not yet known are created."""
    result = ImportResult(dry_run=dry_run)
    if too_many := _over_the_row_cap(text):
        result.errors = [too_many]
        return result
    parsed = parse_csv(text, required=TRAINING_COLUMNS)
    rows, result.errors = _validate_training(parsed)
    if result.errors:
        return result

    with transaction.atomic():
        phases = {phase.name.lower(): phase for phase in Phase.objects.all()}
        cohorts = {
            (cohort.phase_id, cohort.name.lower()): cohort for cohort in Cohort.objects.all()
        }
        attendance = {
            (row.person_id, row.cohort_id, row.day): row
            for row in CourseAttendance.objects.filter(person__in=[row.person for row in rows])
        }
        next_order = (Phase.objects.aggregate(highest=Max("order"))["highest"] or 0) + 1
        for row in rows:
            phase = phases.get(row.phase.lower())
            if phase is None:
                phase = Phase.objects.create(name=row.phase, order=next_order)
                next_order += 1
                phases[row.phase.lower()] = phase
                result.new_phases.append(phase.name)
            cohort = cohorts.get((phase.pk, row.cohort.lower()))
            if cohort is None:
                cohort = Cohort.objects.create(phase=phase, name=row.cohort)
                cohorts[(phase.pk, row.cohort.lower())] = cohort
                result.new_cohorts.append(f"{cohort.name} ({phase.name})")
            date_field = "day1_date" if row.day == CourseDay.RESTORATIVE else "day2_date"
            if getattr(cohort, date_field) is None:
                setattr(cohort, date_field, row.date)
                cohort.save(update_fields=[date_field])

            existing = attendance.get((row.person.pk, cohort.pk, row.day))
            if existing is None:
                attendance[(row.person.pk, cohort.pk, row.day)] = CourseAttendance.objects.create(
                    person=row.person, cohort=cohort, day=row.day, attended=row.attended
                )
                result.created += 1
            elif existing.attended != row.attended:
                existing.attended = row.attended
                existing.save(update_fields=["attended"])
                result.updated += 1
            else:
                result.unchanged += 1
        if dry_run:
            transaction.set_rollback(True)
    return result
