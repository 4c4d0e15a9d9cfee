"""Small known histories for the dashboard tests: one practitioner at a time."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from circles.models import CircleMeeting, MeetingAttendance
from competencies.frameworks import current_version
from competencies.models import BASE_STAGES, Competency, Rater, Rating, Review, ReviewStatus
from dashboards.models import Definitions, StatusSpan
from dashboards.services import figures_refresh
from tests.dashboards.oracle import people_status
from tests.factories import attend, make_circle, make_cohort, make_person, make_session
from training.models import Person, Team

LONDON = ZoneInfo("Europe/London")
AS_OF = datetime.date(2026, 6, 30)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), LONDON)


def helper() -> Person:
    """Someone a history needs (a circle's leader, a supervisor) who is not in scope."""
    team = Team.objects.get_or_create(name="Elsewhere")[0]
    return make_person(role_group="manager", team=team)


def trained_person(**kwargs: Any) -> Person:
    person = make_person(**kwargs)
    attend(person, make_cohort(day1=datetime.date(2016, 3, 1), day2=datetime.date(2016, 3, 8)))
    return person


def circle_with_meetings(person: Person, *, present_at: list[int], meetings: int = 4) -> None:
    """A circle whose last `meetings` meetings before AS_OF are held; `present_at` counts
    back from the most recent (0 is the last one)."""
    circle = make_circle(leaders=[helper()], members=[person], starts_on=datetime.date(2026, 1, 1))
    CircleMeeting.objects.filter(circle=circle).delete()
    for back in range(meetings):
        day = AS_OF - datetime.timedelta(days=30 * back + 1)
        meeting = CircleMeeting.objects.create(
            circle=circle, month=day.replace(day=1), starts_at=at(day), ends_at=at(day, 12)
        )
        MeetingAttendance.objects.create(
            meeting=meeting, person=person, status="present" if back in present_at else "absent"
        )


def held_session(person: Person, on: datetime.date) -> None:
    make_session(
        supervisor=helper(),
        practitioners=[person, helper()],
        starts_at=at(on),
        status="held",
    )


def embedded_person(**kwargs: object) -> Person:
    person = trained_person(**kwargs)
    circle_with_meetings(person, present_at=[0])
    held_session(person, AS_OF - datetime.timedelta(weeks=2))
    return person


def signed_off_review(
    person: Person,
    *,
    on: datetime.datetime,
    good: int,
    basic: int,
    skip_stage: str | None = None,
) -> Review:
    """A signed-off review whose supervisor rated `good` competencies Competent, `basic` Basic
    and the rest "not yet seen". Rated competencies are spread so every BASE stage is rated
    first (unless `skip_stage`)."""
    version = current_version()
    assert version is not None
    review = Review.objects.create(
        practitioner=person, version=version, status=ReviewStatus.SIGNED_OFF, signed_off_at=on
    )
    competencies = list(Competency.objects.filter(area__version=version).select_related("area"))
    competencies = [c for c in competencies if c.area.stage != skip_stage]
    firsts = {c.area.stage: c for c in reversed(competencies) if c.area.stage in BASE_STAGES}
    ordered = list(firsts.values()) + [c for c in competencies if c not in firsts.values()]
    levels = [2] * good + [1] * basic
    Rating.objects.bulk_create(
        Rating(
            review=review,
            competency=competency,
            rater=Rater.SUPERVISOR,
            level=levels[index] if index < len(levels) else None,
        )
        for index, competency in enumerate(ordered)
    )
    return review


def months_before(months: int, *, days: int = 0) -> datetime.datetime:
    return at(AS_OF - relativedelta(months=months) - datetime.timedelta(days=days), 9)


@dataclass(frozen=True)
class Status:
    is_embedded: bool
    has_fidelity: bool
    rated_count: int
    good_count: int
    base_stages_rated: int


def status(person: Person, as_of: datetime.date = AS_OF) -> Status:
    """One person's stored figures on a day, counted afresh from the records, checked against
    the definitions judged directly (tests/dashboards/oracle.py)."""
    figures_refresh()
    span = (
        StatusSpan.objects.filter(person=person, starts_on__lte=as_of)
        .filter(Q(ends_on__gt=as_of) | Q(ends_on__isnull=True))
        .first()
    )
    stored = (bool(span and span.embedded), bool(span and span.faithful))
    judged = people_status(as_of, Definitions.load()).get(pk=person.pk)
    assert stored == (judged.is_embedded, judged.has_fidelity)
    return Status(
        is_embedded=stored[0],
        has_fidelity=stored[1],
        rated_count=judged.rated_count,
        good_count=judged.good_count,
        base_stages_rated=judged.base_stages_rated,
    )
