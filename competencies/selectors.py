"""Reads behind the review grid, the review lists and My progress.

Who may see a review is decided here, once: its practitioner, and that practitioner's
supervisor (the review's named supervisor or their line manager). Anyone else gets a 404. Only
the practitioner and the named supervisor write in it; a line manager who is not the named
supervisor reads it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from accounts.models import User
from competencies.models import (
    Area,
    Competency,
    Rater,
    Rating,
    Review,
    ReviewStatus,
)
from training.dates import day_end
from training.models import Person

# Someone whose own ratings are a level or more above their supervisor's on this many
# competencies of their current review is flagged, to their supervisor by name and on the
# dashboard by team.
SELF_HIGHER_FLAG = 3


def signed_off_reviews() -> QuerySet[Review]:
    """The reviews that count: signed off and not replaced by a correction. A correction
    replaces its review at once, so until it is signed off again neither counts."""
    return Review.objects.filter(status=ReviewStatus.SIGNED_OFF, replaced_by__isnull=True)


def current_reviews(
    practitioner: Person | OuterRef, *, as_of: datetime.date | None = None
) -> QuerySet[Review]:
    """A practitioner's current review first: of the reviews that count, the one signed off
    last (by the end of `as_of`, when given). Use `[:1]`; `practitioner` may be an OuterRef."""
    reviews = signed_off_reviews().filter(practitioner=practitioner)
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


def person_of(user: User) -> Person | None:
    return getattr(user, "person", None) if user.is_authenticated else None


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
        row.points.sort(key=lambda p: p.review.signed_off_at)
    return list(areas.values())
