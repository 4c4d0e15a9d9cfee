"""A supervisor sends a submitted review back with a reason the practitioner reads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from competencies.models import Rater, Rating, Review, ReviewStatus
from competencies.services import review_start, review_submit
from tests.factories import rate_all

pytestmark = pytest.mark.django_db

REASON = "Look again at the risk assessment competencies with the case in mind."


@pytest.fixture
def submitted(cast) -> Review:
    review = review_start(practitioner=cast.practitioner)
    rate_all(review, Rater.SELF)
    return review_submit(review=review)


def url(review: Review) -> str:
    return reverse("review_return", args=[review.pk])


def test_the_supervisor_sends_a_review_back_with_a_reason_the_practitioner_reads(
    cast, as_user, submitted
):
    rate_all(submitted, Rater.SUPERVISOR)

    response = as_user(cast.supervisor).post(url(submitted), {"reason": f"  {REASON}  "})

    assert response.status_code == 302
    assert response.url == reverse("review_detail", args=[submitted.pk])
    review = Review.objects.get(pk=submitted.pk)
    assert (review.status, review.return_reason) == (ReviewStatus.DRAFT, REASON)
    # The supervisor's ratings so far are kept for when it comes back.
    assert Rating.objects.filter(review=review, rater=Rater.SUPERVISOR).exists()
    page = as_user(cast.practitioner).get(reverse("review_detail", args=[review.pk]))
    html = page.content.decode()
    assert "Sent back because" in html and REASON in html


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say why you are sending the review back."),
        ("   ", "Say why you are sending the review back."),
        ("x" * 1001, "Ensure this value has at most 1000 characters (it has 1001)."),
    ],
)
def test_sending_back_without_a_reason_is_refused_and_changes_nothing(
    cast, as_user, submitted, reason, message
):
    response = as_user(cast.supervisor).post(url(submitted), {"reason": reason})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'id="error-summary"' in response.content.decode()
    review = Review.objects.get(pk=submitted.pk)
    assert (review.status, review.return_reason) == (ReviewStatus.SUBMITTED, "")


def test_a_review_that_is_not_submitted_cannot_be_sent_back(cast, as_user):
    draft = review_start(practitioner=cast.practitioner)
    client = as_user(cast.supervisor)

    asked = client.get(url(draft))
    response = client.post(url(draft), {"reason": REASON})

    assert "Only a review submitted to you can be sent back" in asked.content.decode()
    assert response.url == reverse("review_detail", args=[draft.pk])
    assert Review.objects.get(pk=draft.pk).return_reason == ""


# The practitioner sees their review, so is refused (403); the others do not see it (404).
@pytest.mark.parametrize(
    ("role", "refusal"), [("practitioner", 403), ("outsider", 404), ("practice_leader", 404)]
)
def test_only_the_reviews_supervisor_may_send_it_back(cast, as_user, submitted, role, refusal):
    client = as_user(getattr(cast, role))

    assert client.get(url(submitted)).status_code == refusal
    assert client.post(url(submitted), {"reason": REASON}).status_code == refusal
    assert Review.objects.get(pk=submitted.pk).status == ReviewStatus.SUBMITTED


def test_sending_back_answers_only_get_and_post(cast, as_user, submitted):
    assert as_user(cast.supervisor).put(url(submitted)).status_code == 405


def test_the_review_page_offers_the_supervisor_the_form_with_its_reason_field(
    cast, as_user, submitted
):
    html = as_user(cast.supervisor).get(reverse("review_detail", args=[submitted.pk]))
    html = html.content.decode()

    assert f'action="{url(submitted)}"' in html
    assert 'name="reason"' in html and 'id="return_reason"' in html
    assert 'name="action"' not in html


def test_the_sign_off_address_no_longer_sends_a_review_back(cast, as_user, submitted):
    as_user(cast.supervisor).post(
        reverse("review_sign_off", args=[submitted.pk]), {"action": "return"}
    )

    assert Review.objects.get(pk=submitted.pk).status == ReviewStatus.SUBMITTED
