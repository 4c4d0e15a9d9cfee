"""Supervisor ratings in the dashboard's window: by BASE stage and month, by competency, by
case context and by phase cohort, and the gap between self and supervisor ratings.

What can be is counted from the reviews' stored verdicts (competencies.models.ReviewVerdict:
a review's ratings counted once, with its month), a row a review; only the figures by stage
and by competency read the ratings themselves.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Min, QuerySet, Sum, Value, When

from competencies.models import Competency, Level, Review, Stage
from competencies.selectors import signed_off_reviews
from dashboards.models import StatusSpan
from dashboards.selectors.filters import CASE_CONTEXTS, Filters
from training.dates import day_end, day_start
from training.models import Phase


def _window(filters: Filters, months: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = (filters.as_of - relativedelta(months=months - 1)).replace(day=1)
    return day_start(start), day_end(filters.as_of)


def counted_reviews(filters: Filters, months: int) -> QuerySet[Review]:
    """The reviews that count (signed off, not replaced) of people in scope, signed off in the
    `months` up to the as-of date."""
    start, end = _window(filters, months)
    return signed_off_reviews().filter(
        filters.reviews(), signed_off_at__gte=start, signed_off_at__lt=end
    )


# Supervisor ratings and the self and supervisor comparison, added up from the verdicts.
VERDICTS = {
    "ratings": Sum("verdict__rated", default=0),
    "competent_or_above": Sum("verdict__good", default=0),
    "basic": Sum("verdict__basic", default=0),
    "pairs": Sum("verdict__compared", default=0),
    "gap_total": Sum("verdict__gap_total", default=0),
    "self_higher": Sum("verdict__self_higher", default=0),
}


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


@dataclass(frozen=True)
class BasicStage:
    """A BASE stage's supervisor ratings at Basic: a training need where the share is high."""

    stage: str
    basic: int
    ratings: int

    @property
    def share(self) -> float:
        return self.basic / self.ratings if self.ratings else 0.0


@dataclass(frozen=True)
class RatingCount:
    """A month's supervisor ratings of one competency."""

    month: datetime.date
    competency_id: int
    ratings: int
    competent_or_above: int
    basic: int


def rating_counts(filters: Filters, *, months: int) -> list[RatingCount]:
    """The supervisor's ratings in the window by month and competency, added up from the
    verdicts' levels (one row a review, not one a rating): the figures by stage, by competency
    and the stages most often rated Basic add these up."""
    pairs: dict[datetime.date, Counter[tuple[str, int]]] = defaultdict(Counter)
    for month, levels in counted_reviews(filters, months).values_list(
        "verdict__month", "verdict__levels"
    ):
        pairs[month].update((levels or {}).items())  # (competency id, level): counted in C
    totals: dict[tuple[datetime.date, int], list[int]] = {}
    for month, counted in pairs.items():
        for (competency_id, level), count in counted.items():
            total = totals.setdefault((month, int(competency_id)), [0, 0, 0])
            total[0] += count
            total[1] += count if level >= Level.COMPETENT else 0
            total[2] += count if level == Level.BASIC else 0
    return [
        RatingCount(
            month=month,
            competency_id=competency_id,
            ratings=n,
            competent_or_above=good,
            basic=basic,
        )
        for (month, competency_id), (n, good, basic) in totals.items()
    ]


def competencies_by_id() -> dict[int, tuple[str, str, str]]:
    """(code, title, stage) of every competency of every version."""
    return {
        pk: (code, title, stage)
        for pk, code, title, stage in Competency.objects.values_list(
            "pk", "code", "title", "area__stage"
        )
    }


Key = TypeVar("Key", bound=Hashable)


def _added_up(counts: list[RatingCount], key: Callable[[RatingCount], Key]) -> dict[Key, list[int]]:
    totals: dict[Key, list[int]] = {}
    for row in counts:
        total = totals.setdefault(key(row), [0, 0, 0])
        total[0] += row.ratings
        total[1] += row.competent_or_above
        total[2] += row.basic
    return totals


def stage_trends(
    counts: list[RatingCount], competencies: dict[int, tuple[str, str, str]]
) -> list[StageShare]:
    stage_labels = dict(Stage.choices)
    totals = _added_up(counts, lambda row: (row.month, competencies[row.competency_id][2]))
    return [
        StageShare(
            month=month,
            stage=stage,
            stage_label=stage_labels.get(stage, ""),
            ratings=ratings,
            competent_or_above=good,
            basic=basic,
        )
        for (month, stage), (ratings, good, basic) in sorted(totals.items())
    ]


def stage_basics(
    counts: list[RatingCount],
    competencies: dict[int, tuple[str, str, str]],
    *,
    since: datetime.date,
) -> list[tuple[str, int, int]]:
    """(stage, ratings, of which Basic) from the months since `since`, most Basic first."""
    totals = _added_up(
        [row for row in counts if row.month >= since],
        lambda row: competencies[row.competency_id][2],
    )
    return sorted(
        ((stage, ratings, basic) for stage, (ratings, _, basic) in totals.items()),
        key=lambda row: -row[2],
    )


def competency_shares(
    counts: list[RatingCount], competencies: dict[int, tuple[str, str, str]]
) -> list[CompetencyShare]:
    stage_labels = dict(Stage.choices)
    totals = _added_up(counts, lambda row: competencies[row.competency_id])
    return [
        CompetencyShare(
            code=code,
            title=title,
            stage_label=stage_labels.get(stage, ""),
            ratings=ratings,
            competent_or_above=good,
            basic=basic,
        )
        for (code, title, stage), (ratings, good, basic) in sorted(
            totals.items(), key=lambda item: (item[0][2], item[0][0])
        )
    ]


def _gap(row: dict[str, int]) -> tuple[float, float]:
    """The mean gap in levels (self minus supervisor) and the share rated higher by oneself."""
    if not row["pairs"]:
        return 0.0, 0.0
    return row["gap_total"] / row["pairs"], row["self_higher"] / row["pairs"]


def gap_trend(filters: Filters, *, months: int) -> list[GapPoint]:
    points = []
    for row in (
        counted_reviews(filters, months)
        .values("verdict__month")
        .annotate(**VERDICTS)
        # The plugin does not see annotations passed as **VERDICTS.
        .filter(pairs__gt=0)  # type: ignore[misc]
        .order_by("verdict__month")
    ):
        mean_gap, self_higher_share = _gap(row)
        points.append(
            GapPoint(
                month=row["verdict__month"],
                pairs=row["pairs"],
                mean_gap=mean_gap,
                self_higher_share=self_higher_share,
            )
        )
    return points


def case_contexts(filters: Filters, *, months: int) -> list[CaseContextRow]:
    """Every case context side by side, whichever the filters chose, in one statement: the
    verdicts are added up by which contexts their review is in (a review is in several: its
    case type's and its risk level's), and those few groups are added up by context here. The
    same sums with a filter for each context and figure took longer to build than to run."""
    every_context = Filters(**{**filters.__dict__, "case_context": ""})
    flags = {
        f"in_{key}": Case(When(condition, then=Value(True)), default=Value(False))
        for key, (_, condition) in CASE_CONTEXTS.items()
    }
    groups = (
        counted_reviews(every_context, months)
        .annotate(**flags)
        .values(*flags)
        .annotate(**VERDICTS)
        .order_by()
    )
    totals = {key: dict.fromkeys(VERDICTS, 0) for key in CASE_CONTEXTS}
    for group in groups:
        for key in CASE_CONTEXTS:
            if group[f"in_{key}"]:
                for name in VERDICTS:
                    totals[key][name] += group[name]
    result = []
    for key, (label, _) in CASE_CONTEXTS.items():
        row = totals[key]
        mean_gap, self_higher_share = _gap(row)
        result.append(
            CaseContextRow(
                key=key,
                label=label,
                ratings=row["ratings"],
                competent_or_above=row["competent_or_above"],
                basic=row["basic"],
                mean_gap=mean_gap,
                self_higher_share=self_higher_share,
            )
        )
    return result


MONTHS_SINCE_BUCKETS = [(0, 3, "0 to 3 months"), (3, 6, "3 to 6 months"), (6, 12, "6 to 12 months"),
                        (12, 24, "1 to 2 years"), (24, 10_000, "over 2 years")]  # fmt: skip


def cohort_comparison(filters: Filters, *, months: int) -> list[CohortRow]:
    """Each phase cohort's share of supervisor ratings at Competent or above, by months since
    the practitioner was trained, so later cohorts can be set beside the pilot at the same point.

    Uses every review that counts up to the as-of date, not just the dashboard's window. The
    verdicts are added up in the database per person and month; only those totals are put in
    buckets here.
    """
    # Each person's training day and phase, from the stored figures: their trained spans
    # start on the day training completed and keep its phase.
    trained = {
        person_id: (trained_on, phase_id)
        for person_id, trained_on, phase_id in StatusSpan.objects.filter(
            trained=True, starts_on__lte=filters.as_of
        )
        .values("person_id")
        .annotate(trained_on=Min("starts_on"), phase=Min("phase_id"))
        .values_list("person_id", "trained_on", "phase")
    }
    per_person_month = (
        counted_reviews(filters, months=10_000)
        .values("practitioner_id", "verdict__month")
        # Django allows the name of the reverse relation on values(); the plugin does not.
        .annotate(  # type: ignore[no-redef]
            ratings=VERDICTS["ratings"], good=VERDICTS["competent_or_above"]
        )
        .order_by()
    )
    totals: dict[tuple[int, str], list[int]] = {}
    for row in per_person_month:
        if row["practitioner_id"] not in trained or not row["verdict__month"]:
            continue
        month, (trained_on, phase_id) = row["verdict__month"], trained[row["practitioner_id"]]
        since = (month.year - trained_on.year) * 12 + month.month - trained_on.month
        label = next(
            (label for low, high, label in MONTHS_SINCE_BUCKETS if low <= since < high), ""
        )
        if label and row["ratings"]:
            counts = totals.setdefault((phase_id, label), [0, 0])
            counts[0] += row["ratings"]
            counts[1] += row["good"]
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
