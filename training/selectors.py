"""Reads behind the roster, cohort and roll-out pages and the roll-out report.

The roll-out figures come from one place, `rollout_summary`, so the page, its exports and the
`rollout_report` command can never disagree.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.roles import Permission, can
from training.models import (
    PENDING_PLACES,
    TAKEN_PLACES,
    Cohort,
    CourseAttendance,
    CourseDay,
    CoursePlace,
    FirstCourseDays,
    ImportRun,
    Organisation,
    Person,
    PersonStatus,
    Phase,
    PlaceStatus,
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
    TRAINING_STATES for querysets without the `people_with_training` annotations, read from
    their stored first days.

    A condition over a joined row, for filters, excludes and `When`: someone who never attended
    has no row, so as a bare annotation (ExpressionWrapper) it is unknown (None), not False;
    wrap it in Case(When(...), default=False) there. Written as `pk__in` a subquery it is never
    unknown, but the roll-out summary and the home page's lists took about a third longer."""
    return Q(first_days__restorative_on__lte=as_of, first_days__base_on__lte=as_of)


def training_state(person: PersonWithTraining | TrainingRecord) -> TrainingState:
    """The state of one person annotated by `people_with_training`, or of a `TrainingRecord`."""
    if person.trained_on:
        return TrainingState.TRAINED
    if person.restorative_on or person.base_on:
        return TrainingState.PART_TRAINED
    return TrainingState.NOT_TRAINED


def _first_day_by(field: str, as_of: datetime.date) -> Case:
    """The outer person's stored first day of one kind (`restorative_on` or `base_on`), when it
    fell on or before `as_of`."""
    return Case(
        When(**{f"first_days__{field}__lte": as_of}, then=F(f"first_days__{field}")),
        output_field=DateField(),
    )


class CourseDays(TypedDict):
    restorative_on: datetime.date | None
    base_on: datetime.date | None


class TrainingDates(CourseDays):
    trained_on: datetime.date | None


class TrainingAnnotations(TrainingDates):
    credited_phase_id: int | None


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    PersonWithCourseDays = WithAnnotations[Person, CourseDays]
    PersonWithTrainingDates = WithAnnotations[Person, TrainingDates]
    PersonWithTraining = WithAnnotations[Person, TrainingAnnotations]


def people_with_course_days(as_of: datetime.date) -> QuerySet[PersonWithCourseDays]:
    """Every person, annotated with the dates of their first attended day 1 (`restorative_on`)
    and day 2 (`base_on`) as it stood on `as_of`, from their stored first days: all a list of
    people not yet trained needs."""
    return Person.objects.annotate(
        restorative_on=_first_day_by("restorative_on", as_of),
        base_on=_first_day_by("base_on", as_of),
    )


def people_with_training_dates(as_of: datetime.date) -> QuerySet[PersonWithTrainingDates]:
    """Every person, annotated with `restorative_on`, `base_on` and `trained_on` as
    `people_with_training` does, without the phase their training counts for."""
    return people_with_course_days(as_of).annotate(
        # Both first days on or before `as_of` (neither empty): the later of the two.
        trained_on=Case(
            When(
                trained_by(as_of),
                then=Greatest("first_days__restorative_on", "first_days__base_on"),
            ),
            output_field=DateField(),
        ),
    )


def people_with_training(as_of: datetime.date) -> QuerySet[PersonWithTraining]:
    """Every person, annotated with their training as it stood on `as_of`.

    - `restorative_on` / `base_on`: the dates of their first attended day 1 and day 2;
    - `trained_on`: the later of the two, when both exist (the person is trained);
    - `credited_phase_id`: the phase of the cohort where that completing day took place
      (day 2's, when both fell on the same date).

    Written over the stored first days themselves rather than over the other annotations:
    each annotation named in another is written out again in the SQL, and a statement over
    everyone grew several times over.
    """
    trained = trained_by(as_of)
    return people_with_training_dates(as_of).annotate(
        credited_phase_id=Case(
            When(
                trained & Q(first_days__base_on__gte=F("first_days__restorative_on")),
                then=F("first_days__base_phase_id"),
            ),
            When(trained, then=F("first_days__restorative_phase_id")),
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
        if self.restorative_on is None or self.base_on is None:  # not trained
            return None
        if self.base_on >= self.restorative_on:
            return self.base_phase_id
        return self.restorative_phase_id

    @property
    def state(self) -> TrainingState:
        return training_state(self)

    def on(self, as_of: datetime.date) -> TrainingRecord | None:
        """The record as it stood on `as_of`, from first days: a first day after `as_of` means
        no day of that kind attended by then (None: no day of either kind)."""
        restorative = self.restorative_on is not None and self.restorative_on <= as_of
        base = self.base_on is not None and self.base_on <= as_of
        if restorative and base:
            return self
        if not (restorative or base):
            return None
        return TrainingRecord(
            restorative_on=self.restorative_on if restorative else None,
            base_on=self.base_on if base else None,
            restorative_phase_id=self.restorative_phase_id if restorative else None,
            base_phase_id=self.base_phase_id if base else None,
        )


def first_days_attended(*, person_ids: Iterable[int] | None = None) -> dict[int, TrainingRecord]:
    """Each person's first attended day of each kind (or only that of `person_ids`), by date and
    then cohort as `people_with_training` orders them, worked out from their attended days in two
    statements: the rule that `FirstCourseDays` stores (training.services.first_days_record).
    People with no attended day are left out.

    The attended days are read as they are and the first of each kind picked here: nearly
    everyone attends each day once, and ranking them in SQL (ROW_NUMBER) cost several times the
    reading of them."""
    # The days' dates come from the cohorts (one row a cohort), not with each attended day:
    # converting thousands of dates cost more than the statement itself.
    attended = CourseAttendance.objects.filter(attended=True)
    cohorts = Cohort.objects.order_by()
    if person_ids is not None:
        attended = attended.filter(person_id__in=list(person_ids))
        cohorts = cohorts.filter(pk__in=attended.values("cohort_id"))
    dates: dict[tuple[int, int], datetime.date | None] = {}
    phases: dict[int, int] = {}
    for pk, day1_date, day2_date, phase_id in cohorts.values_list(
        "pk", "day1_date", "day2_date", "phase_id"
    ):
        dates[pk, CourseDay.RESTORATIVE] = day1_date
        dates[pk, CourseDay.BASE] = day2_date
        phases[pk] = phase_id
    # (person, day) -> (date, cohort, phase) of the first attended day of that kind.
    firsts: dict[tuple[int, int], tuple[datetime.date, int, int]] = {}
    for person_id, day, cohort_id in attended.values_list("person_id", "day", "cohort_id"):
        # .get: a cohort added between the two statements is not counted yet.
        on_date = dates.get((cohort_id, day))
        if on_date is None:  # a day with no date has not happened
            continue
        key = (person_id, day)
        first = firsts.get(key)
        if first is None or (on_date, cohort_id) < first[:2]:
            firsts[key] = (on_date, cohort_id, phases[cohort_id])
    restorative: dict[int, tuple[datetime.date, int, int]] = {}
    base: dict[int, tuple[datetime.date, int, int]] = {}
    for (person_id, day), first in firsts.items():
        (restorative if day == CourseDay.RESTORATIVE else base)[person_id] = first
    records = {}
    for person_id in restorative.keys() | base.keys():
        day1 = restorative.get(person_id)
        day2 = base.get(person_id)
        records[person_id] = TrainingRecord(
            restorative_on=day1[0] if day1 else None,
            base_on=day2[0] if day2 else None,
            restorative_phase_id=day1[2] if day1 else None,
            base_phase_id=day2[2] if day2 else None,
        )
    return records


def training_records(
    as_of: datetime.date, *, person_ids: Iterable[int] | None = None
) -> dict[int, TrainingRecord]:
    """Everyone's training as it stood on `as_of` (or only that of `person_ids`), read from their
    stored first days (`FirstCourseDays`, one row a person). People with no attended day by
    `as_of` are left out."""
    stored = FirstCourseDays.objects.order_by()
    if person_ids is not None:
        stored = stored.filter(person_id__in=list(person_ids))
    records = {}
    for (
        person_id,
        restorative_on,
        base_on,
        restorative_phase_id,
        base_phase_id,
    ) in stored.values_list(
        "person_id", "restorative_on", "base_on", "restorative_phase_id", "base_phase_id"
    ):
        record = TrainingRecord(
            restorative_on=restorative_on,
            base_on=base_on,
            restorative_phase_id=restorative_phase_id,
            base_phase_id=base_phase_id,
        ).on(as_of)
        if record is not None:
            records[person_id] = record
    return records


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
    pk: int | None = None  # the team's, for the pages its row links to
    cases_with_model: int = 0
    caseload: int = 0

    @property
    def team_id(self) -> int | None:
        return self.pk

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
class OrganisationFigures:
    """The council or a partner agency: its active staff and how many of them are trained."""

    key: int
    label: str
    kind: str
    active_staff: int
    trained_active: int

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
    organisations: list[OrganisationFigures] = field(default_factory=list)
    # The employing organisation the figures are narrowed to (None: everyone).
    organisation: int | None = None
    critical_mass_percent: int = 50
    """The critical mass of trained people, as a share of the target (ProgrammeSettings)."""
    critical_mass_reached_on: datetime.date | None = None
    """The day the number trained first reached the critical mass of trained people."""

    @property
    def share_of_target(self) -> float:
        return self.trained_total / self.target if self.target else 0.0

    @property
    def critical_mass_people(self) -> int:
        """How many trained people make the critical mass: the share of the target, rounded up."""
        return critical_mass_people(self.target, self.critical_mass_percent)

    @property
    def has_critical_mass(self) -> bool:
        return self.critical_mass_reached_on is not None

    def teams_furthest_behind(self, count: int = 5) -> list[TeamFigures]:
        return teams_furthest_behind(self.teams, count)

    def as_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "target": self.target,
            "trained_total": self.trained_total,
            "cases_with_model": self.cases_with_model,
            "caseload": self.caseload,
            "critical_mass_of_trained_people": {
                "percent_of_target": self.critical_mass_percent,
                "people": self.critical_mass_people,
                "reached": self.has_critical_mass,
                "first_reached": self.critical_mass_reached_on.isoformat()
                if self.critical_mass_reached_on
                else None,
            },
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
            "organisations": [
                {
                    "name": organisation.label,
                    "kind": organisation.kind,
                    "active_staff": organisation.active_staff,
                    "trained_active": organisation.trained_active,
                    "share_trained": round(organisation.share_trained, 4),
                }
                for organisation in self.organisations
            ],
        }


def teams_furthest_behind(teams: Iterable[TeamFigures], count: int = 5) -> list[TeamFigures]:
    """The `count` teams with staff at work and the lowest share of them trained (the most
    untrained first among equal shares)."""
    staffed = [team for team in teams if team.active_staff]
    return sorted(staffed, key=lambda team: (team.share_trained, -team.untrained_active))[:count]


@dataclass(frozen=True)
class RolloutGlance:
    """The roll-out at a glance, for a programme lead's home page: the same figures as
    `rollout_summary`'s, without its phases, role groups, employers and timeline."""

    target: int
    trained_total: int
    trained_by_then: int
    """How many were trained by the earlier day asked for."""
    teams_furthest_behind: list[TeamFigures]

    @property
    def trained_since(self) -> int:
        return self.trained_total - self.trained_by_then


def critical_mass_people(target: int, percent: int) -> int:
    """The critical mass of trained people: `percent` of the `target`, rounded up, at least one."""
    return max(1, -(-target * percent // 100))


def _first_reached(trained_by_date: dict[datetime.date, int], people: int) -> datetime.date | None:
    """The first day on which the running count of people trained reached `people`."""
    running = 0
    for day in sorted(trained_by_date):
        running += trained_by_date[day]
        if running >= people:
            return day
    return None


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


def _at_work_by_state(people: QuerySet[PersonWithTraining], *fields: str) -> QuerySet:
    """How many of `people` (annotated by `people_with_training`) are at work, by `fields` and
    by their state (TRAINING_STATES): rows of the fields' values, the state and the count."""
    state = Case(
        *(When(condition, then=Value(str(key))) for key, condition in TRAINING_STATES.items()),
        output_field=CharField(),
    )
    return (
        people.filter(status=PersonStatus.ACTIVE)
        .annotate(state=state)
        .values_list(*fields, "state")
        .annotate(count=Count("pk"))
        .order_by()
    )


def _team_figures(at_work: Iterable[tuple[int, str, int]]) -> list[TeamFigures]:
    """Every team, by name, with its active, trained and part-trained staff added up from
    `at_work`: (team, state, count) rows of `_at_work_by_state`."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for team_id, person_state, count in at_work:
        team = totals[team_id]
        team[0] += count
        team[1] += count if person_state == TrainingState.TRAINED else 0
        team[2] += count if person_state == TrainingState.PART_TRAINED else 0
    return [
        TeamFigures(
            name=name,
            service_area=service_area,
            active_staff=totals[pk][0],
            trained_active=totals[pk][1],
            part_trained_active=totals[pk][2],
            pk=pk,
        )
        for pk, name, service_area in Team.objects.order_by("name").values_list(
            "pk", "name", "service_area"
        )
    ]


def rollout_glance(*, as_of: datetime.date, then: datetime.date) -> RolloutGlance:
    """The people trained by `as_of` and by the earlier day `then` (everyone, leavers too, as
    `rollout_summary` counts them) and the teams furthest behind: three queries, one pass over
    the roster for the teams."""
    trained = Person.objects.aggregate(
        total=Count("pk", filter=trained_by(as_of)),
        by_then=Count("pk", filter=trained_by(then)),
    )
    at_work = _at_work_by_state(people_with_training(as_of), "team_id")
    return RolloutGlance(
        target=ProgrammeSettings.load().workforce_target,
        trained_total=trained["total"],
        trained_by_then=trained["by_then"],
        teams_furthest_behind=teams_furthest_behind(_team_figures(at_work)),
    )


def rollout_summary(*, as_of: datetime.date, organisation: int | None = None) -> RolloutSummary:
    """Everything the roll-out page and report show, in a fixed number of queries: for
    everyone, or for the people one organisation employs.

    Everyone's training comes from their stored first days, judged by TRAINING_STATES and
    counted in the database: the people at work by team, role group, employer and state, and
    the people trained by the phase it is credited to, role group and day. Two statements, each
    one pass over the roster, so the cost grows with the number of people and no faster.
    """
    phases = list(Phase.objects.all())
    people = people_with_training(as_of)
    if organisation is not None:
        people = people.filter(organisation_id=organisation)
    at_work = list(_at_work_by_state(people, "team_id", "role_group", "organisation_id"))
    trained_people = (
        people.filter(TRAINED)
        .values_list("credited_phase_id", "role_group", "trained_on")
        .annotate(count=Count("pk"))
        .order_by()
    )

    trained_by_phase: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    trained_by_date: dict[datetime.date, int] = defaultdict(int)
    for phase_id, role_group, trained_on, count in trained_people:
        trained_by_phase[phase_id][role_group] += count
        trained_by_date[trained_on] += count
    group_totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    employer_totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for _team_id, role_group, organisation_id, person_state, count in at_work:
        is_trained = count if person_state == TrainingState.TRAINED else 0
        group_totals[role_group][0] += count
        group_totals[role_group][1] += is_trained
        employer_totals[organisation_id][0] += count
        employer_totals[organisation_id][1] += is_trained

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
    teams = _team_figures((team, state, count) for team, _, _, state, count in at_work)
    role_groups = [
        RoleGroupFigures(
            key=group.value,
            label=group.label,
            active_staff=group_totals[group.value][0],
            trained_active=group_totals[group.value][1],
        )
        for group in RoleGroup
    ]
    programme = ProgrammeSettings.load()
    return RolloutSummary(
        as_of=as_of,
        target=programme.workforce_target,
        critical_mass_percent=programme.critical_mass_trained_percent,
        critical_mass_reached_on=_first_reached(
            trained_by_date,
            critical_mass_people(
                programme.workforce_target, programme.critical_mass_trained_percent
            ),
        ),
        trained_total=sum(trained_by_date.values()),
        phases=phase_rows,
        teams=teams,
        role_groups=role_groups,
        timeline=_timeline(trained_by_date, as_of),
        organisations=[
            OrganisationFigures(
                key=employer.pk,
                label=employer.name,
                kind=employer.get_kind_display(),
                active_staff=employer_totals[employer.pk][0],
                trained_active=employer_totals[employer.pk][1],
            )
            for employer in Organisation.objects.all()
        ],
        organisation=organisation,
    )


def is_trained(person: Person, as_of: datetime.date) -> bool:
    record = training_records(as_of, person_ids=[person.pk]).get(person.pk, TrainingRecord())
    return record.state == TrainingState.TRAINED


def roster_people(*, as_of: datetime.date) -> QuerySet[Person]:
    """The roster with each person's team, line manager and training as it stood on `as_of`."""
    return people_with_training(as_of).select_related("team", "line_manager")


def line_managed_ids(manager: Person) -> set[int]:
    """Everyone below `manager` in line management who has not left: their direct reports, the
    reports of those, and so on (a head of service manages their service's teams through the
    team managers who report to them). One query a level of the line, whatever its size."""
    found: set[int] = set()
    level = {manager.pk}
    while level:
        level = (
            set(
                Person.objects.filter(line_manager_id__in=level)
                .exclude(status=PersonStatus.LEFT)
                .order_by()
                .values_list("pk", flat=True)
            )
            - found
            - {manager.pk}
        )
        found |= level
    return found


def teams_managed_by(manager: Person) -> QuerySet[Team]:
    """The teams a person manages: those where someone they line-manage (see
    `line_managed_ids`) works."""
    return Team.objects.filter(
        pk__in=Person.objects.filter(pk__in=line_managed_ids(manager)).values("team_id")
    ).order_by("name")


def cohorts_with_counts() -> QuerySet[Cohort]:
    """Courses with their attendance and their places: taken (confirmed or offered), waiting
    and nominated."""
    return _with_place_counts(
        Cohort.objects.select_related("phase").annotate(
            day1_attended=Count(
                "attendances", filter=Q(attendances__day=1, attendances__attended=True)
            ),
            day2_attended=Count(
                "attendances", filter=Q(attendances__day=2, attendances__attended=True)
            ),
            registered=Count("attendances__person", distinct=True),
        )
    )


def cohort_registered_ids(cohort: Cohort) -> set[int]:
    return set(cohort.attendances.values_list("person_id", flat=True))


def cohort_register(cohort: Cohort, *, person_id: int | None = None) -> list[dict[str, object]]:
    """One row per person on a cohort's register, with their day 1 and day 2 attendance."""
    attendances = CourseAttendance.objects.filter(cohort=cohort)
    if person_id is not None:
        attendances = attendances.filter(person_id=person_id)
    people: dict[int, Person] = {}
    days: dict[int, dict[int, bool | None]] = {}
    for attendance in attendances.select_related("person__team").order_by(
        "person__full_name", "day"
    ):
        people.setdefault(attendance.person_id, attendance.person)
        days.setdefault(attendance.person_id, {})[attendance.day] = attendance.attended
    return [
        {"person": person, "marks": [(day.value, days[pk].get(day)) for day in CourseDay]}
        for pk, person in people.items()
    ]


RECENT_IMPORTS = 5


def import_runs_recent(*, kind: str) -> list[ImportRun]:
    """The latest imports of one kind, for the upload page (without their files)."""
    return list(
        ImportRun.objects.filter(kind=kind)
        .defer("data", "result")
        .select_related("requested_by")[:RECENT_IMPORTS]
    )


# Courses and the places on them ------------------------------------------------------------------


def unfinished_course(today: datetime.date, prefix: str = "cohort__") -> Q:
    """Places (or, with no prefix, courses) on a course whose last day is today or later, or
    not yet dated: as `Cohort.has_finished`, in the database."""
    day1, day2 = f"{prefix}day1_date", f"{prefix}day2_date"
    return Q(**{f"{day2}__gte": today}) | (
        Q(**{f"{day2}__isnull": True})
        & (Q(**{f"{day1}__gte": today}) | Q(**{f"{day1}__isnull": True}))
    )


def _place_count(*statuses: str) -> Coalesce:
    counted = (
        CoursePlace.objects.filter(cohort=OuterRef("pk"), status__in=statuses)
        .order_by()
        .values("cohort")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _with_place_counts(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    # Subqueries, not joins: a join on places beside the join on attendance would multiply both.
    return cohorts.annotate(
        taken=_place_count(*TAKEN_PLACES),
        waiting=_place_count(PlaceStatus.WAITING),
        nominated=_place_count(PlaceStatus.NOMINATED),
    )


def courses_to_come(*, today: datetime.date | None = None) -> QuerySet[Cohort]:
    """Courses not yet started, soonest first, with their places counted: the ones people may
    be nominated for or move to."""
    today = today or timezone.localdate()
    return _with_place_counts(
        Cohort.objects.filter(Q(day1_date__gt=today) | Q(day1_date__isnull=True))
        .select_related("phase")
        .order_by(F("day1_date").asc(nulls_last=True), "name", "pk")
    )


def with_waiting_position(places: QuerySet[CoursePlace]) -> QuerySet[CoursePlace]:
    """Places with `position`: where a place on a waiting list stands on it (1 is next)."""
    ahead = (
        CoursePlace.objects.filter(cohort=OuterRef("cohort"), status=PlaceStatus.WAITING)
        .filter(
            Q(waiting_since__lt=OuterRef("waiting_since"))
            | Q(waiting_since=OuterRef("waiting_since"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("cohort")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return places.annotate(
        position=Case(
            When(status=PlaceStatus.WAITING, then=Subquery(ahead)),
            output_field=IntegerField(),
        )
    )


@dataclass
class CoursePlaces:
    """A course's places as its page shows them."""

    confirmed: list[CoursePlace]
    offered: list[CoursePlace]
    nominated: list[CoursePlace]
    waiting: list[CoursePlace]  # in the order places are offered
    closed: list[CoursePlace]  # withdrawn or moved, latest first

    @property
    def taken(self) -> int:
        return len(self.confirmed) + len(self.offered)

    @property
    def moves(self) -> list[CoursePlace]:
        return [place for place in self.confirmed if place.move_to_id]


def course_places(cohort: Cohort) -> CoursePlaces:
    """Every place on a course, in one query."""
    places = list(
        cohort.places.select_related("person__team", "nominated_by", "move_to").order_by(
            "nominated_at", "pk"
        )
    )
    by_status: dict[str, list[CoursePlace]] = defaultdict(list)
    for place in places:
        by_status[place.status].append(place)
    return CoursePlaces(
        confirmed=sorted(by_status[PlaceStatus.CONFIRMED], key=lambda p: p.person.full_name),
        offered=by_status[PlaceStatus.OFFERED],
        nominated=by_status[PlaceStatus.NOMINATED],
        waiting=sorted(by_status[PlaceStatus.WAITING], key=lambda p: (p.waiting_since, p.pk)),
        closed=sorted(
            by_status[PlaceStatus.WITHDRAWN] + by_status[PlaceStatus.MOVED],
            key=lambda p: (p.closed_at or p.nominated_at, p.pk),
            reverse=True,
        ),
    )


@dataclass(frozen=True)
class CourseMix:
    """Who is on a course, by role group and by service area."""

    by_role_group: list[tuple[str, int]]
    by_service_area: list[tuple[str, int]]
    total: int

    @property
    def one_profession(self) -> str | None:
        """The service area everyone on the course comes from, when there are two or more of
        them and one area: the model mixes professions on purpose."""
        areas = [area for area, _ in self.by_service_area]
        if self.total >= 2 and len(areas) == 1 and areas[0]:
            return areas[0]
        return None


def course_mix(cohort: Cohort) -> CourseMix:
    """The mix of the people on a course's register, which holds everyone confirmed on it."""
    rows = list(
        Person.objects.filter(pk__in=cohort.attendances.values("person_id"))
        .values("role_group", "team__service_area")
        .annotate(count=Count("pk"))
        .order_by()
    )
    groups: dict[str, int] = defaultdict(int)
    areas: dict[str, int] = defaultdict(int)
    for row in rows:
        groups[row["role_group"]] += row["count"]
        areas[row["team__service_area"]] += row["count"]
    labels = dict(RoleGroup.choices)
    return CourseMix(
        by_role_group=[(labels[key], groups[key]) for key in RoleGroup.values if groups[key]],
        by_service_area=sorted(areas.items(), key=lambda item: (-item[1], item[0])),
        total=sum(groups.values()),
    )


def current_place(person: Person, *, today: datetime.date | None = None) -> CoursePlace | None:
    """The place a person holds or waits on: one waiting for a decision, or a confirmed place on
    a course still to finish."""
    today = today or timezone.localdate()
    return (
        with_waiting_position(
            person.course_places.filter(
                Q(status__in=PENDING_PLACES)
                | (Q(status=PlaceStatus.CONFIRMED) & unfinished_course(today))
            )
        )
        .select_related("cohort")
        .order_by("-nominated_at", "-pk")
        .first()
    )


def confirmed_places(person: Person, *, since: datetime.date) -> QuerySet[CoursePlace]:
    """A person's confirmed places on courses whose last day is `since` or later (their
    calendar's course days)."""
    return (
        person.course_places.filter(status=PlaceStatus.CONFIRMED)
        .filter(unfinished_course(since))
        .select_related("cohort")
    )


def holding_a_place(today: datetime.date) -> Exists:
    """For people: a confirmed place on a course still to finish."""
    return Exists(
        CoursePlace.objects.filter(person=OuterRef("pk"), status=PlaceStatus.CONFIRMED).filter(
            unfinished_course(today)
        )
    )


def people_to_be_trained(
    *, line_manager: Person | None = None, today: datetime.date | None = None
) -> QuerySet[Person]:
    """People at work who are not trained and hold no confirmed place on a course still to
    finish: new starters and everyone else the roll-out has not yet reached, and anyone whose
    course ended without them completing it. With `line_manager`, only their staff.

    Each comes with `pending_places`: a nomination, a place on a waiting list or a place
    offered that waits for a decision (at most one), with its `position` on the list.
    """
    today = today or timezone.localdate()
    people = (
        # Nobody here is trained: the days attended so far are all there is to show.
        people_with_course_days(today)
        .filter(status=PersonStatus.ACTIVE)
        .exclude(trained_by(today))
        .exclude(holding_a_place(today))
        .select_related("team", "line_manager")
        .prefetch_related(
            Prefetch(
                "course_places",
                queryset=with_waiting_position(
                    CoursePlace.objects.filter(status__in=PENDING_PLACES)
                ).select_related("cohort"),
                to_attr="pending_places",
            )
        )
        .order_by("team__name", "full_name", "pk")
    )
    if line_manager is not None:
        people = people.filter(line_manager=line_manager)
    return people


def people_to_nominate(people: QuerySet[Person]) -> QuerySet[Person]:
    """Those of `people` with no place waiting for a decision."""
    return people.exclude(
        Exists(CoursePlace.objects.filter(person=OuterRef("pk"), status__in=PENDING_PLACES))
    )


def person_of(user: User | AnonymousUser) -> Person | None:
    """The roster entry behind a signed-in account, if it has one."""
    return getattr(user, "person", None) if user.is_authenticated else None


def request_person(request: HttpRequest) -> Person:
    """The person behind this request, for every page about "my" things: an account not linked
    to the roster gets a 404, as for anything else that is not theirs."""
    person = person_of(request.user)
    if person is None:
        raise Http404("Your account is not linked to the roster.")
    return person


def may_decide_places(user: User) -> bool:
    return can(user, Permission.CONFIRM_PLACES)


def get_place_for_user(user: User, pk: int) -> CoursePlace:
    """A place its person, their line manager, or someone who confirms places may act on: 404
    for anyone else, so an ID reveals nothing."""
    place = (
        CoursePlace.objects.select_related("person", "cohort__phase", "move_to")
        .filter(pk=pk)
        .first()
    )
    person = person_of(user)
    if place is None or not (
        may_decide_places(user)
        or (person is not None and person.pk in (place.person_id, place.person.line_manager_id))
    ):
        raise Http404("No such place.")
    return place
