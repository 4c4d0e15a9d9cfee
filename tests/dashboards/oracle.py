"""The dashboard's definitions as they were first written: each person judged afresh, as of
one day, by correlated subqueries. Far too slow for the pages at scale, but plainly the
definitions, so the tests hold the stored figures (dashboards.selectors.definitions) to it."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, TypedDict

from dateutil.relativedelta import relativedelta
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber

from circles.models import AttendanceStatus, CircleMeeting, MeetingAttendance, MeetingStatus
from competencies.models import BASE_STAGES, Level, Rater
from competencies.selectors import current_reviews
from dashboards.models import Definitions
from supervision.models import SessionStatus, SupervisionSession
from training.dates import day_end, day_start
from training.models import CourseAttendance, CourseDay, Person
from training.selectors import TRAINED


def _attended(day: CourseDay, as_of: datetime.date) -> QuerySet[CourseAttendance]:
    """The outer person's attended days of one kind, on or before `as_of`, earliest first."""
    date_field = "cohort__day1_date" if day == CourseDay.RESTORATIVE else "cohort__day2_date"
    return CourseAttendance.objects.filter(
        person=OuterRef("pk"), day=day, attended=True, **{f"{date_field}__lte": as_of}
    ).order_by(date_field, "cohort_id")


def training_as_first_written(as_of: datetime.date) -> QuerySet[Person]:
    """Everyone's training as of a day, from their attended days by correlated subqueries, with
    the annotations of training.selectors.people_with_training (which reads the stored first
    days): `restorative_on`, `base_on`, `trained_on` and `credited_phase_id`."""
    day1 = _attended(CourseDay.RESTORATIVE, as_of)
    day2 = _attended(CourseDay.BASE, as_of)
    return Person.objects.annotate(
        restorative_on=Subquery(day1.values("cohort__day1_date")[:1], output_field=DateField()),
        base_on=Subquery(day2.values("cohort__day2_date")[:1], output_field=DateField()),
    ).annotate(
        trained_on=Case(
            When(
                restorative_on__isnull=False,
                base_on__isnull=False,
                then=Greatest("restorative_on", "base_on"),
            ),
            output_field=DateField(),
        ),
        credited_phase_id=Case(
            When(
                restorative_on__isnull=False,
                base_on__gte=F("restorative_on"),
                then=Subquery(day2.values("cohort__phase_id")[:1]),
            ),
            When(
                base_on__isnull=False,
                restorative_on__gt=F("base_on"),
                then=Subquery(day1.values("cohort__phase_id")[:1]),
            ),
            output_field=BigIntegerField(),
        ),
    )


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class StatusAnnotations(TypedDict):
    is_embedded: bool
    has_fidelity: bool
    rated_count: int
    good_count: int
    base_stages_rated: int


def people_status(
    as_of: datetime.date, definitions: Definitions
) -> QuerySet[WithAnnotations[Person, StatusAnnotations]]:
    """Every person annotated, as of the end of `as_of`, with:

    - `trained_on` and `credited_phase_id` (see training.selectors.people_with_training);
    - `is_embedded`: trained, present at one of their circle's last 3 held meetings, and a
      held 2:1 within 8 weeks (a 2:1 exactly 8 weeks before counts), unless their organisation
      does not need a council 2:1;
    - `has_fidelity`: embedded, and in their latest review signed off within 6 months (exactly
      6 months before counts), the supervisor rated at least 80% of the competencies they rated as
      Competent or Advanced, and rated at least one competency of every BASE stage.
    """
    end = day_end(as_of)
    recent_meetings = (
        CircleMeeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__lt=end)
        .annotate(
            recency=Window(
                RowNumber(), partition_by=[F("circle_id")], order_by=F("starts_at").desc()
            )
        )
        .filter(recency__lte=definitions.embedded_recent_meetings)
        .values("pk")
    )
    present_recently = MeetingAttendance.objects.filter(
        person=OuterRef("pk"), status=AttendanceStatus.PRESENT, meeting__in=recent_meetings
    )
    supervised_recently = SupervisionSession.objects.filter(
        practitioners=OuterRef("pk"),
        status=SessionStatus.HELD,
        starts_at__lt=end,
        starts_at__gte=day_start(
            as_of - datetime.timedelta(weeks=definitions.embedded_supervision_weeks)
        ),
    )
    # The person's latest signed-off review in the window. Its supervisor ratings are counted
    # inside one correlated subquery, which also decides fidelity, so the database looks each
    # person's review up once for the verdict.
    reviews = current_reviews(OuterRef("pk"), as_of=as_of).filter(
        signed_off_at__gte=day_start(as_of - relativedelta(months=definitions.fidelity_months)),
    )
    supervisor_rated = Q(ratings__rater=Rater.SUPERVISOR, ratings__level__isnull=False)
    counted = reviews.annotate(
        rated=Count("ratings", filter=supervisor_rated),
        good=Count("ratings", filter=supervisor_rated & Q(ratings__level__gte=Level.COMPETENT)),
        stages=Count(
            "ratings__competency__area__stage",
            filter=supervisor_rated & Q(ratings__competency__area__stage__in=BASE_STAGES),
            distinct=True,
        ),
    )
    verdict = counted.annotate(
        faithful=Case(
            When(
                Q(rated__gt=0, stages=len(BASE_STAGES))
                & Q(good__gte=F("rated") * definitions.fidelity_percent / 100.0),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )

    def latest(value: str) -> Coalesce:
        return Coalesce(Subquery(counted.values(value)[:1], output_field=IntegerField()), 0)

    return (
        training_as_first_written(as_of)
        .annotate(
            latest_review_id=Subquery(reviews.values("pk")[:1]),
            present_recently=Exists(present_recently),
            supervised_recently=Exists(supervised_recently),
            # For reading one person's figures; the counts below use only `has_fidelity`.
            rated_count=latest("rated"),
            good_count=latest("good"),
            base_stages_rated=latest("stages"),
            is_embedded=Case(
                When(
                    TRAINED
                    & Q(present_recently=True)
                    & (
                        Q(supervised_recently=True)
                        | Q(organisation__embedded_needs_council_21=False)
                    ),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
            faithful_review=Coalesce(
                Subquery(verdict.values("faithful")[:1], output_field=BooleanField()), Value(False)
            ),
        )
        .annotate(
            has_fidelity=Case(
                When(Q(is_embedded=True, faithful_review=True), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
