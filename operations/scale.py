"""A generated organisation of any size, for measuring the site at county, region or national scale.

Deterministic: the same size, months, seed and end date give the same rows on every machine.
The shapes follow the demo organisation and the evaluation it reproduces: teams of 8 to 25, the
demo's mix of role groups, training rolled out team by team over the first half of the period,
learning circles of 8 to 15 meeting monthly, a 2:1 every 4 to 8 weeks for each pair of a
manager's practitioners, a review about every 6 months in which practice improves with time
since training, and people leaving and joining throughout. Everything is written with bulk
inserts, in one transaction, into an empty roster.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import DateTimeField, Model
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from circles.models import (
    AttendanceStatus,
    CircleMeeting,
    CircleMembership,
    LearningCircle,
    MeetingAttendance,
    MeetingStatus,
    Ordinal,
    Weekday,
)
from circles.schedule import series_dates
from competencies.frameworks import current_version
from competencies.models import (
    STATUTORY_CASE_TYPES,
    CaseType,
    Competency,
    Rater,
    Rating,
    Review,
    ReviewStatus,
    RiskLevel,
    Stage,
)
from dashboards.services import figures_refresh
from supervision.models import SessionStatus, SupervisionSession
from training.dates import local_datetime
from training.models import (
    Cohort,
    CourseAttendance,
    CourseDay,
    Person,
    PersonStatus,
    Phase,
    RoleGroup,
    Team,
    council_id,
)

BATCH = 5000
SERVICE_AREAS = [
    "Integrated districts",
    "Children in care",
    "Health",
    "Multi-agency pods",
    "Youth justice",
    "Exploitation",
    "Children's social care",
    "Early help",
]
FIRST_NAMES = ["Alex", "Sam", "Chris", "Pat", "Robin", "Jamie", "Morgan", "Amira", "Bilal",
               "Chen", "Dara", "Elif", "Farah", "Kofi", "Lena", "Maya", "Priya"]  # fmt: skip
LAST_NAMES = ["Smith", "Jones", "Taylor", "Brown", "Patel", "Wright", "Walker", "Khan", "Hughes",
              "Green", "Hall", "Lewis", "Clarke", "Ahmed", "Turner", "Begum", "Reid"]  # fmt: skip
# The demo organisation's mix: about 4% senior managers, 5% partners and 5% administrative
# staff, each in their own teams; service teams have a manager for every 10 or so practitioners.
SPECIAL_TEAMS = [
    (RoleGroup.SENIOR_MANAGER, "Leadership", 0.04),
    (RoleGroup.PARTNER, "Partners", 0.05),
    (RoleGroup.ADMIN, "Business support", 0.05),
]
LEAVING_A_YEAR = 0.10
TRAINED_SHARE = 0.88
PART_TRAINED_SHARE = 0.04
RISKS = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.MEDIUM, RiskLevel.HIGH]
HARDER_STAGES: dict[str, float] = {Stage.RISK: 0.35, Stage.ANALYSIS: 0.25}


@dataclass
class _Person:
    number: int
    team: int
    role_group: str
    joined: datetime.date | None  # None: on the roster before the period began
    left: datetime.date | None = None
    status: str = PersonStatus.ACTIVE
    line_manager: int | None = None
    trained_on: datetime.date | None = None
    ability: float = 0.0
    engagement: float = 0.8
    pk: int | None = None

    @property
    def saved_pk(self) -> int:
        """The primary key, for a person already inserted."""
        if self.pk is None:
            raise ValueError(f"person {self.number} is not saved yet")
        return self.pk

    @property
    def trained_day(self) -> datetime.date:
        """The day they were trained, for a person chosen among the trained."""
        if self.trained_on is None:
            raise ValueError(f"person {self.number} is not trained")
        return self.trained_on


@dataclass
class ScaleSummary:
    people: int = 0
    teams: int = 0
    cohorts: int = 0
    circles: int = 0
    meetings: int = 0
    attendance: int = 0
    sessions: int = 0
    reviews: int = 0
    ratings: int = 0
    accounts: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


class _Builder:
    def __init__(self, *, people: int, months: int, seed: int, until: datetime.date) -> None:
        self.size, self.months, self.until = people, months, until
        self.random = random.Random(seed)
        self.start = (until - relativedelta(months=months - 1)).replace(day=1)
        self.now = timezone.now()
        self.people: list[_Person] = []
        self.summary = ScaleSummary()

    # Dates -----------------------------------------------------------------------------------

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        if last <= first:
            return first
        return first + datetime.timedelta(days=self.random.randrange((last - first).days + 1))

    def working_day(self, day: datetime.date) -> datetime.date:
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        return day

    def active_on(self, person: _Person, day: datetime.date) -> bool:
        return (person.joined is None or person.joined <= day) and (
            person.left is None or day < person.left
        )

    # The roster ------------------------------------------------------------------------------

    def roster(self) -> None:
        sizes: list[tuple[str, str, int]] = []  # (role group of the team, service area, size)
        for role_group, area, share in SPECIAL_TEAMS:
            remaining = max(1, round(self.size * share))
            while remaining > 0:
                size = min(remaining, self.random.randint(8, 25))
                sizes.append((role_group, area, size))
                remaining -= size
        remaining = self.size - sum(size for _, _, size in sizes)
        while remaining > 0:
            size = min(remaining, self.random.randint(8, 25))
            sizes.append((RoleGroup.PRACTITIONER, self.random.choice(SERVICE_AREAS), size))
            remaining -= size
        teams = Team.objects.bulk_create(
            Team(name=f"{area} team {index + 1:04d}", service_area=area)
            for index, (_, area, _) in enumerate(sizes)
        )
        self.summary.teams = len(teams)
        self.team_ids = [team.pk for team in teams]
        self.team_areas = [area for _, area, _ in sizes]

        positions: list[tuple[int, str]] = []
        for index, (group, _, size) in enumerate(sizes):
            managers = 0 if group == RoleGroup.SENIOR_MANAGER else max(1, round(size / 11))
            positions += [(index, RoleGroup.MANAGER)] * managers
            positions += [(index, group)] * (size - managers)
        for team, group in positions:
            person = self.new_person(team, group, joined=None)
            years = self.months / 12
            # Managers stay, so that each team keeps its supervisor; others leave, and someone
            # joins in their place a month or two later.
            while group not in (RoleGroup.MANAGER, RoleGroup.SENIOR_MANAGER):
                if self.random.random() >= 1 - (1 - LEAVING_A_YEAR) ** years:
                    break
                first = person.joined or self.start
                person.left = self.day_between(first + datetime.timedelta(days=60), self.until)
                if person.left >= self.until:
                    person.left = None
                    break
                person.status = PersonStatus.LEFT
                joined = person.left + datetime.timedelta(days=self.random.randint(20, 70))
                if joined >= self.until:
                    break
                person = self.new_person(team, group, joined=joined)
                years = (self.until - joined).days / 365
        for person in self.random.sample(self.people, k=len(self.people) // 100):
            if person.status == PersonStatus.ACTIVE and person.role_group != RoleGroup.MANAGER:
                person.status = PersonStatus.EXTENDED_LEAVE

    def new_person(self, team: int, group: str, *, joined: datetime.date | None) -> _Person:
        person = _Person(
            number=len(self.people) + 1,
            team=team,
            role_group=group,
            joined=joined,
            ability=self.random.gauss(0, 0.3),
            engagement=min(0.97, max(0.4, self.random.gauss(0.8, 0.12))),
        )
        self.people.append(person)
        return person

    def save_roster(self) -> None:
        council = council_id()
        rows = [
            Person(
                organisation_id=council,
                email=f"person{person.number:06d}@scale.example",
                full_name=f"{self.random.choice(FIRST_NAMES)} {self.random.choice(LAST_NAMES)} "
                f"{person.number}",
                team_id=self.team_ids[person.team],
                role_group=person.role_group,
                job_title="",
                status=person.status,
                left_on=person.left if person.status == PersonStatus.LEFT else None,
            )
            for person in self.people
        ]
        for person, row in zip(
            self.people, Person.objects.bulk_create(rows, batch_size=BATCH), strict=True
        ):
            person.pk = row.pk
        self.summary.people = len(rows)
        by_team: dict[int, list[_Person]] = defaultdict(list)
        for person in self.people:
            by_team[person.team].append(person)
        seniors = [p for p in self.people if p.role_group == RoleGroup.SENIOR_MANAGER]
        for members in by_team.values():
            managers = [p for p in members if p.role_group == RoleGroup.MANAGER]
            for person in members:
                if person.role_group in (RoleGroup.MANAGER, RoleGroup.SENIOR_MANAGER):
                    boss = seniors[person.team % len(seniors)] if seniors else None
                    person.line_manager = boss.pk if boss and boss is not person else None
                elif managers:
                    person.line_manager = managers[person.number % len(managers)].pk
        Person.objects.bulk_update(
            [
                Person(pk=p.pk, line_manager_id=p.line_manager, organisation_id=council)
                for p in self.people
            ],
            ["line_manager"],
            batch_size=BATCH,
        )

    # Training --------------------------------------------------------------------------------

    def training(self) -> None:
        """Teams are trained wave by wave over the first half of the period; people who join
        later are trained within a few months of joining."""
        half = max(1, self.months // 2)
        phases = []
        for order, (name, first, last) in enumerate(
            [
                ("Pilot", 0, max(1, half // 6)),
                ("Implementation phase 1", max(1, half // 6), max(2, half // 2)),
                ("Implementation phase 2", max(2, half // 2), max(3, half)),
                ("Implementation phase 3", max(3, half), self.months),
            ],
            start=1,
        ):
            starts = self.start + relativedelta(months=first)
            ends = self.start + relativedelta(months=last) - datetime.timedelta(days=1)
            phases.append(
                Phase(name=name, order=order, start_date=starts, end_date=max(starts, ends))
            )
        self.phases = Phase.objects.bulk_create(phases)
        waves = {team: self.random.randrange(half) for team in range(len(self.team_ids))}
        trainees: dict[datetime.date, list[tuple[_Person, bool]]] = defaultdict(list)
        for person in self.people:
            roll = self.random.random()
            if roll >= TRAINED_SHARE + PART_TRAINED_SHARE:
                continue
            if person.joined is None:
                month = self.start + relativedelta(
                    months=waves[person.team] + self.random.randint(0, 2)
                )
            else:
                month = (person.joined + relativedelta(months=self.random.randint(1, 4))).replace(
                    day=1
                )
            if month > self.until or (person.left and month >= person.left):
                continue
            trainees[month].append((person, roll < TRAINED_SHARE))

        cohorts, attendance = [], []
        for month in sorted(trainees):
            people = trainees[month]
            for index in range(0, len(people), 24):
                first_day = self.working_day(month + datetime.timedelta(days=7 + index // 24 * 3))
                day1 = min(first_day, self.until)
                day2 = day1 + datetime.timedelta(days=7)
                phase = next(
                    (p for p in reversed(self.phases) if p.start_date and p.start_date <= day1),
                    self.phases[0],
                )
                cohort = Cohort(
                    phase=phase,
                    name=f"{month:%Y-%m} cohort {index // 24 + 1}",
                    venue="Training centre",
                    day1_date=day1,
                    day2_date=day2,
                )
                cohorts.append(cohort)
                for person, completes in people[index : index + 24]:
                    attendance.append((cohort, person, CourseDay.RESTORATIVE, True))
                    if day2 <= self.until and completes:
                        attendance.append((cohort, person, CourseDay.BASE, True))
                        person.trained_on = day2
                    elif day2 <= self.until:
                        attendance.append((cohort, person, CourseDay.BASE, False))
        Cohort.objects.bulk_create(cohorts, batch_size=BATCH)
        CourseAttendance.objects.bulk_create(
            (
                CourseAttendance(
                    cohort=cohort, person_id=person.saved_pk, day=day, attended=attended
                )
                for cohort, person, day, attended in attendance
            ),
            batch_size=BATCH,
        )
        self.summary.cohorts = len(cohorts)

    # Learning circles ------------------------------------------------------------------------

    def circles(self) -> None:
        trained = sorted(
            (p for p in self.people if p.trained_on),
            key=lambda p: (p.joined is not None, self.team_areas[p.team], p.team, p.trained_on),
        )
        founders = [p for p in trained if p.joined is None]
        groups: list[list[_Person]] = []
        index = 0
        while index < len(founders):
            size = self.random.randint(8, 15)
            groups.append(founders[index : index + size])
            index += size
        if not groups and trained:
            groups.append([])
        circles = []
        for number, members in enumerate(groups):
            first = min((p.trained_day for p in members), default=self.start)
            circles.append(
                LearningCircle(
                    name=f"Circle {number + 1:04d}",
                    ordinal=self.random.choice([o.value for o in Ordinal]),
                    weekday=self.random.randrange(Weekday.FRIDAY + 1),
                    start_time=datetime.time(10),
                    end_time=datetime.time(12),
                    starts_on=(first + relativedelta(months=1)).replace(day=1),
                    venue=f"Room {number % 20 + 1}",
                )
            )
        circles = LearningCircle.objects.bulk_create(circles, batch_size=BATCH)
        self.summary.circles = len(circles)
        # Joiners go to the smallest circle; one trained person in twenty is in none.
        members_of = {
            circle.pk: list(members) for circle, members in zip(circles, groups, strict=True)
        }
        for person in trained:
            if person.joined is not None and circles:
                smallest = min(circles, key=lambda c: len(members_of[c.pk]))
                members_of[smallest.pk].append(person)
        for members in members_of.values():
            for person in list(members):
                if self.random.random() < 0.05:
                    members.remove(person)
        leaders = LearningCircle.facilitators.through
        leaders.objects.bulk_create(
            (
                leaders(learningcircle_id=circle.pk, person_id=members_of[circle.pk][0].pk)
                for circle in circles
                if members_of[circle.pk]
            ),
            batch_size=BATCH,
        )
        CircleMembership.objects.bulk_create(
            (
                CircleMembership(
                    circle_id=circle_id, person_id=person.saved_pk, joined_on=person.trained_day
                )
                for circle_id, members in members_of.items()
                for person in members
            ),
            batch_size=BATCH,
        )
        self.circle_leaders = [members_of[c.pk][0] for c in circles if members_of[c.pk]]

        meetings, attendance = [], []
        horizon = self.until + relativedelta(months=3, day=31)
        for circle in circles:
            members = members_of[circle.pk]
            for day in series_dates(
                ordinal=circle.ordinal,
                weekday_number=circle.weekday,
                starts_on=circle.starts_on,
                ends_on=None,
                until=horizon,
            ):
                starts_at = local_datetime(day, circle.start_time)
                cancelled = self.random.random() < 0.03
                meeting = CircleMeeting(
                    circle=circle,
                    month=day.replace(day=1),
                    starts_at=starts_at,
                    ends_at=local_datetime(day, circle.end_time),
                    status=MeetingStatus.CANCELLED if cancelled else MeetingStatus.SCHEDULED,
                )
                meetings.append(meeting)
                if cancelled or starts_at > self.now:
                    continue
                for person in members:
                    if person.trained_day > day or not self.active_on(person, day):
                        continue
                    roll = self.random.random()
                    if roll < person.engagement:
                        status = AttendanceStatus.PRESENT
                    elif roll < person.engagement + (1 - person.engagement) * 0.6:
                        status = AttendanceStatus.APOLOGIES
                    else:
                        status = AttendanceStatus.ABSENT
                    attendance.append((meeting, person.pk, status))
        CircleMeeting.objects.bulk_create(meetings, batch_size=BATCH)
        _insert(
            MeetingAttendance,
            ["meeting", "person", "status"],
            ((meeting.pk, person, status.value) for meeting, person, status in attendance),
        )
        self.summary.meetings, self.summary.attendance = len(meetings), len(attendance)

    # 2:1 supervision and reviews -------------------------------------------------------------

    def supervision(self) -> None:
        by_manager: dict[int, list[_Person]] = defaultdict(list)
        for person in self.people:
            if (
                person.trained_on
                and person.line_manager
                and person.role_group in (RoleGroup.PRACTITIONER, RoleGroup.PARTNER)
            ):
                by_manager[person.line_manager].append(person)
        sessions, members = [], []
        self.held: dict[int, list[tuple[datetime.datetime, SupervisionSession]]] = defaultdict(list)
        end = self.until + datetime.timedelta(weeks=6)
        for manager, people in sorted(by_manager.items()):
            people.sort(key=lambda p: p.trained_day)
            for index in range(0, len(people), 2):
                pair = people[index : index + 2]
                day = max(p.trained_day for p in pair) + datetime.timedelta(
                    days=self.random.randint(14, 42)
                )
                while day < end:
                    day = self.working_day(day)
                    present = [p for p in pair if self.active_on(p, day)]
                    if present:
                        starts_at = local_datetime(day, datetime.time(self.random.choice([10, 14])))
                        roll = self.random.random()
                        if starts_at > self.now:
                            status = SessionStatus.PLANNED
                        elif roll < 0.85:
                            status = SessionStatus.HELD
                        elif roll < 0.93:
                            status = SessionStatus.CANCELLED
                        else:
                            status = SessionStatus.PLANNED  # never recorded
                        session = SupervisionSession(
                            supervisor_id=manager,
                            starts_at=starts_at,
                            ends_at=starts_at + datetime.timedelta(hours=1, minutes=30),
                            place="Team office",
                            status=status,
                            single_practitioner_reason="The other practitioner has left"
                            if len(present) == 1
                            else "",
                        )
                        sessions.append(session)
                        members.append(present)
                    day += datetime.timedelta(days=self.random.randint(28, 56))
        SupervisionSession.objects.bulk_create(sessions, batch_size=BATCH)
        through = SupervisionSession.practitioners.through
        _insert(
            through,
            ["supervisionsession", "person"],
            (
                (session.pk, person.pk)
                for session, present in zip(sessions, members, strict=True)
                for person in present
            ),
        )
        for session, present in zip(sessions, members, strict=True):
            if session.status == SessionStatus.HELD:
                for person in present:
                    self.held[person.saved_pk].append((session.starts_at, session))
        self.summary.sessions = len(sessions)

    def reviews(self) -> None:
        version = current_version()
        competencies = list(
            Competency.objects.filter(area__version=version).select_related("area").order_by("pk")
        )
        case_types = list(CaseType)
        # (review, person, signed-off moment, case type, risk, months since training)
        plans: list[tuple[Review, _Person, datetime.datetime, str, str, float]] = []
        for person in self.people:
            if not (person.trained_on and person.line_manager and person.pk in self.held):
                continue
            for moment, session in self.held[person.pk]:
                previous = plans[-1] if plans and plans[-1][1] is person else None
                since = (moment.date() - person.trained_on).days / 30.4
                due = previous is None and since >= 3
                if previous is not None:
                    due = (moment - previous[2]).days >= self.random.randint(150, 215)
                if not due:
                    continue
                signed_at = moment + datetime.timedelta(days=self.random.randint(1, 10))
                if signed_at > self.now:
                    continue
                case_type = self.random.choice(case_types)
                risk = self.random.choice(RISKS)
                review = Review(
                    practitioner_id=person.pk,
                    supervisor_id=person.line_manager,
                    version=version,
                    case_reference=f"CR-{self.random.randrange(10000, 99999)}",
                    case_type=case_type,
                    risk_level=risk,
                    session=session,
                    status=ReviewStatus.SIGNED_OFF,
                    submitted_at=signed_at - datetime.timedelta(days=1),
                    signed_off_at=signed_at,
                )
                plans.append((review, person, signed_at, case_type, risk, since))
        Review.objects.bulk_create((plan[0] for plan in plans), batch_size=BATCH)
        # One review in fifty is corrected a week later: a second revision, also signed off.
        corrections = []
        for review, _, signed_at, *_ in plans:
            if self.random.random() < 0.02:
                corrected_at = signed_at + datetime.timedelta(days=7)
                if corrected_at < self.now:
                    corrections.append(
                        Review(
                            practitioner_id=review.practitioner_id,
                            supervisor_id=review.supervisor_id,
                            version=version,
                            case_reference=review.case_reference,
                            case_type=review.case_type,
                            risk_level=review.risk_level,
                            session=review.session,
                            status=ReviewStatus.SIGNED_OFF,
                            revision=2,
                            replaces=review,
                            original=review,
                            correction_reason="Ratings entered against the wrong competency.",
                            submitted_at=corrected_at,
                            signed_off_at=corrected_at,
                        )
                    )
        Review.objects.bulk_create(corrections, batch_size=BATCH)
        corrected = {review.replaces_id: review for review in corrections}

        now = connection.ops.adapt_datetimefield_value(timezone.now())

        def ratings() -> Iterable[tuple[object, ...]]:
            for review, person, _, case_type, risk, since in plans:
                ability = 1.35 + person.ability + min(since, 30) * 0.045
                if risk == RiskLevel.HIGH:
                    ability -= 0.45
                if case_type in STATUTORY_CASE_TYPES:
                    ability -= 0.3
                targets = [review.pk] + (
                    [corrected[review.pk].pk] if review.pk in corrected else []
                )
                for competency in competencies:
                    base = ability - HARDER_STAGES.get(competency.area.stage, 0)
                    supervisor_view = base + self.random.uniform(-0.45, 0.45)
                    self_view = supervisor_view + 0.35 + self.random.uniform(-0.4, 0.4)
                    for target in targets:
                        for rater, view in (
                            (Rater.SELF, self_view),
                            (Rater.SUPERVISOR, supervisor_view),
                        ):
                            level = None
                            if self.random.random() >= 0.04:
                                level = max(1, min(3, round(view)))
                            yield (target, competency.pk, rater.value, level, "", 1, now)

        count = _insert(
            Rating,
            ["review", "competency", "rater", "level", "comment", "revision", "updated_at"],
            ratings(),
        )
        self.summary.reviews, self.summary.ratings = len(plans) + len(corrections), count

    # Sign-ins --------------------------------------------------------------------------------

    def accounts(self) -> None:
        """One account for each role, on people whose pages have the most to show."""
        reports: dict[int, int] = defaultdict(int)
        for person in self.people:
            if person.line_manager and person.pk in self.held:
                reports[person.line_manager] += 1
        supervisor = max(reports, key=lambda pk: (reports[pk], -pk))
        practitioner = next(
            p
            for p in self.people
            if p.line_manager == supervisor
            and p.trained_on
            and p.status == PersonStatus.ACTIVE
            and p.pk in self.held
        )
        leader = next(p for p in self.circle_leaders if p.status == PersonStatus.ACTIVE)
        active = [p for p in self.people if p.status == PersonStatus.ACTIVE]
        lead = next(p for p in active if p.role_group == RoleGroup.SENIOR_MANAGER)
        admin = next(p for p in active if p.role_group == RoleGroup.ADMIN and p is not leader)
        chosen = [
            (practitioner.saved_pk, Role.PRACTITIONER),
            (supervisor, Role.SUPERVISOR),
            (leader.saved_pk, Role.PRACTICE_LEADER),
            (lead.saved_pk, Role.PROGRAMME_LEAD),
            (admin.saved_pk, Role.ADMINISTRATOR),
        ]
        for pk, role in chosen:
            holder = Person.objects.get(pk=pk)
            user = holder.user or User.objects.create_user(holder.email, password=None)
            user.is_staff = role == Role.ADMINISTRATOR
            user.save()
            user.groups.add(Group.objects.get_or_create(name=role.label)[0])
            if role in (Role.SUPERVISOR, Role.PRACTICE_LEADER):
                user.groups.add(Group.objects.get_or_create(name=Role.PRACTITIONER.label)[0])
            Person.objects.filter(pk=pk).update(user=user)
            self.summary.accounts[role.value] = holder.email


def _insert(model: type[Model], fields: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert plain rows with `executemany`: the ORM's bulk_create spends most of its time
    building and compiling a model instance a row, which at hundreds of thousands of ratings
    is most of the generation's time."""
    concrete = {field.name: field for field in model._meta.concrete_fields}
    columns = [concrete[name] for name in fields]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(column.column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    adapt = [
        connection.ops.adapt_datetimefield_value if isinstance(column, DateTimeField) else None
        for column in columns
    ]
    count = 0
    with connection.cursor() as cursor:
        batch: list[tuple[Any, ...]] = []  # database parameters
        for row in rows:
            batch.append(
                tuple(
                    connection.ops.adapt_datetimefield_value(value)
                    if dated and isinstance(value, datetime.datetime)
                    else value
                    for dated, value in zip(adapt, row, strict=True)
                )
            )
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def seed_scale(
    *, people: int, months: int, seed: int = 1, until: datetime.date | None = None
) -> ScaleSummary:
    """Fill an empty roster with a generated organisation of `people` posts and `months` of
    history ending on `until` (today by default)."""
    if Person.objects.exists():
        raise ValueError("The roster is not empty; generate an organisation in a new database.")
    if people < 30 or months < 2:
        raise ValueError("Generate at least 30 people and 2 months.")
    started = time.perf_counter()
    builder = _Builder(people=people, months=months, seed=seed, until=until or timezone.localdate())
    with transaction.atomic():
        builder.roster()
        builder.save_roster()
        builder.training()
        builder.circles()
        builder.supervision()
        builder.reviews()
        builder.accounts()
    # Rows written in bulk send no notice of change: the figures are counted once, at the end.
    figures_refresh()
    builder.summary.seconds = time.perf_counter() - started
    return builder.summary
