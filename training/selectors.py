"""Reads behind the roster, cohort and roll-out pages and the roll-out report.

The roll-out figures come from one place, `rollout_summary`, so the page, its exports and the
`rollout_report` command can never disagree.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
    Window,
)
from django.db.models.functions import Greatest, RowNumber

from training.models import (
    Cohort,
    CourseAttendance,
    CourseDay,
    ImportRun,
    Person,
    PersonStatus,
    Phase,
    ProgrammeSettings,
    RoleGroup,
    Team,
)


class TrainingState(models.TextChoices):
    """How far a person has got with the two-day course."""

    TRAINED = "trained", "Trained"
    PART_TRAINED = "part", "Part-trained"
    NOT_TRAINED = "none", "Not trained"


# The one definition of each training state, over people annotated by `people_with_training`
# (or a `TrainingRecord`, below, for figures counted outside the database): trained when both
# days are attended, part-trained with one of the two, not trained with neither.
TRAINING_STATES: dict[str, Q] = {
    TrainingState.TRAINED: Q(trained_on__isnull=False),
    TrainingState.PART_TRAINED: Q(trained_on__isnull=True)
    & (Q(restorative_on__isnull=False) | Q(base_on__isnull=False)),
    TrainingState.NOT_TRAINED: Q(restorative_on__isnull=True, base_on__isnull=True),
}
TRAINED = TRAINING_STATES[TrainingState.TRAINED]
PART_TRAINED = TRAINING_STATES[TrainingState.PART_TRAINED]


def trained_by(as_of: datetime.date) -> Q:
    """Of a person: trained on or before `as_of` (both days attended), the same rule as
    TRAINING_STATES for querysets without the `people_with_training` annotations. The two sets
    of people are found once each, not person by person."""
    day1 = CourseAttendance.objects.filter(
        attended=True, day=CourseDay.RESTORATIVE, cohort__day1_date__lte=as_of
    )
    day2 = CourseAttendance.objects.filter(
        attended=True, day=CourseDay.BASE, cohort__day2_date__lte=as_of
    )
    return Q(pk__in=day1.values("person_id")) & Q(pk__in=day2.values("person_id"))


def training_state(person: Person | TrainingRecord) -> TrainingState:
    """The state of one person annotated by `people_with_training`, or of a `TrainingRecord`."""
    if person.trained_on:
        return TrainingState.TRAINED
    if person.restorative_on or person.base_on:
        return TrainingState.PART_TRAINED
    return TrainingState.NOT_TRAINED


def _attended(day: CourseDay, as_of: datetime.date) -> QuerySet[CourseAttendance]:
    """The outer person's attended days of one kind, on or before `as_of`, earliest first."""
    date_field = "cohort__day1_date" if day == CourseDay.RESTORATIVE else "cohort__day2_date"
    return CourseAttendance.objects.filter(
        person=OuterRef("pk"), day=day, attended=True, **{f"{date_field}__lte": as_of}
    ).order_by(date_field, "cohort_id")


def people_with_training(as_of: datetime.date) -> QuerySet[Person]:
    """Every person, annotated with their training as it stood on `as_of`.

    - `restorative_on` / `base_on`: the dates of their first attended day 1 and day 2;
    - `trained_on`: the later of the two, when both exist (the person is trained);
    - `credited_phase_id`: the phase of the cohort where that completing day took place
      (day 2's, when both fell on the same date).
    """
    day1 = _attended(CourseDay.RESTORATIVE, as_of)
    day2 = _attended(CourseDay.BASE, as_of)
    return Person.objects.annotate(
        restorative_on=Subquery(day1.values("cohort__day1_date")[:1], output_field=DateField()),
        base_on=Subquery(day2.values("cohort__day2_date")[:1], output_field=DateField()),
    ).annotate(
        # Guarded by Case: PostgreSQL's GREATEST ignores NULL, SQLite's MAX(a, b) does not.
        trained_on=Case(
            When(
                restorative_on__isnull=False,
                base_on__isnull=False,
                then=Greatest("restorative_on", "base_on"),
            ),
            output_field=DateField(),
        ),
        credited_phase_id=Case(
            When(
                restorative_on__isnull=False,
                base_on__gte=F("restorative_on"),
                then=Subquery(day2.values("cohort__phase_id")[:1]),
            ),
            When(
                base_on__isnull=False,
                restorative_on__gt=F("base_on"),
                then=Subquery(day1.values("cohort__phase_id")[:1]),
            ),
            output_field=BigIntegerField(),
        ),
    )


@dataclass(frozen=True)
class TrainingRecord:
    """A person's training as it stood on a date, from their first attended day of each kind:
    the same values as `people_with_training` annotates, for figures counted outside SQL."""

    restorative_on: datetime.date | None = None
    base_on: datetime.date | None = None
    restorative_phase_id: int | None = None
    base_phase_id: int | None = None

    @property
    def trained_on(self) -> datetime.date | None:
        if self.restorative_on and self.base_on:
            return max(self.restorative_on, self.base_on)
        return None

    @property
    def credited_phase_id(self) -> int | None:
        if not self.trained_on:
            return None
        if self.base_on >= self.restorative_on:
            return self.base_phase_id
        return self.restorative_phase_id

    @property
    def state(self) -> TrainingState:
        return training_state(self)


def training_records(
    as_of: datetime.date, *, person_ids: Iterable[int] | None = None
) -> dict[int, TrainingRecord]:
    """Everyone's training as it stood on `as_of` (or only `person_ids`'), in one statement: each
    person's first attended day of each kind, by date and then cohort as `people_with_training`
    orders them, picked with ROW_NUMBER. People with no attended day are left out."""
    attended = CourseAttendance.objects.filter(attended=True).filter(
        Q(day=CourseDay.RESTORATIVE, cohort__day1_date__lte=as_of)
        | Q(day=CourseDay.BASE, cohort__day2_date__lte=as_of)
    )
    if person_ids is not None:
        attended = attended.filter(person_id__in=list(person_ids))
    on = Case(
        When(day=CourseDay.RESTORATIVE, then=F("cohort__day1_date")),
        default=F("cohort__day2_date"),
        output_field=DateField(),
    )
    firsts = (
        attended.annotate(
            on=on,
            rank=Window(
                RowNumber(),
                partition_by=[F("person_id"), F("day")],
                order_by=[on.asc(), F("cohort_id").asc()],
            ),
        )
        .filter(rank=1)
        .values_list("person_id", "day", "on", "cohort__phase_id")
    )
    days: dict[int, dict[str, object]] = defaultdict(dict)
    for person_id, day, on_date, phase_id in firsts:
        if day == CourseDay.RESTORATIVE:
            days[person_id].update(restorative_on=on_date, restorative_phase_id=phase_id)
        else:
            days[person_id].update(base_on=on_date, base_phase_id=phase_id)
    return {person_id: TrainingRecord(**values) for person_id, values in days.items()}


@dataclass(frozen=True)
class PhaseFigures:
    name: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    trained: int
    cumulative: int
    by_role_group: dict[str, int]
    pk: int | None = None
    # Cases worked with the model, beside the caseload they come from: filled in by
    # caseload.selectors.rollout_with_cases, which owns that figure.
    cases_with_model: int = 0
    caseload: int = 0


@dataclass(frozen=True)
class TeamFigures:
    name: str
    service_area: str
    active_staff: int
    trained_active: int
    part_trained_active: int
    pk: int | None = None
    cases_with_model: int = 0
    caseload: int = 0

    @property
    def share_trained(self) -> float:
        return self.trained_active / self.active_staff if self.active_staff else 0.0

    @property
    def untrained_active(self) -> int:
        return self.active_staff - self.trained_active


@dataclass(frozen=True)
class RoleGroupFigures:
    key: str
    label: str
    active_staff: int
    trained_active: int
    cases_with_model: int = 0
    caseload: int = 0

    @property
    def share_trained(self) -> float:
        return self.trained_active / self.active_staff if self.active_staff else 0.0


@dataclass(frozen=True)
class MonthPoint:
    month: datetime.date
    cumulative: int


@dataclass(frozen=True)
class RolloutSummary:
    as_of: datetime.date
    target: int
    trained_total: int
    phases: list[PhaseFigures]
    teams: list[TeamFigures]
    role_groups: list[RoleGroupFigures]
    timeline: list[MonthPoint] = field(default_factory=list)
    cases_with_model: int = 0
    caseload: int = 0

    @property
    def share_of_target(self) -> float:
        return self.trained_total / self.target if self.target else 0.0

    def teams_furthest_behind(self, count: int = 5) -> list[TeamFigures]:
        staffed = [team for team in self.teams if team.active_staff]
        return sorted(staffed, key=lambda team: (team.share_trained, -team.untrained_active))[
            :count
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "target": self.target,
            "trained_total": self.trained_total,
            "cases_with_model": self.cases_with_model,
            "caseload": self.caseload,
            "phases": [
                {
                    "name": phase.name,
                    "start_date": phase.start_date.isoformat() if phase.start_date else None,
                    "end_date": phase.end_date.isoformat() if phase.end_date else None,
                    "trained": phase.trained,
                    "cumulative": phase.cumulative,
                    "by_role_group": phase.by_role_group,
                    "cases_with_model": phase.cases_with_model,
                    "caseload": phase.caseload,
                }
                for phase in self.phases
            ],
            "teams": [
                {
                    "name": team.name,
                    "service_area": team.service_area,
                    "active_staff": team.active_staff,
                    "trained_active": team.trained_active,
                    "part_trained_active": team.part_trained_active,
                    "share_trained": round(team.share_trained, 4),
                }
                for team in self.teams
            ],
            "role_groups": {
                group.key: {
                    "active_staff": group.active_staff,
                    "trained_active": group.trained_active,
                }
                for group in self.role_groups
            },
        }


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _timeline(trained_by_date: dict[datetime.date, int], as_of: datetime.date) -> list[MonthPoint]:
    """Cumulative trained at the end of each month, from the first training to `as_of`."""
    if not trained_by_date:
        return []
    by_month: dict[datetime.date, int] = defaultdict(int)
    for day, count in trained_by_date.items():
        by_month[_month_start(day)] += count
    points, running = [], 0
    month = min(by_month)
    while month <= _month_start(as_of):
        running += by_month.get(month, 0)
        points.append(MonthPoint(month=month, cumulative=running))
        month = _next_month(month)
    return points


def rollout_summary(*, as_of: datetime.date) -> RolloutSummary:
    """Everything the roll-out page and report show, in a fixed number of queries.

    Each person's training comes from `training_records` (one statement for everyone) and is
    counted here, so the cost grows with the number of people and no faster.
    """
    records = training_records(as_of)
    phases = list(Phase.objects.all())
    people = Person.objects.values_list("pk", "team_id", "role_group", "status")

    trained_by_phase: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    team_totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    group_totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    trained_by_date: dict[datetime.date, int] = defaultdict(int)
    for pk, team_id, role_group, status in people:
        state = records[pk].state if pk in records else TrainingState.NOT_TRAINED
        if state == TrainingState.TRAINED:
            trained_by_phase[records[pk].credited_phase_id][role_group] += 1
            trained_by_date[records[pk].trained_on] += 1
        if status == PersonStatus.ACTIVE:
            totals = team_totals[team_id]
            totals[0] += 1
            totals[1] += state == TrainingState.TRAINED
            totals[2] += state == TrainingState.PART_TRAINED
            group_totals[role_group][0] += 1
            group_totals[role_group][1] += state == TrainingState.TRAINED

    phase_rows, cumulative = [], 0
    for phase in phases:
        by_group = {
            group.value: trained_by_phase[phase.pk].get(group.value, 0) for group in RoleGroup
        }
        trained = sum(by_group.values())
        cumulative += trained
        phase_rows.append(
            PhaseFigures(
                name=phase.name,
                start_date=phase.start_date,
                end_date=phase.end_date,
                trained=trained,
                cumulative=cumulative,
                by_role_group=by_group,
                pk=phase.pk,
            )
        )
    teams = [
        TeamFigures(
            name=team.name,
            service_area=team.service_area,
            active_staff=team_totals[team.pk][0],
            trained_active=team_totals[team.pk][1],
            part_trained_active=team_totals[team.pk][2],
            pk=team.pk,
        )
        for team in Team.objects.order_by("name")
    ]
    role_groups = [
        RoleGroupFigures(
            key=group.value,
            label=group.label,
            active_staff=group_totals[group.value][0],
            trained_active=group_totals[group.value][1],
        )
        for group in RoleGroup
    ]
    return RolloutSummary(
        as_of=as_of,
        target=ProgrammeSettings.load().workforce_target,
        trained_total=sum(trained_by_date.values()),
        phases=phase_rows,
        teams=teams,
        role_groups=role_groups,
        timeline=_timeline(trained_by_date, as_of),
    )


def is_trained(person: Person, as_of: datetime.date) -> bool:
    record = training_records(as_of, person_ids=[person.pk]).get(person.pk, TrainingRecord())
    return record.state == TrainingState.TRAINED


def roster_people(*, as_of: datetime.date) -> QuerySet[Person]:
    """The roster with each person's team, line manager and training as it stood on `as_of`."""
    return people_with_training(as_of).select_related("team", "line_manager")


def cohorts_with_counts() -> QuerySet[Cohort]:
    return Cohort.objects.select_related("phase").annotate(
        day1_attended=Count(
            "attendances", filter=Q(attendances__day=1, attendances__attended=True)
        ),
        day2_attended=Count(
            "attendances", filter=Q(attendances__day=2, attendances__attended=True)
        ),
        registered=Count("attendances__person", distinct=True),
    )


def cohort_registered_ids(cohort: Cohort) -> set[int]:
    return set(cohort.attendances.values_list("person_id", flat=True))


def cohort_register(cohort: Cohort, *, person_id: int | None = None) -> list[dict[str, object]]:
    """One row per person on a cohort's register, with their day 1 and day 2 attendance."""
    attendances = CourseAttendance.objects.filter(cohort=cohort)
    if person_id is not None:
        attendances = attendances.filter(person_id=person_id)
    rows: dict[int, dict[str, object]] = {}
    for attendance in attendances.select_related("person__team").order_by(
        "person__full_name", "day"
    ):
        row = rows.setdefault(attendance.person_id, {"person": attendance.person, "days": {}})
        row["days"][attendance.day] = attendance.attended
    return [
        {"person": row["person"], "marks": [(day.value, row["days"].get(day)) for day in CourseDay]}
        for row in rows.values()
    ]


RECENT_IMPORTS = 5


def import_runs_recent(*, kind: str) -> list[ImportRun]:
    """The latest imports of one kind, for the upload page (without their files)."""
    return list(
        ImportRun.objects.filter(kind=kind)
        .defer("data", "result")
        .select_related("requested_by")[:RECENT_IMPORTS]
    )
