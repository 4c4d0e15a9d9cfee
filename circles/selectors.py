"""Reads behind the circle pages and the attendance screen.

Who may see or run a circle is decided here, once: the `get_*_for_user` helpers answer 404 for
anything the user may not see, so guessing an ID reveals nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TypedDict

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import Permission, can
from circles.holidays import bank_holiday, next_working_day
from circles.models import (
    AttendanceStatus,
    CircleKind,
    CircleMeeting,
    CircleMembership,
    LearningCircle,
    MeetingAttendance,
    MeetingFocus,
    MeetingStatus,
    OnBankHoliday,
)
from circles.schedule import horizon, series_dates
from competencies.frameworks import current_version
from competencies.models import Competency, Stage
from training.dates import local_datetime
from training.models import Person, PersonStatus
from training.selectors import people_with_training, person_of, trained_by

HEALTH_MEETINGS = 6


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
    """A circle the user sees (404 for any other); with `to_run`, one they run (403 for a circle
    they see but do not run)."""
    circle = circles_for_user(user).prefetch_related("facilitators").filter(pk=pk).first()
    if circle is None:
        raise Http404("No such circle.")
    if to_run:
        refuse_unless_runs(user, circle)
    return circle


def refuse_unless_runs(user: User, circle: LearningCircle) -> None:
    """403 for someone who sees the circle but does not run it."""
    if not may_run(user, circle):
        raise PermissionDenied("Only the circle's practice leaders and administrators run it.")


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
        .order_by("name", "pk")
        .prefetch_related(
            # As a list: the page reads every circle's leaders, and `.all()` on each circle
            # builds a manager and a queryset to reach the same prefetched rows.
            Prefetch("facilitators", to_attr="leaders"),
            Prefetch(
                "meetings",
                # Only the next meeting is shown; a year of them for every circle is not read.
                queryset=CircleMeeting.objects.filter(
                    status=MeetingStatus.SCHEDULED, starts_at__gt=now
                ).order_by("starts_at")[:1],
                to_attr="upcoming",
            ),
        )
    )


@dataclass(frozen=True)
class MemberAttendance:
    """One member's record over the circle's last 6 held meetings (those with a register)."""

    present: int
    marked: int
    ever_present: bool

    @property
    def missed(self) -> int:
        return self.marked - self.present

    @property
    def never_attended(self) -> bool:
        return self.marked > 0 and not self.ever_present

    @property
    def missed_three(self) -> bool:
        return self.missed >= 3


@dataclass(frozen=True)
class CircleHealth:
    attendance_rate: float | None
    meetings_counted: int
    missed_last_two: list[Person]
    next_meeting: CircleMeeting | None
    members: dict[int, MemberAttendance] = field(default_factory=dict)


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
    ever_present = {
        row.person_id
        for meeting in held
        for row in meeting.attendance.all()
        if row.status == AttendanceStatus.PRESENT
    }
    per_member: dict[int, MemberAttendance] = {}
    for person_id in {row.person_id for meeting in held for row in meeting.attendance.all()}:
        rows = [
            row
            for meeting in recent
            for row in meeting.attendance.all()
            if row.person_id == person_id
        ]
        per_member[person_id] = MemberAttendance(
            present=sum(row.status == AttendanceStatus.PRESENT for row in rows),
            marked=len(rows),
            ever_present=person_id in ever_present,
        )
    return CircleHealth(
        members=per_member,
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


class RegisterRow(TypedDict):
    person: Person
    status: str | None
    apologised: bool


def meeting_register(meeting: CircleMeeting) -> list[RegisterRow]:
    """Each member of the circle with their attendance at this meeting: as recorded, else
    "sent apologies" for a member who sent them beforehand (`apologised`), else None."""
    marks = dict(meeting.attendance.values_list("person_id", "status"))
    apologised = set(meeting.apologies.values_list("person_id", flat=True))
    members = meeting.circle.members.select_related("team").order_by("full_name")
    return [
        {
            "person": person,
            "status": marks.get(
                person.pk, AttendanceStatus.APOLOGIES if person.pk in apologised else None
            ),
            "apologised": person.pk in apologised,
        }
        for person in members
    ]


# What a meeting worked on ------------------------------------------------------------------------


def meeting_focus(meeting: CircleMeeting) -> list[MeetingFocus]:
    """What a meeting worked on, with each competency's area and version."""
    return list(meeting.focus.select_related("competency__area__version"))


@dataclass(frozen=True)
class StageWorkedOn:
    label: str
    as_a_whole: bool
    competencies: list[str]


def worked_on_by_stage(focus: list[MeetingFocus]) -> list[StageWorkedOn]:
    """`meeting_focus` grouped by stage, in the framework's order of stages."""
    stages = []
    for stage in Stage:
        rows = [row for row in focus if row.stage == stage]
        if rows:
            stages.append(
                StageWorkedOn(
                    label=stage.label,
                    as_a_whole=any(row.competency_id is None for row in rows),
                    competencies=[
                        row.competency.title for row in rows if row.competency is not None
                    ],
                )
            )
    return stages


def focus_values(focus: list[MeetingFocus]) -> list[str]:
    """`meeting_focus` as the record form's values: `stage:<stage>` or `competency:<id>`."""
    return [
        f"competency:{row.competency_id}" if row.competency_id else f"stage:{row.stage}"
        for row in focus
    ]


def competencies_to_record(focus: list[MeetingFocus]) -> list[Competency]:
    """The competencies a meeting's record offers: the current published framework's, then any
    the meeting already records from an earlier version, so saving again keeps them."""
    version = current_version()
    competencies = (
        list(
            Competency.objects.filter(area__version=version)
            .select_related("area__version")
            .order_by("area__order", "order", "pk")
        )
        if version
        else []
    )
    offered = {competency.pk for competency in competencies}
    return competencies + [
        row.competency
        for row in focus
        if row.competency is not None and row.competency_id not in offered
    ]


@dataclass(frozen=True)
class FrameworkWork:
    """How many circle meetings held in a window worked on each stage and competency.

    `by_stage` counts a meeting once for a stage however much of it it worked on (the stage as
    a whole or any of its competencies); `by_competency` is keyed by the competency's code,
    which stays the same across framework versions. Stages and codes no meeting worked on are
    absent (read them as 0).
    """

    since: datetime.date
    until: datetime.date
    meetings_held: int
    by_stage: dict[str, int]
    by_competency: dict[str, int]


def framework_work(
    *, since: datetime.date, until: datetime.date, kind: str = CircleKind.LEARNING_CIRCLE
) -> FrameworkWork:
    """What learning circles worked on in meetings held from `since` to `until` (both whole
    days, on the organisation's clock): three queries, whatever the number of meetings.

    Held means not cancelled and started by the end of the window. Practice leader clusters are
    left out unless `kind` names them: they meet about running circles, not about cases.
    """
    now = timezone.now()
    end = min(local_datetime(until + datetime.timedelta(days=1), datetime.time()), now)
    held = CircleMeeting.objects.filter(
        circle__kind=kind,
        status=MeetingStatus.SCHEDULED,
        starts_at__gte=local_datetime(since, datetime.time()),
        starts_at__lt=end,
    )
    focus = MeetingFocus.objects.filter(meeting__in=held.values("pk")).order_by()
    by_stage = focus.values("stage").annotate(meetings=Count("meeting", distinct=True))
    by_competency = (
        focus.filter(competency__isnull=False)
        .values("competency__code")
        .annotate(meetings=Count("meeting", distinct=True))
    )
    return FrameworkWork(
        since=since,
        until=until,
        meetings_held=held.count(),
        by_stage={row["stage"]: row["meetings"] for row in by_stage},
        by_competency={row["competency__code"]: row["meetings"] for row in by_competency},
    )


def in_no_circle() -> Exists:
    """Of a person (the outer query's `pk`): a member of no circle, of any kind. Leading a
    circle is not belonging to it."""
    # Django's ~Exists is an Exists; django-stubs types it as a plain negated expression.
    return ~Exists(CircleMembership.objects.filter(person=OuterRef("pk")))  # type: ignore[return-value]


def circles_running(*, as_of: datetime.date) -> QuerySet[LearningCircle]:
    """Learning circles running on `as_of`: a meeting held by the end of that day and the
    series not ended before it (practice leader clusters are not learning circles)."""
    held = CircleMeeting.objects.filter(
        circle=OuterRef("pk"),
        status=MeetingStatus.SCHEDULED,
        starts_at__lt=local_datetime(as_of + datetime.timedelta(days=1), datetime.time()),
    )
    return (
        LearningCircle.objects.filter(kind=CircleKind.LEARNING_CIRCLE)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=as_of))
        .filter(Exists(held))
        .order_by("name")
    )


def unplaced_trained_people(*, as_of: datetime.date | None = None) -> QuerySet[Person]:
    """Active people trained by `as_of` (today by default) who belong to no circle, by team:
    the circles page, the dashboard and the fidelity report all list people from this."""
    return (
        Person.objects.filter(
            trained_by(as_of or timezone.localdate()), in_no_circle(), status=PersonStatus.ACTIVE
        )
        .select_related("team")
        .order_by("team__name", "full_name")
    )


def people_to_be_placed(*, line_manager: Person | None = None) -> QuerySet[Person]:
    """The "to be placed in a circle" list: trained people in no circle (as
    `unplaced_trained_people`), or only those `line_manager` manages."""
    people = unplaced_trained_people()
    if line_manager is not None:
        people = people.filter(line_manager=line_manager)
    return people


def people_to_add(circle: LearningCircle, search: str, *, limit: int = 20) -> list[Person]:
    """Current staff not yet in the circle whose name contains `search`, by name."""
    words = search.split()
    if not words:
        return []
    people = Person.objects.exclude(status=PersonStatus.LEFT).exclude(
        circle_memberships__circle=circle
    )
    for word in words:
        people = people.filter(full_name__icontains=word)
    return list(people.select_related("team").order_by("full_name")[:limit])


# Scheduling -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    meeting: CircleMeeting
    starts_at: datetime.datetime
    ends_at: datetime.datetime


@dataclass
class SchedulePlan:
    """What bringing a circle's meetings in line with its rule would do."""

    create: list[CircleMeeting] = field(default_factory=list)  # not saved yet
    moves: list[Move] = field(default_factory=list)
    cancels: list[tuple[CircleMeeting, str]] = field(default_factory=list)  # with the reason
    kept: list[CircleMeeting] = field(default_factory=list)  # moved on their own: they stay


def schedule_plan(
    circle: LearningCircle, *, today: datetime.date, rule_changed: bool
) -> SchedulePlan:
    """Rows for every meeting of the series up to the horizon, and, when the rule has changed,
    what happens to future meetings: scheduled ones follow it, except those moved on their own
    (kept where they were put); cancelled and past ones stay; months it no longer covers, or
    that now fall on a bank holiday the circle skips, are cancelled.

    Works on an unsaved circle too, so the leader can see what a change would do first."""
    now = timezone.now()
    plan = SchedulePlan()
    existing = {meeting.month: meeting for meeting in circle.meetings.all()} if circle.pk else {}
    wanted = set()
    for day in series_dates(
        ordinal=circle.ordinal,
        weekday_number=circle.weekday,
        starts_on=circle.starts_on,
        ends_on=circle.ends_on,
        until=horizon(today),
    ):
        month = day.replace(day=1)
        wanted.add(month)
        skipped = ""
        if holiday := bank_holiday(day):
            if circle.on_bank_holiday == OnBankHoliday.SKIP:
                skipped = f"{holiday}, a bank holiday."
            else:
                day = next_working_day(day)
        starts_at = local_datetime(day, circle.start_time)
        ends_at = local_datetime(day, circle.end_time)
        meeting = existing.get(month)
        if meeting is None:
            plan.create.append(
                CircleMeeting(
                    circle=circle,
                    month=month,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    status=MeetingStatus.CANCELLED if skipped else MeetingStatus.SCHEDULED,
                    cancel_reason=skipped,
                )
            )
        elif rule_changed and meeting.starts_at > now and not meeting.is_cancelled:
            if meeting.moved:
                plan.kept.append(meeting)
            elif skipped:
                plan.cancels.append((meeting, skipped))
            elif (meeting.starts_at, meeting.ends_at) != (starts_at, ends_at):
                plan.moves.append(Move(meeting, starts_at, ends_at))
    if rule_changed:
        plan.cancels += [
            (meeting, "The circle no longer meets this month.")
            for month, meeting in existing.items()
            if month not in wanted and meeting.starts_at > now and not meeting.is_cancelled
        ]
    return plan


def leader_clashes(
    *,
    leaders: list[Person],
    times: list[tuple[datetime.datetime, datetime.datetime]],
    circle_id: int | None,
) -> list[str]:
    """Where one of `leaders` would lead another circle's meeting at the same time as one of
    `times`: each as "Name leads Circle on 9 March 2027"."""
    if not times or not leaders:
        return []
    others = (
        CircleMeeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            circle__facilitators__in=leaders,
            starts_at__lt=max(end for _, end in times),
            ends_at__gt=min(start for start, _ in times),
        )
        .exclude(circle_id=circle_id)
        .select_related("circle")
        .prefetch_related("circle__facilitators")
        .distinct()
    )
    leader_ids = {leader.pk for leader in leaders}
    clashes = []
    for meeting in others:
        if any(start < meeting.ends_at and meeting.starts_at < end for start, end in times):
            for leader in meeting.circle.facilitators.all():
                if leader.pk in leader_ids:
                    clashes.append(
                        f"{leader.full_name} leads {meeting.circle.name} on "
                        f"{timezone.localtime(meeting.starts_at):%-d %B %Y at %H:%M}"
                    )
    return clashes


def member_clashes(
    meeting: CircleMeeting, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> list[str]:
    """Members of the meeting's circle who are in another circle's meeting at that time."""
    members = meeting.circle.memberships.values("person_id")
    others = (
        CircleMembership.objects.filter(
            person_id__in=members,
            circle__meetings__status=MeetingStatus.SCHEDULED,
            circle__meetings__starts_at__lt=ends_at,
            circle__meetings__ends_at__gt=starts_at,
        )
        .exclude(circle_id=meeting.circle_id)
        .select_related("person", "circle")
    )
    return sorted({f"{row.person.full_name} ({row.circle.name})" for row in others})


def person_meetings(person: Person, *, since: datetime.date) -> QuerySet[CircleMeeting]:
    """Meetings of every circle a person belongs to or leads, from `since` onwards."""
    led = LearningCircle.facilitators.through.objects.filter(person=person).values(
        "learningcircle_id"
    )
    belongs = CircleMembership.objects.filter(person=person).values("circle_id")
    return (
        CircleMeeting.objects.filter(Q(circle_id__in=belongs) | Q(circle_id__in=led))
        .filter(starts_at__date__gte=since)
        .select_related("circle")
        .order_by("starts_at")
    )


# What waits for a person: the reads behind the home page ----------------------------------------


def next_meeting_for(person: Person, *, now: datetime.datetime) -> CircleMeeting | None:
    """The next meeting, not cancelled, of a circle the person belongs to or leads."""
    return (
        person_meetings(person, since=timezone.localdate(now))
        .filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now)
        .first()
    )


def circles_led_by(person: Person) -> QuerySet[LearningCircle]:
    return LearningCircle.objects.filter(facilitators=person).order_by("name")


def registers_not_taken(
    person: Person, *, now: datetime.datetime, within_days: int = 90
) -> QuerySet[CircleMeeting]:
    """Meetings of the circles a person leads that have taken place in the last `within_days`
    days with nobody's attendance recorded, oldest first."""
    return (
        CircleMeeting.objects.filter(
            circle__in=circles_led_by(person),
            status=MeetingStatus.SCHEDULED,
            starts_at__lte=now,
            starts_at__gte=now - datetime.timedelta(days=within_days),
        )
        .exclude(Exists(MeetingAttendance.objects.filter(meeting=OuterRef("pk"))))
        .select_related("circle")
        .order_by("starts_at", "pk")
    )


@dataclass
class LedCircle:
    circle: LearningCircle
    health: CircleHealth


def led_circles_health(person: Person) -> list[LedCircle]:
    """Each circle the person leads with its health (next meeting, who missed the last two),
    from one query for all their meetings and attendance."""
    circles = list(
        circles_led_by(person).prefetch_related(
            Prefetch(
                "meetings",
                queryset=CircleMeeting.objects.order_by("starts_at").prefetch_related(
                    Prefetch(
                        "attendance",
                        queryset=MeetingAttendance.objects.select_related("person"),
                    )
                ),
            )
        )
    )
    return [
        LedCircle(circle=circle, health=circle_health(circle, list(circle.meetings.all())))
        for circle in circles
    ]
