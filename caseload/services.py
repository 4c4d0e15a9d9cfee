"""Writes of the monthly figures: by the practitioner, or confirmed in a 2:1 by its supervisor.

The import (caseload.imports) writes the same rows in bulk, checked by the same rules.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from caseload.models import MonthlyCaseload, Source
from caseload.months import month_start
from supervision.models import SupervisionSession
from supervision.selectors import record_refusal
from training.dates import local_date
from training.models import Person


def month_problem(month: datetime.date, *, today: datetime.date | None = None) -> str | None:
    """Why figures cannot be recorded for `month`, or None: a month's figures are known once it
    has begun."""
    today = today or timezone.localdate()
    if month_start(month) > month_start(today):
        return "Figures are recorded for this month or an earlier one, not a month to come."
    return None


def _save(
    *,
    person: Person,
    month: datetime.date,
    caseload: int,
    cases_with_model: int,
    source: Source,
    by: User,
    session: SupervisionSession | None = None,
) -> MonthlyCaseload:
    month = month_start(month)
    if problem := month_problem(month):
        raise ValidationError({"month": problem})
    row = MonthlyCaseload.objects.select_for_update().filter(
        person=person, month=month
    ).first() or MonthlyCaseload(person=person, month=month)
    row.caseload, row.cases_with_model = caseload, cases_with_model
    row.source, row.recorded_by, row.session = source, by, session
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def monthly_caseload_record(
    *, person: Person, month: datetime.date, caseload: int, cases_with_model: int, by: User
) -> MonthlyCaseload:
    """A practitioner records their own figures for a month (or changes them)."""
    if getattr(by, "person", None) != person:
        raise ValidationError("People record only their own figures.")
    return _save(
        person=person,
        month=month,
        caseload=caseload,
        cases_with_model=cases_with_model,
        source=Source.PRACTITIONER,
        by=by,
    )


@transaction.atomic
def monthly_caseload_confirm(
    *,
    session: SupervisionSession,
    practitioner: Person,
    caseload: int,
    cases_with_model: int,
    by: User,
) -> MonthlyCaseload:
    """The supervisor of a 2:1 confirms or changes a practitioner's figures for the month the
    2:1 was held in."""
    if getattr(by, "person", None) is None or by.person.pk != session.supervisor_id:
        raise ValidationError("Only the supervisor of this 2:1 confirms its figures.")
    if problem := record_refusal(session):
        raise ValidationError(problem)
    if not session.practitioners.filter(pk=practitioner.pk).exists():
        raise ValidationError("That person is not a practitioner of this 2:1.")
    return _save(
        person=practitioner,
        month=local_date(session.starts_at),
        caseload=caseload,
        cases_with_model=cases_with_model,
        source=Source.SUPERVISION,
        by=by,
        session=session,
    )
