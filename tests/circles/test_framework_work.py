"""How often circles worked on each stage and competency: the selector the dashboard composes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from circles.models import CircleKind, MeetingFocus, MeetingStatus
from circles.selectors import framework_work
from competencies.frameworks import current_version, version_new_draft, version_publish
from competencies.models import Competency
from tests.factories import make_circle, make_person

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 15)
SIX_MONTHS_AGO = datetime.date(2026, 6, 15)


def competency(code: str, version=None) -> Competency:
    return Competency.objects.select_related("area").get(
        area__version=version or current_version(), code=code
    )


@pytest.fixture
def meetings():
    """A learning circle's meetings, the second Tuesday of each month since January 2026."""
    circle = make_circle(
        leaders=[make_person(with_account=True)],
        starts_on=datetime.date(2026, 1, 1),
        today=datetime.date(2026, 1, 1),
    )
    return {meeting.month: meeting for meeting in circle.meetings.all()}


def work_on(meeting, *items: Competency | str) -> None:
    for item in items:
        if isinstance(item, Competency):
            MeetingFocus.objects.create(meeting=meeting, stage=item.area.stage, competency=item)
        else:
            MeetingFocus.objects.create(meeting=meeting, stage=item)


def test_counts_meetings_by_competency_and_by_stage_over_the_window(meetings):
    weighing, healthy = competency("likelihood-imminence-impact"), competency("healthy-risk")
    work_on(meetings[datetime.date(2026, 7, 1)], weighing, healthy)
    work_on(meetings[datetime.date(2026, 9, 1)], weighing, "risk")
    work_on(meetings[datetime.date(2026, 11, 1)], "engagement")
    work_on(meetings[datetime.date(2026, 3, 1)], weighing)  # before the window

    work = framework_work(since=SIX_MONTHS_AGO, until=TODAY)

    assert work.by_competency == {"likelihood-imminence-impact": 2, "healthy-risk": 1}
    # A meeting counts once for its stage, however much of the stage it worked on.
    assert work.by_stage == {"risk": 2, "engagement": 1}
    # July to December: the December meeting (8 December) has been held by the 15th.
    assert work.meetings_held == 6


def test_a_competency_counts_across_framework_versions_by_its_code(meetings):
    newer = version_publish(version=version_new_draft(version=current_version()))
    older = newer.framework.versions.exclude(pk=newer.pk).get()
    work_on(meetings[datetime.date(2026, 8, 1)], competency("family-voice", older))
    work_on(meetings[datetime.date(2026, 10, 1)], competency("family-voice", newer))

    work = framework_work(since=SIX_MONTHS_AGO, until=TODAY)

    assert work.by_competency == {"family-voice": 2}
    assert work.by_stage == {"resilience": 2}


def test_cancelled_meetings_meetings_not_yet_held_and_clusters_do_not_count(meetings):
    weighing = competency("likelihood-imminence-impact")
    cancelled = meetings[datetime.date(2026, 8, 1)]
    cancelled.status = MeetingStatus.CANCELLED
    cancelled.save()
    work_on(cancelled, weighing)
    upcoming = meetings[datetime.date(2027, 1, 1)]
    work_on(upcoming, weighing)
    cluster = make_circle(
        leaders=[make_person(with_account=True)],
        kind=CircleKind.PRACTICE_LEADER_CLUSTER,
        starts_on=datetime.date(2026, 7, 1),
        today=datetime.date(2026, 7, 1),
    )
    work_on(cluster.meetings.get(month=datetime.date(2026, 9, 1)), weighing)

    work = framework_work(since=SIX_MONTHS_AGO, until=datetime.date(2027, 1, 31))
    clusters = framework_work(
        since=SIX_MONTHS_AGO, until=TODAY, kind=CircleKind.PRACTICE_LEADER_CLUSTER
    )

    assert work.by_competency == {} and work.by_stage == {}
    assert clusters.by_competency == {"likelihood-imminence-impact": 1}


def test_the_window_takes_whole_days_at_both_ends(meetings):
    meeting = meetings[datetime.date(2026, 7, 1)]
    day = timezone.localdate(meeting.starts_at)
    work_on(meeting, "planning")

    after, before = day + datetime.timedelta(days=1), day - datetime.timedelta(days=1)

    assert framework_work(since=day, until=day).by_stage == {"planning": 1}
    assert framework_work(since=after, until=TODAY).by_stage == {}
    assert framework_work(since=SIX_MONTHS_AGO, until=before).by_stage == {}


@pytest.mark.parametrize("months", [2, 12])
def test_framework_work_runs_three_queries_whatever_the_number_of_meetings(
    meetings, months, django_assert_num_queries
):
    weighing = competency("likelihood-imminence-impact")
    for _, meeting in sorted(meetings.items())[:months]:
        work_on(meeting, weighing, "engagement")

    with django_assert_num_queries(3):
        framework_work(since=datetime.date(2026, 1, 1), until=TODAY)
