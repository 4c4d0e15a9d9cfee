"""Writes for 2:1 supervision: scheduling, changing and recording sessions."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from competencies.models import Competency
from supervision.models import (
    AgreedAction,
    CaseDiscussed,
    SessionFocus,
    SessionNote,
    SessionStatus,
    SupervisionSession,
)
from supervision.selectors import record_refusal
from supervision.signals import session_notice
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
        .exclude(pk__in=[] if session_id is None else [session_id])
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
def session_record_held(
    *,
    supervisor: Person,
    practitioners: list[Person],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    reason: str = "",
) -> SupervisionSession:
    """Record in one step a 2:1 that has already taken place, ready for its record of cases,
    notes and actions. Nobody is sent an invitation: there is nothing left to attend."""
    if starts_at > timezone.now():
        raise ValidationError("A 2:1 that took place has already started: schedule a future one.")
    _check_people(supervisor, practitioners, reason)
    _refuse_clashes(
        supervisor=supervisor, practitioners=practitioners, starts_at=starts_at, ends_at=ends_at
    )
    session = SupervisionSession(
        supervisor=supervisor,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        status=SessionStatus.HELD,
        single_practitioner_reason=reason if len(practitioners) == 1 else "",
    )
    session.full_clean()
    session.save()
    session.practitioners.set(practitioners)
    records_changed.send(
        sender=SupervisionSession,
        person_ids=[person.pk for person in practitioners],
        since=local_date(starts_at),
    )
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
    if session.status == SessionStatus.HELD:
        records_changed.send(
            sender=SupervisionSession,
            person_ids=[*before[1], *(person.pk for person in practitioners)],
            since=local_date(min(before[0], starts_at)),
        )
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
    records_changed.send(
        sender=SupervisionSession,
        person_ids=list(session.practitioners.values_list("pk", flat=True)),
        since=local_date(session.starts_at),
    )
    if status == SessionStatus.CANCELLED:
        _invite(session, "This 2:1 is cancelled.")
    return session


# The record of a 2:1: written by its supervisor, item by item ---------------------------------


def _check_record_open(session: SupervisionSession) -> None:
    if problem := record_refusal(session):
        raise ValidationError(problem)


def _check_whose(session: SupervisionSession, practitioner: Person | None) -> None:
    """An item belongs to a practitioner of the 2:1, or (None) to both."""
    if practitioner is not None and practitioner not in session.practitioners.all():
        raise ValidationError("That person is not a practitioner of this 2:1.")


@transaction.atomic
def case_discussed_add(
    *,
    session: SupervisionSession,
    practitioner: Person,
    case_reference: str,
    case_type: str,
    risk_level: str,
) -> CaseDiscussed:
    _check_record_open(session)
    _check_whose(session, practitioner)
    case = CaseDiscussed(
        session=session,
        practitioner=practitioner,
        case_reference=case_reference.strip(),
        case_type=case_type,
        risk_level=risk_level,
    )
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def session_focus_add(
    *,
    session: SupervisionSession,
    practitioner: Person | None,
    stage: str,
    competency: Competency | None = None,
) -> SessionFocus:
    """Record a stage, or one competency of a published framework version, as worked on."""
    _check_record_open(session)
    _check_whose(session, practitioner)
    if competency is not None:
        if not competency.area.version.is_published:
            raise ValidationError("Choose a competency of a published framework version.")
        stage = competency.area.stage
    focus = SessionFocus(
        session=session, practitioner=practitioner, stage=stage, competency=competency
    )
    focus.full_clean()
    already = SessionFocus.objects.filter(
        session=session, practitioner=practitioner, stage=stage, competency=competency
    )
    if already.exists():
        raise ValidationError("That is already in the record of this 2:1.")
    focus.save()
    return focus


@transaction.atomic
def session_note_add(
    *, session: SupervisionSession, practitioner: Person | None, text: str
) -> SessionNote:
    _check_record_open(session)
    _check_whose(session, practitioner)
    note = SessionNote(session=session, practitioner=practitioner, text=text.strip())
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def action_agree(
    *,
    session: SupervisionSession,
    owner: Person,
    practitioner: Person | None,
    description: str,
    due_on: datetime.date,
) -> AgreedAction:
    """An action agreed at a 2:1, owned by its supervisor or one of its practitioners."""
    _check_record_open(session)
    _check_whose(session, practitioner)
    practitioners = list(session.practitioners.all())
    if owner != session.supervisor and owner not in practitioners:
        raise ValidationError("An action is owned by the supervisor or a practitioner of the 2:1.")
    if owner in practitioners and practitioner not in (None, owner):
        raise ValidationError(
            "An action a practitioner owns is theirs or shared, never the other practitioner's."
        )
    if due_on < timezone.localtime(session.starts_at).date():
        raise ValidationError({"due_on": "An action is due on or after the 2:1 that agrees it."})
    action = AgreedAction(
        session=session,
        owner=owner,
        practitioner=practitioner,
        description=description.strip(),
        due_on=due_on,
    )
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_close(*, action: AgreedAction, session: SupervisionSession, note: str) -> AgreedAction:
    """Close an open action at a 2:1 of the same supervisor, held after it was agreed."""
    _check_record_open(session)
    action = AgreedAction.objects.select_for_update().select_related("session").get(pk=action.pk)
    if not action.is_open:
        raise ValidationError("This action is already closed.")
    if (
        action.session.supervisor_id != session.supervisor_id
        or action.session.starts_at > session.starts_at
    ):
        raise ValidationError("An action is closed at a later 2:1 with the same supervisor.")
    action.closed_in = session
    action.closed_at = timezone.now()
    action.closing_note = note.strip()
    action.full_clean()
    action.save()
    return action
