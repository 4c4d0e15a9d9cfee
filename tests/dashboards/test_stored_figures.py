"""The stored figures (each person's status spans) stay equal to a full recount from the records
after any sequence of writes through the product's services, and a full recount agrees with the
definitions judged day by day (tests/dashboards/oracle.py). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circles.models import AttendanceStatus, CircleMeeting, MeetingAttendance
from circles.services import meeting_attendance_save, meeting_cancel, meeting_move
from competencies.models import Rater, Rating, Review, ReviewStatus
from competencies.services import review_correct, review_sign_off, review_start, review_submit
from dashboards.models import Definitions, StatusSpan
from dashboards.selectors import Filters
from dashboards.selectors.definitions import status_spans
from dashboards.selectors.funnel import span_counts
from dashboards.services import figures_refresh
from supervision.models import SessionStatus
from supervision.services import session_record_held, session_schedule, session_set_status
from tests.dashboards.oracle import people_status, training_as_first_written
from tests.factories import (
    make_circle,
    make_cohort,
    make_person,
    make_phase,
    make_session,
    make_team,
    rate_all,
    stored_first_days,
)
from training.imports import training_import
from training.models import (
    Cohort,
    CourseAttendance,
    CourseDay,
    OrganisationKind,
    PersonStatus,
    RoleGroup,
    council_id,
)
from training.models import Organisation as Employer
from training.selectors import first_days_attended, people_with_training
from training.services import (
    cohort_register_add,
    cohort_register_save,
    cohort_save,
    organisation_save,
    person_organisation_changed,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
START = datetime.date(2026, 1, 5)
NOW = datetime.datetime(2026, 12, 1, 12, tzinfo=LONDON)
PEOPLE = 4

people = st.integers(0, PEOPLE - 1)
days = st.integers(0, 150)
writes = st.lists(
    st.one_of(
        st.tuples(st.just("register"), people, st.integers(0, 1), st.booleans()),
        st.tuples(st.just("import"), people, st.integers(0, 1), days),
        st.tuples(
            st.just("attend"),
            people,
            st.integers(0, 5),
            st.sampled_from([AttendanceStatus.PRESENT, AttendanceStatus.ABSENT]),
        ),
        st.tuples(st.just("cancel meeting"), st.integers(0, 5)),
        st.tuples(st.just("move meeting"), st.integers(0, 5), st.integers(-12, 12)),
        st.tuples(st.just("2:1"), people, people, days, st.booleans()),
        st.tuples(st.just("2:1 recorded"), people, people, days),
        st.tuples(st.just("review"), people, days, st.integers(0, 19)),
        st.tuples(st.just("correct"), people),
        st.tuples(st.just("leave"), people),
        st.tuples(st.just("move team"), people),
        st.tuples(st.just("employer"), people, st.booleans()),
        st.tuples(st.just("partner rule"), st.booleans()),
        st.tuples(st.just("move cohort"), st.integers(0, 1), st.integers(-60, 60), st.booleans()),
    ),
    min_size=1,
    max_size=8,
)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), LONDON)


class Organisation:
    """A small organisation: a manager, four practitioners in one circle, two cohorts."""

    def __init__(self) -> None:
        self.teams = [make_team(), make_team()]
        # A partner agency whose staff may be supervised outside the council.
        self.partner = Employer.objects.create(
            name="Probation service", kind=OrganisationKind.PARTNER
        )
        self.manager = make_person(team=self.teams[0], role_group=RoleGroup.MANAGER)
        self.people = [
            make_person(team=self.teams[0], line_manager=self.manager) for _ in range(PEOPLE)
        ]
        phases = [make_phase(), make_phase()]
        self.cohorts = [
            make_cohort(phase=phases[0], day1=START, day2=START + datetime.timedelta(days=7)),
            make_cohort(
                phase=phases[1],
                day1=START + datetime.timedelta(days=40),
                day2=START + datetime.timedelta(days=47),
            ),
        ]
        leader = make_person(team=self.teams[1])
        self.circle = make_circle(
            leaders=[leader], members=self.people, starts_on=START, today=START
        )
        self.meetings = list(CircleMeeting.objects.filter(circle=self.circle).order_by("month"))
        # A history to change: three people trained, attending every other meeting, two of
        # them supervised every five weeks; written directly and counted by a refresh.
        for person in self.people[:3]:
            for day in CourseDay:
                CourseAttendance.objects.create(
                    person=person, cohort=self.cohorts[0], day=day, attended=True
                )
        MeetingAttendance.objects.bulk_create(
            MeetingAttendance(
                meeting=meeting,
                person=person,
                status=AttendanceStatus.PRESENT
                if (index + number) % 2
                else AttendanceStatus.APOLOGIES,
            )
            for index, person in enumerate(self.people)
            for number, meeting in enumerate(self.meetings[:6])
        )
        for week in range(0, 30, 5):
            make_session(
                supervisor=self.manager,
                practitioners=self.people[:2],
                starts_at=at(START + datetime.timedelta(weeks=week, days=2)),
                status=SessionStatus.HELD,
            )

    def write(self, kind: str, *args: object) -> None:
        name = {
            "import": "import_",
            "2:1": "two_to_one",
            "2:1 recorded": "two_to_one_recorded",
        }.get(kind, kind.replace(" ", "_"))
        getattr(self, name)(*args)

    def register(self, person: int, cohort: int, attended: bool) -> None:
        cohort_ = self.cohorts[cohort]
        cohort_register_add(cohort=cohort_, person=self.people[person])
        marks = {(self.people[person].pk, day): attended for day in CourseDay}
        cohort_register_save(cohort=cohort_, marks=marks)

    def move_cohort(self, cohort: int, days: int, other_phase: bool) -> None:
        """Move a course's days (and perhaps into the other cohort's phase), as its page does."""
        course = Cohort.objects.get(pk=self.cohorts[cohort].pk)
        assert course.day1_date and course.day2_date
        course.day1_date += datetime.timedelta(days=days)
        course.day2_date += datetime.timedelta(days=days)
        if other_phase:
            course.phase_id = self.cohorts[1 - cohort].phase_id
        cohort_save(cohort=course)
        self.cohorts[cohort] = course

    def import_(self, person: int, cohort: int, day: int) -> None:
        on = START + datetime.timedelta(days=day)
        cohort_ = self.cohorts[cohort]
        result = training_import(
            text="email,phase,cohort,day,date,attended\n"
            f"{self.people[person].email},{cohort_.phase.name},{cohort_.name},1,"
            f"{cohort_.day1_date:%Y-%m-%d},yes\n"
            f"{self.people[person].email},{cohort_.phase.name},New {day},2,{on:%Y-%m-%d},yes\n"
        )
        assert not result.errors, result.errors

    def attend(self, person: int, meeting: int, status: AttendanceStatus) -> None:
        meeting_attendance_save(
            meeting=self.meetings[meeting], marks={self.people[person].pk: status}
        )

    def cancel_meeting(self, meeting: int) -> None:
        meeting_cancel(meeting=self.meetings[meeting])

    def move_meeting(self, meeting: int, days: int) -> None:
        meeting_ = self.meetings[meeting]
        day = meeting_.starts_at.astimezone(LONDON).date() + datetime.timedelta(days=days)
        if day.replace(day=1) != meeting_.month:
            return  # a meeting moves within its month
        meeting_move(
            meeting=meeting_, date=day, start_time=datetime.time(10), end_time=datetime.time(12)
        )

    def two_to_one(self, first: int, second: int, day: int, held: bool) -> None:
        practitioners = [self.people[first]] + ([self.people[second]] if second != first else [])
        starts = at(START + datetime.timedelta(days=day), 14)
        session = session_schedule(
            supervisor=self.manager,
            practitioners=practitioners,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            reason="Alone this time" if len(practitioners) == 1 else "",
        )
        status = SessionStatus.HELD if held else SessionStatus.CANCELLED
        session_set_status(session=session, status=status)
        if held and day % 3 == 0:
            session_set_status(session=session, status=SessionStatus.CANCELLED)

    def two_to_one_recorded(self, first: int, second: int, day: int) -> None:
        """A 2:1 recorded after it took place, in one step."""
        practitioners = [self.people[first]] + ([self.people[second]] if second != first else [])
        starts = at(START + datetime.timedelta(days=day), 15)
        session_record_held(
            supervisor=self.manager,
            practitioners=practitioners,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            reason="Alone this time" if len(practitioners) == 1 else "",
        )

    def review(self, person: int, day: int, basic: int) -> None:
        with time_machine.travel(at(START + datetime.timedelta(days=day), 16), tick=False):
            review = review_start(practitioner=self.people[person])
            rate_all(review, Rater.SELF, level=3)
            review_submit(review=review)
            rate_all(review, Rater.SUPERVISOR, level=2)
            lower = Rating.objects.filter(review=review, rater=Rater.SUPERVISOR).order_by("pk")
            Rating.objects.filter(pk__in=[rating.pk for rating in lower[:basic]]).update(level=1)
            review_sign_off(review=review, supervisor=self.manager)

    def correct(self, person: int) -> None:
        latest = (
            Review.objects.filter(
                practitioner=self.people[person],
                status=ReviewStatus.SIGNED_OFF,
                replaced_by__isnull=True,
            )
            .order_by("-signed_off_at")
            .first()
        )
        if latest:
            review_correct(review=latest, reason="Entered against the wrong case.")

    def leave(self, person: int) -> None:
        leaver = self.people[person]
        leaver.status, leaver.left_on = PersonStatus.LEFT, START + datetime.timedelta(days=90)
        leaver.save()

    def employer(self, person: int, partner: bool) -> None:
        """The person moves to the partner agency or back to the council (as the admin site
        changes it)."""
        mover = self.people[person]
        mover.organisation_id = self.partner.pk if partner else council_id()
        mover.save()
        person_organisation_changed(person=mover)

    def partner_rule(self, needs_council_21: bool) -> None:
        self.partner.embedded_needs_council_21 = needs_council_21
        organisation_save(organisation=self.partner)

    def move_team(self, person: int) -> None:
        mover = self.people[person]
        mover.team = self.teams[1]
        mover.save()


def stored() -> list[tuple[object, ...]]:
    return sorted(
        StatusSpan.objects.values_list(
            "person_id", "starts_on", "ends_on", "trained", "embedded", "faithful", "phase_id"
        ),
        key=repr,
    )


def recounted() -> list[tuple[object, ...]]:
    return sorted(
        (
            (s.person_id, s.starts_on, s.ends_on, s.trained, s.embedded, s.faithful, s.phase_id)
            for s in status_spans(Definitions.load())
        ),
        key=repr,
    )


def training_on(people: QuerySet[Any]) -> list[tuple[object, ...]]:
    """Everyone's training annotations, as `people_with_training` and the oracle write them."""
    return list(
        people.order_by("pk").values_list(
            "pk", "restorative_on", "base_on", "trained_on", "credited_phase_id"
        )
    )


def judged_on(day: datetime.date) -> dict[str, int]:
    """The definitions judged afresh for everyone active on one day."""
    return (
        people_status(day, Definitions.load())
        .filter(status=PersonStatus.ACTIVE)
        .aggregate(
            trained=Count("pk", filter=Q(trained_on__isnull=False)),
            embedded=Count("pk", filter=Q(is_embedded=True)),
            fidelity=Count("pk", filter=Q(has_fidelity=True)),
        )
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(writes=writes, check_days=st.lists(st.integers(0, 330), min_size=1, max_size=4))
def test_the_stored_figures_equal_a_full_recount_after_any_writes(
    django_capture_on_commit_callbacks, writes, check_days
):
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        organisation = Organisation()
        figures_refresh()
        for write in writes:
            # Each write commits on its own, so its figures are counted again after commit.
            with django_capture_on_commit_callbacks(execute=True):
                organisation.write(*write)

        assert stored() == recounted()
        assert stored_first_days() == first_days_attended()
        # Judged afresh on either side of every day a figure changes, and a few more.
        days = {START + datetime.timedelta(days=offset) for offset in check_days}
        for span in stored():
            for edge in (span[1], span[2]):
                if edge:
                    days |= {edge, edge - datetime.timedelta(days=1)}
        for day in sorted(days):
            assert training_on(people_with_training(day)) == training_on(
                training_as_first_written(day)
            ), (day, writes)
        counted = span_counts(Filters(as_of=max(days), role_group=""), sorted(days))
        for day in sorted(days):
            counts = counted.get((None, day), {"trained": 0, "embedded": 0, "fidelity": 0})
            assert counts == judged_on(day), (day, writes)
        transaction.set_rollback(True)


@time_machine.travel(NOW, tick=False)
def test_a_refresh_rebuilds_what_was_written_behind_the_services_back_and_twice_is_once(cast):
    organisation = Organisation()
    figures_refresh()
    first = organisation.people[3]  # not trained yet
    cohort = organisation.cohorts[0]
    cohort_register_add(cohort=cohort, person=first)
    # Written directly, as a database fix or a restore would: no notice of the change.
    cohort.attendances.filter(person=first).update(attended=True)
    before = stored()

    figures_refresh()
    after = stored()
    figures_refresh()

    assert before != after == recounted() == stored()
    assert any(span[0] == first.pk and span[3] for span in after)


@time_machine.travel(NOW, tick=False)
def test_recounting_one_person_leaves_everyone_else_alone(cast, django_capture_on_commit_callbacks):
    organisation = Organisation()
    figures_refresh()
    first = organisation.people[0].pk  # trained and supervised, at every other meeting
    others = [span for span in stored() if span[0] != first]
    mine = [span for span in stored() if span[0] == first]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        meeting_attendance_save(
            meeting=organisation.meetings[0], marks={first: AttendanceStatus.PRESENT}
        )

    assert callbacks
    assert [span for span in stored() if span[0] != first] == others
    assert [span for span in stored() if span[0] == first] != mine
    assert stored() == recounted()


@time_machine.travel(NOW, tick=False)
def test_a_partner_supervised_outside_the_council_is_embedded_by_circles_alone(
    cast, django_capture_on_commit_callbacks
):
    organisation = Organisation()
    # Trained, at every other meeting, never in a council 2:1.
    partner = organisation.people[2]
    with django_capture_on_commit_callbacks(execute=True):
        organisation.employer(2, True)
    figures_refresh()
    day = organisation.meetings[1].starts_at.astimezone(LONDON).date()

    def embedded() -> bool:
        return any(span[0] == partner.pk and span[4] for span in stored())

    assert not embedded()
    assert stored() == recounted()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        organisation.partner_rule(False)

    assert callbacks
    assert embedded()
    assert stored() == recounted()
    counted = span_counts(Filters(as_of=day, role_group=""), [day])[(None, day)]
    assert counted["embedded"] == judged_on(day)["embedded"]

    with django_capture_on_commit_callbacks(execute=True):
        organisation.partner_rule(True)

    assert not embedded()
    assert stored() == recounted()

    # Back at the council with the partner's rule off: the council's 2:1 is needed again.
    organisation.partner_rule(False)
    with django_capture_on_commit_callbacks(execute=True):
        organisation.employer(2, False)
    assert not embedded()
    assert stored() == recounted()
