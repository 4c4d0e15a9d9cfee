"""What learning circles worked on, beside how the same stages and competencies are rated.

A stage that supervisors often rate Basic and that circles seldom work on is where support is
missing; this puts the two figures side by side, from the selectors of the apps that own them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from circles.selectors import framework_work
from competencies.frameworks import current_version
from competencies.models import Competency, Stage
from competencies.selectors import BasicShare, basic_shares
from dashboards.selectors import Filters

WINDOW_MONTHS = 6
# Weak: at least this share of the supervisors' ratings is Basic. Seldom worked on: by fewer than
# this share of the circle meetings held. Both together mark a row for attention.
WEAK_BASIC_SHARE = 0.3
SELDOM_SHARE = 0.1


@dataclass(frozen=True)
class WorkRow:
    """A stage, or one of its competencies, with how often circles worked on it and its rating."""

    label: str
    is_stage: bool
    meetings: int
    meetings_held: int
    rated: BasicShare | None

    @property
    def meetings_share(self) -> float:
        return self.meetings / self.meetings_held if self.meetings_held else 0.0

    @property
    def weak_and_seldom_worked_on(self) -> bool:
        share = self.rated.share if self.rated else None
        weak = share is not None and share >= WEAK_BASIC_SHARE
        return weak and self.meetings_share < SELDOM_SHARE


@dataclass(frozen=True)
class CircleWork:
    since: datetime.date
    until: datetime.date
    meetings_held: int
    rows: list[WorkRow]

    @property
    def flagged(self) -> list[WorkRow]:
        return [row for row in self.rows if row.weak_and_seldom_worked_on]


def circle_work(filters: Filters, *, months: int = WINDOW_MONTHS) -> CircleWork:
    """Each stage, then each competency of the current published framework, with the learning
    circle meetings held in the last `months` months that worked on it and the share of
    supervisor ratings at Basic over the same window.

    Circles are counted across the organisation (a circle mixes teams and professions on
    purpose); the ratings follow the dashboard's filters. Seven queries.
    """
    until = filters.as_of
    since = until - relativedelta(months=months) + datetime.timedelta(days=1)
    work = framework_work(since=since, until=until)
    shares = basic_shares(since=since, until=until, where=filters.reviews())
    version = current_version()
    competencies = (
        Competency.objects.filter(area__version=version)
        .select_related("area")
        .order_by("area__order", "order", "pk")
        if version
        else Competency.objects.none()
    )
    by_stage: dict[str, list[Competency]] = {}
    for competency in competencies:
        by_stage.setdefault(competency.area.stage, []).append(competency)
    rows = []
    for stage in Stage:
        rows.append(
            WorkRow(
                label=stage.label,
                is_stage=True,
                meetings=work.by_stage.get(stage, 0),
                meetings_held=work.meetings_held,
                rated=shares.by_stage.get(stage),
            )
        )
        rows.extend(
            WorkRow(
                label=competency.title,
                is_stage=False,
                meetings=work.by_competency.get(competency.code, 0),
                meetings_held=work.meetings_held,
                rated=shares.by_competency.get(competency.code),
            )
            for competency in by_stage.get(stage, [])
        )
    return CircleWork(since=since, until=until, meetings_held=work.meetings_held, rows=rows)
