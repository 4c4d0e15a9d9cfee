"""When training and practice will each reach their critical mass, at the pace of recent months,
for everyone in scope and for each team: the arithmetic is common.projection's, the figures the
funnel's (the same stored spans and people in scope as the rest of the dashboard).

Training is the share of the people in scope who are trained, against the critical mass of
trained people (training.models.ProgrammeSettings); practice is the share practising with
fidelity, against the critical mass of practice (dashboards.models.Definitions).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from common.projection import PACE_MONTHS, Projection, project
from dashboards.models import Definitions
from dashboards.selectors.filters import Filters
from dashboards.selectors.funnel import FunnelRow, TeamRow, funnel_row, span_counts
from training.models import ProgrammeSettings


@dataclass(frozen=True)
class ProjectionRow:
    label: str
    in_scope: int
    training: Projection
    practice: Projection

    @property
    def measures(self) -> tuple[Projection, Projection]:
        return self.training, self.practice


def _dated(rows: list[FunnelRow], share: str) -> list[tuple[datetime.date, float]]:
    """(month end, share in percent) of the rows with anyone in scope; a timeline's keys are its
    month ends."""
    return [
        (row.key, getattr(row, share) * 100)
        for row in rows
        if row.in_scope and isinstance(row.key, datetime.date)
    ]


def _row(label: str, rows: list[FunnelRow], training: float, practice: float) -> ProjectionRow:
    return ProjectionRow(
        label=label,
        in_scope=rows[-1].in_scope if rows else 0,
        training=project(_dated(rows, "trained_share"), training),
        practice=project(_dated(rows, "fidelity_share"), practice),
    )


def critical_mass_projection(definitions: Definitions, timeline: list[FunnelRow]) -> ProjectionRow:
    """Everyone in scope, from the dashboard's own `timeline` of month ends, at the pace of the
    last `PACE_MONTHS` months. One query (the programme settings)."""
    recent = timeline[-(PACE_MONTHS + 1) :]
    return _row(
        "Everyone in scope",
        recent,
        ProgrammeSettings.load().critical_mass_trained_percent,
        definitions.full_fidelity_percent,
    )


def team_projections(
    filters: Filters,
    everyone: ProjectionRow,
    timeline: list[FunnelRow],
    teams: list[TeamRow],
) -> list[ProjectionRow]:
    """Each of `teams` (rows of the dashboard's Teams table, with their people in scope), at
    the pace of the same months and against the same thresholds as `everyone`: asked for the
    teams a page shows, not all of a national organisation's. One query."""
    recent = timeline[-(PACE_MONTHS + 1) :]
    days = [row.key for row in recent if isinstance(row.key, datetime.date)]
    if not teams or not days:
        return []
    counts = span_counts(
        filters,
        days,
        group_by="person__team_id",
        where=Q(person__team_id__in=[team.key for team in teams]),
    )
    training, practice = everyone.training.threshold, everyone.practice.threshold
    phase = bool(filters.phase)
    rows = []
    for team in teams:
        history = [
            funnel_row(day, "", team.in_scope, counts.get((team.key, day)), phase=phase)
            for day in days
        ]
        rows.append(_row(team.label, history, training, practice))
    return rows
