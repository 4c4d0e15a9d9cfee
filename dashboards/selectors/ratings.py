"""Supervisor ratings in the dashboard's window: by BASE stage and month, by competency, by
case context and by phase cohort, and the gap between self and supervisor ratings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncMonth

from competencies.models import Level, Rater, Rating, Stage
from competencies.selectors import signed_off_reviews
from dashboards.selectors.filters import CASE_CONTEXTS, Filters
from training.dates import day_end, day_start
from training.models import Phase
from training.selectors import TRAINED, people_with_training


def supervisor_ratings(filters: Filters, months: int) -> QuerySet[Rating]:
    """Supervisor ratings with a level, from the reviews that count (signed off, not replaced)
    signed off in the `months` up to the as-of date."""
    end = day_end(filters.as_of)
    start = day_start((filters.as_of - relativedelta(months=months - 1)).replace(day=1))
    return Rating.objects.filter(
        filters.ratings(),
        rater=Rater.SUPERVISOR,
        level__isnull=False,
        review__in=signed_off_reviews(),
        review__signed_off_at__gte=start,
        review__signed_off_at__lt=end,
    )


SHARES = {
    "ratings": Count("pk"),
    "competent_or_above": Count("pk", filter=Q(level__gte=Level.COMPETENT)),
    "basic": Count("pk", filter=Q(level=Level.BASIC)),
}


def _with_self_level(ratings: QuerySet[Rating]) -> QuerySet[Rating]:
    own = Rating.objects.filter(
        review=OuterRef("review"), competency=OuterRef("competency"), rater=Rater.SELF
    ).values("level")[:1]
    return ratings.annotate(self_level=Subquery(own)).filter(self_level__isnull=False)


GAP = {
    "pairs": Count("pk"),
    "mean_gap": Avg(ExpressionWrapper(F("self_level") - F("level"), output_field=FloatField())),
    "self_higher": Count("pk", filter=Q(self_level__gt=F("level"))),
}


def share_of(row: dict[str, Any], part: str, whole: str) -> float:
    return row[part] / row[whole] if row[whole] else 0.0


def _month(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


@dataclass(frozen=True)
class StageShare:
    """A month's supervisor ratings of one BASE stage (or Restorative Practice)."""

    month: datetime.date
    stage: str
    stage_label: str
    ratings: int
    competent_or_above: int
    basic: int

    @property
    def share(self) -> float:
        return self.competent_or_above / self.ratings if self.ratings else 0.0


@dataclass(frozen=True)
class CompetencyShare:
    code: str
    title: str
    stage_label: str
    ratings: int
    competent_or_above: int
    basic: int

    @property
    def share(self) -> float:
        return self.competent_or_above / self.ratings if self.ratings else 0.0

    @property
    def basic_share(self) -> float:
        return self.basic / self.ratings if self.ratings else 0.0


@dataclass(frozen=True)
class GapPoint:
    """A month's competencies rated by both the practitioner and the supervisor."""

    month: datetime.date
    pairs: int
    mean_gap: float
    self_higher_share: float


@dataclass(frozen=True)
class CaseContextRow:
    key: str
    label: str
    ratings: int
    competent_or_above: int
    basic: int
    mean_gap: float
    self_higher_share: float

    @property
    def share(self) -> float:
        return self.competent_or_above / self.ratings if self.ratings else 0.0


@dataclass(frozen=True)
class CohortRow:
    """A phase cohort's ratings at a stretch of months since its people were trained."""

    phase: str
    phase_order: int
    since: str
    ratings: int
    share: float


def stage_trends(filters: Filters, *, months: int) -> list[StageShare]:
    stage_labels = dict(Stage.choices)
    return [
        StageShare(
            month=_month(row["month"]),
            stage=row["competency__area__stage"],
            stage_label=stage_labels.get(row["competency__area__stage"], ""),
            **{key: row[key] for key in SHARES},
        )
        for row in supervisor_ratings(filters, months)
        .annotate(month=TruncMonth("review__signed_off_at"))
        .values("month", "competency__area__stage")
        .annotate(**SHARES)
        .order_by("month", "competency__area__stage")
    ]


def competency_shares(filters: Filters, *, months: int) -> list[CompetencyShare]:
    stage_labels = dict(Stage.choices)
    return [
        CompetencyShare(
            code=row["competency__code"],
            title=row["competency__title"],
            stage_label=stage_labels.get(row["competency__area__stage"], ""),
            **{key: row[key] for key in SHARES},
        )
        for row in supervisor_ratings(filters, months)
        .values("competency__code", "competency__title", "competency__area__stage")
        .annotate(**SHARES)
        .order_by("competency__area__stage", "competency__code")
    ]


def gap_trend(filters: Filters, *, months: int) -> list[GapPoint]:
    return [
        GapPoint(
            month=_month(row["month"]),
            pairs=row["pairs"],
            mean_gap=row["mean_gap"] or 0.0,
            self_higher_share=share_of(row, "self_higher", "pairs"),
        )
        for row in _with_self_level(supervisor_ratings(filters, months))
        .annotate(month=TruncMonth("review__signed_off_at"))
        .values("month")
        .annotate(**GAP)
        .order_by("month")
    ]


def case_contexts(filters: Filters, *, months: int) -> list[CaseContextRow]:
    """Every case context side by side, whichever the filters chose."""
    every_context = Filters(**{**filters.__dict__, "case_context": ""})
    result = []
    for key, (label, condition) in CASE_CONTEXTS.items():
        context_ratings = supervisor_ratings(every_context, months).filter(condition)
        row = context_ratings.aggregate(**SHARES)
        gap = _with_self_level(context_ratings).aggregate(**GAP)
        result.append(
            CaseContextRow(
                key=key,
                label=label,
                **row,
                mean_gap=gap["mean_gap"] or 0.0,
                self_higher_share=share_of(gap, "self_higher", "pairs"),
            )
        )
    return result


MONTHS_SINCE_BUCKETS = [(0, 3, "0 to 3 months"), (3, 6, "3 to 6 months"), (6, 12, "6 to 12 months"),
                        (12, 24, "1 to 2 years"), (24, 10_000, "over 2 years")]  # fmt: skip


def cohort_comparison(filters: Filters, *, months: int) -> list[CohortRow]:
    """Each phase cohort's share of supervisor ratings at Competent or above, by months since
    the practitioner was trained, so later cohorts can be set beside the pilot at the same point.

    Uses every signed-off review up to the as-of date, not just the dashboard's window. Ratings
    are counted in the database per person and month; only those totals are put in buckets here.
    """
    trained = {
        row["pk"]: (row["trained_on"], row["credited_phase_id"])
        for row in people_with_training(filters.as_of)
        .filter(TRAINED)
        .values("pk", "trained_on", "credited_phase_id")
    }
    per_person_month = (
        supervisor_ratings(filters, months=10_000)
        .annotate(month=TruncMonth("review__signed_off_at"))
        .values("review__practitioner_id", "month")
        .annotate(**SHARES)
        .order_by()
    )
    totals: dict[tuple[int, str], list[int]] = {}
    for row in per_person_month:
        person = trained.get(row["review__practitioner_id"])
        if person is None:
            continue
        trained_on, phase_id = person
        month = _month(row["month"])
        since = (month.year - trained_on.year) * 12 + month.month - trained_on.month
        label = next(
            (label for low, high, label in MONTHS_SINCE_BUCKETS if low <= since < high), ""
        )
        if label:
            counts = totals.setdefault((phase_id, label), [0, 0])
            counts[0] += row["ratings"]
            counts[1] += row["competent_or_above"]
    phases = {phase.pk: phase for phase in Phase.objects.all()}
    order = {label: index for index, (_, _, label) in enumerate(MONTHS_SINCE_BUCKETS)}
    result = [
        CohortRow(
            phase=phases[phase_id].name if phase_id in phases else "",
            phase_order=phases[phase_id].order if phase_id in phases else 0,
            since=label,
            ratings=ratings,
            share=good / ratings if ratings else 0.0,
        )
        for (phase_id, label), (ratings, good) in totals.items()
    ]
    return sorted(result, key=lambda row: (row.phase_order, order.get(row.since, 99)))
