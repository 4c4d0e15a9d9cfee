"""What circles worked on beside the share rated Basic: a weak stage never discussed stands out."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from circles.models import MeetingFocus
from competencies.frameworks import current_version
from competencies.models import Competency, Level, Rater, Rating, Review, ReviewStatus
from competencies.services import review_verdicts_record
from dashboards.circle_work import circle_work
from dashboards.selectors import Filters
from tests.factories import make_circle, make_person
from training.dates import local_datetime
from training.models import RoleGroup

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 12, 15)


def competency(code: str) -> Competency:
    return Competency.objects.select_related("area").get(area__version=current_version(), code=code)


def rated(person, on: datetime.date, levels: dict[str, int]) -> None:
    version = current_version()
    assert version is not None
    review = Review.objects.create(
        practitioner=person,
        version=version,
        status=ReviewStatus.SIGNED_OFF,
        signed_off_at=local_datetime(on, datetime.time(12)),
    )
    Rating.objects.bulk_create(
        Rating(review=review, competency=competency(code), rater=Rater.SUPERVISOR, level=level)
        for code, level in levels.items()
    )
    # As signing off does: the verdict, which the shares rated Basic are counted from.
    review_verdicts_record(reviews=[review])


@pytest.fixture
def meetings():
    """A learning circle meeting each month of 2026: six of them held in the window."""
    circle = make_circle(
        leaders=[make_person(with_account=True)],
        starts_on=datetime.date(2026, 1, 1),
        today=datetime.date(2026, 1, 1),
    )
    return {meeting.month: meeting for meeting in circle.meetings.all()}


@pytest.fixture
def weak_risk_worked_on_engagement(meetings):
    """Risk rated Basic and never discussed; engagement rated Basic too, but worked on."""
    engaging = competency("relationship-first")
    for month in (7, 8, 9, 10, 11, 12):
        MeetingFocus.objects.create(
            meeting=meetings[datetime.date(2026, month, 1)], stage="engagement", competency=engaging
        )
    # Worked on before the window: it does not count.
    MeetingFocus.objects.create(meeting=meetings[datetime.date(2026, 3, 1)], stage="risk")
    person = make_person()
    rated(
        person,
        datetime.date(2026, 9, 1),
        {"healthy-risk": Level.BASIC, "relationship-first": Level.BASIC},
    )
    rated(make_person(), datetime.date(2026, 10, 1), {"healthy-risk": Level.COMPETENT})


def row(work, label):
    return next(row for row in work.rows if row.label == label)


def test_a_weak_stage_no_circle_worked_on_is_marked_and_a_worked_on_one_is_not(
    weak_risk_worked_on_engagement,
):
    work = circle_work(Filters(as_of=AS_OF))

    risk, engagement = row(work, "Risk assessment"), row(work, "Engagement")
    healthy = row(work, competency("healthy-risk").title)
    assert (work.since, work.until, work.meetings_held) == (
        datetime.date(2026, 6, 16),
        AS_OF,
        6,
    )
    assert (risk.meetings, risk.rated.rated, risk.rated.basic) == (0, 2, 1)
    assert (healthy.meetings, healthy.is_stage) == (0, False)
    assert (engagement.meetings, engagement.rated.basic) == (6, 1)
    assert risk.weak_and_seldom_worked_on and healthy.weak_and_seldom_worked_on
    assert not engagement.weak_and_seldom_worked_on
    assert work.flagged == [risk, healthy]


def test_every_stage_and_competency_of_the_framework_has_a_row_rated_or_not(meetings):
    work = circle_work(Filters(as_of=AS_OF))

    labels = [row.label for row in work.rows]
    assert len(labels) == 6 + Competency.objects.filter(area__version=current_version()).count()
    assert all(row.rated is None and row.meetings == 0 for row in work.rows)
    assert work.flagged == []


def test_the_ratings_follow_the_dashboards_filters(weak_risk_worked_on_engagement):
    partners = circle_work(Filters(as_of=AS_OF, role_group=RoleGroup.PARTNER))

    assert row(partners, "Risk assessment").rated is None
    assert row(partners, "Engagement").meetings == 6  # circles are counted for everyone


def test_the_dashboard_shows_the_marked_rows(cast, as_user, weak_risk_worked_on_engagement):
    client = as_user(cast.programme_lead)

    page = client.get(reverse("fidelity_practice"), {"as_of": AS_OF.isoformat()})
    partial = client.get(
        reverse("fidelity_practice"), {"as_of": AS_OF.isoformat()}, HTTP_HX_REQUEST="true"
    )

    for response in (page, partial):
        text = " ".join(response.content.decode().split())
        assert "What circles worked on, beside the ratings" in text
        assert "<strong>Weak and seldom worked on:</strong> Risk assessment;" in text
        assert '<th scope="row">Risk assessment</th> <td class="text-end">0</td>' in text
        assert '<td class="text-end">50%</td>' in text
    assert "<html" not in partial.content.decode()


@pytest.mark.parametrize("months", [1, 12])
def test_circle_work_runs_seven_queries_whatever_the_number_of_meetings(
    meetings, months, django_assert_num_queries
):
    engaging = competency("relationship-first")
    for _, meeting in sorted(meetings.items())[:months]:
        MeetingFocus.objects.create(meeting=meeting, stage="engagement", competency=engaging)
    rated(make_person(), datetime.date(2026, 9, 1), {"healthy-risk": Level.BASIC})

    # meetings held, by stage, by competency; Basic by stage, by competency; the current
    # framework version, its competencies
    with django_assert_num_queries(7):
        circle_work(Filters(as_of=AS_OF))
