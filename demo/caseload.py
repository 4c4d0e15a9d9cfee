"""The demo organisation's monthly figures, which reproduce the report's Table 3 (cases worked
with the model): 18 at the end of the pilot (February 2016), about 32 at the end of phase 1
(September 2016) and about 300 at the end of phase 2 (December 2016).

Every practitioner trained records figures from the month after the one they were trained in
until this month (a leaver until the month they left). As the council asked, most first try the
model on a few of their cases (1 to 3), and some on all of them at once; after some months
they take it to more of their cases. The pilot practitioner who stayed worked 18 cases with
the model; the one on extended leave never practised it and records nothing.

Derived from names and dates only, so it is the same on every machine; a second load adds
nothing.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from caseload.models import MonthlyCaseload, Source
from caseload.months import month_start, months_back
from training.models import Person, PersonStatus, Phase, RoleGroup
from training.selectors import training_records

PILOT = "Pilot"  # the demo's phase of that name (demo.organisation.PHASES)
PILOT_CASES = 18
PILOT_CASELOAD = 20
# Months at the first few cases before a practitioner takes the model to more of their cases.
TRIAL_MONTHS = 7
# The cases a practitioner first tries the model on: from TRIAL_FROM, TRIAL_CHOICES of them.
TRIAL_FROM, TRIAL_CHOICES = 1, 3
# The cases a month they add after the trial months.
GROWTH = 2
# Picks who tries how many cases (chosen once so that the demo meets the report's figures).
SALT = 14
# One in this many practitioners works every case with the model from the start.
ALL_CASES_ONE_IN = 12


def _number(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "big")


def _months_between(first: datetime.date, last: datetime.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def demo_figures(
    email: str, trained_on: datetime.date, month: datetime.date, *, pilot: bool = False
) -> tuple[int, int] | None:
    """A demo practitioner's caseload and cases worked with the model in `month` (its first
    day), or None before their first month of practice."""
    first = months_back(trained_on, -1)
    if month < first:
        return None
    if pilot:
        return PILOT_CASELOAD, PILOT_CASES
    caseload = 12 + _number(email, "caseload") % 10 + _number(email, month) % 3
    if _number(email, "all", SALT) % ALL_CASES_ONE_IN == 0:
        return caseload, caseload
    months_in = _months_between(first, month)
    trial = TRIAL_FROM + _number(email, "trial", SALT) % TRIAL_CHOICES
    return caseload, min(caseload, trial + max(0, months_in - TRIAL_MONTHS + 1) * GROWTH)


@transaction.atomic
def load_demo() -> list[str]:
    this_month = month_start(timezone.localdate())
    records = training_records(timezone.localdate())
    practitioners = Person.objects.filter(
        pk__in=list(records), role_group=RoleGroup.PRACTITIONER
    ).exclude(status=PersonStatus.EXTENDED_LEAVE)
    pilot_phase = set(Phase.objects.filter(name=PILOT).values_list("pk", flat=True))
    existing = set(MonthlyCaseload.objects.values_list("person_id", "month"))
    new: list[MonthlyCaseload] = []
    for person in practitioners.order_by("email"):
        record = records[person.pk]
        if not record.trained_on:
            continue
        last = month_start(person.left_on) if person.left_on else this_month
        month = months_back(record.trained_on, -1)
        while month <= last:
            figures = demo_figures(
                person.email,
                record.trained_on,
                month,
                pilot=record.credited_phase_id in pilot_phase,
            )
            if figures and (person.pk, month) not in existing:
                new.append(
                    MonthlyCaseload(
                        person=person,
                        month=month,
                        caseload=figures[0],
                        cases_with_model=figures[1],
                        source=Source.PRACTITIONER,
                    )
                )
            month = months_back(month, -1)
    bulk_create_with_history(new, MonthlyCaseload, batch_size=500)
    return [f"{len(new)} monthly figures created."]
