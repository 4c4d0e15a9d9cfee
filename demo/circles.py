"""The demo organisation's learning circles: each starts as its teams' first people are trained,
so that 11 are running by the end of 2016 (the published figure), and a practice leader
cluster; each has met monthly since, with attendance, what was worked on and notes recorded.

Every value is derived from names and dates, not from the clock or a random state, so loading
the demo again adds nothing but the meetings that have fallen due since.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from caseload.months import months_back
from circles.models import (
    AttendanceStatus,
    CircleKind,
    CircleMeeting,
    CircleMembership,
    LearningCircle,
    MeetingApology,
    MeetingAttendance,
    MeetingFocus,
    MeetingStatus,
    Ordinal,
    Weekday,
)
from circles.services import circle_save
from competencies.frameworks import current_version
from competencies.models import Competency, Stage
from training.models import Person, PersonStatus, RoleGroup
from training.selectors import TRAINED, people_with_training

if TYPE_CHECKING:
    from training.selectors import PersonWithTraining


END_OF_2016 = datetime.date(2016, 12, 31)
T = datetime.time


@dataclass(frozen=True)
class DemoCircle:
    """A circle, the teams whose trained people join it, its monthly rule, the month of its
    first meeting and where it meets."""

    name: str
    teams: tuple[str, ...]
    ordinal: int
    weekday: int
    start: datetime.time
    end: datetime.time
    first_month: datetime.date
    venue: str


CIRCLES = [
    DemoCircle(
        "Gloucester circle",
        ("Gloucester Pod 7", "Gloucester Pods", "Gloucester North", "Gloucester District Team"),
        Ordinal.SECOND,
        Weekday.TUESDAY,
        T(10),
        T(12),
        datetime.date(2015, 12, 1),
        "Shire Hall, room 2",
    ),
    DemoCircle(
        "Cheltenham circle",
        ("Cheltenham District",),
        Ordinal.FIRST,
        Weekday.MONDAY,
        T(10),
        T(12),
        datetime.date(2016, 4, 1),
        "Cheltenham Municipal Offices",
    ),
    DemoCircle(
        "Forest of Dean circle",
        ("Forest of Dean District",),
        Ordinal.LAST,
        Weekday.THURSDAY,
        T(14),
        T(16),
        datetime.date(2016, 5, 1),
        "Coleford Training Centre",
    ),
    DemoCircle(
        "Health and wellbeing circle",
        ("Health Team", "Multi-disciplinary Health Team"),
        Ordinal.THIRD,
        Weekday.WEDNESDAY,
        T(13, 30),
        T(15, 30),
        datetime.date(2016, 6, 1),
        "Online",
    ),
    DemoCircle(
        "Exploitation and wraparound circle",
        ("Child Sexual Exploitation Team", "CIC Wraparound"),
        Ordinal.SECOND,
        Weekday.THURSDAY,
        T(10),
        T(12),
        datetime.date(2016, 7, 1),
        "Shire Hall, room 4",
    ),
    DemoCircle(
        "Stroud circle",
        ("Stroud Integrated District Team",),
        Ordinal.FIRST,
        Weekday.WEDNESDAY,
        T(10),
        T(12),
        datetime.date(2016, 10, 1),
        "Stroud Sub Rooms",
    ),
    DemoCircle(
        "Cotswold circle",
        ("Cotswold Integrated District Team",),
        Ordinal.SECOND,
        Weekday.MONDAY,
        T(14),
        T(16),
        datetime.date(2016, 10, 1),
        "Cirencester Old Memorial Hall",
    ),
    DemoCircle(
        "Tewkesbury circle",
        ("Tewkesbury Integrated District Team",),
        Ordinal.THIRD,
        Weekday.TUESDAY,
        T(10),
        T(12),
        datetime.date(2016, 11, 1),
        "Tewkesbury Borough Offices",
    ),
    DemoCircle(
        "Children in care circle",
        ("11+ Children in Care and Care Leavers",),
        Ordinal.FOURTH,
        Weekday.TUESDAY,
        T(10),
        T(12),
        datetime.date(2016, 11, 1),
        "Shire Hall, room 2",
    ),
    DemoCircle(
        "FastTrack and partners circle",
        ("FastTrack Team", "Partner Agencies"),
        Ordinal.LAST,
        Weekday.WEDNESDAY,
        T(10),
        T(12),
        datetime.date(2016, 11, 1),
        "Shire Hall, room 4",
    ),
    DemoCircle(
        "Leadership circle",
        ("Senior Leadership Team",),
        Ordinal.FIRST,
        Weekday.FRIDAY,
        T(9, 30),
        T(11),
        datetime.date(2016, 12, 1),
        "Shire Hall, boardroom",
    ),
]
CLUSTER = DemoCircle(
    "Practice leader cluster",
    (),
    Ordinal.LAST,
    Weekday.FRIDAY,
    T(10),
    T(12),
    datetime.date(2016, 6, 1),
    "Online",
)
DEMO_LEADER = "practice.leader@council.example"

NOTES = [
    "Two cases brought; the group tested how much risk was acceptable before closing.",
    "Worked through strengths and vulnerabilities together, and where the same factor is both.",
    "Practised a restorative conversation; agreed to try it in the next family meeting.",
    "Talked through a stuck case and agreed it needed a formulation meeting.",
    "Compared plans: which steps were pragmatic and which were wishes.",
]


def _number(*parts: object) -> int:
    """A stable pseudo-random number from its parts (the same on every run and machine)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big")


def _attendance(circle: str, month: datetime.date, email: str) -> AttendanceStatus:
    roll = _number(circle, month, email) % 100
    if roll < 80:
        return AttendanceStatus.PRESENT
    return AttendanceStatus.APOLOGIES if roll < 92 else AttendanceStatus.ABSENT


@transaction.atomic
def load_demo() -> list[str]:
    trained = list(
        people_with_training(END_OF_2016)
        .filter(TRAINED, status=PersonStatus.ACTIVE)
        .select_related("team", "user")
        .order_by("email")
    )
    by_team: dict[str, list[PersonWithTraining]] = {}
    for person in trained:
        if person.team is not None:
            by_team.setdefault(person.team.name, []).append(person)
    leader_group = Group.objects.get(name=Role.PRACTICE_LEADER.label)

    leaders: list[Person] = []
    for record in CIRCLES:
        people = [person for team in record.teams for person in by_team.get(team, [])]
        candidates = [p for p in people if p.role_group == RoleGroup.PRACTITIONER] or people
        leader = next((p for p in candidates if p.email == DEMO_LEADER), candidates[0])
        leaders.append(leader)
        if leader.user is None:  # the demo roster gives everyone an account first
            raise ValueError(f"{leader} has no account")
        leader.user.groups.add(leader_group)
        circle = _circle(record, CircleKind.LEARNING_CIRCLE)
        circle_save(circle=circle, facilitators=[leader])
        # Everyone trained joins, except one in ten, so "trained people in no circle" has names;
        # they join from the circle's first month, or from the month after their training.
        for index, member in enumerate(people):
            if index % 10 != 9 or member.email.split("@")[0] in ("practitioner", "supervisor"):
                joined_on = record.first_month
                if member.trained_on:
                    joined_on = max(joined_on, months_back(member.trained_on, -1))
                CircleMembership.objects.get_or_create(
                    circle=circle, person=member, defaults={"joined_on": joined_on}
                )

    cluster = _circle(CLUSTER, CircleKind.PRACTICE_LEADER_CLUSTER)
    circle_save(circle=cluster, facilitators=[leaders[0]])
    for facilitator in leaders:
        CircleMembership.objects.get_or_create(
            circle=cluster, person=facilitator, defaults={"joined_on": CLUSTER.first_month}
        )

    return [
        f"{_record_past_meetings()} past meetings given attendance and notes.",
        f"{_prepare_next_meetings()} coming meetings given an agenda and members' apologies.",
    ]


def _circle(record: DemoCircle, kind: str) -> LearningCircle:
    """The demo circle of that name, or a new one following the rule (not saved yet)."""
    return LearningCircle.objects.filter(name=record.name).first() or LearningCircle(
        name=record.name,
        kind=kind,
        ordinal=record.ordinal,
        weekday=record.weekday,
        start_time=record.start,
        end_time=record.end,
        starts_on=record.first_month,
        venue=record.venue,
    )


def _record_past_meetings() -> int:
    """Attendance, what was worked on and notes for every past meeting without any, from each
    circle's first meeting: members are on the register from the month they joined."""
    now = timezone.now()
    memberships: dict[int, list[CircleMembership]] = {}
    for membership in CircleMembership.objects.select_related("person"):
        memberships.setdefault(membership.circle_id, []).append(membership)
    meetings = (
        CircleMeeting.objects.filter(
            starts_at__lte=now, status=MeetingStatus.SCHEDULED, attendance__isnull=True
        )
        .select_related("circle")
        .order_by("starts_at")
    )
    competencies = _competencies_by_stage()
    rows: list[MeetingAttendance] = []
    focus: list[MeetingFocus] = []
    changed: list[CircleMeeting] = []
    for meeting in meetings:
        circle = meeting.circle
        number = _number(circle.name, meeting.month)
        changed.append(meeting)
        if number % 40 == 0:
            meeting.status = MeetingStatus.CANCELLED
            continue
        rows.extend(
            MeetingAttendance(
                meeting=meeting,
                person=membership.person,
                status=_attendance(circle.name, meeting.month, membership.person.email),
            )
            for membership in memberships.get(circle.pk, [])
            if meeting.month >= membership.joined_on.replace(day=1)
        )
        focus.extend(_worked_on(meeting, number, competencies))
        meeting.cases_brought = 1 + number % 4
        meeting.notes = NOTES[number % len(NOTES)]
    # A statement for each combination of values rather than one per meeting.
    records: dict[tuple[str, int | None, str], list[int]] = {}
    for meeting in changed:
        key = (meeting.status, meeting.cases_brought, meeting.notes)
        records.setdefault(key, []).append(meeting.pk)
    for (status, cases_brought, notes), pks in records.items():
        CircleMeeting.objects.filter(pk__in=pks).update(
            status=status, cases_brought=cases_brought, notes=notes
        )
    MeetingAttendance.objects.bulk_create(rows, batch_size=2000)
    MeetingFocus.objects.bulk_create(focus, batch_size=2000)
    return sum(1 for meeting in changed if meeting.status == MeetingStatus.SCHEDULED)


AGENDA = (
    "Welcome, and what we tried since last month\nA case brought: how much risk is acceptable?\n{}"
)


def _prepare_next_meetings() -> int:
    """Each learning circle's next meeting gets an agenda, and apologies from about one member
    in eight, so that the meeting page and its register show both."""
    now = timezone.now()
    prepared = 0
    for circle in LearningCircle.objects.filter(kind=CircleKind.LEARNING_CIRCLE):
        meeting = (
            circle.meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now)
            .order_by("starts_at")
            .first()
        )
        if meeting is None or meeting.agenda:
            continue
        stage = STAGE_WEIGHTS[_number(circle.name, meeting.month) % len(STAGE_WEIGHTS)][0]
        meeting.agenda = AGENDA.format(f"Working on the framework: {stage.label}")
        meeting.save(update_fields=["agenda"])
        MeetingApology.objects.bulk_create(
            [
                MeetingApology(meeting=meeting, person_id=person_id)
                for person_id in circle.memberships.values_list("person_id", flat=True)
                if _number(circle.name, meeting.month, person_id) % 8 == 0
            ],
            ignore_conflicts=True,
        )
        prepared += 1
    return prepared


# Circles mostly work on engagement, resilience and Restorative Practice, where practitioners are
# comfortable; risk and analysis, where the supervisors' ratings dip, come up rarely, so that the
# dashboard shows a weak stage that is seldom discussed.
STAGE_WEIGHTS = [
    (Stage.ENGAGEMENT, 5),
    (Stage.RESILIENCE, 4),
    (Stage.RESTORATIVE, 4),
    (Stage.PLANNING, 3),
    (Stage.RISK, 1),
    (Stage.ANALYSIS, 1),
]


def _competencies_by_stage() -> dict[str, list[Competency]]:
    by_stage: dict[str, list[Competency]] = {}
    version = current_version()
    if version is None:
        return by_stage
    for competency in Competency.objects.filter(area__version=version).select_related("area"):
        by_stage.setdefault(competency.area.stage, []).append(competency)
    return by_stage


def _worked_on(
    meeting: CircleMeeting, number: int, competencies: dict[str, list[Competency]]
) -> list[MeetingFocus]:
    """Two competencies of stages drawn by their weight, and now and then a stage as a whole."""
    stages = [
        stage for stage, weight in STAGE_WEIGHTS if competencies.get(stage) for _ in range(weight)
    ]
    chosen: dict[tuple[str, int | None], MeetingFocus] = {}
    for draw in range(2 if stages else 0):
        stage = stages[_number(number, draw) % len(stages)]
        options = competencies[stage]
        competency = options[_number(number, draw, "competency") % len(options)]
        chosen[(stage, competency.pk)] = MeetingFocus(
            meeting=meeting, stage=stage, competency=competency
        )
    if number % 5 == 0:
        stage = STAGE_WEIGHTS[number % len(STAGE_WEIGHTS)][0]
        chosen[(stage, None)] = MeetingFocus(meeting=meeting, stage=stage)
    return list(chosen.values())
