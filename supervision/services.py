"""Writes for 2:1 supervision: scheduling, changing and recording sessions."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from supervision.models import SessionStatus, SupervisionSession
from supervision.signals import session_notice
from training.models import Person


def _check_people(supervisor: Person, practitioners: list[Person], reason: str) -> None:
    problems = []
    if not 1 <= len(practitioners) <= 2:
        problems.append("A 2:1 has two practitioners (or one, with a reason).")
    if len(practitioners) == 1 and not reason.strip():
        problems.append("Say why this 2:1 has only one practitioner.")
    if supervisor in practitioners:
        problems.append("The supervisor cannot also be one of the practitioners.")
    if problems:
        raise ValidationError(problems)


def _refuse_clashes(
    *,
    supervisor: Person,
    practitioners: list[Person],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    session_id: int | None = None,
) -> None:
    """Refuse a 2:1 that would put its supervisor or a practitioner in two 2:1s at once."""
    people = {supervisor.pk: supervisor, **{p.pk: p for p in practitioners}}
    others = (
        SupervisionSession.objects.filter(
            status=SessionStatus.PLANNED, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .filter(Q(supervisor__in=people) | Q(practitioners__in=people))
        .exclude(pk=session_id)
        .select_related("supervisor")
        .prefetch_related("practitioners")
        .distinct()
    )
    problems = []
    for other in others:
        booked = [other.supervisor, *other.practitioners.all()]
        for person in booked:
            if person.pk in people:
                problems.append(
                    f"{person.full_name} is already in a 2:1 from "
                    f"{timezone.localtime(other.starts_at):%-d %B %Y %H:%M} to "
                    f"{timezone.localtime(other.ends_at):%H:%M}: nobody can be in two places "
                    "at once."
                )
    if problems:
        raise ValidationError(sorted(set(problems)))


def _invite(session: SupervisionSession, reason: str) -> None:
    """Everyone in the 2:1 is sent the invitation, or the cancellation, once this commits."""
    session_notice.send(
        sender=SupervisionSession,
        session=session,
        people=[session.supervisor, *session.practitioners.all()],
        reason=reason,
    )


@transaction.atomic
def session_schedule(
    *,
    supervisor: Person,
    practitioners: list[Person],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    reason: str = "",
) -> SupervisionSession:
    _check_people(supervisor, practitioners, reason)
    _refuse_clashes(
        supervisor=supervisor, practitioners=practitioners, starts_at=starts_at, ends_at=ends_at
    )
    session = SupervisionSession(
        supervisor=supervisor,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        single_practitioner_reason=reason if len(practitioners) == 1 else "",
    )
    session.full_clean()
    session.save()
    session.practitioners.set(practitioners)
    _invite(session, "You have a 2:1 supervision session.")
    return session


@transaction.atomic
def session_change(
    *,
    session: SupervisionSession,
    practitioners: list[Person],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    reason: str = "",
) -> SupervisionSession:
    _check_people(session.supervisor, practitioners, reason)
    _refuse_clashes(
        supervisor=session.supervisor,
        practitioners=practitioners,
        starts_at=starts_at,
        ends_at=ends_at,
        session_id=session.pk,
    )
    session.starts_at, session.ends_at, session.place = starts_at, ends_at, place
    session.single_practitioner_reason = reason if len(practitioners) == 1 else ""
    session.sequence += 1
    session.full_clean()
    session.save()
    session.practitioners.set(practitioners)
    _invite(session, "This 2:1 has changed.")
    return session


@transaction.atomic
def session_set_status(*, session: SupervisionSession, status: SessionStatus) -> SupervisionSession:
    """Record that a 2:1 was held, or cancel it (everyone gets a cancellation)."""
    if status == SessionStatus.HELD and session.starts_at > timezone.now():
        raise ValidationError("A 2:1 can be recorded as held only once it has started.")
    session.status = status
    if status == SessionStatus.CANCELLED:
        session.sequence += 1
    session.save(update_fields=["status", "sequence", "updated_at"])
    if status == SessionStatus.CANCELLED:
        _invite(session, "This 2:1 is cancelled.")
    return session
