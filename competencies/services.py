"""The review flow: draft, self rating, submit, supervisor rating, sign-off, correction.

Self and supervisor ratings are separate rows and are never merged. A signed-off review is
locked; a correction is a new revision of the review, with a reason, and both stay in history.
Every rating save names the revision it was based on, so a save made on a stale screen is
refused rather than silently overwriting someone else's change. Each step emails the people it
concerns once it has committed (competencies.emails).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from competencies import emails
from competencies.frameworks import current_version
from competencies.models import (
    BASE_STAGES,
    Competency,
    DevelopmentGoal,
    Level,
    Rater,
    Rating,
    Review,
    ReviewStatus,
    ReviewVerdict,
)
from competencies.selectors import goal_refusal, signed_off_at
from training.dates import local_date
from training.models import Person
from training.signals import records_changed


def _max_length(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.max_length is None:
        raise TypeError(f"{model.__name__}.{name} has no maximum length")
    return field.max_length


RETURN_REASON_MAX = _max_length(Review, "return_reason")


class ReviewLocked(PermissionDenied):
    """The review is signed off (or not at a stage where this rater may rate)."""


@dataclass(frozen=True)
class RatingChange:
    competency_id: int
    level: int | None
    comment: str
    based_on: int  # the rating's revision the person saw; 0 when there was none


@dataclass(frozen=True)
class RatingConflict:
    competency_id: int
    current: Rating | None


class ReviewSession(Protocol):
    """The 2:1 a review is started for. The 2:1s are the supervision app's, which sits above this
    one (it shows reviews); a review only names its 2:1 and takes the 2:1's supervisor."""

    pk: int
    supervisor: Person


@transaction.atomic
def review_start(
    *,
    practitioner: Person,
    case_reference: str = "",
    case_type: str = "",
    risk_level: str = "",
    session: ReviewSession | None = None,
) -> Review:
    version = current_version()
    if version is None:
        raise ValidationError("No competency framework has been published yet.")
    supervisor = session.supervisor if session else practitioner.line_manager
    review = Review(
        practitioner=practitioner,
        supervisor=supervisor,
        version=version,
        case_reference=case_reference.strip(),
        case_type=case_type,
        risk_level=risk_level,
        session_id=session.pk if session else None,
    )
    review.full_clean()
    review.save()
    return review


def may_rate(review: Review, rater: Rater) -> bool:
    if rater == Rater.SELF:
        return review.status == ReviewStatus.DRAFT
    return review.status == ReviewStatus.SUBMITTED


@transaction.atomic
def ratings_save(
    *, review: Review, rater: Rater, changes: list[RatingChange]
) -> list[RatingConflict]:
    """Save ratings of one rater; returns the changes refused because someone saved first."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not may_rate(review, rater):
        raise ReviewLocked("This review cannot be rated by you at this stage.")
    competencies = set(
        Competency.objects.filter(area__version=review.version_id).values_list("pk", flat=True)
    )
    current = {
        rating.competency_id: rating
        for rating in Rating.objects.filter(
            review=review,
            rater=rater,
            competency_id__in=[change.competency_id for change in changes],
        )
    }
    conflicts = []
    for change in changes:
        if change.competency_id not in competencies:
            raise ValidationError("That competency is not in this review's framework version.")
        rating = current.get(change.competency_id)
        seen = rating.revision if rating else 0
        if seen != change.based_on:
            # Someone saved this rating after the screen was drawn: refuse, show theirs.
            conflicts.append(RatingConflict(competency_id=change.competency_id, current=rating))
            continue
        if rating is None:
            rating = Rating(review=review, competency_id=change.competency_id, rater=rater)
        rating.level, rating.comment = change.level, change.comment
        rating.revision = seen + 1
        rating.save()
    return conflicts


def _missing(review: Review, rater: Rater) -> int:
    total = Competency.objects.filter(area__version=review.version_id).count()
    return total - review.ratings.filter(rater=rater).count()


@transaction.atomic
def review_submit(*, review: Review) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.DRAFT:
        raise ReviewLocked("Only a draft review can be submitted.")
    if review.supervisor_id is None:
        raise ValidationError(
            "You have no line manager on the roster to send this to; ask an administrator."
        )
    if missing := _missing(review, Rater.SELF):
        raise ValidationError(
            f"Rate every competency first ({missing} left); choose “Not yet seen” where it applies."
        )
    review.status = ReviewStatus.SUBMITTED
    review.submitted_at = timezone.now()
    review.save(update_fields=["status", "submitted_at"])
    emails.review_submitted(review)
    return review


@transaction.atomic
def review_sign_off(*, review: Review, supervisor: Person) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.SUBMITTED:
        raise ReviewLocked("Only a submitted review can be signed off.")
    if review.supervisor_id != supervisor.pk:
        raise ReviewLocked("Only the review's supervisor can sign it off.")
    if missing := _missing(review, Rater.SUPERVISOR):
        raise ValidationError(f"Give your rating of every competency first ({missing} left).")
    review.status = ReviewStatus.SIGNED_OFF
    review.signed_off_at = timezone.now()
    review.save(update_fields=["status", "signed_off_at"])
    review_verdicts_record(reviews=[review])
    records_changed.send(
        sender=Review,
        person_ids=[review.practitioner_id],
        since=local_date(review.signed_off_at),
    )
    emails.review_signed_off(review)
    return review


@transaction.atomic
def review_return(*, review: Review, supervisor: Person, reason: str) -> Review:
    """The supervisor sends a submitted review back to the practitioner to change their
    ratings, saying why; the reason stays on the review (and in its history)."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.SUBMITTED:
        raise ReviewLocked("Only a submitted review can be sent back.")
    if review.supervisor_id != supervisor.pk:
        raise ReviewLocked("Only the review's supervisor can send it back.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"return_reason": "Say why the review is being sent back."})
    if len(reason) > RETURN_REASON_MAX:
        raise ValidationError(
            {"return_reason": f"Say why in at most {RETURN_REASON_MAX} characters."}
        )
    review.status = ReviewStatus.DRAFT
    review.return_reason = reason
    review.save(update_fields=["status", "return_reason"])
    emails.review_returned(review)
    return review


@transaction.atomic
def review_correct(*, review: Review, reason: str) -> Review:
    """Correct a signed-off review: a new revision, submitted again, with both views copied.

    The signed-off review stays locked and in history; the correction points back to it.
    """
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.SIGNED_OFF:
        raise ReviewLocked("Only a signed-off review is corrected; change the draft instead.")
    if hasattr(review, "replaced_by"):
        raise ReviewLocked("This review has already been corrected; correct the newest revision.")
    if not reason.strip():
        raise ValidationError("Say why the review is being corrected.")
    correction = Review.objects.create(
        practitioner_id=review.practitioner_id,
        supervisor_id=review.supervisor_id,
        version_id=review.version_id,
        case_reference=review.case_reference,
        case_type=review.case_type,
        risk_level=review.risk_level,
        session_id=review.session_id,
        status=ReviewStatus.SUBMITTED,
        submitted_at=timezone.now(),
        revision=review.revision + 1,
        replaces=review,
        original_id=review.original_id or review.pk,
        correction_reason=reason.strip(),
    )
    bulk_create_with_history(
        [
            Rating(
                review=correction,
                competency_id=rating.competency_id,
                rater=rating.rater,
                level=rating.level,
                comment=rating.comment,
            )
            for rating in review.ratings.all()
        ],
        Rating,
    )
    # The corrected review no longer counts from the day it was signed off.
    records_changed.send(
        sender=Review,
        person_ids=[review.practitioner_id],
        since=local_date(signed_off_at(review)),
    )
    emails.review_corrected(correction)
    return correction


# Verdicts ---------------------------------------------------------------------------------------


def verdict_counts(
    ratings: Iterable[tuple[int, str, str, int | None]],
) -> dict[str, object]:
    """The counts of a review's verdict (see ReviewVerdict) from its ratings, each given as
    (competency id, the competency's stage, rater, level or None for "not yet seen")."""
    supervisor: dict[int, int] = {}
    own: dict[int, int] = {}
    stages: set[str] = set()
    for competency_id, stage, rater, level in ratings:
        if level is None:
            continue
        if rater == Rater.SUPERVISOR:
            supervisor[competency_id] = level
            if stage in BASE_STAGES:
                stages.add(stage)
        else:
            own[competency_id] = level
    compared = [(own[key], level) for key, level in supervisor.items() if key in own]
    return {
        "levels": {str(key): level for key, level in sorted(supervisor.items())},
        "rated": len(supervisor),
        "good": sum(level >= Level.COMPETENT for level in supervisor.values()),
        "basic": sum(level == Level.BASIC for level in supervisor.values()),
        "base_stages_rated": len(stages),
        "compared": len(compared),
        "self_higher": sum(mine >= theirs + 1 for mine, theirs in compared),
        "gap_total": sum(mine - theirs for mine, theirs in compared),
    }


def review_verdicts_record(*, reviews: Iterable[Review] | None = None) -> int:
    """Count the verdict of signed-off reviews (all of them when `reviews` is None) from their
    ratings, replacing any verdict counted before; returns how many were counted.

    The ratings of every review are read in one statement; at region scale (7,000 reviews,
    260,000 ratings) this takes a few seconds.
    """
    chosen = Review.objects.filter(status=ReviewStatus.SIGNED_OFF)
    if reviews is not None:
        chosen = chosen.filter(pk__in=[review.pk for review in reviews])
    signed = dict(chosen.values_list("pk", "signed_off_at"))
    ratings: dict[int, list[tuple[int, str, str, int | None]]] = defaultdict(list)
    for review_id, competency_id, stage, rater, level in (
        Rating.objects.filter(review_id__in=chosen.values("pk"))
        .values_list("review_id", "competency_id", "competency__area__stage", "rater", "level")
        .iterator(chunk_size=10_000)
    ):
        ratings[review_id].append((competency_id, stage, rater, level))
    verdicts = []
    for review_id, signed_at in signed.items():
        if signed_at is None:  # chosen from signed-off reviews, which all have the time
            raise ValueError(f"review {review_id} is not signed off")
        day = local_date(signed_at)
        verdicts.append(
            ReviewVerdict(
                review_id=review_id,
                signed_off_on=day,
                month=day.replace(day=1),
                **verdict_counts(ratings[review_id]),
            )
        )
    with transaction.atomic():
        ReviewVerdict.objects.filter(review_id__in=list(signed)).delete()
        ReviewVerdict.objects.bulk_create(verdicts, batch_size=2000)
    return len(verdicts)


@transaction.atomic
def review_discard(*, review: Review, practitioner: Person) -> None:
    """The practitioner throws away a draft they started. A review that has been with the
    supervisor (sent back to them) keeps the supervisor's work, so it cannot be discarded."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.practitioner_id != practitioner.pk:
        raise ReviewLocked("Only the practitioner discards their own draft.")
    if review.status != ReviewStatus.DRAFT or review.submitted_at is not None:
        raise ReviewLocked("Only a draft that has never been submitted can be discarded.")
    review.delete()


def goal_agree(
    *,
    review: Review,
    competency: Competency,
    description: str,
    review_on: datetime.date,
    today: datetime.date | None = None,
) -> DevelopmentGoal:
    """A development goal the practitioner and supervisor agreed from a signed-off review.

    Only from the newest revision of a signed-off review, on one of its competencies, with a
    review date still to come.
    """
    review = Review.objects.select_for_update().get(pk=review.pk)
    if problem := goal_refusal(review):
        raise ValidationError(problem)
    if competency.area.version_id != review.version_id:
        raise ValidationError({"competency": "That competency is not in this review's framework."})
    if review_on <= (today or timezone.localdate()):
        raise ValidationError({"review_on": "The review date is after today."})
    goal = DevelopmentGoal(
        review=review,
        competency=competency,
        description=description.strip(),
        review_on=review_on,
    )
    goal.full_clean()
    goal.save()
    return goal
