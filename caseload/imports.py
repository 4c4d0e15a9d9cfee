"""The monthly figures import: columns email, month, caseload, cases_with_model.

All or nothing, like the roster and training imports, and through their readers and checks: a
CSV file or an Excel workbook, the row cap, every bad line named. A person's figures for a month
already recorded are replaced by the file's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from caseload.models import MOST_CASES, MonthlyCaseload, Source
from caseload.months import parse_month
from caseload.services import month_problem
from training.csv_files import ParsedCSV, RowError, read_table
from training.imports import (
    ImportResult,
    Progress,
    _audit_user,
    _checked,
    _chunked,
    _create_with_history,
    _email,
    _model_problems,
    _over_the_row_cap,
    _people_by_email,
    _report,
    _too_many_rows,
    _update_with_history,
)
from training.models import Person

CASES_COLUMNS = ["email", "month", "caseload", "cases_with_model"]


@dataclass(frozen=True)
class _CasesRow:
    line: int
    person: Person
    month: datetime.date
    caseload: int
    cases_with_model: int


def _count(raw: dict[str, str], column: str, problems: list[str]) -> int | None:
    value = raw[column]
    if not value:
        problems.append(f"{column} is required")
        return None
    if not value.isdecimal() or int(value) > MOST_CASES:
        problems.append(f"{column} '{value}' is not a whole number from 0 to {MOST_CASES}")
        return None
    return int(value)


def _validate_cases(
    parsed: ParsedCSV, progress: Progress | None, today: datetime.date
) -> tuple[list[_CasesRow], list[RowError], int]:
    """The rows to import, every problem, and how many rows repeat an earlier one exactly."""
    errors = list(parsed.errors)
    people = _people_by_email(
        email for _, raw in parsed.rows if raw["email"] and (email := _email(raw["email"]))
    )
    rows: list[_CasesRow] = []
    first_of: dict[tuple[str, datetime.date], tuple[int, int | None, int | None]] = {}
    repeated = 0
    for line, raw in _checked(parsed.rows, progress, len(parsed.rows)):
        problems: list[str] = []
        email = _email(raw["email"]) if raw["email"] else None
        person = people.get(email) if email else None
        if not raw["email"]:
            problems.append("email is required")
        elif email is None:
            problems.append(f"'{raw['email']}' is not a valid email address")
        elif person is None:
            problems.append(f"{raw['email']} is not on the roster")
        month = parse_month(raw["month"]) if raw["month"] else None
        if not raw["month"]:
            problems.append("month is required")
        elif month is None:
            problems.append(
                f"month '{raw['month']}' is not a month as YYYY-MM or a date as YYYY-MM-DD or "
                "DD/MM/YYYY"
            )
        elif problem := month_problem(month, today=today):
            problems.append(f"month '{raw['month']}': {problem}")
        caseload = _count(raw, "caseload", problems)
        with_model = _count(raw, "cases_with_model", problems)
        if caseload is not None and with_model is not None and with_model > caseload:
            problems.append(
                f"cases_with_model ({with_model}) is more than the caseload ({caseload})"
            )
        if email and month is not None:
            first = first_of.setdefault((email, month), (line, caseload, with_model))
            if first[0] != line:
                if first[1:] == (caseload, with_model) and not problems:
                    repeated += 1
                    continue
                problems.append(
                    f"{email}'s figures for {month:%B %Y} are on line {first[0]} and on line "
                    f"{line}: keep one of them"
                )
        # Without problems, the month and both figures were given and read.
        if not problems and month is not None and caseload is not None and with_model is not None:
            problems = _model_problems(
                MonthlyCaseload(
                    month=month,
                    caseload=caseload,
                    cases_with_model=with_model,
                    source=Source.IMPORT,
                ),
                exclude=["person", "recorded_by", "session"],
            )
        if problems:
            errors.extend(RowError(line, problem) for problem in problems)
            continue
        # Without problems, every column was given and read.
        assert person is not None and month is not None
        assert caseload is not None and with_model is not None
        rows.append(_CasesRow(line, person, month, caseload, with_model))
    return rows, sorted(errors, key=lambda error: error.line), repeated


def cases_import(
    *,
    text: str | None = None,
    workbook: bytes | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    row_cap: bool = True,
) -> ImportResult:
    """Record monthly caseloads and cases worked with the model from a CSV file's text or an
    Excel workbook's bytes, in the name of whoever the audit context names."""
    result = ImportResult(dry_run=dry_run)
    if row_cap and text is not None and (too_many := _over_the_row_cap(text)):
        result.errors = [too_many]
        return result
    parsed = read_table(text=text, workbook=workbook, required=CASES_COLUMNS)
    if row_cap and (too_many := _too_many_rows(parsed)):
        result.errors = [too_many]
        return result
    rows, result.errors, result.repeated = _validate_cases(parsed, progress, timezone.localdate())
    if result.errors:
        return result
    _report(progress, "saving", 0, len(rows))
    with transaction.atomic():
        _save_cases(rows, result)
        if dry_run:
            transaction.set_rollback(True)
            result.changed_person_ids = set()
    _report(progress, "saving", len(rows), len(rows))
    return result


def _save_cases(rows: list[_CasesRow], result: ImportResult) -> None:
    person_ids = {row.person.pk for row in rows}
    months = {row.month for row in rows}
    existing = {
        (figures.person_id, figures.month): figures
        for chunk in _chunked(person_ids)
        for figures in MonthlyCaseload.objects.filter(person_id__in=chunk, month__in=months)
    }
    by = _audit_user()
    created: list[MonthlyCaseload] = []
    changed: list[MonthlyCaseload] = []
    for row in rows:
        figures = existing.get((row.person.pk, row.month))
        if figures is None:
            created.append(
                MonthlyCaseload(
                    person=row.person,
                    month=row.month,
                    caseload=row.caseload,
                    cases_with_model=row.cases_with_model,
                    source=Source.IMPORT,
                    recorded_by=by,
                )
            )
        elif (figures.caseload, figures.cases_with_model) != (row.caseload, row.cases_with_model):
            figures.caseload, figures.cases_with_model = row.caseload, row.cases_with_model
            figures.source, figures.recorded_by, figures.session = Source.IMPORT, by, None
            figures.updated_at = timezone.now()
            changed.append(figures)
        else:
            result.unchanged += 1
    _create_with_history(created, MonthlyCaseload)
    _update_with_history(
        changed,
        MonthlyCaseload,
        ["caseload", "cases_with_model", "source", "recorded_by", "session", "updated_at"],
    )
    result.created, result.updated = len(created), len(changed)
    result.changed_person_ids = {figures.person_id for figures in created + changed}
