"""Reads of the monthly figures: a person's own, a 2:1's, and cases worked with the model as of
a date, which the roll-out report and the dashboard compose.

The rule for "as of a date" has one home, `latest_figures`: each person's latest monthly figure
in the month of the date and the two before it. Someone who has recorded nothing for three
months no longer counts: their figure is out of date, not zero.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum

from caseload.models import MonthlyCaseload
from caseload.months import month_start, months_back
from supervision.models import SupervisionSession
from training.dates import local_date
from training.models import Person
from training.selectors import (
    PhaseFigures,
    RoleGroupFigures,
    RolloutSummary,
    TeamFigures,
    people_with_training,
)

# A row of the roll-out figures, which gains the cases worked with the model beside it.
Figures = TypeVar("Figures", PhaseFigures, TeamFigures, RoleGroupFigures)

MONTHS_COUNTED = 3


def months_counted(as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last month whose figures count as of `as_of`."""
    return months_back(as_of, MONTHS_COUNTED - 1), month_start(as_of)


def latest_figures(*, as_of: datetime.date, people: Q | None = None) -> QuerySet[MonthlyCaseload]:
    """Each person's latest monthly figure within `months_counted(as_of)`, for the people
    `people` (a condition over MonthlyCaseload, such as Q(person__team=team)) or everyone.

    Found with one anti-join (no later figure of the same person in the window), so the cost
    follows the number of figures, never a query a person."""
    first, last = months_counted(as_of)
    in_window = MonthlyCaseload.objects.filter(month__gte=first, month__lte=last)
    later = in_window.filter(person=OuterRef("person"), month__gt=OuterRef("month"))
    latest = in_window.filter(~Exists(later))
    return latest.filter(people) if people is not None else latest


@dataclass(frozen=True)
class CaseCount:
    cases_with_model: int = 0
    caseload: int = 0

    def __add__(self, other: CaseCount) -> CaseCount:
        return CaseCount(
            self.cases_with_model + other.cases_with_model, self.caseload + other.caseload
        )


@dataclass(frozen=True)
class CasesWithModel:
    """Cases worked with the model as of a date, beside the caseload they come from: in all, by
    the phase each person's training is credited to (None: not trained by the date), by team
    and by role group (the person's own, now)."""

    as_of: datetime.date
    total: CaseCount
    by_phase: dict[int | None, CaseCount]
    by_team: dict[int | None, CaseCount]
    by_role_group: dict[str, CaseCount]


def cases_with_model(*, as_of: datetime.date, people: Q | None = None) -> CasesWithModel:
    """Cases worked with the model as of `as_of` (see `latest_figures`), in one query: the
    figures are summed by phase, team and role group together in the database, and the few
    groups are added up here."""
    credited_phase = people_with_training(as_of).filter(pk=OuterRef("person_id"))
    groups = (
        latest_figures(as_of=as_of, people=people)
        .annotate(phase_id=Subquery(credited_phase.values("credited_phase_id")[:1]))
        .values("phase_id", "person__team_id", "person__role_group")
        .annotate(cases=Sum("cases_with_model"), load=Sum("caseload"))
        .order_by()
    )
    total = CaseCount()
    by_phase: dict[int | None, CaseCount] = defaultdict(CaseCount)
    by_team: dict[int | None, CaseCount] = defaultdict(CaseCount)
    by_role_group: dict[str, CaseCount] = defaultdict(CaseCount)
    for group in groups:
        count = CaseCount(group["cases"], group["load"])
        total += count
        by_phase[group["phase_id"]] += count
        by_team[group["person__team_id"]] += count
        by_role_group[group["person__role_group"]] += count
    return CasesWithModel(
        as_of=as_of,
        total=total,
        by_phase=dict(by_phase),
        by_team=dict(by_team),
        by_role_group=dict(by_role_group),
    )


def rollout_with_cases(summary: RolloutSummary) -> RolloutSummary:
    """The roll-out figures with the cases worked with the model as of the same date beside
    them: what the roll-out page, its downloads and `rollout_report` show."""
    people = (
        None if summary.organisation is None else Q(person__organisation_id=summary.organisation)
    )
    cases = cases_with_model(as_of=summary.as_of, people=people)

    def beside(row: Figures, count: CaseCount | None) -> Figures:
        count = count or CaseCount()
        return dataclasses.replace(
            row, cases_with_model=count.cases_with_model, caseload=count.caseload
        )

    return dataclasses.replace(
        summary,
        cases_with_model=cases.total.cases_with_model,
        caseload=cases.total.caseload,
        phases=[beside(phase, cases.by_phase.get(phase.pk)) for phase in summary.phases],
        teams=[beside(team, cases.by_team.get(team.pk)) for team in summary.teams],
        role_groups=[
            beside(group, cases.by_role_group.get(group.key)) for group in summary.role_groups
        ],
    )


def cases_with_model_by_month(
    *, ends: list[datetime.date], people: Q | None = None
) -> dict[datetime.date, CaseCount]:
    """Cases worked with the model as of each of `ends` (the dashboard's month ends), by the same
    rule as `latest_figures`, in one query.

    A figure is its person's latest in the window of a date when it is in that window and the
    person's next figure (if any) comes after the window's last month. So each figure is read
    once, with the month of the person's next figure, and the figures are added up by (month,
    next month) in the database; the few sums are put in each date's window here. Building one
    query a date (joined with UNION ALL) took longer in Python than the database took to run it.
    """
    if not ends:
        return {}
    windows = {end: months_counted(end) for end in ends}
    following = (
        MonthlyCaseload.objects.filter(person=OuterRef("person"), month__gt=OuterRef("month"))
        .order_by("month")
        .values("month")[:1]
    )
    figures = MonthlyCaseload.objects.filter(
        month__gte=min(first for first, _ in windows.values()),
        month__lte=max(last for _, last in windows.values()),
    )
    if people is not None:
        figures = figures.filter(people)
    sums = (
        figures.annotate(next_month=Subquery(following))
        .values("month", "next_month")
        .annotate(cases=Sum("cases_with_model"), load=Sum("caseload"))
        .order_by()
    )
    totals = dict.fromkeys(ends, CaseCount())
    for row in sums:
        count = CaseCount(row["cases"] or 0, row["load"] or 0)
        for end, (first, last) in windows.items():
            if first <= row["month"] <= last and (
                row["next_month"] is None or row["next_month"] > last
            ):
                totals[end] += count
    return totals


# A person's own figures, and a 2:1's ----------------------------------------------------------

MONTHS_SHOWN = 12


def figures_of(person: Person, *, months: int = MONTHS_SHOWN) -> QuerySet[MonthlyCaseload]:
    """A person's figures for the latest `months` months, newest first."""
    return (
        MonthlyCaseload.objects.filter(person=person)
        .select_related("recorded_by", "session")
        .order_by("-month")[:months]
    )


def session_month(session: SupervisionSession) -> datetime.date:
    """The month whose figures a 2:1 confirms: the month it was held in."""
    return month_start(local_date(session.starts_at))


def session_figures(session: SupervisionSession) -> list[tuple[Person, MonthlyCaseload | None]]:
    """Each practitioner of a 2:1 with their figures for its month (None when there are none)."""
    practitioners = list(session.practitioners.all())
    figures = {
        row.person_id: row
        for row in MonthlyCaseload.objects.filter(
            person__in=practitioners, month=session_month(session)
        ).select_related("recorded_by")
    }
    return [(person, figures.get(person.pk)) for person in practitioners]
