"""Reads behind the review grid, the review lists and My progress.

Who may see a review is decided here, once: its practitioner, and that practitioner's
supervisor (the review's named supervisor or their line manager). Anyone else gets a 404. Only
the practitioner and the named supervisor write in it; a line manager who is not the named
supervisor reads it.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404

from accounts.models import User
from competencies.models import (
    Area,
    Competency,
    DevelopmentGoal,
    Level,
    Rater,
    Rating,
    Review,
    ReviewStatus,
)
from training.dates import day_end
from training.models import Person
from training.selectors import person_of

# Someone whose own ratings are a level or more above their supervisor's on this many
# competencies of their current review is flagged, to their supervisor by name and on the
# dashboard by team.
SELF_HIGHER_FLAG = 3


def signed_off_reviews() -> QuerySet[Review]:
    """The reviews that count: signed off and not replaced by a correction. A correction
    replaces its review at once, so until it is signed off again neither counts."""
    return Review.objects.filter(status=ReviewStatus.SIGNED_OFF, replaced_by__isnull=True)


def signed_off_at(review: Review) -> datetime.datetime:
    """When a review read as signed off was signed off."""
    if review.signed_off_at is None:
        raise ValueError(f"review {review.pk} is not signed off")
    return review.signed_off_at


def current_reviews(
    practitioner: Person | OuterRef, *, as_of: datetime.date | None = None
) -> QuerySet[Review]:
    """A practitioner's current review first: of the reviews that count, the one signed off
    last (by the end of `as_of`, when given). Use `[:1]`; `practitioner` may be an OuterRef."""
    # The plugin checks a lookup's value against the field and does not know an OuterRef.
    reviews = signed_off_reviews().filter(practitioner=practitioner)  # type: ignore[misc]
    if as_of is not None:
        reviews = reviews.filter(signed_off_at__lt=day_end(as_of))
    return reviews.order_by("-signed_off_at", "-pk")


def current_reviews_of_everyone(
    *, as_of: datetime.date | None = None, practitioners: QuerySet[Person] | None = None
) -> QuerySet[Review]:
    """Everyone's current review (see `current_reviews`), found for all of them at once with
    ROW_NUMBER rather than looked up person by person."""
    reviews = signed_off_reviews()
    if as_of is not None:
        reviews = reviews.filter(signed_off_at__lt=day_end(as_of))
    if practitioners is not None:
        reviews = reviews.filter(practitioner__in=practitioners.values("pk"))
    return reviews.annotate(
        recency=Window(
            RowNumber(),
            partition_by=[F("practitioner_id")],
            order_by=[F("signed_off_at").desc(), F("pk").desc()],
        )
    ).filter(recency=1)


def rated_self_higher(
    people: QuerySet[Person], *, as_of: datetime.date | None = None
) -> list[tuple[int, str, str, int]]:
    """Of `people`, those flagged: in their current review they rated themselves a level or
    more above their supervisor on SELF_HIGHER_FLAG or more competencies. (id, name, team,
    how many competencies), most first."""
    rows = current_reviews_of_everyone(as_of=as_of, practitioners=people).values_list(
        "practitioner_id",
        "practitioner__full_name",
        "practitioner__team__name",
        "verdict__self_higher",
    )
    flagged = [row for row in rows if row[3] is not None and row[3] >= SELF_HIGHER_FLAG]
    return sorted(flagged, key=lambda row: (-row[3], row[1]))


def reviews_visible_to(person: Person) -> QuerySet[Review]:
    return Review.objects.filter(
        Q(practitioner=person) | Q(supervisor=person) | Q(practitioner__line_manager=person)
    )


def get_review_for_user(user: User, pk: int) -> Review:
    person = person_of(user)
    review = (
        reviews_visible_to(person)
        .select_related("practitioner", "supervisor", "version__framework", "session")
        .filter(pk=pk)
        .first()
        if person
        else None
    )
    if review is None:
        raise Http404("No such review.")
    return review


def writes_in(review: Review, person: Person) -> bool:
    """Whether the person fills in a column of this review, rather than only reading it."""
    return person.pk in (review.practitioner_id, review.supervisor_id)


def rater_in(review: Review, person: Person) -> Rater:
    """Which column this person fills in: their own, or the supervisor's."""
    return Rater.SELF if review.practitioner_id == person.pk else Rater.SUPERVISOR


@dataclass
class GridRow:
    competency: Competency
    mine: Rating | None = None
    theirs: Rating | None = None

    @property
    def differ(self) -> bool:
        return bool(self.mine and self.theirs and self.mine.level != self.theirs.level)


@dataclass
class GridArea:
    area: Area
    rows: list[GridRow] = field(default_factory=list)


def review_grid(review: Review, rater: Rater) -> list[GridArea]:
    """Competencies down the side, this rater's rating and the other view beside it."""
    ratings = {(r.competency_id, r.rater): r for r in review.ratings.all()}
    other = Rater.SUPERVISOR if rater == Rater.SELF else Rater.SELF
    areas: dict[int, GridArea] = {}
    for competency in Competency.objects.filter(area__version=review.version_id).select_related(
        "area"
    ):
        grid_area = areas.setdefault(competency.area_id, GridArea(area=competency.area))
        grid_area.rows.append(
            GridRow(
                competency=competency,
                mine=ratings.get((competency.pk, rater)),
                theirs=ratings.get((competency.pk, other)),
            )
        )
    return list(areas.values())


@dataclass
class RatingProgress:
    """How far one rater is through a review's grid."""

    rated: int
    total: int
    first_unrated: int | None  # the competency's id, in the grid's order

    @classmethod
    def of(cls, grid: list[GridArea]) -> RatingProgress:
        rows = [row for grid_area in grid for row in grid_area.rows]
        unrated = [row.competency.pk for row in rows if row.mine is None]
        return cls(
            rated=len(rows) - len(unrated),
            total=len(rows),
            first_unrated=unrated[0] if unrated else None,
        )


def rating_progress(review: Review, rater: Rater) -> RatingProgress:
    """The rater's progress, counted in the database (after an htmx save of one row)."""
    rated = set(review.ratings.filter(rater=rater).values_list("competency_id", flat=True))
    order = Competency.objects.filter(area__version=review.version_id).values_list("pk", flat=True)
    unrated = [pk for pk in order if pk not in rated]
    return RatingProgress(
        rated=len(rated),
        total=len(rated) + len(unrated),
        first_unrated=unrated[0] if unrated else None,
    )


def grid_row(review: Review, rater: Rater, competency_id: int) -> GridRow:
    other = Rater.SUPERVISOR if rater == Rater.SELF else Rater.SELF
    ratings = {r.rater: r for r in review.ratings.filter(competency_id=competency_id)}
    return GridRow(
        competency=Competency.objects.get(pk=competency_id),
        mine=ratings.get(rater),
        theirs=ratings.get(other),
    )


def review_history(review: Review) -> list[Review]:
    root = review.original_id or review.pk
    return list(Review.objects.filter(Q(pk=root) | Q(original_id=root)).order_by("revision"))


def my_reviews(person: Person) -> QuerySet[Review]:
    return (
        Review.objects.filter(practitioner=person)
        .select_related("supervisor", "version__framework")
        .order_by("-created_at")
    )


def reviews_to_supervise(person: Person) -> QuerySet[Review]:
    return (
        reviews_visible_to(person)
        .exclude(practitioner=person)
        .select_related("practitioner", "version__framework")
        .order_by("status", "-submitted_at")
    )


@dataclass
class ProgressPoint:
    review: Review
    self_level: int | None
    self_seen: bool
    supervisor_level: int | None
    supervisor_seen: bool

    @property
    def gap(self) -> int | None:
        if self.self_level and self.supervisor_level:
            return self.self_level - self.supervisor_level
        return None


@dataclass
class ProgressRow:
    code: str
    title: str
    points: list[ProgressPoint] = field(default_factory=list)
    goals: list[GoalProgress] = field(default_factory=list)

    @property
    def latest(self) -> ProgressPoint | None:
        return self.points[-1] if self.points else None


@dataclass
class ProgressArea:
    title: str
    rows: list[ProgressRow] = field(default_factory=list)


def my_progress(person: Person) -> list[ProgressArea]:
    """Per area and competency, self and supervisor levels over time, from signed-off reviews.

    Competencies are matched across framework versions by their code. A corrected review
    counts only in its latest revision.
    """
    ratings = (
        Rating.objects.filter(review__in=signed_off_reviews().filter(practitioner=person))
        .select_related("competency__area", "review")
        .order_by("competency__area__order", "competency__order", "review__signed_off_at")
    )
    areas: dict[str, ProgressArea] = {}
    rows: dict[str, ProgressRow] = {}
    points: dict[tuple[str, int], ProgressPoint] = {}
    for rating in ratings:
        competency = rating.competency
        area = areas.setdefault(competency.area.stage, ProgressArea(title=competency.area.title))
        row = rows.get(competency.code)
        if row is None:
            row = rows[competency.code] = ProgressRow(code=competency.code, title=competency.title)
            area.rows.append(row)
        key = (competency.code, rating.review_id)
        point = points.get(key)
        if point is None:
            point = points[key] = ProgressPoint(rating.review, None, False, None, False)
            row.points.append(point)
        if rating.rater == Rater.SELF:
            point.self_level, point.self_seen = rating.level, True
        else:
            point.supervisor_level, point.supervisor_seen = rating.level, True
    for row in rows.values():
        row.points.sort(key=lambda p: signed_off_at(p.review))
    return list(areas.values())


# What waits for a person: the reads behind the home page ----------------------------------------


def drafts_of(person: Person) -> QuerySet[Review]:
    """The person's own draft reviews, oldest first, each with `left_to_rate`: the competencies
    of its framework version they have not rated yet (a "Not yet seen" counts as rated)."""
    in_version = (
        Competency.objects.filter(area__version=OuterRef("version"))
        .order_by()
        .values("area__version")
        .annotate(count=Count("pk"))
        .values("count")
    )
    rated = (
        Rating.objects.filter(review=OuterRef("pk"), rater=Rater.SELF)
        .order_by()
        .values("review")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Review.objects.filter(practitioner=person, status=ReviewStatus.DRAFT)
        .annotate(
            left_to_rate=Coalesce(Subquery(in_version), 0) - Coalesce(Subquery(rated), 0),
        )
        .select_related("version__framework", "supervisor")
        .order_by("created_at", "pk")
    )


def waiting_for(supervisor: Person) -> QuerySet[Review]:
    """Submitted reviews waiting for this supervisor's rating and sign-off, oldest first."""
    return (
        Review.objects.filter(supervisor=supervisor, status=ReviewStatus.SUBMITTED)
        .select_related("practitioner", "version__framework")
        .order_by("submitted_at", "pk")
    )


def latest_signed_off(person: Person) -> Review | None:
    """The person's latest current review, with its supervisor ratings counted by level."""
    supervisor_rated = Q(ratings__rater=Rater.SUPERVISOR, ratings__level__isnull=False)
    return (
        signed_off_reviews()
        .filter(practitioner=person)
        .select_related("supervisor")
        .annotate(
            rated=Count("ratings", filter=supervisor_rated),
            basic=Count("ratings", filter=supervisor_rated & Q(ratings__level=Level.BASIC)),
            competent=Count("ratings", filter=supervisor_rated & Q(ratings__level=Level.COMPETENT)),
            advanced=Count("ratings", filter=supervisor_rated & Q(ratings__level=Level.ADVANCED)),
        )
        .order_by("-signed_off_at", "-pk")
        .first()
    )


def review_list(person: Person, **filters: object) -> QuerySet[Review]:
    """Every review the person may read (their own and their supervisees'), newest first,
    narrowed by `filters` (status, practitioner)."""
    return (
        reviews_visible_to(person)
        .filter(**filters)
        .select_related("practitioner", "supervisor", "version__framework")
        .order_by("-created_at", "-pk")
    )


def practitioners_in_reviews(person: Person) -> QuerySet[Person]:
    """The practitioners whose reviews the person may read, for the list's filter."""
    return Person.objects.filter(
        pk__in=reviews_visible_to(person).values("practitioner_id")
    ).order_by("full_name")


# Development goals ------------------------------------------------------------------------------


def review_family(review: Review) -> int:
    """A review and its corrections are one review: known by the first revision's ID."""
    return review.original_id or review.pk


@dataclass
class GoalProgress:
    """A goal, with the supervisor's level of its competency when it was agreed (before) and at
    the practitioner's next signed-off review (after). Levels are None for "not yet seen"."""

    goal: DevelopmentGoal
    before: int | None = None
    after: int | None = None
    after_rated: bool = False
    next_review_id: int | None = None
    next_family: int | None = None

    @property
    def reviewed(self) -> bool:
        return self.next_review_id is not None

    @property
    def moved(self) -> int | None:
        """Levels up (negative: down) from before to after; None when either is not seen."""
        if self.before and self.after:
            return self.after - self.before
        return None

    @property
    def levels_moved(self) -> int:
        return abs(self.moved or 0)


def goal_progress(person: Person) -> list[GoalProgress]:
    """Every goal of the practitioner, and whether its competency moved.

    Before: the supervisor's level in the review the goal came from (its newest revision).
    After: their level in the first review started after that one was signed off, once it is
    signed off itself. Competencies are matched by code, so a new framework version still
    compares.
    """
    goals = list(
        DevelopmentGoal.objects.filter(review__practitioner=person)
        .select_related("competency", "review")
        .order_by("review_on", "pk")
    )
    if not goals:
        return []
    levels: dict[tuple[int, str], int | None] = {}
    families: dict[int, tuple[datetime.datetime, int]] = {}
    ratings = (
        Rating.objects.filter(
            review__practitioner=person,
            review__status=ReviewStatus.SIGNED_OFF,
            review__replaced_by__isnull=True,
            rater=Rater.SUPERVISOR,
        )
        .annotate(
            family=Coalesce("review__original_id", "review_id"),
            started=Coalesce("review__original__created_at", "review__created_at"),
        )
        .values_list("family", "started", "review_id", "competency__code", "level")
    )
    for family, started, review_id, code, level in ratings:
        levels[(family, code)] = level
        families[family] = (started, review_id)
    progress = []
    for goal in goals:
        family, code = review_family(goal.review), goal.competency.code
        later = sorted(
            (started, review_id, other)
            for other, (started, review_id) in families.items()
            if other != family and started > signed_off_at(goal.review)
        )
        item = GoalProgress(goal=goal, before=levels.get((family, code)))
        if later:
            _, item.next_review_id, item.next_family = later[0]
            item.after_rated = (item.next_family, code) in levels
            item.after = levels.get((item.next_family, code))
        progress.append(item)
    return progress


def progress_with_goals(person: Person) -> list[ProgressArea]:
    """My progress, with each goal beside the ratings of its competency."""
    areas = my_progress(person)
    rows = {row.code: row for area in areas for row in area.rows}
    for item in goal_progress(person):
        if row := rows.get(item.goal.competency.code):
            row.goals.append(item)
    return areas


@dataclass
class ReviewGoals:
    agreed_here: list[GoalProgress]
    # Goals from the practitioner's earlier reviews that this review looks at again.
    reviewed_here: list[GoalProgress]


def review_goals(review: Review) -> ReviewGoals:
    """The goals agreed from a review, and those from earlier reviews that it looks at again.

    A review not yet signed off shows the goals still waiting for their next review, agreed
    before it was started; their "after" comes when it is signed off.
    """
    progress = goal_progress(review.practitioner)
    family = review_family(review)
    agreed_here = [item for item in progress if review_family(item.goal.review) == family]
    if review.status == ReviewStatus.SIGNED_OFF:
        reviewed_here = [item for item in progress if item.next_family == family]
    else:
        started = (
            Review.objects.values_list("created_at", flat=True).get(pk=review.original_id)
            if review.original_id
            else review.created_at
        )
        reviewed_here = [
            item
            for item in progress
            if not item.reviewed
            and review_family(item.goal.review) != family
            and signed_off_at(item.goal.review) < started
        ]
    return ReviewGoals(agreed_here=agreed_here, reviewed_here=reviewed_here)


def goal_refusal(review: Review) -> str | None:
    """Why goals cannot be agreed from this review, or None when they can."""
    if review.status != ReviewStatus.SIGNED_OFF:
        return "Goals are agreed once the review is signed off."
    if Review.objects.filter(replaces=review).exists():
        return "This review has been corrected: goals are agreed from its newest revision."
    return None


def goal_suggestions(grid: list[GridArea]) -> list[GridRow]:
    """Where a goal is worth agreeing: the supervisor rated Basic, or the two views differ.

    `grid` is the review's grid seen from the practitioner's side (`review_grid(review,
    Rater.SELF)`): each row's `theirs` is the supervisor's rating.
    """
    return [
        row
        for area in grid
        for row in area.rows
        if row.theirs and (row.theirs.level == Level.BASIC or row.differ)
    ]


# Ratings at Basic, for the dashboard ------------------------------------------------------------


@dataclass(frozen=True)
class BasicShare:
    """Supervisor ratings with a level, and how many of them are Basic."""

    rated: int
    basic: int

    @property
    def share(self) -> float | None:
        """The share rated Basic, or None when nothing was rated."""
        return self.basic / self.rated if self.rated else None


@dataclass(frozen=True)
class BasicShares:
    """Supervisor ratings at Basic in reviews signed off in a window, by stage and by competency
    (keyed by the competency's code, which stays the same across framework versions). Stages and
    codes nobody was rated on are absent."""

    since: datetime.date
    until: datetime.date
    by_stage: dict[str, BasicShare]
    by_competency: dict[str, BasicShare]


def basic_shares(
    *, since: datetime.date, until: datetime.date, where: Q | None = None
) -> BasicShares:
    """The share of supervisor ratings at Basic, by stage and competency, over the current
    reviews (signed off, not since corrected) signed off from `since` to `until` (whole days on
    the organisation's clock). "Not yet seen" is not a rating. Two queries.

    Counted from the reviews' stored verdicts (ReviewVerdict.levels: the supervisor's level of
    each competency they rated, kept with the day it was signed off), so the ratings themselves
    are not read again. `where` narrows the reviews further, as a Q seen from a Review (the
    dashboard passes its people and case filters), so the figures sit beside circles'
    `framework_work` for the same window and people.
    """
    reviews = signed_off_reviews().filter(
        verdict__signed_off_on__gte=since, verdict__signed_off_on__lte=until
    )
    if where is not None:
        reviews = reviews.filter(where)
    counted: Counter[tuple[str, int]] = Counter()
    for levels in reviews.values_list("verdict__levels", flat=True).order_by():
        counted.update((levels or {}).items())  # (competency id, level)
    competencies = {
        str(pk): (code, stage)
        for pk, code, stage in Competency.objects.values_list("pk", "code", "area__stage")
    }
    by_stage: dict[str, list[int]] = {}
    by_competency: dict[str, list[int]] = {}
    for (competency_id, level), count in counted.items():
        code, stage = competencies[competency_id]
        for totals in (by_stage.setdefault(stage, [0, 0]), by_competency.setdefault(code, [0, 0])):
            totals[0] += count
            totals[1] += count if level == Level.BASIC else 0
    return BasicShares(
        since=since,
        until=until,
        by_stage={stage: BasicShare(*totals) for stage, totals in by_stage.items()},
        by_competency={code: BasicShare(*totals) for code, totals in by_competency.items()},
    )
