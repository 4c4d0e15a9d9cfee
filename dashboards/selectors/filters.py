"""What the dashboard is narrowed to: a date, and optionally a phase cohort, a team, a service
area, a role group and a case context."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from competencies.models import STATUTORY_CASE_TYPES, RiskLevel
from training.models import PersonStatus, RoleGroup
from training.selectors import people_with_training

CASE_CONTEXTS = {
    "statutory": (
        "Statutory cases (CIN, CP, youth justice)",
        Q(review__case_type__in=STATUTORY_CASE_TYPES),
    ),
    "non_statutory": (
        "Non-statutory cases",
        Q(review__case_type__isnull=False) & ~Q(review__case_type__in=[*STATUTORY_CASE_TYPES, ""]),
    ),
    **{
        f"risk_{level.value}": (f"{level.label} risk", Q(review__risk_level=level.value))
        for level in RiskLevel
    },
}


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to; every field is optional but the date."""

    as_of: datetime.date
    phase: int | None = None
    team: int | None = None
    service_area: str = ""
    role_group: str = RoleGroup.PRACTITIONER
    case_context: str = ""

    def people(self) -> Q:
        query = Q(status=PersonStatus.ACTIVE)
        if self.role_group:
            query &= Q(role_group=self.role_group)
        if self.team:
            query &= Q(team_id=self.team)
        if self.service_area:
            query &= Q(team__service_area=self.service_area)
        if self.phase:
            query &= Q(credited_phase_id=self.phase)
        return query

    def ratings(self) -> Q:
        """The same people filters, seen from a rating, plus the case context."""
        query = Q(review__practitioner__status=PersonStatus.ACTIVE)
        if self.role_group:
            query &= Q(review__practitioner__role_group=self.role_group)
        if self.team:
            query &= Q(review__practitioner__team_id=self.team)
        if self.service_area:
            query &= Q(review__practitioner__team__service_area=self.service_area)
        if self.phase:
            trained_in = people_with_training(self.as_of).filter(credited_phase_id=self.phase)
            query &= Q(review__practitioner__in=trained_in.values("pk"))
        if self.case_context in CASE_CONTEXTS:
            query &= CASE_CONTEXTS[self.case_context][1]
        return query
