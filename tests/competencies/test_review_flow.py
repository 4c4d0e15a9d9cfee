from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from competencies.frameworks import (
    FrameworkLocked,
    current_version,
    ensure_draft,
    version_new_draft,
    version_publish,
)
from competencies.models import Competency, Rater, Rating, Review, ReviewStatus
from competencies.services import (
    RatingChange,
    ReviewLocked,
    ratings_save,
    review_correct,
    review_sign_off,
    review_start,
    review_submit,
)
from tests.factories import make_person, rate_all

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def checked(html: str, competency_id: int) -> str | None:
    """The level chosen in a grid row, as the page shows it."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="level-{competency_id}"' in tag and re.search(r"\schecked\b", tag):
            value = re.search(r'value="([^"]+)"', tag)
            assert value is not None, tag
            return value.group(1)
    return None


def first_competency(review) -> Competency:
    competency = Competency.objects.filter(area__version=review.version_id).first()
    assert competency is not None
    return competency


def test_the_starter_framework_is_published_with_every_stage_and_15_to_25_competencies():
    version = current_version()

    assert version.is_published
    stages = set(version.areas.values_list("stage", flat=True))
    assert stages == {"engagement", "resilience", "risk", "analysis", "planning", "restorative"}
    assert 15 <= Competency.objects.filter(area__version=version).count() <= 25
    assert "starter" in version.framework.name.lower()


def test_a_review_goes_to_the_practitioners_line_manager(review, cast):
    assert (review.supervisor, review.status, review.version) == (
        cast.supervisor,
        ReviewStatus.DRAFT,
        current_version(),
    )


def test_the_whole_flow_from_draft_to_a_locked_sign_off(review, cast):
    rate_all(review, Rater.SELF, level=3)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR, level=2)

    signed = review_sign_off(review=review, supervisor=cast.supervisor)

    assert signed.status == ReviewStatus.SIGNED_OFF and signed.is_locked
    assert (
        signed.ratings.filter(rater=Rater.SELF, level=3).count()
        == signed.ratings.filter(rater=Rater.SUPERVISOR, level=2).count()
    )
    change = RatingChange(first_competency(review).pk, 1, "", based_on=1)
    with pytest.raises(ReviewLocked):
        ratings_save(review=signed, rater=Rater.SUPERVISOR, changes=[change])
    with pytest.raises(ReviewLocked):
        ratings_save(review=signed, rater=Rater.SELF, changes=[change])


def test_a_review_is_submitted_only_with_every_competency_rated(review):
    rating = RatingChange(first_competency(review).pk, None, "not seen on this case", based_on=0)
    ratings_save(review=review, rater=Rater.SELF, changes=[rating])

    with pytest.raises(ValidationError, match="Rate every competency first"):
        review_submit(review=review)
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.DRAFT


def test_not_yet_seen_is_kept_as_a_rating_with_no_level(review):
    ratings_save(
        review=review,
        rater=Rater.SELF,
        changes=[RatingChange(first_competency(review).pk, None, "", based_on=0)],
    )

    rating = Rating.objects.get(review=review)
    assert rating.level is None


def test_the_supervisor_rates_only_after_submission_and_the_practitioner_only_before(review, cast):
    change = RatingChange(first_competency(review).pk, 2, "", based_on=0)
    with pytest.raises(ReviewLocked):
        ratings_save(review=review, rater=Rater.SUPERVISOR, changes=[change])

    rate_all(review, Rater.SELF)
    review_submit(review=review)
    with pytest.raises(ReviewLocked):
        ratings_save(review=review, rater=Rater.SELF, changes=[change])
    assert ratings_save(review=review, rater=Rater.SUPERVISOR, changes=[change]) == []


def test_only_the_reviews_supervisor_signs_it_off_and_only_when_they_have_rated_all(review, cast):
    rate_all(review, Rater.SELF)
    review_submit(review=review)

    with pytest.raises(ValidationError, match="Give your rating of every competency"):
        review_sign_off(review=review, supervisor=cast.supervisor)
    rate_all(review, Rater.SUPERVISOR)
    with pytest.raises(ReviewLocked):
        review_sign_off(review=review, supervisor=make_person())
    assert review_sign_off(review=review, supervisor=cast.supervisor).is_locked


def signed_off(review, cast):
    rate_all(review, Rater.SELF, level=3)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR, level=1)
    return review_sign_off(review=review, supervisor=cast.supervisor)


def test_a_correction_is_a_new_revision_with_a_reason_and_the_history_keeps_both(review, cast):
    original = signed_off(review, cast)
    with pytest.raises(ValidationError, match="Say why"):
        review_correct(review=original, reason=" ")

    correction = review_correct(review=original, reason="Rated the wrong case")

    assert (correction.revision, correction.replaces, correction.status) == (
        2,
        original,
        ReviewStatus.SUBMITTED,
    )
    assert correction.ratings.count() == original.ratings.count()
    assert Review.objects.get(pk=original.pk).status == ReviewStatus.SIGNED_OFF
    with pytest.raises(ReviewLocked, match="already been corrected"):
        review_correct(review=original, reason="again")


def test_nobody_can_change_a_signed_off_review_in_place_through_the_page(review, cast, as_user):
    original = signed_off(review, cast)
    competency = first_competency(review)
    client = as_user(cast.supervisor)

    client.post(
        reverse("review_rate", args=[original.pk]),
        {
            "competency": competency.pk,
            f"level-{competency.pk}": "3",
            f"based_on-{competency.pk}": "1",
        },
        **HTMX,
    )
    client.post(reverse("review_ratings_save", args=[original.pk]), {f"level-{competency.pk}": "3"})

    assert (
        Rating.objects.get(review=original, competency=competency, rater=Rater.SUPERVISOR).level
        == 1
    )


def test_the_correction_history_is_shown_on_both_revisions(review, cast, as_user):
    original = signed_off(review, cast)
    correction = review_correct(review=original, reason="Rated the wrong case")

    html = (
        as_user(cast.practitioner)
        .get(reverse("review_detail", args=[correction.pk]))
        .content.decode()
    )

    assert "Revision 1" in html and "Revision 2 (this one)" in html
    assert "Corrected because: Rated the wrong case" in html


# Framework versions -----------------------------------------------------------------------------


def test_a_published_version_cannot_change():
    version = current_version()

    with pytest.raises(FrameworkLocked):
        ensure_draft(version)
    with pytest.raises(FrameworkLocked):
        version_publish(version=version)


def test_ratings_keep_their_version_after_a_new_one_is_published(review, cast):
    rate_all(review, Rater.SELF)
    old_version = review.version

    draft = version_new_draft(version=old_version)
    Competency.objects.filter(area__version=draft).first().delete()
    newer = version_publish(version=draft)

    assert current_version() == newer
    review.refresh_from_db()
    assert review.version == old_version
    assert set(review.ratings.values_list("competency__area__version", flat=True)) == {
        old_version.pk
    }
    assert review_start(practitioner=cast.practitioner).version == newer


# Two people at once -----------------------------------------------------------------------------


def test_a_save_based_on_an_older_view_is_refused_and_reports_the_current_rating(review):
    competency = first_competency(review)
    ratings_save(review=review, rater=Rater.SELF, changes=[RatingChange(competency.pk, 1, "", 0)])
    # Two tabs both saw revision 1; the first saves Competent, the second then tries Advanced.
    first = ratings_save(
        review=review, rater=Rater.SELF, changes=[RatingChange(competency.pk, 2, "", 1)]
    )
    second = ratings_save(
        review=review, rater=Rater.SELF, changes=[RatingChange(competency.pk, 3, "", 1)]
    )

    assert first == []
    (conflict,) = second
    assert (conflict.current.level, conflict.current.revision) == (2, 2)
    assert Rating.objects.get(review=review).level == 2


def test_two_first_saves_of_the_same_rating_do_not_both_win(review):
    competency = first_competency(review)
    ratings_save(review=review, rater=Rater.SELF, changes=[RatingChange(competency.pk, 1, "", 0)])

    (conflict,) = ratings_save(
        review=review, rater=Rater.SELF, changes=[RatingChange(competency.pk, 3, "", 0)]
    )

    assert conflict.current.level == 1


def test_the_grid_tells_the_second_editor_and_shows_the_current_state(review, cast, as_user):
    competency = first_competency(review)
    ratings_save(review=review, rater=Rater.SELF, changes=[RatingChange(competency.pk, 2, "", 0)])
    client = as_user(cast.practitioner)

    response = client.post(
        reverse("review_rate", args=[review.pk]),
        {
            "competency": competency.pk,
            f"level-{competency.pk}": "3",
            f"based_on-{competency.pk}": "0",
        },
        **HTMX,
    )

    html = response.content.decode()
    assert response["HX-Retarget"] == f"#row-{competency.pk}"
    assert "Someone else saved this rating first" in html
    assert checked(html, competency.pk) == "2"
    assert Rating.objects.get(review=review).level == 2


def test_signing_off_stores_the_reviews_verdict(cast):
    from django.utils import timezone

    from competencies.models import ReviewVerdict
    from competencies.services import review_sign_off, review_start, review_submit
    from tests.factories import rate_all

    review = review_start(practitioner=cast.practitioner)
    rate_all(review, Rater.SELF, level=3)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR, level=2)
    basic = Rating.objects.filter(review=review, rater=Rater.SUPERVISOR).order_by("pk")[:4]
    Rating.objects.filter(pk__in=[rating.pk for rating in basic]).update(level=1)
    unseen = Rating.objects.filter(review=review, rater=Rater.SUPERVISOR).order_by("-pk")[:1]
    Rating.objects.filter(pk__in=[rating.pk for rating in unseen]).update(level=None)

    review_sign_off(review=review, supervisor=cast.supervisor)

    verdict = ReviewVerdict.objects.get(review=review)
    total = review.ratings.filter(rater=Rater.SUPERVISOR).count()
    assert (verdict.rated, verdict.good, verdict.basic) == (total - 1, total - 5, 4)
    assert verdict.base_stages_rated == 5
    assert (verdict.compared, verdict.self_higher) == (total - 1, total - 1)
    assert verdict.gap_total == (total - 5) * 1 + 4 * 2
    assert verdict.signed_off_on == timezone.localdate(review.signed_off_at)
    assert verdict.is_faithful(percent=75) is ((total - 5) * 100 >= (total - 1) * 75)
