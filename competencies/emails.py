"""What the review workflow emails, and to whom: each step tells the person who acts next, or
confirms what was done, in plain text with a link to the review.

Called by the services inside their transaction: the emails are queued in the outbox with the
change and sent once it commits (notifications.services.emails_record), so a change that rolls
back sends nothing, and each step, done once, emails once.
"""

from __future__ import annotations

from django.urls import reverse

from competencies.models import Review
from notifications.models import EmailKind
from notifications.services import emails_record


def _link(review: Review) -> str:
    return reverse("review_detail", args=[review.pk])


def review_submitted(review: Review) -> None:
    """A review is waiting for its supervisor's rating and sign-off."""
    emails_record(
        kind=EmailKind.REVIEW_SUBMITTED,
        people=[review.supervisor],
        subject=f"A review is waiting for you: {review.practitioner.full_name}",
        template="competencies/email/review_submitted.txt",
        context={"review": review, "path": _link(review)},
    )


def review_returned(review: Review) -> None:
    """The practitioner is told their review is back with them, and why."""
    emails_record(
        kind=EmailKind.REVIEW_RETURNED,
        people=[review.practitioner],
        subject=f"Your review was sent back by {review.supervisor}",
        template="competencies/email/review_returned.txt",
        context={"review": review, "path": _link(review)},
    )


def review_signed_off(review: Review) -> None:
    emails_record(
        kind=EmailKind.REVIEW_SIGNED_OFF,
        people=[review.practitioner, review.supervisor],
        subject=f"Review signed off: {review.practitioner.full_name}",
        template="competencies/email/review_signed_off.txt",
        context={"review": review, "path": _link(review)},
    )


def review_corrected(correction: Review) -> None:
    """Both are told that a signed-off review has a new revision, why, and where it is."""
    emails_record(
        kind=EmailKind.REVIEW_CORRECTED,
        people=[correction.practitioner, correction.supervisor],
        subject=f"Review corrected: {correction.practitioner.full_name}",
        template="competencies/email/review_corrected.txt",
        context={"review": correction, "path": _link(correction)},
    )
