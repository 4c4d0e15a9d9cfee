"""Writes for learning circles: scheduling, membership, meetings, attendance and reminders."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from circles.models import (
    AttendanceStatus,
    CircleMeeting,
    CircleMembership,
    LearningCircle,
    MeetingApology,
    MeetingAttendance,
    MeetingFocus,
    MeetingStatus,
)
from circles.selectors import SchedulePlan, leader_clashes, schedule_plan
from circles.signals import meeting_notice
from competencies.models import Competency
from training.dates import local_date, local_datetime
from training.models import Person, PersonStatus
from training.signals import records_changed

logger = logging.getLogger(__name__)

RULE_FIELDS = (
    "ordinal",
    "weekday",
    "start_time",
    "end_time",
    "starts_on",
    "ends_on",
    "on_bank_holiday",
)


def _meetings_changed(circle_id: int, since: datetime.date) -> None:
    """Whether someone counts as attending one of their circle's last meetings depends on every
    meeting of the circle: moving, cancelling or adding one changes it for all who attended."""
    records_changed.send(
        sender=CircleMeeting,
        person_ids=list(
            MeetingAttendance.objects.filter(meeting__circle_id=circle_id)
            .values_list("person_id", flat=True)
            .distinct()
        ),
        since=since,
    )


# Scheduling -------------------------------------------------------------------------------------


@transaction.atomic
def circle_schedule(
    *, circle: LearningCircle, today: datetime.date | None = None, rule_changed: bool = False
) -> SchedulePlan:
    """Make sure a row exists for every meeting of the series up to 12 months ahead, and when
    the rule has changed carry out `schedule_plan`: each future meeting that moves keeps its
    month and its UID, gets a higher SEQUENCE and an updated invitation to everyone invited;
    each month cancelled gets a cancellation. Returns what was done."""
    plan = schedule_plan(circle, today=today or timezone.localdate(), rule_changed=rule_changed)
    _refuse_leader_clashes(
        circle,
        [(move.starts_at, move.ends_at) for move in plan.moves]
        + [(m.starts_at, m.ends_at) for m in plan.create if not m.is_cancelled],
    )
    bulk_create_with_history(plan.create, CircleMeeting)
    people = invited(circle) if plan.moves or plan.cancels else []
    for move in plan.moves:
        meeting = move.meeting
        meeting.starts_at, meeting.ends_at = move.starts_at, move.ends_at
        meeting.sequence += 1
        meeting.save()
        meeting_notice.send(
            sender=CircleMeeting,
            meeting=meeting,
            people=people,
            reason=f"The circle now meets {circle.rule_text}, so this meeting has moved.",
        )
    for meeting, reason in plan.cancels:
        meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, reason
        meeting.sequence += 1
        meeting.save()
        meeting_notice.send(sender=CircleMeeting, meeting=meeting, people=people, reason=reason)
    if plan.create or plan.moves or plan.cancels:
        _meetings_changed(circle.pk, today or timezone.localdate())
    return plan


def _refuse_leader_clashes(
    circle: LearningCircle, times: list[tuple[datetime.datetime, datetime.datetime]]
) -> None:
    now = timezone.now()
    clashes = leader_clashes(
        leaders=list(circle.facilitators.all()),
        times=[(start, end) for start, end in times if end > now],
        circle_id=circle.pk,
    )
    if clashes:
        raise ValidationError(
            "A practice leader cannot be in two places at once: "
            + "; ".join(clashes[:5])
            + (f" and {len(clashes) - 5} more" if len(clashes) > 5 else "")
            + "."
        )


@transaction.atomic
def circle_save(
    *, circle: LearningCircle, facilitators: list[Person], today: datetime.date | None = None
) -> LearningCircle:
    """Create or change a circle, then bring its meetings in line with its rule."""
    circle.full_clean()
    before = (
        LearningCircle.objects.filter(pk=circle.pk).values(*RULE_FIELDS).first()
        if circle.pk
        else None
    )
    circle.save()
    circle.facilitators.set(facilitators)
    rule_changed = before is not None and any(
        before[name] != getattr(circle, name) for name in RULE_FIELDS
    )
    circle_schedule(circle=circle, today=today, rule_changed=rule_changed)
    return circle


def circles_extend(*, today: datetime.date | None = None) -> int:
    """The daily job: keep 12 months of meetings ahead for every circle."""
    created = 0
    for circle in LearningCircle.objects.all():
        try:
            created += len(circle_schedule(circle=circle, today=today).create)
        except ValidationError:
            # A new month that clashes for a leader is left for them to sort out, not booked.
            logger.warning("Circle %s: next month clashes for a practice leader", circle.pk)
    return created


@transaction.atomic
def circle_delete(*, circle: LearningCircle) -> None:
    """Delete a circle; everyone invited gets a cancellation of each meeting still to come."""
    people = invited(circle)
    for meeting in circle.meetings.filter(
        status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now()
    ):
        meeting_notice.send(
            sender=CircleMeeting,
            meeting=meeting,
            people=people,
            cancel=True,
            reason="This circle has closed, so its meetings are cancelled.",
        )
    first = circle.meetings.order_by("starts_at").values_list("starts_at", flat=True).first()
    if first is not None:
        _meetings_changed(circle.pk, local_date(first))
    circle.delete()


# Members ----------------------------------------------------------------------------------------


@transaction.atomic
def circle_member_add(*, circle: LearningCircle, person: Person) -> CircleMembership:
    membership, created = CircleMembership.objects.get_or_create(circle=circle, person=person)
    if created:
        next_meeting = (
            circle.meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now())
            .select_related("circle")
            .first()
        )
        if next_meeting is not None:
            meeting_notice.send(
                sender=CircleMeeting,
                meeting=next_meeting,
                people=[person],
                reason="You have joined this circle.",
            )
    return membership


@transaction.atomic
def circle_member_remove(*, circle: LearningCircle, person: Person) -> None:
    """Remove a member; they get a cancellation of each meeting still to come (unless they
    lead the circle, and so stay invited)."""
    removed, _ = CircleMembership.objects.filter(circle=circle, person=person).delete()
    if not removed or circle.facilitators.filter(pk=person.pk).exists():
        return
    for meeting in circle.meetings.filter(
        status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now()
    ):
        meeting_notice.send(
            sender=CircleMeeting,
            meeting=meeting,
            people=[person],
            cancel=True,
            reason="You are no longer a member of this circle.",
        )


# Meetings ---------------------------------------------------------------------------------------


def invited(circle: LearningCircle) -> list[Person]:
    """Who holds the invitations to a circle's meetings: its members and its practice leaders
    (who may lead without being members), except anyone who has left."""
    people = [*circle.members.all(), *circle.facilitators.all()]
    return [
        person
        for person in {person.pk: person for person in people}.values()
        if person.status != PersonStatus.LEFT
    ]


@transaction.atomic
def meeting_move(
    *,
    meeting: CircleMeeting,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    venue: str = "",
) -> CircleMeeting:
    """Move one meeting; members get an updated invitation."""
    moved_from = meeting.starts_at
    meeting.starts_at, meeting.ends_at = (
        local_datetime(date, start_time),
        local_datetime(date, end_time),
    )
    meeting.venue = venue
    meeting.status = MeetingStatus.SCHEDULED
    meeting.cancel_reason = ""
    meeting.moved = True
    meeting.sequence += 1
    meeting.full_clean()
    _refuse_leader_clashes(meeting.circle, [(meeting.starts_at, meeting.ends_at)])
    meeting.save()
    _meetings_changed(meeting.circle_id, min(local_date(moved_from), date))
    meeting_notice.send(
        sender=CircleMeeting,
        meeting=meeting,
        people=invited(meeting.circle),
        reason="This meeting has moved.",
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: CircleMeeting, reason: str = "") -> CircleMeeting:
    """Cancel one meeting; everyone invited gets a cancellation their calendar understands,
    with the reason."""
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason.strip()
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    _meetings_changed(meeting.circle_id, local_date(meeting.starts_at))
    meeting_notice.send(
        sender=CircleMeeting,
        meeting=meeting,
        people=invited(meeting.circle),
        reason=f"This meeting is cancelled: {meeting.cancel_reason}"
        if meeting.cancel_reason
        else "This meeting is cancelled.",
    )
    return meeting


@transaction.atomic
def meeting_reinstate(*, meeting: CircleMeeting) -> CircleMeeting:
    """Undo a cancellation: the meeting is on again, and everyone invited is told."""
    if not meeting.is_cancelled:
        return meeting
    _refuse_leader_clashes(meeting.circle, [(meeting.starts_at, meeting.ends_at)])
    meeting.status, meeting.cancel_reason = MeetingStatus.SCHEDULED, ""
    meeting.sequence += 1
    meeting.save()
    _meetings_changed(meeting.circle_id, local_date(meeting.starts_at))
    meeting_notice.send(
        sender=CircleMeeting,
        meeting=meeting,
        people=invited(meeting.circle),
        reason="This meeting is on again.",
    )
    return meeting


@transaction.atomic
def meeting_agenda_save(*, meeting: CircleMeeting, agenda: str) -> CircleMeeting:
    """Set a meeting's agenda. Nobody is emailed now: the reminder carries it, and calendars
    that subscribe read it from the feed."""
    meeting.agenda = agenda.strip()
    meeting.full_clean()
    meeting.save(update_fields=["agenda", "updated_at"])
    return meeting


def _refuse_apologies_now(meeting: CircleMeeting) -> None:
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.")
    if meeting.has_started:
        raise ValidationError(
            "The meeting has started: tell its practice leader, who keeps the register."
        )


@transaction.atomic
def meeting_apologies_send(*, meeting: CircleMeeting, person: Person) -> MeetingApology:
    """A member sends apologies before the meeting; the register opens with them marked.
    Sending twice keeps the first."""
    _refuse_apologies_now(meeting)
    if not meeting.circle.memberships.filter(person=person).exists():
        raise ValidationError("Only members of the circle send apologies for its meetings.")
    apology = MeetingApology.objects.filter(meeting=meeting, person=person).first()
    if apology is None:
        apology = MeetingApology(meeting=meeting, person=person)
        apology.full_clean()
        apology.save()
    return apology


@transaction.atomic
def meeting_apologies_withdraw(*, meeting: CircleMeeting, person: Person) -> None:
    """A member who can come after all withdraws their apologies, before the meeting."""
    _refuse_apologies_now(meeting)
    MeetingApology.objects.filter(meeting=meeting, person=person).delete()


@transaction.atomic
def meeting_record(
    *,
    meeting: CircleMeeting,
    worked_on: list[tuple[str, Competency | None]],
    cases_brought: int | None,
    notes: str,
) -> CircleMeeting:
    """Record what a meeting worked on (each a stage as a whole, or one of its competencies),
    the cases brought and notes. What it worked on is replaced by `worked_on`."""
    meeting.cases_brought, meeting.notes = cases_brought, notes
    meeting.full_clean()
    meeting.save(update_fields=["cases_brought", "notes", "updated_at"])
    wanted = {
        (stage, competency.pk if competency else None): competency
        for stage, competency in worked_on
    }
    existing = {(row.stage, row.competency_id): row for row in meeting.focus.all()}
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
    new = [
        MeetingFocus(meeting=meeting, stage=stage, competency=competency)
        for (stage, _), competency in wanted.items()
        if (stage, competency.pk if competency else None) not in existing
    ]
    for row in new:
        # The meeting and competency are the caller's own rows: only the rules in clean().
        row.full_clean(exclude=["meeting", "competency"], validate_constraints=False)
    bulk_create_with_history(new, MeetingFocus)
    return meeting


@transaction.atomic
def meeting_attendance_save(*, meeting: CircleMeeting, marks: dict[int, AttendanceStatus]) -> int:
    """Record attendance, {person_id: status}, for members of the meeting's circle only, and
    only once the meeting has started."""
    if meeting.starts_at > timezone.now():
        raise ValidationError("Attendance can be recorded once the meeting has started.")
    members = set(meeting.circle.memberships.values_list("person_id", flat=True))
    marks = {person_id: status for person_id, status in marks.items() if person_id in members}
    existing = {
        row.person_id: row
        for row in MeetingAttendance.objects.select_for_update().filter(
            meeting=meeting, person_id__in=marks
        )
    }
    changed, new = [], []
    for person_id, status in marks.items():
        row = existing.get(person_id)
        if row is None:
            new.append(MeetingAttendance(meeting=meeting, person_id=person_id, status=status))
        elif row.status != status:
            row.status = status
            changed.append(row)
    # Through simple-history, so the audit trail records each change and who made it.
    bulk_create_with_history(new, MeetingAttendance)
    bulk_update_with_history(changed, MeetingAttendance, ["status"])
    records_changed.send(
        sender=MeetingAttendance,
        person_ids=[row.person_id for row in [*new, *changed]],
        since=local_date(meeting.starts_at),
    )
    return len(new) + len(changed)
