"""The figures behind the manager dashboard, `fidelity_report` and the exports.

Everything is counted in the database: each person is annotated with whether they are trained,
embedded and practising with fidelity as of a date, and the counts by team, phase, service area
and role group are GROUP BY queries over those annotations. The number of queries depends on
how many months are shown, never on how many people or ratings there are.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncMonth

from circles.models import AttendanceStatus, CircleMeeting, MeetingAttendance, MeetingStatus
from circles.selectors import people_to_be_placed
from competencies.models import (
    BASE_STAGES,
    STATUTORY_CASE_TYPES,
    Level,
    Rater,
    Rating,
    Review,
    ReviewStatus,
    RiskLevel,
    Stage,
)
from dashboards.models import Definitions
from supervision.models import SessionStatus, SupervisionSession
from supervision.selectors import people_needing_a_supervisor
from training.models import Person, PersonStatus, Phase, RoleGroup, Team
from training.selectors import TRAINED, people_to_be_trained, people_with_training


class ImplementationStage:
    """After the NIRN active implementation stages."""

    EXPLORATION = "Exploration"
    INSTALLATION = "Installation"
    INITIAL = "Initial implementation"
    FULL = "Full implementation"
    ORDER = [EXPLORATION, INSTALLATION, INITIAL, FULL]


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


def _day_end(day: datetime.date) -> datetime.datetime:
    """The first moment after `day`, in the site's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), zone)


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), ZoneInfo(settings.TIME_ZONE))


def people_status(as_of: datetime.date, definitions: Definitions) -> QuerySet[Person]:
    """Every person annotated, as of the end of `as_of`, with:

    - `trained_on` and `credited_phase_id` (see training.selectors.people_with_training);
    - `is_embedded`: trained, present at one of their circle's last 3 held meetings, and a
      held 2:1 within 8 weeks (a 2:1 exactly 8 weeks before counts);
    - `has_fidelity`: in their latest review signed off within 6 months (exactly 6 months
      before counts), the supervisor rated at least 80% of the competencies they rated as
      Competent or Advanced, and rated at least one competency of every BASE stage.
    """
    end = _day_end(as_of)
    recent_meetings = (
        CircleMeeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__lt=end)
        .annotate(
            recency=Window(
                RowNumber(), partition_by=[F("circle_id")], order_by=F("starts_at").desc()
            )
        )
        .filter(recency__lte=definitions.embedded_recent_meetings)
        .values("pk")
    )
    present_recently = MeetingAttendance.objects.filter(
        person=OuterRef("pk"), status=AttendanceStatus.PRESENT, meeting__in=recent_meetings
    )
    supervised_recently = SupervisionSession.objects.filter(
        practitioners=OuterRef("pk"),
        status=SessionStatus.HELD,
        starts_at__lt=end,
        starts_at__gte=_day_start(
            as_of - datetime.timedelta(weeks=definitions.embedded_supervision_weeks)
        ),
    )
    # The person's latest signed-off review in the window. Its supervisor ratings are counted
    # inside one correlated subquery, which also decides fidelity, so the database looks each
    # person's review up once for the verdict.
    reviews = Review.objects.filter(
        practitioner=OuterRef("pk"),
        status=ReviewStatus.SIGNED_OFF,
        replaced_by__isnull=True,
        signed_off_at__lt=end,
        signed_off_at__gte=_day_start(as_of - relativedelta(months=definitions.fidelity_months)),
    ).order_by("-signed_off_at", "-pk")
    supervisor_rated = Q(ratings__rater=Rater.SUPERVISOR, ratings__level__isnull=False)
    counted = reviews.annotate(
        rated=Count("ratings", filter=supervisor_rated),
        good=Count("ratings", filter=supervisor_rated & Q(ratings__level__gte=Level.COMPETENT)),
        stages=Count(
            "ratings__competency__area__stage",
            filter=supervisor_rated & Q(ratings__competency__area__stage__in=BASE_STAGES),
            distinct=True,
        ),
    )
    verdict = counted.annotate(
        faithful=Case(
            When(
                Q(rated__gt=0, stages=len(BASE_STAGES))
                & Q(good__gte=F("rated") * definitions.fidelity_percent / 100.0),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )

    def latest(value: str) -> Coalesce:
        return Coalesce(Subquery(counted.values(value)[:1], output_field=IntegerField()), 0)

    return people_with_training(as_of).annotate(
        latest_review_id=Subquery(reviews.values("pk")[:1]),
        present_recently=Exists(present_recently),
        supervised_recently=Exists(supervised_recently),
        # For reading one person's figures; the counts below use only `has_fidelity`.
        rated_count=latest("rated"),
        good_count=latest("good"),
        base_stages_rated=latest("stages"),
        is_embedded=Case(
            When(
                TRAINED & Q(present_recently=True, supervised_recently=True),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
        has_fidelity=Coalesce(
            Subquery(verdict.values("faithful")[:1], output_field=BooleanField()), Value(False)
        ),
    )


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


def _funnel(people: QuerySet[Person], group_by: str | None) -> dict[object, dict[str, int]]:
    if group_by is None:
        return {None: people.aggregate(**FUNNEL)}
    return {row[group_by]: row for row in people.values(group_by).annotate(**FUNNEL).order_by()}


def _past_funnel(
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
        counts = _funnel(people_status(as_of, definitions).filter(past.people()), group_by)
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
    stage_trends: list[dict[str, object]]
    competency_shares: list[dict[str, object]]
    gap_trend: list[dict[str, object]]
    case_contexts: list[dict[str, object]]
    cohorts: list[dict[str, object]]
    flags: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    @property
    def has_critical_mass(self) -> bool:
        return self.total.fidelity_share * 100 >= self.definitions.full_fidelity_percent


def _rows(
    counts: dict[object, dict[str, int]], labels: list[tuple[object, str]]
) -> list[FunnelRow]:
    empty = {"in_scope": 0, "trained": 0, "embedded": 0, "fidelity": 0}
    return [
        FunnelRow(key=key, label=label, **{k: counts.get(key, empty)[k] for k in empty})
        for key, label in labels
    ]


def _month_ends(as_of: datetime.date, months: int) -> list[datetime.date]:
    ends = []
    for back in range(months - 1, 0, -1):
        first_of_next = (as_of - relativedelta(months=back - 1)).replace(day=1)
        ends.append(first_of_next - datetime.timedelta(days=1))
    return [*ends, as_of]


def _trend(now: float, before: float) -> str:
    if now - before >= 0.05:
        return "up"
    if before - now >= 0.05:
        return "down"
    return "steady"


def supervisor_ratings(filters: Filters, months: int) -> QuerySet[Rating]:
    """Supervisor ratings with a level, from signed-off, uncorrected reviews in the window."""
    end = _day_end(filters.as_of)
    start = _day_start((filters.as_of - relativedelta(months=months - 1)).replace(day=1))
    return Rating.objects.filter(
        filters.ratings(),
        rater=Rater.SUPERVISOR,
        level__isnull=False,
        review__status=ReviewStatus.SIGNED_OFF,
        review__replaced_by__isnull=True,
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


def _share(row: dict[str, object], part: str, whole: str) -> float:
    return row[part] / row[whole] if row[whole] else 0.0


def dashboard(filters: Filters, *, months: int = 12) -> Dashboard:
    definitions = Definitions.load()
    people = people_status(filters.as_of, definitions).filter(filters.people())

    total_counts = _funnel(people, None)[None]
    total = FunnelRow(key="all", label="Everyone in scope", **total_counts)

    timeline = []
    for month_end in _month_ends(filters.as_of, months):
        if month_end == filters.as_of:
            counts = total_counts
        else:
            counts = _past_funnel(filters, month_end, definitions)
        timeline.append(FunnelRow(key=month_end, label=f"{month_end:%b %Y}", **counts))
    reached = [
        row.key
        for row in timeline
        if row.in_scope and row.fidelity_share * 100 >= definitions.full_fidelity_percent
    ]

    teams = list(Team.objects.order_by("name"))
    team_counts = _funnel(people, "team_id")
    before = filters.as_of - relativedelta(months=3)
    team_before = _past_funnel(filters, before, definitions, group_by="team_id")
    team_rows = []
    for row, previous in zip(
        _rows(team_counts, [(team.pk, team.name) for team in teams]),
        _rows(team_before, [(team.pk, team.name) for team in teams]),
        strict=True,
    ):
        team = next(team for team in teams if team.pk == row.key)
        team_rows.append(
            TeamRow(
                **row.__dict__,
                service_area=team.service_area,
                stage=stage_of(row, definitions),
                trend=_trend(row.fidelity_share, previous.fidelity_share),
            )
        )
    areas = sorted({team.service_area for team in teams if team.service_area})
    phases = list(Phase.objects.order_by("order", "name"))
    role_people = people_status(filters.as_of, definitions).filter(
        Filters(**{**filters.__dict__, "role_group": ""}).people()
    )

    ratings = supervisor_ratings(filters, months)
    stage_labels = dict(Stage.choices)
    stage_trends = [
        {
            "month": row["month"],
            "stage": row["competency__area__stage"],
            "stage_label": stage_labels.get(row["competency__area__stage"], ""),
            **{key: row[key] for key in SHARES},
            "share": _share(row, "competent_or_above", "ratings"),
        }
        for row in ratings.annotate(month=TruncMonth("review__signed_off_at"))
        .values("month", "competency__area__stage")
        .annotate(**SHARES)
        .order_by("month", "competency__area__stage")
    ]
    competency_shares = [
        {
            "code": row["competency__code"],
            "title": row["competency__title"],
            "stage_label": stage_labels.get(row["competency__area__stage"], ""),
            **{key: row[key] for key in SHARES},
            "share": _share(row, "competent_or_above", "ratings"),
            "basic_share": _share(row, "basic", "ratings"),
        }
        for row in ratings.values(
            "competency__code", "competency__title", "competency__area__stage"
        )
        .annotate(**SHARES)
        .order_by("competency__area__stage", "competency__code")
    ]
    gap_trend = [
        {
            "month": row["month"],
            "pairs": row["pairs"],
            "mean_gap": row["mean_gap"] or 0.0,
            "self_higher_share": _share(row, "self_higher", "pairs"),
        }
        for row in _with_self_level(ratings)
        .annotate(month=TruncMonth("review__signed_off_at"))
        .values("month")
        .annotate(**GAP)
        .order_by("month")
    ]
    case_contexts = []
    for key, (label, condition) in CASE_CONTEXTS.items():
        context_ratings = supervisor_ratings(
            Filters(**{**filters.__dict__, "case_context": ""}), months
        ).filter(condition)
        row = context_ratings.aggregate(**SHARES)
        gap = _with_self_level(context_ratings).aggregate(**GAP)
        case_contexts.append(
            {
                "key": key,
                "label": label,
                **row,
                "share": _share(row, "competent_or_above", "ratings"),
                "mean_gap": gap["mean_gap"] or 0.0,
                "self_higher_share": _share(gap, "self_higher", "pairs"),
            }
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
        service_areas=_rows(_funnel(people, "team__service_area"), [(a, a) for a in areas]),
        role_groups=_rows(_funnel(role_people, "role_group"), list(RoleGroup.choices)),
        phases=_rows(_funnel(people, "credited_phase_id"), [(p.pk, p.name) for p in phases]),
        stage_trends=stage_trends,
        competency_shares=competency_shares,
        gap_trend=gap_trend,
        case_contexts=case_contexts,
        cohorts=cohort_comparison(filters, months=months),
        flags=flags(filters, definitions),
    )


MONTHS_SINCE_BUCKETS = [(0, 3, "0 to 3 months"), (3, 6, "3 to 6 months"), (6, 12, "6 to 12 months"),
                        (12, 24, "1 to 2 years"), (24, 10_000, "over 2 years")]  # fmt: skip


def cohort_comparison(filters: Filters, *, months: int) -> list[dict[str, object]]:
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
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
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
        {
            "phase": phases[phase_id].name if phase_id in phases else "",
            "phase_order": phases[phase_id].order if phase_id in phases else 0,
            "since": label,
            "ratings": ratings,
            "share": good / ratings if ratings else 0.0,
        }
        for (phase_id, label), (ratings, good) in totals.items()
    ]
    return sorted(result, key=lambda r: (r["phase_order"], order.get(r["since"], 99)))


def flags(filters: Filters, definitions: Definitions) -> dict[str, list[dict[str, object]]]:
    """What practice leaders and supervisors should look at."""
    people = people_status(filters.as_of, definitions).filter(filters.people())
    latest = people.filter(latest_review_id__isnull=False).values("latest_review_id")
    own = Rating.objects.filter(
        review=OuterRef("review"), competency=OuterRef("competency"), rater=Rater.SELF
    ).values("level")[:1]
    over_rated = (
        Rating.objects.filter(rater=Rater.SUPERVISOR, level__isnull=False, review__in=latest)
        .annotate(self_level=Subquery(own))
        .filter(self_level__gte=F("level") + 1)
        .values("review__practitioner__full_name", "review__practitioner__team__name")
        .annotate(competencies=Count("pk"))
        .filter(competencies__gte=3)
        .order_by("-competencies", "review__practitioner__full_name")
    )
    basic_stages = (
        supervisor_ratings(filters, months=6)
        .values("competency__area__stage")
        .annotate(**SHARES)
        .order_by("-basic")
    )
    stage_labels = dict(Stage.choices)
    from circles.models import CircleMembership

    in_no_circle = (
        people.filter(TRAINED)
        .exclude(Exists(CircleMembership.objects.filter(person=OuterRef("pk"))))
        .values("full_name", "team__name")
        .order_by("team__name", "full_name")
    )
    overdue_since = _day_start(
        filters.as_of - datetime.timedelta(days=settings.SUPERVISION_OVERDUE_DAYS)
    )
    overdue = (
        people.filter(TRAINED)
        .exclude(
            Exists(
                SupervisionSession.objects.filter(
                    practitioners=OuterRef("pk"),
                    status=SessionStatus.HELD,
                    starts_at__gte=overdue_since,
                    starts_at__lt=_day_end(filters.as_of),
                )
            )
        )
        .values("full_name", "team__name", "line_manager__full_name")
        .order_by("team__name", "full_name")
    )
    return {
        "self_higher": [
            {
                "name": row["review__practitioner__full_name"],
                "team": row["review__practitioner__team__name"],
                "competencies": row["competencies"],
            }
            for row in over_rated
        ],
        "basic_stages": [
            {
                "stage": stage_labels.get(row["competency__area__stage"], ""),
                "basic": row["basic"],
                "ratings": row["ratings"],
                "share": _share(row, "basic", "ratings"),
            }
            for row in basic_stages
        ],
        "in_no_circle": [
            {"name": row["full_name"], "team": row["team__name"]} for row in in_no_circle
        ],
        "overdue": [
            {
                "name": row["full_name"],
                "team": row["team__name"],
                "supervisor": row["line_manager__full_name"] or "",
            }
            for row in overdue
        ],
    }


@dataclass(frozen=True)
class RoutingCounts:
    """How many people wait at each step from the roster to 2:1s, today, whatever the filters."""

    to_be_trained: int
    to_be_placed: int
    needs_supervisor: int


def routing_counts() -> RoutingCounts:
    # Each list is its owning app's: training, circles and supervision say who is on it.
    return RoutingCounts(
        to_be_trained=people_to_be_trained().prefetch_related(None).count(),
        to_be_placed=people_to_be_placed().count(),
        needs_supervisor=people_needing_a_supervisor().count(),
    )
