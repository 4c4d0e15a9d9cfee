"""Reads behind the 2:1 pages; who may see a session is decided here, once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from competencies.selectors import current_reviews
from supervision.models import (
    AgreedAction,
    CaseDiscussed,
    SessionFocus,
    SessionNote,
    SessionStatus,
    SupervisionSession,
    SupervisionSettings,
)
from training.dates import day_end, day_start
from training.models import Person, PersonStatus, RoleGroup
from training.selectors import (
    TrainingDates,
    people_with_training_dates,
    person_of,
    trained_by,
)


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


class SuperviseeAnnotations(TrainingDates):
    last_held: datetime.datetime | None
    next_planned: datetime.datetime | None
    overdue: bool
    current_supervisor: int | None
    rated_higher: int | None


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    Supervisee = WithAnnotations[Person, SuperviseeAnnotations]


def supervisees(
    supervisor: Person, *, now: datetime.datetime | None = None, days: int | None = None
) -> QuerySet[Supervisee]:
    """Active supervisees with their last held and next planned 2:1, whether they are overdue
    (`overdue`) and, in their current review when this supervisor may read it, how many
    competencies they rated a level or more above the supervisor (`rated_higher`, None when
    there is no such review)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # The latest held and the next planned of the person's own 2:1s, read through the index of
    # the people in them: with the status and time as conditions of the query (not of the
    # aggregate), SQLite walked everyone's 2:1s by date until it met one of theirs.
    theirs = SupervisionSession.practitioners.through.objects.filter(
        person_id=OuterRef("pk")
    ).values("person_id")
    starts_at = "supervisionsession__starts_at"
    last_held = theirs.values(
        latest=Max(
            starts_at,
            filter=Q(supervisionsession__status=SessionStatus.HELD, **{f"{starts_at}__lte": now}),
        )
    )
    next_planned = theirs.values(
        earliest=Min(
            starts_at,
            filter=Q(supervisionsession__status=SessionStatus.PLANNED, **{f"{starts_at}__gt": now}),
        )
    )
    current = current_reviews(OuterRef("pk"), as_of=today)
    # Reviews are read by their named supervisor and the practitioner's line manager only.
    readable = Q(line_manager=supervisor) | Q(current_supervisor=supervisor.pk)
    return (
        # The page shows when each was trained, not the phase it counts for.
        people_with_training_dates(today)
        .filter(supervisee_filter(supervisor))
        .exclude(status=PersonStatus.LEFT)
        .exclude(pk=supervisor.pk)
        .annotate(
            last_held=Subquery(last_held),
            next_planned=Subquery(next_planned),
            # A Case, not the bare condition, as training.selectors.trained_by asks: someone
            # never on a course has no stored first days, and the condition is then unknown.
            overdue=Case(
                When(overdue(as_of=today, days=days), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
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


def people_needing_a_supervisor(
    *, line_manager: Person | None = None, today: datetime.date | None = None
) -> QuerySet[Person]:
    """The "needs a supervisor for 2:1s" list: trained practitioners at work with nobody to
    hold their 2:1s, by team. With `line_manager`, only those they manage.

    Someone has a supervisor when their line manager holds the supervisor role (on an account
    that signs in, and has not left: `supervisees` counts direct reports), or when they have
    ever been in a 2:1, planned or held, with anyone. A cancelled 2:1 does not count.
    """
    supervising_manager = (
        Person.objects.filter(pk=OuterRef("line_manager_id"), user__is_active=True)
        .exclude(status=PersonStatus.LEFT)
        .filter(Q(user__is_superuser=True) | Q(user__groups__name=Role.SUPERVISOR.label))
    )
    in_a_2_1 = SupervisionSession.practitioners.through.objects.filter(
        person_id=OuterRef("pk")
    ).exclude(supervisionsession__status=SessionStatus.CANCELLED)
    today = today or timezone.localdate()
    people = (
        # Named on a list only: their training dates (all of them are trained) are not read.
        Person.objects.filter(
            trained_by(today), status=PersonStatus.ACTIVE, role_group=RoleGroup.PRACTITIONER
        )
        .exclude(Exists(supervising_manager))
        .exclude(Exists(in_a_2_1))
        .select_related("team", "line_manager")
        .order_by("team__name", "full_name", "pk")
    )
    if line_manager is not None:
        people = people.filter(line_manager=line_manager)
    return people


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
    """A 2:1 the user is in (404 for any other); with `as_supervisor`, one they supervise (403
    for a 2:1 they are a practitioner in)."""
    person = person_of(user)
    session = sessions_for_person(person).filter(pk=pk).first() if person else None
    if person is None or session is None:
        raise Http404("No such 2:1.")
    if as_supervisor and session.supervisor_id != person.pk:
        raise PermissionDenied("Only the 2:1's supervisor changes it.")
    return session


# What waits for a person: the reads behind the home page ----------------------------------------


def upcoming_sessions(person: Person, *, now: datetime.datetime) -> QuerySet[SupervisionSession]:
    """Planned 2:1s from now on that the person supervises or is in, soonest first."""
    return (
        sessions_for_person(person)
        .filter(status=SessionStatus.PLANNED, starts_at__gt=now)
        .order_by("starts_at", "pk")
    )


# The record of a 2:1 -----------------------------------------------------------------------------


def record_refusal(
    session: SupervisionSession, *, now: datetime.datetime | None = None
) -> str | None:
    """Why the record of a 2:1 cannot be written now, or None when it can.

    It is written once the 2:1 has started, and a cancelled 2:1 has none.
    """
    if session.status == SessionStatus.CANCELLED:
        return "This 2:1 was cancelled, so it has no record."
    if session.starts_at > (now or timezone.now()):
        return "The record of a 2:1 is written once it has started."
    return None


def _theirs(person: Person) -> Q:
    """Items of a record a practitioner sees: their own and those shared by both."""
    return Q(practitioner__isnull=True) | Q(practitioner=person)


def open_actions(session: SupervisionSession) -> QuerySet[AgreedAction]:
    """The actions a 2:1 opens with: open actions from earlier 2:1s of the same supervisor
    that belong to one of its practitioners, or are shared in a 2:1 one of them was in.

    Actions closed at this 2:1 stay in it, shown as closed.
    """
    people = [person.pk for person in session.practitioners.all()]
    return (
        AgreedAction.objects.filter(
            session__supervisor_id=session.supervisor_id,
            session__starts_at__lt=session.starts_at,
        )
        .filter(Q(closed_at__isnull=True) | Q(closed_in=session))
        .filter(
            Q(practitioner__in=people)
            | Q(practitioner__isnull=True, session__practitioners__in=people)
        )
        .distinct()
    )


@dataclass
class SessionRecord:
    """The record of one 2:1 as one person may see it."""

    cases: list[CaseDiscussed]
    focus: list[SessionFocus]
    notes: list[SessionNote]
    actions: list[AgreedAction]
    carried: list[AgreedAction]

    @property
    def open_action_ids(self) -> set[int]:
        return {action.pk for action in [*self.carried, *self.actions] if action.is_open}


def session_record(session: SupervisionSession, person: Person) -> SessionRecord:
    """What `person` sees of a 2:1's record: everything for its supervisor; for a practitioner,
    their own items and the shared ones, never the other practitioner's."""
    cases = session.cases_discussed.select_related("practitioner")
    focus = session.focus.select_related("practitioner", "competency")
    notes = session.notes.select_related("practitioner")
    actions = session.actions.select_related("owner", "practitioner")
    carried = open_actions(session).select_related("owner", "practitioner", "session", "closed_in")
    if person.pk != session.supervisor_id:
        cases = cases.filter(practitioner=person)
        theirs = _theirs(person)
        focus, notes, actions = focus.filter(theirs), notes.filter(theirs), actions.filter(theirs)
        carried = carried.filter(_theirs(person)).filter(
            Q(practitioner=person) | Q(session__practitioners=person)
        )
    return SessionRecord(
        cases=list(cases),
        focus=list(focus.order_by("stage", "competency__order", "pk")),
        notes=list(notes),
        actions=list(actions),
        carried=list(carried.order_by("due_on", "pk")),
    )
