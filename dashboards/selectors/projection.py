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

from common.projection import PACE_MONTHS, Projection, project
from dashboards.models import Definitions
from dashboards.selectors.filters import Filters
from dashboards.selectors.funnel import FunnelRow, funnel_row, in_scope_by, span_counts
from training.models import ProgrammeSettings, Team


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


def _row(label: str, rows: list[FunnelRow], training: int, practice: int) -> ProjectionRow:
    return ProjectionRow(
        label=label,
        in_scope=rows[-1].in_scope if rows else 0,
        training=project(_dated(rows, "trained_share"), training),
        practice=project(_dated(rows, "fidelity_share"), practice),
    )


def critical_mass_projections(
    filters: Filters,
    definitions: Definitions,
    timeline: list[FunnelRow],
    people: dict[tuple[int, str, int], int],
    teams: list[Team],
) -> list[ProjectionRow]:
    """Everyone in scope first (from the dashboard's own `timeline` of month ends), then each
    team, each at the pace of the last `PACE_MONTHS` months. Two queries."""
    training = ProgrammeSettings.load().critical_mass_trained_percent
    practice = definitions.full_fidelity_percent
    recent = timeline[-(PACE_MONTHS + 1) :]
    days = [row.key for row in recent if isinstance(row.key, datetime.date)]
    counts = span_counts(filters, days, group_by="person__team_id")
    in_scope = in_scope_by(people, role_group=filters.role_group, key="team")
    phase = bool(filters.phase)
    rows = [_row("Everyone in scope", recent, training, practice)]
    for team in teams:
        history = [
            funnel_row(day, "", in_scope[team.pk], counts.get((team.pk, day)), phase=phase)
            for day in days
        ]
        rows.append(_row(team.name, history, training, practice))
    return rows
