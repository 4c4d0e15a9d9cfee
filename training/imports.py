"""The roster and training imports: all or nothing, every bad line reported.

Each import validates the whole file first, every row through the models' own validation as well
as the import's rules. If any line is bad nothing is written and every problem is returned with
its line number (the header is line 1). The writes are then made in bulk, in one transaction,
with an entry in the audit trail for every record created or changed (in the name of whoever
the audit context names: the signed-in administrator, or `acting_as`). A dry run does the whole
import inside a transaction and rolls it back, so its summary is exactly what a real run would do.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import io
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Max
from django.template.defaultfilters import pluralize
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from training.csv_files import CSVFileError, ImportFile, ParsedCSV, RowError, read_table
from training.dates import out_of_span
from training.models import (
    Cohort,
    CourseAttendance,
    CourseDay,
    ImportRun,
    Organisation,
    OrganisationKind,
    Person,
    PersonStatus,
    Phase,
    RoleGroup,
    Team,
    council_id,
)
from training.services import people_accounts_sync
from training.signals import records_changed

ROSTER_REQUIRED = ["email", "full_name", "team", "role_group"]
ROSTER_OPTIONAL = ["job_title", "line_manager_email", "status", "organisation"]
TRAINING_COLUMNS = ["email", "phase", "cohort", "day", "date", "attended"]
# A page lists this many problems of a refused file, and counts the rest.
PROBLEMS_SHOWN = 100

# Rows a bulk statement writes at once: well within every database's limit on parameters.
BATCH_SIZE = 500
# How often the checking of rows reports its progress.
PROGRESS_EVERY = 1000

# Called as progress(stage, done, total): "checking" rows one by one, then "saving" them all.
Progress = Callable[[str, int, int], None]


@dataclass
class ImportResult:
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_teams: list[str] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    new_phases: list[str] = field(default_factory=list)
    new_cohorts: list[str] = field(default_factory=list)
    # Rows identical to an earlier row of the file (as spreadsheets collect them): ignored.
    repeated: int = 0
    # The people whose records or training the import changed (none for a dry run), so that
    # figures already worked out for past months can be worked out again for them.
    changed_person_ids: set[int] = field(default_factory=set)

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
        if self.repeated:
            lines.append(f"{self.repeated} repeated row{pluralize(self.repeated)} ignored.")
        for label, names in (
            ("New teams", self.new_teams),
            ("New partner organisations", self.new_organisations),
            ("New phases", self.new_phases),
            ("New cohorts", self.new_cohorts),
        ):
            if names:
                lines.append(f"{label}: {', '.join(names)}.")
        return lines

    def as_json(self) -> dict[str, Any]:
        """The result as JSON values, to keep with a background import (the ids are left out)."""
        data = dataclasses.asdict(self)
        del data["changed_person_ids"]
        data["errors"] = [[error.line, error.message] for error in self.errors]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportResult:
        names = {item.name for item in dataclasses.fields(cls)} - {"changed_person_ids"}
        values = {name: value for name, value in data.items() if name in names}
        values["errors"] = [RowError(line, message) for line, message in data.get("errors", [])]
        return cls(**values)


@contextmanager
def acting_as(user: User | None) -> Iterator[None]:
    """Record the changes made inside in the audit trail as `user`'s, as a page's are (or as
    whoever the trail already names, when `user` is None)."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    if user is not None:
        context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is not None:
            context.request = previous
        else:
            with suppress(AttributeError):
                del context.request


def _audit_user() -> User | None:
    """Who the audit trail names for changes made now: simple-history's rule, worked out once
    for a whole import rather than once a record."""
    user = getattr(getattr(HistoricalRecords.context, "request", None), "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _create_with_history(objects: list[Any], model: type[models.Model]) -> list[Any]:
    return bulk_create_with_history(
        objects,
        model,
        batch_size=BATCH_SIZE,
        default_user=_audit_user(),
        default_date=timezone.now(),
    )


def _update_with_history(objects: list[Any], model: type[models.Model], fields: list[str]) -> None:
    if objects:
        bulk_update_with_history(
            objects,
            model,
            fields,
            batch_size=BATCH_SIZE,
            default_user=_audit_user(),
            default_date=timezone.now(),
        )


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _checked(
    rows: Iterable[tuple[int, dict[str, str]]], progress: Progress | None, total: int
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows, reporting every PROGRESS_EVERY of them as checked."""
    for number, item in enumerate(rows, start=1):
        yield item
        if number % PROGRESS_EVERY == 0:
            _report(progress, "checking", number, total)
    _report(progress, "checking", total, total)


def _over_the_row_cap(text: str) -> RowError | None:
    """A file with more than IMPORT_MAX_ROWS rows, refused before any row is read (unless the
    caller lifts the cap with `row_cap=False`, as the import benchmark does): checking a
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


def _too_many_rows(parsed: ParsedCSV) -> RowError | None:
    """The same cap for a workbook, whose rows are counted once read (the upload limit keeps
    reading it quick)."""
    cap = settings.IMPORT_MAX_ROWS
    if len(parsed.rows) > cap:
        return RowError(
            parsed.rows[cap][0],
            f"the file has more than {cap:,} rows, the most one import takes: "
            "split it into several files and import each.",
        )
    return None


def _normalise_key(value: str) -> str:
    return value.strip().lower().replace("-", " ").replace("_", " ")


def _choice(value: str, choices: type[RoleGroup] | type[PersonStatus]) -> str | None:
    wanted = _normalise_key(value)
    for choice in choices:
        if wanted in (_normalise_key(choice.value), _normalise_key(str(choice.label))):
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


def _model_problems(
    instance: models.Model, *, exclude: Iterable[str] = (), columns: dict[str, str] | None = None
) -> list[str]:
    """What the model's own validation says of a record about to be written in bulk.

    Bulk writes skip it, so each row goes through it here. Relations are left out (they are
    checked against the file and the roster), and so is uniqueness, which the import checks in
    memory rather than with a query a row.
    """
    try:
        instance.full_clean(
            exclude=list(exclude), validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        columns = columns or {}
        return [
            message if name == NON_FIELD_ERRORS else f"{columns.get(name, name)}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []


Key = TypeVar("Key", str, int)


def _chunked(values: Iterable[Key], size: int = 2000) -> Iterator[list[Key]]:
    """Slices short enough for an IN list on every database."""
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _people_by_email(emails: Iterable[str]) -> dict[str, Person]:
    return {
        person.email: person
        for chunk in _chunked(set(emails))
        for person in Person.objects.filter(email__in=chunk)
    }


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
    # The employer's name; blank for the council, None when the file has no such column (the
    # people already on the roster then keep theirs).
    organisation: str | None = None


def _validate_roster(
    parsed: ParsedCSV, progress: Progress | None = None
) -> tuple[list[_RosterRow], list[RowError], int]:
    """The rows to import, every problem, and how many rows repeat an earlier one exactly."""
    errors = list(parsed.errors)
    rows: list[_RosterRow] = []
    seen: dict[str, int] = {}
    first_rows: dict[str, _RosterRow] = {}
    repeated = 0
    known_teams = {name.lower() for name in Team.objects.values_list("name", flat=True)}
    team_problems: dict[str, list[str]] = {}
    known_organisations = {
        name.lower() for name in Organisation.objects.values_list("name", flat=True)
    }
    organisation_problems: dict[str, list[str]] = {}
    for line, raw in _checked(parsed.rows, progress, len(parsed.rows)):
        problems = []
        email = _email(raw["email"]) if raw["email"] else None
        if not raw["email"]:
            problems.append("email is required")
        elif email is None:
            problems.append(f"'{raw['email']}' is not a valid email address")
        duplicate_of = seen.get(email) if email else None
        duplicate_at = len(problems)
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
        if len(raw.get("organisation", "")) > 120:
            problems.append("organisation is longer than 120 characters")
        if email and email not in seen:
            seen[email] = line
        # Without problems, each of these was given and is valid.
        if not problems and email and role_group and status:
            row = _RosterRow(
                line=line,
                email=email,
                full_name=raw["full_name"],
                team=raw["team"],
                role_group=role_group,
                job_title=raw.get("job_title", ""),
                line_manager_email=manager_email or "",
                status=status,
                organisation=raw.get("organisation"),
            )
            if duplicate_of is not None and first_rows.get(email) == dataclasses.replace(
                row, line=duplicate_of
            ):
                repeated += 1
                continue
        if duplicate_of is not None:
            problems.insert(duplicate_at, f"{email} is already on line {duplicate_of}")
        if not problems:
            problems = _model_problems(
                Person(
                    email=row.email,
                    full_name=row.full_name,
                    role_group=row.role_group,
                    job_title=row.job_title,
                    status=row.status,
                    organisation_id=None,  # checked below, as the team is
                ),
                exclude=["team", "organisation", "line_manager", "user"],
            )
            team_key = row.team.lower()
            if team_key not in known_teams:
                if team_key not in team_problems:
                    team_problems[team_key] = _model_problems(
                        Team(name=row.team), columns={"name": "team"}
                    )
                problems += team_problems[team_key]
            organisation_key = (row.organisation or "").lower()
            if organisation_key and organisation_key not in known_organisations:
                if organisation_key not in organisation_problems:
                    organisation_problems[organisation_key] = _model_problems(
                        Organisation(name=row.organisation or ""), columns={"name": "organisation"}
                    )
                problems += organisation_problems[organisation_key]
        if problems:
            errors.extend(RowError(line, problem) for problem in problems)
            continue
        rows.append(row)
        first_rows[row.email] = row

    wanted_managers = {row.line_manager_email for row in rows if row.line_manager_email}
    known = set(seen) | set(_people_by_email(wanted_managers - set(seen)))
    for row in rows:
        if row.line_manager_email and row.line_manager_email not in known:
            errors.append(
                RowError(
                    row.line,
                    f"line manager {row.line_manager_email} is not in the file or on the roster",
                )
            )
    return rows, sorted(errors, key=lambda error: error.line), repeated


def roster_import(
    *,
    text: str | None = None,
    workbook: bytes | None = None,
    dry_run: bool = False,
    today: datetime.date | None = None,
    progress: Progress | None = None,
    row_cap: bool = True,
) -> ImportResult:
    """Add or update people from a roster (a CSV file's text or an Excel workbook's bytes),
    matching them by email.

    A person who is marked as left is given today as their leaving date (kept if they had already
    left); one who is back loses it. Everyone in the file gets a sign-in account.
    """
    today = today or timezone.localdate()
    result = ImportResult(dry_run=dry_run)
    if row_cap and text is not None and (too_many := _over_the_row_cap(text)):
        result.errors = [too_many]
        return result
    parsed = read_table(
        text=text, workbook=workbook, required=ROSTER_REQUIRED, optional=ROSTER_OPTIONAL
    )
    if row_cap and (too_many := _too_many_rows(parsed)):
        result.errors = [too_many]
        return result
    rows, result.errors, result.repeated = _validate_roster(parsed, progress)
    if result.errors:
        return result

    _report(progress, "saving", 0, len(rows))
    with transaction.atomic():
        moved = _save_roster(rows, result, today)
        if dry_run:
            transaction.set_rollback(True)
            result.changed_person_ids = set()
        elif moved:
            # Whether a person counts as embedded depends on their employer's rule.
            records_changed.send(sender=Person, person_ids=moved, since=None)
    _report(progress, "saving", len(rows), len(rows))
    return result


def _organisations(rows: list[_RosterRow], result: ImportResult) -> dict[str, int]:
    """Each organisation named in the file by its lower-case name ("" for the council), the
    ones not known yet created as partner agencies."""
    council = council_id()
    organisations = {
        organisation.name.lower(): organisation.pk for organisation in Organisation.objects.all()
    }
    new: dict[str, Organisation] = {}
    for row in rows:
        key = (row.organisation or "").lower()
        if key and key not in organisations and key not in new:
            new[key] = Organisation(name=row.organisation or "", kind=OrganisationKind.PARTNER)
    for organisation in _create_with_history(list(new.values()), Organisation):
        organisations[organisation.name.lower()] = organisation.pk
    result.new_organisations = [organisation.name for organisation in new.values()]
    return {**organisations, "": council}


def _save_roster(rows: list[_RosterRow], result: ImportResult, today: datetime.date) -> set[int]:
    """Write the rows; returns the people already on the roster whose employer changed."""
    organisations = _organisations(rows, result)
    teams = {team.name.lower(): team for team in Team.objects.all()}
    new_teams: list[Team] = []
    for row in rows:
        if row.team.lower() not in teams:
            teams[row.team.lower()] = Team(name=row.team)
            new_teams.append(teams[row.team.lower()])
    for team in _create_with_history(new_teams, Team):
        teams[team.name.lower()] = team
    result.new_teams = [team.name for team in new_teams]

    existing = _people_by_email(row.email for row in rows)
    # Read before the rows below change them.
    moved = {
        person.pk
        for row in rows
        if (person := existing.get(row.email)) is not None
        and row.organisation is not None
        and person.organisation_id != organisations[row.organisation.lower()]
    }

    wanted_managers = {row.line_manager_email for row in rows if row.line_manager_email}
    outside = _people_by_email(wanted_managers - {row.email for row in rows})
    people: dict[str, Person] = {}
    outcome: dict[str, str] = {}
    for row in rows:
        person = existing.get(row.email)
        values = {
            "full_name": row.full_name,
            "team_id": teams[row.team.lower()].pk,
            "role_group": row.role_group,
            "job_title": row.job_title,
            "status": row.status,
            "left_on": _left_on(person, row.status, today),
        }
        if row.organisation is not None:
            values["organisation_id"] = organisations[row.organisation.lower()]
        elif person is None:
            values["organisation_id"] = organisations[""]
        if person is None:
            person = Person(email=row.email, **values)
            outcome[row.email] = "created"
        elif any(getattr(person, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(person, name, value)
            outcome[row.email] = "updated"
        else:
            outcome[row.email] = "unchanged"
        people[row.email] = person

    for row in rows:
        person = people[row.email]
        manager = people.get(row.line_manager_email) or outside.get(row.line_manager_email)
        if manager is None:
            same = person.line_manager_id is None
        else:
            same = manager.pk is not None and manager.pk == person.line_manager_id
        if not same:
            person.line_manager = manager
            if outcome[row.email] == "unchanged":
                outcome[row.email] = "updated"

    def having(wanted: str) -> list[Person]:
        return [people[email] for email, found in outcome.items() if found == wanted]

    created, updated, unchanged = having("created"), having("updated"), having("unchanged")
    # Accounts first, so that each new person is written once, with their account.
    linked_before = {person.pk: person.user_id for person in unchanged}
    people_accounts_sync(people=list(people.values()))
    relinked = [person for person in unchanged if person.user_id != linked_before[person.pk]]

    _create_people(created)
    fields = ["full_name", "team", "organisation", "role_group", "job_title", "status", "left_on"]
    _update_with_history(updated, Person, [*fields, "line_manager", "user"])
    _update_with_history(relinked, Person, ["user"])

    result.created, result.updated, result.unchanged = len(created), len(updated), len(unchanged)
    result.changed_person_ids = {person.pk for person in created + updated}
    return moved


def _create_people(people: list[Person]) -> None:
    """Create new people, each line manager before the people who report to them.

    A new person's manager may be new too; creating them in that order writes each person once.
    Only managers in a loop (two people managing each other) are set in a second write.
    """
    pending = people
    while pending:
        ready = [
            person
            for person in pending
            if person.line_manager is None or person.line_manager.pk is not None
        ]
        looped: list[tuple[Person, Person | None]] = []
        if not ready:
            looped = [(person, person.line_manager) for person in pending]
            for person in pending:
                person.line_manager = None
            ready = pending
        _create_with_history(ready, Person)
        for person, manager in looped:
            person.line_manager = manager
        _update_with_history([person for person, _ in looped], Person, ["line_manager"])
        done = {id(person) for person in ready}
        pending = [person for person in pending if id(person) not in done]


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


def _validate_training(
    parsed: ParsedCSV, progress: Progress | None = None
) -> tuple[list[_TrainingRow], list[RowError], int]:
    """The rows to import, every problem, and how many rows repeat an earlier one exactly."""
    errors = list(parsed.errors)
    emails = {raw["email"].lower() for _, raw in parsed.rows if raw["email"]}
    people = _people_by_email(emails)
    cohorts = {
        (cohort.phase.name.lower(), cohort.name.lower()): cohort
        for cohort in Cohort.objects.select_related("phase")
    }
    known_phases = {name.lower() for name in Phase.objects.values_list("name", flat=True)}
    name_problems: dict[tuple[str, str], list[str]] = {}
    rows: list[_TrainingRow] = []
    first_of: dict[tuple[str, str, str, int], tuple[int, datetime.date | None, bool | None]] = {}
    repeated = 0
    date_of_day: dict[tuple[str, str, int], tuple[datetime.date, int]] = {}

    # Registers repeat the same few dates and answers thousands of times: each distinct value
    # is read and validated once.
    @functools.cache
    def read_date(text: str) -> tuple[datetime.date | None, str | None]:
        date = _date(text)
        return date, out_of_span(date) if date is not None else None

    @functools.cache
    def attendance_problems(day: CourseDay, attended: bool) -> tuple[str, ...]:
        return tuple(
            _model_problems(
                CourseAttendance(day=day, attended=attended), exclude=["person", "cohort"]
            )
        )

    for line, raw in _checked(parsed.rows, progress, len(parsed.rows)):
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
        date, span_problem = read_date(raw["date"])
        if raw["date"] and date is None:
            problems.append(f"date '{raw['date']}' is not a date as YYYY-MM-DD or DD/MM/YYYY")
        elif span_problem:
            problems.append(f"date '{raw['date']}': {span_problem}")
        attended = ATTENDED_WORDS.get(raw["attended"].lower())
        if raw["attended"] and attended is None:
            problems.append(f"attended '{raw['attended']}' is not yes or no")
        if len(raw["phase"]) > 120 or len(raw["cohort"]) > 120:
            problems.append("phase and cohort names are at most 120 characters")
        phase_key, cohort_key = raw["phase"].lower(), raw["cohort"].lower()
        if day is not None and raw["phase"] and raw["cohort"]:
            key = (email, phase_key, cohort_key, int(day))
            first = first_of.setdefault(key, (line, date, attended)) if email else None
            if first and first[0] != line:
                if first[1:] == (date, attended) and not problems:
                    repeated += 1
                    continue
                problems.append(
                    f"{email}'s day {int(day)} of {raw['cohort']} is on line {first[0]} "
                    f"{_as_written(first[1], first[2])}, and on line {line} "
                    f"{_as_written(date, attended)}: keep one of them"
                )
            elif date is not None:
                day_key = (phase_key, cohort_key, int(day))
                earlier = date_of_day.setdefault(day_key, (date, line))
                existing = cohorts.get((phase_key, cohort_key))
                existing_date = existing.date_of(day) if existing else None
                if earlier[0] != date:
                    problems.append(
                        f"day {int(day)} of {raw['cohort']} is dated {earlier[0]:%d/%m/%Y} on "
                        f"line {earlier[1]}, not {date:%d/%m/%Y}"
                    )
                elif existing is not None and existing_date and existing_date != date:
                    problems.append(
                        f"day {int(day)} of {existing.name} took place on "
                        f"{existing_date:%d/%m/%Y}, not {date:%d/%m/%Y}"
                    )
        if not problems:
            problems = [
                *attendance_problems(day, attended),
                *_new_name_problems(raw, known_phases, cohorts.keys(), name_problems),
            ]
        if problems:
            errors.extend(RowError(line, problem) for problem in problems)
            continue
        # Without problems, every column was given and read.
        assert person is not None and day is not None and date is not None and attended is not None
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
    return rows, sorted(errors, key=lambda error: error.line), repeated


def _as_written(date: datetime.date | None, attended: bool | None) -> str:
    on = f"on {date:%d/%m/%Y}" if date else "with no date"
    return f"{on}, {'attended' if attended else 'not attended'}"


def _new_name_problems(
    raw: dict[str, str],
    known_phases: set[str],
    known_cohorts: Iterable[tuple[str, str]],
    cache: dict[tuple[str, str], list[str]],
) -> list[str]:
    """What the models say of the phase and cohort a row would create, once for each name."""
    phase_key, cohort_key = raw["phase"].lower(), raw["cohort"].lower()
    problems = []
    if phase_key not in known_phases:
        if ("phase", phase_key) not in cache:
            cache[("phase", phase_key)] = _model_problems(
                Phase(name=raw["phase"]), columns={"name": "phase"}
            )
        problems += cache[("phase", phase_key)]
    if (phase_key, cohort_key) not in known_cohorts:
        if ("cohort", cohort_key) not in cache:
            cache[("cohort", cohort_key)] = _model_problems(
                Cohort(name=raw["cohort"]), exclude=["phase"], columns={"name": "cohort"}
            )
        problems += cache[("cohort", cohort_key)]
    return problems


def training_import(
    *,
    text: str | None = None,
    workbook: bytes | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    row_cap: bool = True,
) -> ImportResult:
    """Record course attendance from a register (a CSV file's text or an Excel workbook's bytes);
    phases and cohorts not yet known are created."""
    result = ImportResult(dry_run=dry_run)
    if row_cap and text is not None and (too_many := _over_the_row_cap(text)):
        result.errors = [too_many]
        return result
    parsed = read_table(text=text, workbook=workbook, required=TRAINING_COLUMNS)
    if row_cap and (too_many := _too_many_rows(parsed)):
        result.errors = [too_many]
        return result
    rows, result.errors, result.repeated = _validate_training(parsed, progress)
    if result.errors:
        return result

    _report(progress, "saving", 0, len(rows))
    with transaction.atomic():
        _save_training(rows, result)
        if dry_run:
            transaction.set_rollback(True)
            result.changed_person_ids = set()
        else:
            records_changed.send(
                sender=CourseAttendance,
                person_ids=result.changed_person_ids,
                since=min((row.date for row in rows), default=None),
            )
    _report(progress, "saving", len(rows), len(rows))
    return result


def _save_training(rows: list[_TrainingRow], result: ImportResult) -> None:
    phases = {phase.name.lower(): phase for phase in Phase.objects.all()}
    # New phases come after the known ones, in the order of the earliest date seen for each, so
    # that a file in any order gives the same phases, and the same figures by phase.
    first_seen: dict[str, tuple[datetime.date, str]] = {}
    for row in rows:
        key = row.phase.lower()
        if key not in phases and (key not in first_seen or row.date < first_seen[key][0]):
            first_seen[key] = (row.date, first_seen.get(key, (None, row.phase))[1])
    next_order = (Phase.objects.aggregate(highest=Max("order"))["highest"] or 0) + 1
    new_phases = [
        Phase(name=name, order=next_order + index)
        for index, (_, name) in enumerate(sorted(first_seen.values(), key=lambda seen: seen[0]))
    ]
    for phase in _create_with_history(new_phases, Phase):
        phases[phase.name.lower()] = phase
    result.new_phases = [phase.name for phase in new_phases]

    cohorts = {(cohort.phase_id, cohort.name.lower()): cohort for cohort in Cohort.objects.all()}
    new_cohorts: list[Cohort] = []
    dated: dict[int, Cohort] = {}
    for row in rows:
        phase = phases[row.phase.lower()]
        cohort = cohorts.get((phase.pk, row.cohort.lower()))
        if cohort is None:
            cohort = Cohort(phase=phase, name=row.cohort)
            cohorts[(phase.pk, row.cohort.lower())] = cohort
            new_cohorts.append(cohort)
        date_field = "day1_date" if row.day == CourseDay.RESTORATIVE else "day2_date"
        if getattr(cohort, date_field) is None:
            setattr(cohort, date_field, row.date)
            if cohort.pk is not None:
                dated[cohort.pk] = cohort
    _update_with_history(list(dated.values()), Cohort, ["day1_date", "day2_date"])
    for cohort in _create_with_history(new_cohorts, Cohort):
        cohorts[(cohort.phase_id, cohort.name.lower())] = cohort
    result.new_cohorts = [f"{cohort.name} ({cohort.phase.name})" for cohort in new_cohorts]

    named = {(phases[row.phase.lower()].pk, row.cohort.lower()) for row in rows}
    in_file = {cohorts[key].pk for key in named} - {cohort.pk for cohort in new_cohorts}
    # Read as plain values: most of a register is usually unchanged, and only the records that
    # change need to be models.
    attendance = {
        (person_id, cohort_id, day): (pk, attended)
        for chunk in _chunked(in_file)
        for pk, person_id, cohort_id, day, attended in CourseAttendance.objects.filter(
            cohort__in=chunk
        ).values_list("pk", "person_id", "cohort_id", "day", "attended")
    }
    created: list[CourseAttendance] = []
    changed: list[CourseAttendance] = []
    for row in rows:
        cohort = cohorts[(phases[row.phase.lower()].pk, row.cohort.lower())]
        pk, attended = attendance.get((row.person.pk, cohort.pk, row.day), (None, None))
        if attended == row.attended:
            result.unchanged += 1
            continue
        record = CourseAttendance(
            pk=pk, person=row.person, cohort=cohort, day=row.day, attended=row.attended
        )
        (created if pk is None else changed).append(record)
    _create_with_history(created, CourseAttendance)
    _update_with_history(changed, CourseAttendance, ["attended"])
    result.created, result.updated = len(created), len(changed)

    # A day's date set for the first time changes the training of everyone already recorded
    # at it, as well as of the people in the file.
    result.changed_person_ids = {record.person_id for record in created + changed} | set(
        CourseAttendance.objects.filter(cohort__in=list(dated)).values_list("person_id", flat=True)
    )


# Imports in the background --------------------------------------------------------------------

IMPORTERS: dict[str, tuple[Callable[..., ImportResult], str]] = {
    ImportRun.Kind.ROSTER: (roster_import, "people"),
    ImportRun.Kind.TRAINING: (training_import, "attendance records"),
}
# Progress is written at most this often (seconds), so that it costs the import nothing.
PROGRESS_INTERVAL = 0.5


@transaction.atomic
def import_run_start(*, kind: str, file: ImportFile, dry_run: bool, by: User) -> ImportRun:
    """Keep an uploaded file and queue its import for the task worker."""
    from training.tasks import import_run_task

    run = ImportRun(
        kind=kind, file_name=file.name[-255:], data=file.data, dry_run=dry_run, requested_by=by
    )
    run.full_clean()
    run.save()
    # In the same transaction as the run: the worker sees both or neither.
    import_run_task.enqueue(run.pk)
    return run


def import_run_execute(*, run_id: int) -> ImportResult | None:
    """Run a queued import in the name of whoever uploaded it, recording its progress and result.

    Returns None when the run is no longer waiting (a task run twice does nothing the second time).
    """
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    )
    if not claimed:
        return None
    run = ImportRun.objects.select_related("requested_by").get(pk=run_id)
    run_import, _ = IMPORTERS[run.kind]
    try:
        file = ImportFile(name=run.file_name, data=bytes(run.data))
        try:
            source = file.source()
        except CSVFileError as error:
            result = ImportResult(dry_run=run.dry_run, errors=[RowError(1, str(error))])
        else:
            with acting_as(run.requested_by):
                result = run_import(**source, dry_run=run.dry_run, progress=_RunProgress(run))
    except Exception:
        _finish(run, ImportRun.Status.FAILED, {})
        raise
    _finish(run, ImportRun.Status.DONE, result.as_json())
    return result


def _finish(run: ImportRun, status: str, result: dict[str, Any]) -> None:
    run.status, run.result, run.data, run.finished_at = status, result, b"", timezone.now()
    run.save(update_fields=["status", "result", "data", "finished_at", "updated_at"])


class _RunProgress:
    """Writes an import's progress to its run, for the page that follows it."""

    def __init__(self, run: ImportRun) -> None:
        self.run_id = run.pk
        self.stage = ""
        self.written_at = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self.stage and done < total and now - self.written_at < PROGRESS_INTERVAL:
            return
        self.stage, self.written_at = stage, now
        ImportRun.objects.filter(pk=self.run_id).update(
            stage=stage, rows_done=done, rows_total=total, updated_at=timezone.now()
        )
