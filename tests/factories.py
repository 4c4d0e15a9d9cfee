"""Small factories for the tests: plain functions with sensible defaults."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence

from accounts.models import User
from accounts.roles import Role, grant_roles
from training.models import (
    Cohort,
    CourseAttendance,
    CourseDay,
    FirstCourseDays,
    Organisation,
    Person,
    PersonStatus,
    Phase,
    RoleGroup,
    Team,
)
from training.selectors import TrainingRecord

_sequence = itertools.count(1)
PASSWORD = "a-long-test-password"


def make_team(name: str | None = None, service_area: str = "Integrated districts") -> Team:
    return Team.objects.create(name=name or f"Team {next(_sequence)}", service_area=service_area)


def make_person(
    *,
    team: Team | None = None,
    role_group: str = RoleGroup.PRACTITIONER,
    status: str = PersonStatus.ACTIVE,
    email: str | None = None,
    line_manager: Person | None = None,
    roles: tuple[Role, ...] = (),
    with_account: bool = False,
    organisation: Organisation | None = None,
) -> Person:
    number = next(_sequence)
    person = Person.objects.create(
        email=email or f"person{number}@council.example",
        full_name=f"Person {number}",
        team=team or make_team(),
        **({"organisation": organisation} if organisation else {}),
        role_group=role_group,
        status=status,
        line_manager=line_manager,
    )
    if roles or with_account:
        user = User.objects.create_user(person.email, password=PASSWORD)
        grant_roles(user, *roles)
        person.user = user
        person.save(update_fields=["user"])
    return person


def make_phase(name: str | None = None, order: int | None = None) -> Phase:
    number = next(_sequence)
    return Phase.objects.create(name=name or f"Phase {number}", order=order or number)


def make_cohort(
    *,
    phase: Phase | None = None,
    name: str | None = None,
    day1: datetime.date = datetime.date(2016, 3, 1),
    day2: datetime.date = datetime.date(2016, 3, 8),
) -> Cohort:
    return Cohort.objects.create(
        phase=phase or make_phase(),
        name=name or f"Cohort {next(_sequence)}",
        day1_date=day1,
        day2_date=day2,
    )


def make_course(
    *,
    phase: Phase | None = None,
    name: str | None = None,
    day1: datetime.date | None = None,
    day2: datetime.date | None = None,
    capacity: int | None = None,
    starts: datetime.time = datetime.time(9, 30),
    ends: datetime.time = datetime.time(16, 30),
    venue: str = "Shire Hall",
) -> Cohort:
    """A course still to come (by default its days are 4 and 5 weeks ahead), taking places."""
    from django.utils import timezone

    day1 = day1 or timezone.localdate() + datetime.timedelta(weeks=4)
    return Cohort.objects.create(
        phase=phase or make_phase(),
        name=name or f"Course {next(_sequence)}",
        day1_date=day1,
        day1_starts=starts,
        day1_ends=ends,
        day2_date=day2 or day1 + datetime.timedelta(weeks=1),
        day2_starts=starts,
        day2_ends=ends,
        venue=venue,
        capacity=capacity,
    )


def make_place(person: Person, cohort: Cohort, status: str = "confirmed"):
    """A place written directly, as it stands (the services send no invitation for it)."""
    from django.utils import timezone

    from training.models import CoursePlace

    now = timezone.now()
    return CoursePlace.objects.create(
        cohort=cohort,
        person=person,
        status=status,
        waiting_since=now if status == "waiting" else None,
        offered_at=now if status == "offered" else None,
        confirmed_at=now if status == "confirmed" else None,
    )


def attend(person: Person, cohort: Cohort, *days: int, attended: bool = True) -> None:
    for day in days or (CourseDay.RESTORATIVE, CourseDay.BASE):
        CourseAttendance.objects.update_or_create(
            person=person, cohort=cohort, day=day, defaults={"attended": attended}
        )


def make_circle(
    *,
    leaders: list[Person],
    members: Sequence[Person] = (),
    name: str | None = None,
    starts_on: datetime.date | None = None,
    today: datetime.date | None = None,
    **rule: object,
):
    """A learning circle, scheduled as the product does it (default: second Tuesday, 10 to 12).

    A leader cannot lead two circles at once, so a leader's next circle, unless told its day,
    takes the first of the first to fourth Tuesday to Friday that none of theirs meets on."""
    from circles.models import CircleMembership, LearningCircle
    from circles.services import circle_save

    if not {"ordinal", "weekday"} & rule.keys():
        taken = set(
            LearningCircle.objects.filter(facilitators__in=leaders).values_list(
                "ordinal", "weekday"
            )
        )
        rule["ordinal"], rule["weekday"] = next(
            (ordinal, weekday)
            for ordinal in (2, 1, 3, 4)
            for weekday in (1, 2, 3, 4)
            if (ordinal, weekday) not in taken
        )

    circle = LearningCircle(
        name=name or f"Circle {next(_sequence)}",
        starts_on=starts_on or datetime.date.today(),
        venue="Shire Hall",
        **rule,
    )
    circle_save(circle=circle, facilitators=list(leaders), today=today)
    for person in members:
        CircleMembership.objects.create(circle=circle, person=person)
    return circle


def make_session(
    *,
    supervisor: Person,
    practitioners: list[Person],
    starts_at: datetime.datetime | None = None,
    status: str = "planned",
    reason: str = "",
):
    """A 2:1 supervision session of an hour."""
    from django.utils import timezone

    from supervision.models import SupervisionSession

    starts_at = starts_at or timezone.now() + datetime.timedelta(days=7)
    session = SupervisionSession.objects.create(
        supervisor=supervisor,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
        place="Room 4",
        status=status,
        single_practitioner_reason=reason,
    )
    session.practitioners.set(practitioners)
    return session


def rate_all(review, rater: str, level: int | None = 2) -> None:
    """Give every competency of a review the same rating from one rater."""
    from competencies.models import Competency, Rating

    Rating.objects.bulk_create(
        Rating(review=review, competency=competency, rater=rater, level=level)
        for competency in Competency.objects.filter(area__version=review.version_id)
    )


def analyse_after_bulk_load() -> None:
    """On PostgreSQL, what autovacuum does after a bulk load on a real server. Rows written in a
    test's transaction are invisible to autovacuum, so the planner plans for the statistics an
    earlier test left (often empty tables) and may choose plans that rescan the new rows: the
    demo's "needs a supervisor" count ran for minutes, the dashboard's ratings by stage for over
    ten at 5,000 people. ANALYZE inside the transaction counts its own rows."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def stored_first_days() -> dict[int, TrainingRecord]:
    """Everyone's stored first attended days, as `first_days_attended` gives them."""
    return {
        row.person_id: TrainingRecord(
            restorative_on=row.restorative_on,
            base_on=row.base_on,
            restorative_phase_id=row.restorative_phase_id,
            base_phase_id=row.base_phase_id,
        )
        for row in FirstCourseDays.objects.all()
    }
