"""The funnel: how many people in scope are trained, embedded and practising with fidelity, in
total, month by month, and by team, service area, role group and phase; and the implementation
stage those shares put a group in.

Read from the stored status spans (dashboards.models.StatusSpan): the figures for a day are the
spans that contain it, so every month's end, today and three months ago are one GROUP BY each,
whatever the number of people or records. Who is in scope (active, of a role group, in a team
or service area) is read from the roster as it is now.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Expression, F, IntegerField, Q
from django.db.models.sql.compiler import SQLCompiler

from dashboards.models import Definitions, StatusSpan
from dashboards.selectors.filters import Filters
from training.models import Person

MEASURES = ("trained", "embedded", "fidelity")
FIELDS = {"trained": "trained", "embedded": "embedded", "fidelity": "faithful"}


class ImplementationStage:
    """After the NIRN active implementation stages."""

    EXPLORATION = "Exploration"
    INSTALLATION = "Installation"
    INITIAL = "Initial implementation"
    FULL = "Full implementation"
    ORDER = [EXPLORATION, INSTALLATION, INITIAL, FULL]
    # Not a stage: a group with nobody in the chosen scope (a team of senior managers when
    # practitioners are counted) has nothing to judge, and is listed after every stage.
    NO_ONE_IN_SCOPE = "No one in scope"


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
    def month_end(self) -> datetime.date:
        """The last day of the month, for a row of a timeline (keyed by it)."""
        if not isinstance(self.key, datetime.date):
            raise TypeError(f"{self.label} is not a month of a timeline")
        return self.key

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
    if not row.in_scope:
        return ImplementationStage.NO_ONE_IN_SCOPE
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
        if self.stage in ImplementationStage.ORDER:
            return ImplementationStage.ORDER.index(self.stage)
        return len(ImplementationStage.ORDER)


Counts = dict[str, int]


class FirstOnOrAfter(Expression):
    """The index of the first of `days` (ascending) on or after the span's `field`; len(days)
    when none is (or the field is empty: a span that has not ended).

    The SQL is a CASE with one WHEN a day, written here rather than built from `Case` and
    `When`: Django resolves and compiles each `When` as a filter, which for a year of month
    ends took longer than the statement itself."""

    output_field = IntegerField()

    def __init__(self, field: str, days: list[datetime.date]) -> None:
        super().__init__()
        self.source: Any = F(field)
        self.days = list(days)

    def get_source_expressions(self) -> list[Any]:
        return [self.source]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.source,) = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[Any]]:
        column, column_params = compiler.compile(self.source)
        whens: list[str] = []
        params: list[Any] = []
        for index, day in enumerate(self.days):
            whens.append(f"WHEN {column} <= %s THEN {index}")
            params += [*column_params, connection.ops.adapt_datefield_value(day)]
        return f"CASE {' '.join(whens)} ELSE {len(self.days)} END", params


def span_counts(
    filters: Filters,
    days: list[datetime.date],
    *,
    group_by: str | tuple[str, ...] | None = None,
    where: Q | None = None,
) -> dict[tuple[object, datetime.date], Counts]:
    """How many people in scope were trained, embedded and practising with fidelity on each of
    `days` (by `group_by`, a field of the span such as "person__team_id" or a tuple of them,
    keyed by the tuple of their values; or in total), in one statement; `where` narrows the
    spans further (to some teams, say). With a phase filter, only the people credited to it on
    that day are counted.

    A span contains the days from the first on or after its start up to, not including, the
    first on or after its end; the spans are counted by those two indexes, so the statement
    does the same few comparisons a span however many days are asked for, and the counts for
    each day are added up here from at most (days + 1)² rows a group.
    """
    ordered = sorted(set(days))
    spans = StatusSpan.objects.filter(filters.people(prefix="person__", phase=False))
    if filters.phase:
        spans = spans.filter(phase_id=filters.phase)
    if where is not None:
        spans = spans.filter(where)
    first, last = ordered[0], ordered[-1]
    spans = spans.filter(Q(starts_on__lte=last) & (Q(ends_on__gt=first) | Q(ends_on__isnull=True)))
    keys = [group_by] if isinstance(group_by, str) else list(group_by or ())
    rows = (
        spans.annotate(
            first_day=FirstOnOrAfter("starts_on", ordered),
            after_day=FirstOnOrAfter("ends_on", ordered),
        )
        .values(*keys, "first_day", "after_day")
        .annotate(
            **{name: Count("pk", filter=Q(**{field: True})) for name, field in FIELDS.items()}
        )
        .order_by()
    )
    counts: dict[tuple[object, datetime.date], Counts] = {}
    for row in rows:
        key: object = None
        if isinstance(group_by, str):
            key = row[group_by]
        elif group_by:
            key = tuple(row[field] for field in group_by)
        for index in range(row["first_day"], row["after_day"]):
            total = counts.setdefault((key, ordered[index]), dict.fromkeys(MEASURES, 0))
            for name in MEASURES:
                total[name] += row[name]
    return counts


def people_in_scope(filters: Filters) -> dict[tuple[int, str, int], int]:
    """Active people matching the filters but the role group and phase, counted by team, role
    group and employing organisation: the other groupings add these up."""
    scope = Filters(**{**filters.__dict__, "role_group": "", "phase": None})
    return {
        (row["team_id"], row["role_group"], row["organisation_id"]): row["count"]
        for row in Person.objects.filter(scope.people())
        .values("team_id", "role_group", "organisation_id")
        .annotate(count=Count("pk"))
        .order_by()
    }


def in_scope_by(
    people: dict[tuple[int, str, int], int], *, role_group: str, key: str
) -> dict[object, int]:
    """Sum `people_in_scope` by team ("team"), role group ("role_group"), organisation
    ("organisation") or in total ("all"), keeping the chosen role group only (every group when
    blank)."""
    totals: dict[object, int] = defaultdict(int)
    for (team_id, group, organisation_id), count in people.items():
        if role_group and group != role_group:
            continue
        keys = {"team": team_id, "role_group": group, "organisation": organisation_id}
        totals[keys.get(key)] += count
    return totals


def funnel_row(
    key: object, label: str, in_scope: int, counts: Counts | None, *, phase: bool = False
) -> FunnelRow:
    counts = counts or dict.fromkeys(MEASURES, 0)
    # Filtered by phase, the people in scope are those credited to it by that day: the trained.
    return FunnelRow(
        key=key, label=label, in_scope=counts["trained"] if phase else in_scope, **counts
    )


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
