"""The dashboard's three sections (Roll-out, Practice, Follow-up), each assembled from the
funnel, the ratings or the flags; each page computes only its own."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import cast

from dateutil.relativedelta import relativedelta

from competencies.models import Stage
from dashboards.models import Definitions, FiguresRefresh
from dashboards.selectors.filters import Filters
from dashboards.selectors.flags import Flags, flags
from dashboards.selectors.funnel import (
    MEASURES,
    Counts,
    FunnelRow,
    TeamRow,
    funnel_row,
    in_scope_by,
    month_ends,
    people_in_scope,
    span_counts,
    stage_of,
    trend,
)
from dashboards.selectors.projection import ProjectionRow, critical_mass_projection
from dashboards.selectors.ratings import (
    BasicStage,
    CaseContextRow,
    CohortRow,
    CompetencyShare,
    GapPoint,
    StageShare,
    case_contexts,
    cohort_comparison,
    competencies_by_id,
    competency_shares,
    gap_trend,
    rating_counts,
    stage_basics,
    stage_trends,
)
from dashboards.selectors.scope import ScopeReconciliation, scope_label, scope_reconciliation
from supervision.selectors import overdue_days
from training.models import Organisation, Phase, RoleGroup, Team


@dataclass
class RolloutFigures:
    """The dashboard's Roll-out section: how many of the people in scope are trained, embedded
    and practising with fidelity, in total, by month, team, service area, role group,
    organisation and phase, and when critical mass will be reached."""

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
    organisations: list[FunnelRow]
    phases: list[FunnelRow]
    scope: ScopeReconciliation
    projection: ProjectionRow
    """Everyone in scope's; each team's is `projection.team_projections`, for the teams a
    page shows."""
    refreshed_at: datetime.datetime | None = None

    @property
    def scope_label(self) -> str:
        return scope_label(self.filters)

    @property
    def has_critical_mass(self) -> bool:
        return self.total.fidelity_share * 100 >= self.definitions.full_fidelity_percent


@dataclass
class PracticeFigures:
    """The dashboard's Practice section: the supervisors' ratings by BASE stage, competency,
    month, case context and phase cohort, the stages most often rated Basic, and the gap
    between self and supervisor ratings."""

    filters: Filters
    stage_trends: list[StageShare]
    competency_shares: list[CompetencyShare]
    basic_stages: list[BasicStage]
    gap_trend: list[GapPoint]
    case_contexts: list[CaseContextRow]
    cohorts: list[CohortRow]


@dataclass
class FollowUpFigures:
    """The dashboard's Follow-up section: the people practice leaders and supervisors should
    look at."""

    filters: Filters
    flags: Flags
    overdue_days: int


@dataclass
class Dashboard:
    """All three sections, for the report and the monthly summary."""

    rollout: RolloutFigures
    practice: PracticeFigures
    follow_up: FollowUpFigures


def _teams(
    filters: Filters,
    definitions: Definitions,
    people: dict[tuple[int, str, int], int],
    teams: list[Team],
) -> list[TeamRow]:
    """Each team's funnel on the as-of date, its stage, and its trend since 3 months before."""
    before = filters.as_of - relativedelta(months=3)
    counts = span_counts(filters, [filters.as_of, before], group_by="person__team_id")
    in_scope = in_scope_by(people, role_group=filters.role_group, key="team")
    phase = bool(filters.phase)
    result = []
    for team in teams:
        now = funnel_row(
            team.pk, team.name, in_scope[team.pk], counts.get((team.pk, filters.as_of)), phase=phase
        )
        then = funnel_row(
            team.pk, team.name, in_scope[team.pk], counts.get((team.pk, before)), phase=phase
        )
        result.append(
            TeamRow(
                **now.__dict__,
                service_area=team.service_area,
                stage=stage_of(now, definitions),
                trend=trend(now.fidelity_share, then.fidelity_share),
            )
        )
    return result


def team_rows(filters: Filters, teams: list[Team]) -> list[TeamRow]:
    """The dashboard's Teams rows for these teams alone, counted the same way (the home page
    lists a team manager's own teams from these)."""
    return _teams(filters, Definitions.load(), people_in_scope(filters), teams)


def _service_areas(teams: list[TeamRow]) -> list[FunnelRow]:
    """The teams' figures added up by service area (each person is in one team)."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("in_scope", *MEASURES), 0))
    for team in teams:
        if team.service_area:
            for name in ("in_scope", *MEASURES):
                sums[team.service_area][name] += getattr(team, name)
    return [FunnelRow(key=area, label=area, **sums[area]) for area in sorted(sums)]


Grouped = dict[object, Counts]
# A role group, an employing organisation and the phase training is credited to (None: not
# trained).
GroupKey = tuple[str, int, int | None]


def groups_today(filters: Filters) -> dict[GroupKey, Counts]:
    """Every role group's figures on the as-of date by employer and credited phase, in one
    statement: the role group, employer and phase rows are added up from it."""
    every_group = Filters(**{**filters.__dict__, "role_group": ""})
    counts = span_counts(
        every_group,
        [filters.as_of],
        group_by=("person__role_group", "person__organisation_id", "phase_id"),
    )
    return {cast(GroupKey, key): total for (key, _day), total in counts.items()}


def _added_up(groups: dict[GroupKey, Counts], part: int, *, role_group: str = "") -> Grouped:
    """`groups_today` by one part of its key (0 role group, 1 employer, 2 phase), of one role
    group (every group when blank)."""
    sums: Grouped = {}
    for key, counts in groups.items():
        if role_group and key[0] != role_group:
            continue
        total = sums.setdefault(key[part], dict.fromkeys(MEASURES, 0))
        for name in MEASURES:
            total[name] += counts[name]
    return sums


def _role_groups(
    filters: Filters,
    people: dict[tuple[int, str, int], int],
    groups: dict[GroupKey, Counts],
) -> list[FunnelRow]:
    """Every role group side by side, whichever the filters chose."""
    counts = _added_up(groups, 0)
    in_scope = in_scope_by(people, role_group="", key="role_group")
    return [
        funnel_row(key, label, in_scope[key], counts.get(key), phase=bool(filters.phase))
        for key, label in RoleGroup.choices
    ]


def _organisations(
    filters: Filters,
    people: dict[tuple[int, str, int], int],
    groups: dict[GroupKey, Counts],
    organisations: list[Organisation],
) -> list[FunnelRow]:
    """By employing organisation: the council beside each partner agency, so that a partner
    less involved stands out."""
    counts = _added_up(groups, 1, role_group=filters.role_group)
    in_scope = in_scope_by(people, role_group=filters.role_group, key="organisation")
    return [
        funnel_row(
            organisation.pk,
            organisation.name,
            in_scope[organisation.pk],
            counts.get(organisation.pk),
            phase=bool(filters.phase),
        )
        for organisation in organisations
    ]


def _phases(
    filters: Filters, groups: dict[GroupKey, Counts], phases: list[Phase]
) -> list[FunnelRow]:
    """By the phase cohort people's training is credited to: in scope are those trained."""
    counts = _added_up(groups, 2, role_group=filters.role_group)
    return [
        funnel_row(phase.pk, phase.name, 0, counts.get(phase.pk), phase=True) for phase in phases
    ]


def _months_back(as_of: datetime.date, months: int) -> datetime.date:
    """The first day of the earliest month of the `months` up to `as_of`."""
    return (as_of - relativedelta(months=months - 1)).replace(day=1)


def headline(filters: Filters, *, since: datetime.date) -> tuple[FunnelRow, FunnelRow]:
    """The dashboard's total on `filters.as_of` and on `since`, read the way `dashboard` reads
    them (the same people in scope, the same stored spans): two queries. For the pages that show
    the headline with its change, such as a programme lead's home page; bring the stored figures
    up to date first with dashboards.services.figures_catch_up."""
    people = people_in_scope(filters)
    in_scope = sum(in_scope_by(people, role_group=filters.role_group, key="all").values())
    by_day = span_counts(filters, [since, filters.as_of])
    then, now = (
        funnel_row(
            day, f"{day:%d %b %Y}", in_scope, by_day.get((None, day)), phase=bool(filters.phase)
        )
        for day in (since, filters.as_of)
    )
    return now, then


def rollout_figures(filters: Filters, *, months: int = 12) -> RolloutFigures:
    """The Roll-out section, read from the stored status spans (see
    dashboards.selectors.funnel): bring them up to date first with
    dashboards.services.figures_catch_up."""
    definitions = Definitions.load()
    people = people_in_scope(filters)
    in_scope = sum(in_scope_by(people, role_group=filters.role_group, key="all").values())
    ends = month_ends(filters.as_of, months)
    by_day = span_counts(filters, ends)
    timeline = [
        funnel_row(
            day, f"{day:%b %Y}", in_scope, by_day.get((None, day)), phase=bool(filters.phase)
        )
        for day in ends
    ]
    total = replace(timeline[-1], key="all", label="Everyone in scope")
    reached = [
        row.month_end
        for row in timeline
        if row.in_scope and row.fidelity_share * 100 >= definitions.full_fidelity_percent
    ]
    every_team = list(Team.objects.order_by("name"))
    teams = _teams(filters, definitions, people, every_team)
    groups = groups_today(filters)
    refresh = FiguresRefresh.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    return RolloutFigures(
        filters=filters,
        definitions=definitions,
        total=total,
        stage=stage_of(total, definitions),
        critical_mass_reached_on=reached[0] if reached else None,
        critical_mass_before_window=bool(reached) and reached[0] == timeline[0].key,
        timeline=timeline,
        teams=teams,
        service_areas=_service_areas(teams),
        role_groups=_role_groups(filters, people, groups),
        organisations=_organisations(filters, people, groups, list(Organisation.objects.all())),
        phases=_phases(filters, groups, list(Phase.objects.order_by("order", "name"))),
        scope=scope_reconciliation(filters),
        projection=critical_mass_projection(definitions, timeline),
        refreshed_at=refresh,
    )


def practice_figures(filters: Filters, *, months: int = 12) -> PracticeFigures:
    """The Practice section, added up from the signed-off reviews' stored verdicts."""
    counts = rating_counts(filters, months=months)
    competencies = competencies_by_id()
    stage_labels = dict(Stage.choices)
    return PracticeFigures(
        filters=filters,
        stage_trends=stage_trends(counts, competencies),
        competency_shares=competency_shares(counts, competencies),
        basic_stages=[
            BasicStage(stage=stage_labels.get(stage, ""), basic=basic, ratings=ratings)
            for stage, ratings, basic in stage_basics(
                counts, competencies, since=_months_back(filters.as_of, 6)
            )
        ],
        gap_trend=gap_trend(filters, months=months),
        case_contexts=case_contexts(filters, months=months),
        cohorts=cohort_comparison(filters, months=months),
    )


def follow_up_figures(filters: Filters) -> FollowUpFigures:
    """The Follow-up section: each list by the rule of the app that owns it."""
    overdue_after = overdue_days()
    return FollowUpFigures(
        filters=filters,
        flags=flags(filters, overdue_days=overdue_after),
        overdue_days=overdue_after,
    )


def dashboard(filters: Filters, *, months: int = 12) -> Dashboard:
    """Everything the dashboard's three sections show (each page reads only its own)."""
    return Dashboard(
        rollout=rollout_figures(filters, months=months),
        practice=practice_figures(filters, months=months),
        follow_up=follow_up_figures(filters),
    )
