"""The home page: what waits for the signed-in person, built from what they are.

Nothing here decides a rule of the domain. Each panel composes the selectors of the app that owns
the concept (reviews from `competencies`, 2:1s from `supervision`, circles from `circles`,
training from `training`), and a person who holds several roles sees several panels.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Generic, TypeVar

from dateutil.relativedelta import relativedelta
from django.db.models import Count, QuerySet, Window
from django.utils import timezone

from accounts.models import User
from accounts.roles import Permission, Role, can, has_role
from circles import selectors as circles
from circles.models import CircleMeeting
from competencies import selectors as competencies
from competencies.models import Review
from dashboards.selectors import Filters, TeamRow, headline, team_rows
from dashboards.services import figures_catch_up
from dashboards.summary import Figure, figures_with_change
from supervision import selectors as supervision
from supervision.models import SupervisionSession
from training import selectors as training
from training.models import CoursePlace, Person

# How many of a list the home page shows before "and N more" with a link to the full page.
SHOWN = 5

T = TypeVar("T")


@dataclass
class Listed(Generic[T]):
    """The first `SHOWN` items of a list, and how many there are in all."""

    items: list[T]
    total: int

    @classmethod
    def of(cls, items: list[T]) -> Listed[T]:
        return cls(items=items[:SHOWN], total=len(items))

    @classmethod
    def first_of(cls, query: QuerySet) -> Listed:
        """The first of a query and its count, without reading every row, in one query: the
        count comes with each row (a window over the whole result), so the list's conditions,
        which at a region's size are most of the work, are worked out once, not twice."""
        counted = query.annotate(listed_total=Window(Count("pk")))
        # The same count on every row, so sorting by it first changes no order; but it makes
        # PostgreSQL count the whole list before taking the first rows. Without it, PostgreSQL
        # 15 plans the window as if it could stop early, and at 30,000 people walked every
        # team against every person (2.5 s for the list of people to be trained).
        ordering = counted.query.order_by or counted.model._meta.ordering
        items = list(counted.order_by("listed_total", *ordering)[:SHOWN])
        return cls(items=items, total=items[0].listed_total if items else 0)

    @classmethod
    def count_of(cls, query: QuerySet) -> Listed:
        """How many a query lists, with none of them: for a panel that shows only the number.
        A count leaves out the list's order, joins and annotated columns, which are most of
        the work of listing."""
        return cls(items=[], total=query.count())

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class PractitionerPanel:
    drafts: list[Review]
    returned: list[Review]
    next_session: SupervisionSession | None
    next_meeting: CircleMeeting | None
    latest_review: Review | None


@dataclass
class Overdue:
    person: Person
    days_since: int | None  # None: never had a 2:1


@dataclass
class Waiting:
    review: Review
    days: int


@dataclass
class Routing:
    """Where new starters (and everyone else) stand on the way to practising the model: each
    list is its owning app's (training, circles, supervision)."""

    to_be_trained: Listed[Person]
    to_be_placed: Listed[Person]
    needs_supervisor: Listed[Person] | None = None


def routing(
    *, line_manager: Person | None = None, with_supervisors: bool = True, named: bool = True
) -> Routing:
    """The three lists, for one line manager's staff or (with none) for everyone. Unless
    `named`, the first two are counted only (the programme lead's panel shows their numbers,
    with links to the lists); whoever needs a supervisor is always named."""
    listed = Listed.first_of if named else Listed.count_of
    return Routing(
        # The home page names them only: their places are on the list's own page.
        to_be_trained=listed(
            training.people_to_be_trained(line_manager=line_manager).prefetch_related(None)
        ),
        to_be_placed=listed(circles.people_to_be_placed(line_manager=line_manager)),
        needs_supervisor=Listed.first_of(
            supervision.people_needing_a_supervisor(line_manager=line_manager)
        )
        if with_supervisors
        else None,
    )


@dataclass
class SupervisorPanel:
    waiting: Listed[Waiting]
    overdue: Listed[Overdue]
    next_sessions: Listed[SupervisionSession]
    rated_higher: Listed[Person]
    staff: Routing


@dataclass
class LeaderPanel:
    circles: list[circles.LedCircle]
    registers: Listed[CircleMeeting]
    unplaced: Listed[Person]
    area: str


@dataclass
class ProgrammePanel:
    rollout: training.RolloutGlance
    """The people trained against the target, those trained since the end of the month three
    months back, and the teams furthest behind."""
    # The dashboard's headline in its default scope (practitioners), with the change in each
    # share over the last three months.
    in_scope: int
    figures: list[Figure]
    routing: Routing


@dataclass
class TeamsPanel:
    teams: list[TeamRow]
    """The teams the person manages, with the dashboard's figures for each."""


@dataclass
class Home:
    person: Person | None
    """With `trained_on`, `restorative_on` and `base_on` as of today (training's own rule)."""
    place: CoursePlace | None = None
    """The person's place on a course, while they are not trained."""
    practitioner: PractitionerPanel | None = None
    supervisor: SupervisorPanel | None = None
    leader: LeaderPanel | None = None
    programme: ProgrammePanel | None = None
    teams: TeamsPanel | None = None


def _days(since: datetime.datetime | None, now: datetime.datetime) -> int | None:
    return None if since is None else (timezone.localdate(now) - timezone.localdate(since)).days


def practitioner_panel(person: Person, *, now: datetime.datetime) -> PractitionerPanel:
    drafts = list(competencies.drafts_of(person))
    return PractitionerPanel(
        # A draft that was submitted before has been sent back by the supervisor.
        drafts=[review for review in drafts if review.submitted_at is None],
        returned=[review for review in drafts if review.submitted_at is not None],
        next_session=supervision.upcoming_sessions(person, now=now)
        .filter(practitioners=person)
        .first(),
        next_meeting=circles.next_meeting_for(person, now=now),
        latest_review=competencies.latest_signed_off(person),
    )


def supervisor_panel(person: Person, *, now: datetime.datetime) -> SupervisorPanel:
    people = list(supervision.supervisees(person, now=now))
    overdue = sorted(
        (p for p in people if p.overdue),
        # Never seen first, then the longest since their last 2:1.
        key=lambda p: (p.last_held is not None, p.last_held or now, p.full_name),
    )
    return SupervisorPanel(
        waiting=Listed.of(
            [
                Waiting(review=review, days=_days(review.submitted_at, now) or 0)
                for review in competencies.waiting_for(person)
            ]
        ),
        overdue=Listed.of([Overdue(person=p, days_since=_days(p.last_held, now)) for p in overdue]),
        next_sessions=Listed.of(
            list(
                supervision.upcoming_sessions(person, now=now)
                .filter(supervisor=person)
                .prefetch_related("practitioners")[: SHOWN + 1]
            )
        ),
        rated_higher=Listed.of([p for p in people if p.rated_higher]),
        # A supervisor's own staff have a supervisor: their line manager.
        staff=routing(line_manager=person, with_supervisors=False),
    )


def leader_panel(person: Person, *, now: datetime.datetime) -> LeaderPanel:
    area = person.team.service_area
    unplaced = circles.unplaced_trained_people()
    if area:
        unplaced = unplaced.filter(team__service_area=area)
    return LeaderPanel(
        circles=circles.led_circles_health(person),
        registers=Listed.of(list(circles.registers_not_taken(person, now=now))),
        unplaced=Listed.of(list(unplaced)),
        area=area,
    )


def programme_panel(*, today: datetime.date) -> ProgrammePanel:
    # Trained by the end of the month three months back: the last quarter is what came after
    # (as the roll-out page's timeline of month ends counts it).
    quarter_end = today.replace(day=1) - relativedelta(months=3) + relativedelta(day=31)
    rollout = training.rollout_glance(as_of=today, then=quarter_end)
    figures_catch_up()
    now, then = headline(Filters(as_of=today), since=today - relativedelta(months=3))
    return ProgrammePanel(
        rollout=rollout,
        in_scope=now.in_scope,
        figures=figures_with_change(now, then),
        routing=routing(named=False),
    )


def teams_panel(person: Person, *, today: datetime.date) -> TeamsPanel:
    teams = list(training.teams_managed_by(person))
    if not teams:
        return TeamsPanel(teams=[])
    # As the team view does before reading the stored figures, so that the two agree (one
    # query when they are up to date).
    figures_catch_up()
    return TeamsPanel(teams=team_rows(Filters(as_of=today), teams))


def home_for(user: User, *, now: datetime.datetime | None = None) -> Home:
    now = now or timezone.now()
    person = training.person_of(user)
    if person is not None:
        person = (
            # Their training dates (the page says when they trained), not the phase it counts for.
            training.people_with_training_dates(timezone.localdate(now))
            .select_related("team")
            .get(pk=person.pk)
        )
    home = Home(person=person)
    if person is not None:
        if person.trained_on is None:
            home.place = training.current_place(person, today=timezone.localdate(now))
        if has_role(user, Role.PRACTITIONER):
            home.practitioner = practitioner_panel(person, now=now)
        if can(user, Permission.SUPERVISE):
            home.supervisor = supervisor_panel(person, now=now)
        if has_role(user, Role.PRACTICE_LEADER):
            home.leader = leader_panel(person, now=now)
        if can(user, Permission.VIEW_MANAGED_TEAMS):
            home.teams = teams_panel(person, today=timezone.localdate(now))
    if can(user, Permission.VIEW_DASHBOARD):
        home.programme = programme_panel(today=timezone.localdate(now))
    return home
