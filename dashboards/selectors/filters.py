"""What the dashboard is narrowed to: a date, and optionally a phase cohort, a team, a service
area, an employing organisation, a role group and a case context."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from competencies.models import STATUTORY_CASE_TYPES, RiskLevel
from dashboards.models import StatusSpan
from training.models import PersonStatus, RoleGroup

# Case contexts, over a review's fields: (label, condition).
CASE_CONTEXTS: dict[str, tuple[str, Q]] = {
    "statutory": (
        "Statutory cases (CIN, CP, youth justice)",
        Q(case_type__in=STATUTORY_CASE_TYPES),
    ),
    "non_statutory": (
        "Non-statutory cases",
        Q(case_type__isnull=False) & ~Q(case_type__in=[*STATUTORY_CASE_TYPES, ""]),
    ),
    **{
        f"risk_{level.value}": (f"{level.label} risk", Q(risk_level=level.value))
        for level in RiskLevel
    },
}


def _prefixed(lookup: object, prefix: str) -> tuple[str, object]:
    """A (lookup, value) child of a Q, its lookup seen from a related row."""
    if not isinstance(lookup, tuple):
        raise TypeError(f"{lookup!r} is not a lookup")
    return f"{prefix}{lookup[0]}", lookup[1]


def on_review(condition: Q, prefix: str) -> Q:
    """A condition over a review's fields, seen from a related row (`prefix` "review__")."""
    if not prefix:
        return condition
    moved = Q(
        *[
            on_review(child, prefix) if isinstance(child, Q) else _prefixed(child, prefix)
            for child in condition.children
        ]
    )
    moved.connector, moved.negated = condition.connector, condition.negated
    return moved


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to; every field is optional but the date."""

    as_of: datetime.date
    phase: int | None = None
    team: int | None = None
    service_area: str = ""
    organisation: int | None = None
    role_group: str = RoleGroup.PRACTITIONER
    case_context: str = ""

    def people(self, *, prefix: str = "", phase: bool = True) -> Q:
        """Of a person (reached through `prefix`, such as "person__"): in scope. The phase
        cohort is the one their training is credited to by the as-of date, from the stored
        figures; `phase=False` leaves it to the caller."""
        query = Q(**{f"{prefix}status": PersonStatus.ACTIVE})
        if self.role_group:
            query &= Q(**{f"{prefix}role_group": self.role_group})
        if self.team:
            query &= Q(**{f"{prefix}team_id": self.team})
        if self.service_area:
            query &= Q(**{f"{prefix}team__service_area": self.service_area})
        if self.organisation:
            query &= Q(**{f"{prefix}organisation_id": self.organisation})
        if self.phase and phase:
            credited = StatusSpan.objects.filter(
                Q(starts_on__lte=self.as_of)
                & (Q(ends_on__gt=self.as_of) | Q(ends_on__isnull=True)),
                phase_id=self.phase,
            )
            query &= Q(**{f"{prefix}pk__in": credited.values("person_id")})
        return query

    def reviews(self, *, prefix: str = "") -> Q:
        """Of a review (reached through `prefix`, such as "review__"): its practitioner is in
        scope, and its case in the chosen context."""
        query = self.people(prefix=f"{prefix}practitioner__")
        if self.case_context in CASE_CONTEXTS:
            query &= on_review(CASE_CONTEXTS[self.case_context][1], prefix)
        return query
