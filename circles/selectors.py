"""Reads behind the circle pages and the attendance screen.

Who may see or run a circle is decided here, once: the `get_*_for_user` helpers answer 404 for
anything the user may not see, so guessing an ID reveals nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import Permission, can
from circles.models import (
    AttendanceStatus,
    CircleMeeting,
    CircleMembership,
    LearningCircle,
    MeetingAttendance,
    MeetingStatus,
)
from training.models import Person, PersonStatus
from training.selectors import TRAINED, people_with_training

HEALTH_MEETINGS = 6


def person_of(user: User) -> Person | None:
    return getattr(user, "person", None) if user.is_authenticated else None


def circles_for_user(user: User) -> QuerySet[LearningCircle]:
    circles = LearningCircle.objects.all()
    if can(user, Permission.VIEW_ALL_CIRCLES):
        return circles
    person = person_of(user)
    if person is None:
        return circles.none()
    return circles.filter(
        Q(pk__in=CircleMembership.objects.filter(person=person).values("circle_id"))
        | Q(
            pk__in=LearningCircle.facilitators.through.objects.filter(person=person).values(
                "learningcircle_id"
            )
        )
    )


def may_run(user: User, circle: LearningCircle) -> bool:
    """Edit the circle, its members and meetings: its own practice leaders, or an administrator."""
    if not can(user, Permission.LEAD_CIRCLES):
        return False
    if can(user, Permission.VIEW_ALL_CIRCLES):
        return True
    person = person_of(user)
    return person is not None and any(
        leader.pk == person.pk for leader in circle.facilitators.all()
    )


def get_circle_for_user(user: User, pk: int, *, to_run: bool = False) -> LearningCircle:
    circle = circles_for_user(user).prefetch_related("facilitators").filter(pk=pk).first()
    if circle is None or (to_run and not may_run(user, circle)):
        raise Http404("No such circle.")
    return circle


def get_meeting_for_user(user: User, pk: int, *, to_run: bool = False) -> CircleMeeting:
    meeting = CircleMeeting.objects.select_related("circle").filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting.")
    meeting.circle = get_circle_for_user(user, meeting.circle_id, to_run=to_run)
    return meeting


def circle_list(user: User) -> QuerySet[LearningCircle]:
    now = timezone.now()
    return (
        circles_for_user(user)
        .annotate(member_count=Count("memberships", distinct=True))
        .prefetch_related(
            "facilitators",
            Prefetch(
                "meetings",
                queryset=CircleMeeting.objects.filter(
                    status=MeetingStatus.SCHEDULED, starts_at__gt=now
                ).order_by("starts_at"),
                to_attr="upcoming",
            ),
        )
    )


@dataclass(frozen=True)
class CircleHealth:
    attendance_rate: float | None
    meetings_counted: int
    missed_last_two: list[Person]
    next_meeting: CircleMeeting | None


def circle_members(circle: LearningCircle) -> list[Person]:
    """Members with `trained_on` (None when not yet trained), by name."""
    return list(
        people_with_training(timezone.localdate())
        .filter(circle_memberships__circle=circle)
        .select_related("team")
        .order_by("full_name")
    )


def circle_health(circle: LearningCircle, meetings: list[CircleMeeting]) -> CircleHealth:
    """Attendance over the last 6 held meetings, who missed the last two, and what is next.

    `meetings` is the circle's meetings in date order with `attendance` prefetched.
    """
    now = timezone.now()
    held = [m for m in meetings if not m.is_cancelled and m.starts_at <= now and m.attendance.all()]
    recent = held[-HEALTH_MEETINGS:]
    marks = [row for meeting in recent for row in meeting.attendance.all()]
    rate = (
        sum(row.status == AttendanceStatus.PRESENT for row in marks) / len(marks) if marks else None
    )
    missed: list[Person] = []
    if len(held) >= 2:
        last_two = held[-2:]
        absent = [
            {
                row.person_id
                for row in meeting.attendance.all()
                if row.status != AttendanceStatus.PRESENT
            }
            for meeting in last_two
        ]
        missed_ids = absent[0] & absent[1]
        missed = sorted(
            {
                row.person
                for meeting in last_two
                for row in meeting.attendance.all()
                if row.person_id in missed_ids
            },
            key=lambda person: person.full_name,
        )
    upcoming = [m for m in meetings if not m.is_cancelled and m.starts_at > now]
    return CircleHealth(
        attendance_rate=rate,
        meetings_counted=len(recent),
        missed_last_two=missed,
        next_meeting=upcoming[0] if upcoming else None,
    )


def circle_meetings(circle: LearningCircle) -> list[CircleMeeting]:
    return list(
        circle.meetings.prefetch_related(
            Prefetch("attendance", queryset=MeetingAttendance.objects.select_related("person"))
        ).order_by("starts_at")
    )


def meeting_register(meeting: CircleMeeting) -> list[dict[str, object]]:
    """Each member of the circle with their attendance at this meeting (None if not recorded)."""
    marks = dict(meeting.attendance.values_list("person_id", "status"))
    members = meeting.circle.members.select_related("team").order_by("full_name")
    return [{"person": person, "status": marks.get(person.pk)} for person in members]


def unplaced_trained_people() -> QuerySet[Person]:
    """Active trained people who belong to no learning circle, by team."""
    in_a_circle = CircleMembership.objects.filter(person=OuterRef("pk"))
    return (
        people_with_training(timezone.localdate())
        .filter(TRAINED, status=PersonStatus.ACTIVE)
        .exclude(Exists(in_a_circle))
        .select_related("team")
        .order_by("team__name", "full_name")
    )
