"""The whole dashboard, assembled from the funnel, the ratings and the flags."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from dashboards.models import Definitions
from dashboards.selectors.definitions import people_status
from dashboards.selectors.filters import Filters
from dashboards.selectors.flags import Flags, flags
from dashboards.selectors.funnel import (
    FunnelRow,
    TeamRow,
    funnel,
    month_ends,
    past_funnel,
    rows,
    stage_of,
    trend,
)
from dashboards.selectors.ratings import (
    CaseContextRow,
    CohortRow,
    CompetencyShare,
    GapPoint,
    StageShare,
    case_contexts,
    cohort_comparison,
    competency_shares,
    gap_trend,
    stage_trends,
)
from supervision.selectors import overdue_days
from training.models import Phase, RoleGroup, Team


@dataclass
class Dashboard:
    filters: Filters
    definitions: Definitions
    total: FunnelRow
    stage: str
    critical_mass_reached_on: datetime.date | None
    critical_mass_before_window: bool
    timeline: list[FunnelRow]
    teams: list[TeamRow]
    service_areas: list[FunnelRow]
    role_groups: list[FunnelRow]
    phases: list[FunnelRow]
    stage_trends: list[StageShare]
    competency_shares: list[CompetencyShare]
    gap_trend: list[GapPoint]
    case_contexts: list[CaseContextRow]
    cohorts: list[CohortRow]
    flags: Flags
    overdue_days: int

    @property
    def has_critical_mass(self) -> bool:
        return self.total.fidelity_share * 100 >= self.definitions.full_fidelity_percent


def dashboard(filters: Filters, *, months: int = 12) -> Dashboard:
    definitions = Definitions.load()
    overdue_after = overdue_days()
    people = people_status(filters.as_of, definitions).filter(filters.people())

    total_counts = funnel(people, None)[None]
    total = FunnelRow(key="all", label="Everyone in scope", **total_counts)

    timeline = []
    for month_end in month_ends(filters.as_of, months):
        if month_end == filters.as_of:
            counts = total_counts
        else:
            counts = past_funnel(filters, month_end, definitions)
        timeline.append(FunnelRow(key=month_end, label=f"{month_end:%b %Y}", **counts))
    reached = [
        row.key
        for row in timeline
        if row.in_scope and row.fidelity_share * 100 >= definitions.full_fidelity_percent
    ]

    teams = list(Team.objects.order_by("name"))
    team_counts = funnel(people, "team_id")
    before = filters.as_of - relativedelta(months=3)
    team_before = past_funnel(filters, before, definitions, group_by="team_id")
    team_rows = []
    for row, previous in zip(
        rows(team_counts, [(team.pk, team.name) for team in teams]),
        rows(team_before, [(team.pk, team.name) for team in teams]),
        strict=True,
    ):
        team = next(team for team in teams if team.pk == row.key)
        team_rows.append(
            TeamRow(
                **row.__dict__,
                service_area=team.service_area,
                stage=stage_of(row, definitions),
                trend=trend(row.fidelity_share, previous.fidelity_share),
            )
        )
    areas = sorted({team.service_area for team in teams if team.service_area})
    phases = list(Phase.objects.order_by("order", "name"))
    role_people = people_status(filters.as_of, definitions).filter(
        Filters(**{**filters.__dict__, "role_group": ""}).people()
    )

    return Dashboard(
        filters=filters,
        definitions=definitions,
        total=total,
        stage=stage_of(total, definitions),
        critical_mass_reached_on=reached[0] if reached else None,
        critical_mass_before_window=bool(reached) and reached[0] == timeline[0].key,
        timeline=timeline,
        teams=team_rows,
        service_areas=rows(funnel(people, "team__service_area"), [(a, a) for a in areas]),
        role_groups=rows(funnel(role_people, "role_group"), list(RoleGroup.choices)),
        phases=rows(funnel(people, "credited_phase_id"), [(p.pk, p.name) for p in phases]),
        stage_trends=stage_trends(filters, months=months),
        competency_shares=competency_shares(filters, months=months),
        gap_trend=gap_trend(filters, months=months),
        case_contexts=case_contexts(filters, months=months),
        cohorts=cohort_comparison(filters, months=months),
        flags=flags(filters, overdue_days=overdue_after),
        overdue_days=overdue_after,
    )
