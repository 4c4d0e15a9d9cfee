"""Writes for 2:1 supervision: scheduling, changing and recording sessions."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from circles.calendar import send_calendar_email
from supervision.models import SessionStatus, SupervisionSession
from supervision.selectors import session_entry
from training.dates import local_date
from training.models import Person
from training.signals import records_changed


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


def _invite(session: SupervisionSession, note: str) -> None:
    entry = session_entry(session)
    when = f"{timezone.localtime(session.starts_at):%A %d %B %Y %H:%M}"
    kind = "Cancelled" if session.status == SessionStatus.CANCELLED else "Invitation"
    for person in [session.supervisor, *session.practitioners.all()]:
        send_calendar_email(
            entry=entry,
            name="2:1 supervision",
            to_email=person.email,
            subject=f"{kind}: 2:1 supervision, {when}",
            body=render_to_string(
                "supervision/email/invitation.txt",
                {"session": session, "person": person, "note": note},
            ),
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
    transaction.on_commit(lambda: _invite(session, "You have a 2:1 supervision session."))
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
    before = (session.starts_at, [person.pk for person in session.practitioners.all()])
    session.starts_at, session.ends_at, session.place = starts_at, ends_at, place
    session.single_practitioner_reason = reason if len(practitioners) == 1 else ""
    session.sequence += 1
    session.full_clean()
    session.save()
    session.practitioners.set(practitioners)
    if session.status == SessionStatus.HELD:
        records_changed.send(
            sender=SupervisionSession,
            person_ids=[*before[1], *(person.pk for person in practitioners)],
            since=local_date(min(before[0], starts_at)),
        )
    transaction.on_commit(lambda: _invite(session, "This 2:1 has changed."))
    return session


@transaction.atomic
def session_set_status(*, session: SupervisionSession, status: SessionStatus) -> SupervisionSession:
    """Record that a 2:1 was held, or cancel it (everyone gets a cancellation)."""
    if status == SessionStatus.HELD and session.starts_at > timezone.now():
        raise ValidationError("A 2:1 can be recorded as held only once it has started.")
    session.status = status
    if status == SessionStatus.CANCELLED:
        session.sequence += 1
        transaction.on_commit(lambda: _invite(session, "This 2:1 is cancelled."))
    session.save(update_fields=["status", "sequence", "updated_at"])
    records_changed.send(
        sender=SupervisionSession,
        person_ids=list(session.practitioners.values_list("pk", flat=True)),
        since=local_date(session.starts_at),
    )
    return session
