"""What the monthly summary to programme leads says: the month just ended, set beside the one
before it. Composed from the dashboard (its funnel, definitions and critical mass of practice),
the roll-out (its teams furthest behind) and common.projection; nothing here counts anything
again. It is sent through the notifications outbox, which sits below every app that sends
email."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from accounts.roles import Role
from circles.holidays import next_working_day
from common.projection import Projection, project
from dashboards.selectors import Filters, FunnelRow, rollout_figures
from dashboards.services import figures_catch_up
from notifications.models import EmailKind, MonthlySummary
from notifications.selectors import people_with_role
from notifications.services import emails_record
from training.selectors import TeamFigures, rollout_summary


def first_working_day(day: datetime.date) -> datetime.date:
    """The first day of `day`'s month that is neither a weekend nor a bank holiday."""
    return next_working_day(day.replace(day=1) - datetime.timedelta(days=1))


@dataclass(frozen=True)
class Figure:
    label: str
    count: int
    share: float
    change: float
    """The change in share since the month before, in percentage points."""

    @property
    def change_text(self) -> str:
        points = round(self.change * 100)
        if points == 0:
            return "no change"
        size = abs(points)
        return f"{'up' if points > 0 else 'down'} {size} point{'' if size == 1 else 's'}"


@dataclass(frozen=True)
class MonthlyFigures:
    month: datetime.date
    """The last day of the month summarised."""
    in_scope: int
    figures: list[Figure]
    teams_furthest_behind: list[TeamFigures]
    critical_mass_percent: int
    projection: Projection


FIGURES = (
    ("trained", "Trained"),
    ("embedded", "Embedded in a learning circle"),
    ("fidelity", "Practising with fidelity"),
)


def figures_with_change(now: FunnelRow, before: FunnelRow) -> list[Figure]:
    """Trained, embedded and practising with fidelity in `now`, each with its change in share
    since `before` (the monthly summary's and the programme lead's home page's headline)."""
    figures = []
    for name, label in FIGURES:
        share = now.share(getattr(now, name))
        change = share - before.share(getattr(before, name))
        figures.append(Figure(label=label, count=getattr(now, name), share=share, change=change))
    return figures


def monthly_figures(*, today: datetime.date) -> MonthlyFigures:
    """The figures at the end of the month before `today`'s, with their change over that month,
    and the projection to the critical mass of practice at the pace of the months before."""
    month_end = today.replace(day=1) - datetime.timedelta(days=1)
    # As every page that reads the stored figures does first (one query when up to date).
    figures_catch_up()
    data = rollout_figures(Filters(as_of=month_end), months=12)
    critical = data.definitions.full_fidelity_percent
    history = [(row.month_end, row.fidelity_share * 100) for row in data.timeline if row.in_scope]
    return MonthlyFigures(
        month=month_end,
        in_scope=data.total.in_scope,
        figures=figures_with_change(data.timeline[-1], data.timeline[-2]),
        teams_furthest_behind=rollout_summary(as_of=month_end).teams_furthest_behind(),
        critical_mass_percent=critical,
        projection=project(history, critical),
    )


def monthly_summary_send(*, today: datetime.date) -> MonthlySummary | None:
    """On the first working day of a month, email each programme lead the summary of the month
    just ended, once: the month's record, written with the emails, stops a second run (or two at
    once) from sending it again. On any other day, or once sent, nothing is done (None).

    A month whose first working day the daily job missed gets no summary: a late one would read
    as the next month's figures.
    """
    if today != first_working_day(today):
        return None
    with transaction.atomic():
        summary, created = MonthlySummary.objects.get_or_create(month=today.replace(day=1))
        if not created:
            return None
        figures = monthly_figures(today=today)
        ids = emails_record(
            kind=EmailKind.MONTHLY_SUMMARY,
            people=people_with_role(Role.PROGRAMME_LEAD),
            subject=f"The roll-out in {figures.month:%B %Y}",
            template="notifications/email/monthly_summary.txt",
            context={"figures": figures, "path": reverse("fidelity")},
        )
        summary.recipients = len(ids)
        summary.save(update_fields=["recipients"])
    return summary
