"""The demo's history is one story from 2015 to today: training in 2015-17, circles starting as
each phase is trained, 2:1s and reviews from then on, practice improving with time, and the
stored figures counted from all of it."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import F, OuterRef
from django.utils import timezone

from circles.models import CircleMeeting, CircleMembership, MeetingAttendance, MeetingStatus
from circles.selectors import circles_running
from competencies.models import Review, ReviewStatus
from dashboards.models import Definitions, StatusSpan
from dashboards.selectors import Filters, rollout_figures
from dashboards.selectors.definitions import status_spans
from supervision.models import SessionStatus, SupervisionSession
from training.selectors import training_records

pytestmark = pytest.mark.django_db

END_OF_2016 = datetime.date(2016, 12, 31)


def test_eleven_learning_circles_are_running_at_the_end_of_2016_and_fewer_before(demo):
    pilot_end, phase1_end = datetime.date(2016, 2, 29), datetime.date(2016, 9, 30)

    assert circles_running(as_of=END_OF_2016).count() == 11  # the published figure
    assert circles_running(as_of=pilot_end).count() == 1  # the pilot team's
    assert circles_running(as_of=phase1_end).count() == 5  # and phase 1's teams'


def test_nobody_is_on_a_circle_register_before_joining_it(demo):
    early = MeetingAttendance.objects.filter(
        meeting__month__lt=CircleMembership.objects.filter(
            circle=OuterRef("meeting__circle"), person=OuterRef("person")
        ).values("joined_on")[:1]
    )

    assert not early.exists()
    assert MeetingAttendance.objects.filter(meeting__starts_at__year=2016).exists()


def test_every_review_uses_a_framework_version_published_before_it(demo):
    reviews = Review.objects.exclude(status=ReviewStatus.DRAFT)

    assert not reviews.filter(created_at__lt=F("version__published_at")).exists()
    assert not reviews.filter(signed_off_at__lt=F("version__published_at")).exists()
    assert reviews.filter(signed_off_at__year=2016).exists()


def test_every_2_1_follows_the_training_of_its_supervisor_and_practitioners(demo):
    trained = {pk: record.trained_on for pk, record in training_records(END_OF_2016).items()}
    trained |= {
        pk: record.trained_on for pk, record in training_records(timezone.localdate()).items()
    }
    sessions = SupervisionSession.objects.prefetch_related("practitioners")

    late = [
        session.pk
        for session in sessions
        for person in [session.supervisor, *session.practitioners.all()]
        if not trained.get(person.pk) or trained[person.pk] >= timezone.localdate(session.starts_at)
    ]

    assert late == []
    assert sessions.filter(starts_at__year=2016, status=SessionStatus.HELD).exists()


def test_at_the_end_of_2016_the_dashboard_shows_practice_taking_root(demo):
    at_the_end = rollout_figures(Filters(as_of=END_OF_2016))

    assert 0 < at_the_end.total.fidelity < at_the_end.total.embedded < at_the_end.total.trained
    assert at_the_end.stage != "Installation"


def test_practice_improves_with_time_and_the_story_reaches_today(demo):
    fidelity = [
        rollout_figures(Filters(as_of=datetime.date(year, 12, 31))).total.fidelity
        for year in (2016, 2017)
    ]
    today = timezone.localdate()
    recent = timezone.now() - datetime.timedelta(days=90)

    assert fidelity[0] < fidelity[1]
    assert rollout_figures(Filters(as_of=today)).total.fidelity > fidelity[0]
    assert CircleMeeting.objects.filter(
        starts_at__gte=recent, status=MeetingStatus.SCHEDULED, attendance__isnull=False
    ).exists()
    assert SupervisionSession.objects.filter(
        starts_at__gte=recent, status=SessionStatus.HELD
    ).exists()
    assert Review.objects.filter(signed_off_at__gte=recent).exists()


def test_the_stored_figures_are_those_of_the_whole_history(demo):
    fields = ("person_id", "starts_on", "ends_on", "trained", "embedded", "faithful", "phase_id")

    stored = sorted(StatusSpan.objects.values_list(*fields), key=repr)
    recounted = sorted(
        (
            tuple(getattr(span, name) for name in fields)
            for span in status_spans(Definitions.load())
        ),
        key=repr,
    )

    assert stored == recounted
    assert StatusSpan.objects.filter(starts_on__year=2016, embedded=True).exists()
