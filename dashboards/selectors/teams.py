"""The team view: one team's figures for the person who manages it, and, by name, the people in
it they line-manage.

Nothing is decided here. The figures are the dashboard's own, read from the stored status spans
with the dashboard's filters narrowed to the team (funnel, ratings); who is overdue for a 2:1 is
supervision's rule, who is in no circle is circles', who rated themselves higher is
competencies', and whom a person manages is the roster's (training.selectors).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.http import Http404

from accounts.models import User
from circles.selectors import unplaced_trained_people
from competencies.selectors import rated_self_higher
from dashboards.models import Definitions, StatusSpan
from dashboards.selectors.filters import Filters
from dashboards.selectors.funnel import (
    MEASURES,
    FunnelRow,
    funnel_row,
    in_scope_by,
    month_ends,
    people_in_scope,
    span_counts,
    stage_of,
    trend,
)
from dashboards.selectors.ratings import GapPoint, gap_trend
from supervision.selectors import overdue_days, overdue_people
from training.models import Person, RoleGroup, Team
from training.selectors import line_managed_ids, person_of

MONTHS = 12
TREND_MONTHS = 3


@dataclass(frozen=True)
class ManagedTeam:
    team: Team
    managed: frozenset[int]
    """The people the viewer line-manages, directly or through others, in any team."""


def get_team_for_user(user: User, pk: int) -> ManagedTeam:
    """A team the user manages (someone they line-manage works in it), or a 404: another
    team is answered as a team that does not exist."""
    person = person_of(user)
    if person is None:
        raise Http404("No such team.")
    managed = frozenset(line_managed_ids(person))
    team = Team.objects.filter(pk=pk, people__pk__in=managed).distinct().first()
    if team is None:
        raise Http404("No such team.")
    return ManagedTeam(team=team, managed=managed)


@dataclass(frozen=True)
class Measure:
    """Trained, embedded or practising with fidelity: now, and its trend since then."""

    name: str
    label: str
    count: int
    share: float
    share_before: float

    @property
    def trend(self) -> str:
        return trend(self.share, self.share_before)


@dataclass(frozen=True)
class PersonRow:
    """A person the viewer line-manages, as the figures see them on the as-of date."""

    pk: int
    name: str
    role_group: str
    trained: bool
    embedded: bool
    faithful: bool
    overdue: bool
    in_no_circle: bool
    self_higher: int  # competencies rated a level or more above the supervisor, when flagged


@dataclass(frozen=True)
class TeamView:
    team: Team
    filters: Filters
    definitions: Definitions
    total: FunnelRow
    before: datetime.date
    measures: list[Measure]
    stage: str
    timeline: list[FunnelRow]
    gap_trend: list[GapPoint]
    overdue: int
    in_no_circle: int
    self_higher: int
    overdue_days: int
    people: list[PersonRow]


def _statuses(person_ids: list[int], as_of: datetime.date) -> dict[int, StatusSpan]:
    """Each person's stored span on the as-of date (none: nothing to count that day)."""
    spans = StatusSpan.objects.filter(
        Q(ends_on__gt=as_of) | Q(ends_on__isnull=True),
        person_id__in=person_ids,
        starts_on__lte=as_of,
    ).only("person_id", "trained", "embedded", "faithful")
    return {span.person_id: span for span in spans}


def team_view(filters: Filters, *, managed: ManagedTeam) -> TeamView:
    """Everything the team view shows, for `filters` narrowed to the team. A fixed number of
    queries, whatever the size of the team. Bring the stored figures up to date first
    (dashboards.services.figures_catch_up), as for the dashboard."""
    team = managed.team
    assert filters.team == team.pk, "the filters are narrowed to the team"
    definitions = Definitions.load()
    days_overdue = overdue_days()
    phase = bool(filters.phase)
    in_scope = sum(
        in_scope_by(people_in_scope(filters), role_group=filters.role_group, key="all").values()
    )
    ends = month_ends(filters.as_of, MONTHS)
    before = filters.as_of - relativedelta(months=TREND_MONTHS)
    counts = span_counts(filters, [*ends, before])
    timeline = [
        funnel_row(day, f"{day:%b %Y}", in_scope, counts.get((None, day)), phase=phase)
        for day in ends
    ]
    total = timeline[-1]
    then = funnel_row(before, "", in_scope, counts.get((None, before)), phase=phase)
    labels = {"trained": "trained", "embedded": "embedded", "fidelity": "practising with fidelity"}
    measures = [
        Measure(
            name=name,
            label=labels[name],
            count=getattr(total, name),
            share=total.share(getattr(total, name)),
            share_before=then.share(getattr(then, name)),
        )
        for name in MEASURES
    ]

    in_team = Person.objects.filter(filters.people())
    overdue = set(
        overdue_people(as_of=filters.as_of, days=days_overdue)
        .filter(filters.people())
        .values_list("pk", flat=True)
    )
    unplaced = set(
        unplaced_trained_people(as_of=filters.as_of)
        .filter(filters.people())
        .values_list("pk", flat=True)
    )
    higher = {pk: count for pk, _, _, count in rated_self_higher(in_team, as_of=filters.as_of)}
    mine = list(
        in_team.filter(pk__in=managed.managed)
        .order_by("full_name", "pk")
        .values_list("pk", "full_name", "role_group")
    )
    statuses = _statuses([pk for pk, _, _ in mine], filters.as_of)
    people = []
    for pk, name, role_group in mine:
        span = statuses.get(pk)
        people.append(
            PersonRow(
                pk=pk,
                name=name,
                role_group=RoleGroup(role_group).label,
                trained=bool(span and span.trained),
                embedded=bool(span and span.embedded),
                faithful=bool(span and span.faithful),
                overdue=pk in overdue,
                in_no_circle=pk in unplaced,
                self_higher=higher.get(pk, 0),
            )
        )
    return TeamView(
        team=team,
        filters=filters,
        definitions=definitions,
        total=total,
        before=before,
        measures=measures,
        stage=stage_of(total, definitions),
        timeline=timeline,
        gap_trend=gap_trend(filters, months=MONTHS),
        overdue=len(overdue),
        in_no_circle=len(unplaced),
        self_higher=len(higher),
        overdue_days=days_overdue,
        people=people,
    )
