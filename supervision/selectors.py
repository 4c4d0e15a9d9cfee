"""Reads behind the 2:1 pages; who may see a session is decided here, once."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from circles.calendar import CalendarEntry
from competencies.selectors import current_reviews
from supervision.models import SessionStatus, SupervisionSession, SupervisionSettings
from training.dates import day_end, day_start
from training.models import Person, PersonStatus
from training.selectors import people_with_training, trained_by


def overdue_days() -> int:
    return SupervisionSettings.load().overdue_days


def held_recently(*, as_of: datetime.date, days: int) -> QuerySet:
    """The people with a 2:1 held from the start of the day `days` before `as_of` to its end,
    as person_id rows.

    Whole days, so that a 2:1 held at 09:00 forty-two days ago counts all day today on every
    page; cancelled and merely planned 2:1s never count.
    """
    return SupervisionSession.practitioners.through.objects.filter(
        supervisionsession__status=SessionStatus.HELD,
        supervisionsession__starts_at__gte=day_start(as_of - datetime.timedelta(days=days)),
        supervisionsession__starts_at__lt=day_end(as_of),
    ).values("person_id")


def overdue(*, as_of: datetime.date, days: int | None = None) -> Q:
    """Of a person: overdue for a 2:1 on `as_of`. Active and trained (nobody else is expected
    to have 2:1s), with none held recently (see `held_recently`; `days` is the administrator's
    setting unless given)."""
    days = overdue_days() if days is None else days
    return (
        Q(status=PersonStatus.ACTIVE)
        & trained_by(as_of)
        & ~Q(pk__in=held_recently(as_of=as_of, days=days))
    )


def overdue_people(*, as_of: datetime.date, days: int | None = None) -> QuerySet[Person]:
    """Everyone overdue for a 2:1 on `as_of`, by team and name: the supervisor's page, the
    dashboard and the fidelity report all list people from this."""
    return (
        Person.objects.filter(overdue(as_of=as_of, days=days))
        .select_related("team", "line_manager")
        .order_by("team__name", "full_name")
    )


def supervisee_filter(supervisor: Person) -> Q:
    """People a supervisor supervises: their direct reports and anyone in their 2:1s."""
    in_sessions = SupervisionSession.practitioners.through.objects.filter(
        supervisionsession__supervisor=supervisor
    ).values_list("person_id", flat=True)
    return Q(line_manager=supervisor) | Q(pk__in=list(in_sessions))


def supervisees(
    supervisor: Person, *, now: datetime.datetime | None = None, days: int | None = None
) -> QuerySet[Person]:
    """Active supervisees with their last held and next planned 2:1, whether they are overdue
    (`overdue`) and, in their current review when this supervisor may read it, how many
    competencies they rated a level or more above the supervisor (`rated_higher`, None when
    there is no such review)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    theirs = SupervisionSession.objects.filter(practitioners=OuterRef("pk"))
    current = current_reviews(OuterRef("pk"), as_of=today)
    # Reviews are read by their named supervisor and the practitioner's line manager only.
    readable = Q(line_manager=supervisor) | Q(current_supervisor=supervisor.pk)
    last_held = theirs.filter(status=SessionStatus.HELD, starts_at__lte=now).order_by("-starts_at")
    next_planned = theirs.filter(status=SessionStatus.PLANNED, starts_at__gt=now).order_by(
        "starts_at"
    )
    return (
        people_with_training(today)
        .filter(supervisee_filter(supervisor))
        .exclude(status=PersonStatus.LEFT)
        .exclude(pk=supervisor.pk)
        .annotate(
            last_held=Subquery(last_held.values("starts_at")[:1]),
            next_planned=Subquery(next_planned.values("starts_at")[:1]),
            overdue=ExpressionWrapper(overdue(as_of=today, days=days), output_field=BooleanField()),
            current_supervisor=Subquery(current.values("supervisor_id")[:1]),
        )
        .annotate(
            rated_higher=Case(
                When(readable, then=Subquery(current.values("verdict__self_higher")[:1])),
                default=None,
            ),
        )
        .select_related("team")
        .order_by("full_name")
    )


def sessions_for_person(person: Person) -> QuerySet[SupervisionSession]:
    # By the person's own rows on both sides, not a join of every session with its
    # practitioners made distinct: the cost is the person's sessions, not everyone's.
    theirs = SupervisionSession.practitioners.through.objects.filter(person=person)
    return (
        SupervisionSession.objects.filter(
            Q(supervisor=person) | Q(pk__in=theirs.values("supervisionsession_id"))
        )
        .select_related("supervisor")
        .prefetch_related("practitioners")
    )


def get_session_for_user(user: User, pk: int, *, as_supervisor: bool = False) -> SupervisionSession:
    person = getattr(user, "person", None)
    session = None
    if person is not None:
        sessions = sessions_for_person(person)
        if as_supervisor:
            sessions = sessions.filter(supervisor=person)
        session = sessions.filter(pk=pk).first()
    if session is None:
        raise Http404("No such 2:1.")
    return session


def session_entry(session: SupervisionSession) -> CalendarEntry:
    names = " and ".join(p.full_name for p in session.practitioners.all())
    return CalendarEntry(
        uid=f"supervision-{session.pk}@{settings.CALENDAR_UID_DOMAIN}",
        sequence=session.sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary="2:1 supervision",
        location=session.place,
        description=f"2:1 supervision with {session.supervisor.full_name}: {names}.",
        cancelled=session.status == SessionStatus.CANCELLED,
        last_modified=session.updated_at or timezone.now(),
    )


def feed_entries(person: Person, *, since: datetime.date) -> list[CalendarEntry]:
    """A person's 2:1s for their calendar feed."""
    return [
        session_entry(session)
        for session in sessions_for_person(person).filter(starts_at__date__gte=since)
    ]
