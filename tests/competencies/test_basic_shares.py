"""The share of supervisor ratings at Basic by stage and competency over a window: the selector
the dashboard puts beside how often circles worked on each."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db.models import Q

from competencies.frameworks import current_version, version_new_draft, version_publish
from competencies.models import Competency, Level, Rater, Rating, Review, ReviewStatus
from competencies.selectors import BasicShare, basic_shares
from competencies.services import review_verdicts_record
from tests.factories import make_person
from training.dates import local_datetime
from training.models import RoleGroup

pytestmark = pytest.mark.django_db

SINCE, UNTIL = datetime.date(2026, 6, 15), datetime.date(2026, 12, 15)


def signed_off(
    practitioner,
    on: datetime.date,
    levels: dict[str, int | None],
    *,
    rater: str = Rater.SUPERVISOR,
    version=None,
    replaces: Review | None = None,
) -> Review:
    """A review signed off at noon on `on`, rated by `rater` at `levels` ({code: level})."""
    version = version or current_version()
    review = Review.objects.create(
        practitioner=practitioner,
        version=version,
        status=ReviewStatus.SIGNED_OFF,
        signed_off_at=local_datetime(on, datetime.time(12)),
        replaces=replaces,
        correction_reason="Corrected" if replaces else "",
    )
    competencies = {
        c.code: c for c in Competency.objects.filter(area__version=version, code__in=levels)
    }
    Rating.objects.bulk_create(
        Rating(review=review, competency=competencies[code], rater=rater, level=level)
        for code, level in levels.items()
    )
    # As signing off does: the verdict, which the shares are counted from.
    review_verdicts_record(reviews=[review])
    return review


def test_counts_supervisor_ratings_at_basic_by_competency_and_stage():
    first, second = make_person(), make_person()
    signed_off(first, datetime.date(2026, 7, 1), {"healthy-risk": Level.BASIC, "family-voice": 2})
    signed_off(second, datetime.date(2026, 11, 1), {"healthy-risk": Level.BASIC})
    signed_off(second, datetime.date(2026, 12, 1), {"hazards-identified": Level.COMPETENT})

    shares = basic_shares(since=SINCE, until=UNTIL)

    assert shares.by_competency == {
        "healthy-risk": BasicShare(rated=2, basic=2),
        "family-voice": BasicShare(rated=1, basic=0),
        "hazards-identified": BasicShare(rated=1, basic=0),
    }
    assert shares.by_stage == {
        "risk": BasicShare(rated=3, basic=2),
        "resilience": BasicShare(rated=1, basic=0),
    }
    assert shares.by_stage["risk"].share == pytest.approx(2 / 3)
    assert BasicShare(rated=0, basic=0).share is None


def test_self_ratings_not_yet_seen_and_reviews_outside_the_window_do_not_count():
    person = make_person()
    signed_off(person, datetime.date(2026, 8, 1), {"healthy-risk": Level.BASIC}, rater=Rater.SELF)
    signed_off(person, datetime.date(2026, 8, 2), {"healthy-risk": None})
    signed_off(person, datetime.date(2026, 6, 14), {"healthy-risk": Level.BASIC})
    signed_off(person, datetime.date(2026, 12, 16), {"healthy-risk": Level.BASIC})
    Review.objects.create(practitioner=person, version=current_version())  # a draft

    assert basic_shares(since=SINCE, until=UNTIL).by_competency == {}


def test_the_window_takes_whole_days_at_both_ends():
    person = make_person()
    signed_off(person, SINCE, {"healthy-risk": Level.BASIC})
    signed_off(person, UNTIL, {"family-voice": Level.BASIC})

    assert set(basic_shares(since=SINCE, until=UNTIL).by_competency) == {
        "healthy-risk",
        "family-voice",
    }


def test_a_corrected_review_counts_only_in_its_latest_revision():
    person = make_person()
    original = signed_off(person, datetime.date(2026, 9, 1), {"healthy-risk": Level.BASIC})
    signed_off(
        person, datetime.date(2026, 9, 2), {"healthy-risk": Level.COMPETENT}, replaces=original
    )

    assert basic_shares(since=SINCE, until=UNTIL).by_competency == {
        "healthy-risk": BasicShare(rated=1, basic=0)
    }


def test_a_competency_counts_across_framework_versions_by_its_code():
    older = current_version()
    newer = version_publish(version=version_new_draft(version=older))
    person = make_person()
    signed_off(person, datetime.date(2026, 7, 1), {"healthy-risk": Level.BASIC}, version=older)
    signed_off(person, datetime.date(2026, 10, 1), {"healthy-risk": Level.ADVANCED}, version=newer)

    assert basic_shares(since=SINCE, until=UNTIL).by_competency == {
        "healthy-risk": BasicShare(rated=2, basic=1)
    }


def test_the_dashboard_narrows_the_ratings_with_its_own_filter():
    practitioner, partner = make_person(), make_person(role_group=RoleGroup.PARTNER)
    signed_off(practitioner, datetime.date(2026, 7, 1), {"healthy-risk": Level.BASIC})
    signed_off(partner, datetime.date(2026, 7, 1), {"healthy-risk": Level.COMPETENT})

    shares = basic_shares(
        since=SINCE, until=UNTIL, where=Q(practitioner__role_group=RoleGroup.PARTNER)
    )

    assert shares.by_competency == {"healthy-risk": BasicShare(rated=1, basic=0)}


@pytest.mark.parametrize("reviews", [1, 20])
def test_basic_shares_run_two_queries_whatever_the_number_of_reviews(
    reviews, django_assert_num_queries
):
    person = make_person()
    for number in range(reviews):
        signed_off(
            person,
            datetime.date(2026, 7, 1) + datetime.timedelta(days=number),
            {"healthy-risk": Level.BASIC, "family-voice": Level.COMPETENT},
        )

    with django_assert_num_queries(2):
        basic_shares(since=SINCE, until=UNTIL)


def _counted_from_the_ratings(where: Q) -> tuple[dict[str, BasicShare], dict[str, BasicShare]]:
    """The shares counted from the ratings themselves, as they were before the verdicts kept
    each review's levels: the reference the stored verdicts must agree with."""
    ratings = Rating.objects.filter(
        review__status=ReviewStatus.SIGNED_OFF,
        review__replaced_by__isnull=True,
        review__signed_off_at__gte=local_datetime(SINCE, datetime.time()),
        review__signed_off_at__lt=local_datetime(
            UNTIL + datetime.timedelta(days=1), datetime.time()
        ),
        rater=Rater.SUPERVISOR,
        level__isnull=False,
    ).filter(where)
    by_stage: dict[str, BasicShare] = {}
    by_competency: dict[str, BasicShare] = {}
    for rating in ratings.select_related("competency__area"):
        basic = int(rating.level == Level.BASIC)
        for totals, key in (
            (by_stage, rating.competency.area.stage),
            (by_competency, rating.competency.code),
        ):
            before = totals.get(key, BasicShare(rated=0, basic=0))
            totals[key] = BasicShare(rated=before.rated + 1, basic=before.basic + basic)
    return by_stage, by_competency


def test_the_shares_from_the_stored_verdicts_equal_a_count_of_the_ratings():
    generator = random.Random(13)
    codes = list(
        Competency.objects.filter(area__version=current_version()).values_list("code", flat=True)
    )
    people = [make_person() for _ in range(4)] + [make_person(role_group=RoleGroup.PARTNER)]
    for number in range(40):
        person = generator.choice(people)
        day = SINCE + datetime.timedelta(days=generator.randint(-20, 200))
        levels = {
            code: generator.choice([None, *Level.values])
            for code in generator.sample(codes, generator.randint(1, len(codes)))
        }
        review = signed_off(person, day, levels)
        signed_off(person, day, {codes[0]: Level.BASIC}, rater=Rater.SELF)
        if number % 7 == 0:  # corrected: only the correction counts
            signed_off(person, day, {codes[1]: Level.BASIC}, replaces=review)

    for where in (Q(), Q(practitioner__role_group=RoleGroup.PARTNER)):
        shares = basic_shares(since=SINCE, until=UNTIL, where=where)
        by_stage, by_competency = _counted_from_the_ratings(
            Q(review__practitioner__role_group=RoleGroup.PARTNER) if where else Q()
        )
        assert by_competency, "the reference counted something"
        assert (shares.by_stage, shares.by_competency) == (by_stage, by_competency)
