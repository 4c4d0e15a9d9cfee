"""Reads behind the review grid, the review lists and My progress.

Who may see a review is decided here, once: its practitioner, and that practitioner's
supervisor (the review's named supervisor or their line manager). Anyone else gets a 404. Only
the practitioner and the named supervisor write in it; a line manager who is not the named
supervisor reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
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
from training.models import Person


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
        Rating.objects.filter(
            review__practitioner=person,
            review__status=ReviewStatus.SIGNED_OFF,
            review__replaced_by__isnull=True,
        )
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
