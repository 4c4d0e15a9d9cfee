"""The funnel: how many people in scope are trained, embedded and practising with fidelity, in
total, month by month, and by team, service area, role group and phase; and the implementation
stage those shares put a group in."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from dashboards.models import Definitions
from dashboards.selectors.definitions import people_status
from dashboards.selectors.filters import Filters
from training.models import Person
from training.selectors import TRAINED


class ImplementationStage:
    """After the NIRN active implementation stages."""

    EXPLORATION = "Exploration"
    INSTALLATION = "Installation"
    INITIAL = "Initial implementation"
    FULL = "Full implementation"
    ORDER = [EXPLORATION, INSTALLATION, INITIAL, FULL]


FUNNEL = {
    "in_scope": Count("pk"),
    "trained": Count("pk", filter=TRAINED),
    "embedded": Count("pk", filter=Q(is_embedded=True)),
    "fidelity": Count("pk", filter=Q(has_fidelity=True)),
}


@dataclass(frozen=True)
class FunnelRow:
    key: object
    label: str
    in_scope: int
    trained: int
    embedded: int
    fidelity: int

    def share(self, count: int) -> float:
        return count / self.in_scope if self.in_scope else 0.0

    @property
    def trained_share(self) -> float:
        return self.share(self.trained)

    @property
    def embedded_share(self) -> float:
        return self.share(self.embedded)

    @property
    def fidelity_share(self) -> float:
        return self.share(self.fidelity)


def stage_of(row: FunnelRow, definitions: Definitions) -> str:
    if row.in_scope and row.fidelity_share * 100 >= definitions.full_fidelity_percent:
        return ImplementationStage.FULL
    if row.in_scope and row.embedded_share * 100 >= definitions.installation_embedded_percent:
        return ImplementationStage.INITIAL
    if row.trained:
        return ImplementationStage.INSTALLATION
    return ImplementationStage.EXPLORATION


@dataclass(frozen=True)
class TeamRow(FunnelRow):
    service_area: str = ""
    stage: str = ImplementationStage.EXPLORATION
    trend: str = "steady"

    @property
    def stage_order(self) -> int:
        return ImplementationStage.ORDER.index(self.stage)


def funnel(people: QuerySet[Person], group_by: str | None) -> dict[object, dict[str, int]]:
    if group_by is None:
        return {None: people.aggregate(**FUNNEL)}
    return {row[group_by]: row for row in people.values(group_by).annotate(**FUNNEL).order_by()}


def past_funnel(
    filters: Filters,
    as_of: datetime.date,
    definitions: Definitions,
    group_by: str | None = None,
) -> dict[object, dict[str, int]] | dict[str, int]:
    """The funnel as it stood at an earlier date, from the cache when it has been counted.

    Figures for a date already past change only when records are back-dated, so they are kept
    for `DASHBOARD_CACHE_SECONDS` (an hour by default; 0 turns the cache off).
    """
    past = Filters(**{**filters.__dict__, "as_of": as_of})
    key = (
        "dashboard-funnel:"
        + hashlib.sha256(
            repr((past, group_by, _definitions_key(definitions), _data_version())).encode()
        ).hexdigest()
    )
    cached = cache.get(key) if settings.DASHBOARD_CACHE_SECONDS else None
    if cached is None:
        counts = funnel(people_status(as_of, definitions).filter(past.people()), group_by)
        cached = counts if group_by else counts[None]
        if settings.DASHBOARD_CACHE_SECONDS:
            cache.set(key, cached, settings.DASHBOARD_CACHE_SECONDS)
    return cached


def _definitions_key(definitions: Definitions) -> tuple[int, ...]:
    return tuple(
        getattr(definitions, field.attname)
        for field in Definitions._meta.concrete_fields
        if field.attname != "id"
    )


def _data_version() -> str:
    """Changes whenever the day changes, so cached past figures are never older than a day."""
    from django.utils import timezone

    return timezone.localdate().isoformat()


def rows(counts: dict[object, dict[str, int]], labels: list[tuple[object, str]]) -> list[FunnelRow]:
    empty = {"in_scope": 0, "trained": 0, "embedded": 0, "fidelity": 0}
    return [
        FunnelRow(key=key, label=label, **{k: counts.get(key, empty)[k] for k in empty})
        for key, label in labels
    ]


def month_ends(as_of: datetime.date, months: int) -> list[datetime.date]:
    ends = []
    for back in range(months - 1, 0, -1):
        first_of_next = (as_of - relativedelta(months=back - 1)).replace(day=1)
        ends.append(first_of_next - datetime.timedelta(days=1))
    return [*ends, as_of]


def trend(now: float, before: float) -> str:
    if now - before >= 0.05:
        return "up"
    if before - now >= 0.05:
        return "down"
    return "steady"
