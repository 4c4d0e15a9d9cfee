"""Why the dashboard's trained figure differs from the roll-out's: the people trained by the
as-of date who are not in the dashboard's scope, counted by the first reason that puts them out.

The roll-out (training.selectors.rollout_summary) counts everyone whose training was complete by
the date, whoever and wherever they are now; the dashboard counts the people in scope (active,
of the chosen role group, team, service area and phase cohort). Every person the first counts
is either in the second or here, so the dashboard's trained figure plus `not_in_scope` is the
roll-out's. One statement, whatever the number of people.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Q, Value, When

from dashboards.models import StatusSpan
from dashboards.selectors.filters import Filters
from training.models import Person, PersonStatus, RoleGroup
from training.selectors import trained_by

IN_SCOPE = "in_scope"

# The reasons, in the order they are tried: a person who had left is counted as having left,
# whatever their role group.
REASONS = (
    ("left", "had left"),
    ("extended_leave", "on extended leave"),
    ("role_group", "in another role group"),
    ("team", "in another team"),
    ("service_area", "in another service area"),
    ("phase", "credited to another phase cohort"),
)


@dataclass(frozen=True)
class Reason:
    key: str
    label: str
    count: int

    @property
    def text(self) -> str:
        return f"{self.count} {self.label}"


@dataclass(frozen=True)
class ScopeReconciliation:
    trained_by_date: int
    """Everyone trained by the as-of date: the roll-out page's trained figure."""
    in_scope: int
    """Of them, in the dashboard's scope: its trained figure."""
    reasons: list[Reason]
    """Why the others are not, each counted once; only reasons that apply."""

    @property
    def not_in_scope(self) -> int:
        return self.trained_by_date - self.in_scope


def _reason(filters: Filters) -> Case:
    whens = [
        When(status=PersonStatus.LEFT, then=Value("left")),
        When(~Q(status=PersonStatus.ACTIVE), then=Value("extended_leave")),
    ]
    if filters.role_group:
        whens.append(When(~Q(role_group=filters.role_group), then=Value("role_group")))
    if filters.team:
        whens.append(When(Q(team_id__isnull=True) | ~Q(team_id=filters.team), then=Value("team")))
    if filters.service_area:
        whens.append(
            When(
                Q(team__isnull=True) | ~Q(team__service_area=filters.service_area),
                then=Value("service_area"),
            )
        )
    if filters.phase:
        credited = StatusSpan.objects.filter(
            Q(starts_on__lte=filters.as_of)
            & (Q(ends_on__gt=filters.as_of) | Q(ends_on__isnull=True)),
            phase_id=filters.phase,
        )
        whens.append(When(~Q(pk__in=credited.values("person_id")), then=Value("phase")))
    return Case(*whens, default=Value(IN_SCOPE), output_field=CharField())


def scope_reconciliation(filters: Filters) -> ScopeReconciliation:
    """The people trained by `filters.as_of` (training's rule), in the dashboard's scope or
    not, and why not. The roll-out page filters by organisation too, so the organisation
    narrows who is counted rather than being a reason."""
    trained = Person.objects.filter(trained_by(filters.as_of))
    if filters.organisation:
        trained = trained.filter(organisation_id=filters.organisation)
    counts = {
        row["reason"]: row["count"]
        for row in trained.annotate(reason=_reason(filters))
        .values("reason")
        .annotate(count=Count("pk"))
        .order_by()
    }
    return ScopeReconciliation(
        trained_by_date=sum(counts.values()),
        in_scope=counts.get(IN_SCOPE, 0),
        reasons=[
            Reason(key=key, label=label, count=counts[key])
            for key, label in REASONS
            if counts.get(key)
        ],
    )


def scope_label(filters: Filters) -> str:
    """Who the figures count, in a word or two: "Practitioners", "All role groups"."""
    if not filters.role_group:
        return "All role groups"
    return {
        RoleGroup.SENIOR_MANAGER: "Senior managers",
        RoleGroup.MANAGER: "Managers",
        RoleGroup.PRACTITIONER: "Practitioners",
        RoleGroup.PARTNER: "Partners",
        RoleGroup.ADMIN: "Administrative staff",
    }[RoleGroup(filters.role_group)]
