"""What practice leaders and supervisors should look at, each by the rule of the app that owns
it: competencies (rated themselves higher), circles (in no circle), supervision (overdue)."""

from __future__ import annotations

from dataclasses import dataclass

from circles.selectors import unplaced_trained_people
from competencies.models import Stage
from competencies.selectors import rated_self_higher
from dashboards.selectors.filters import Filters
from dashboards.selectors.ratings import SHARES, supervisor_ratings
from supervision.selectors import overdue_people
from training.selectors import people_with_training


@dataclass(frozen=True)
class FlaggedPerson:
    name: str
    team: str
    line_manager: str = ""
    competencies: int = 0  # rated themselves higher on this many


@dataclass(frozen=True)
class BasicStage:
    """A BASE stage's supervisor ratings at Basic: a training need where the share is high."""

    stage: str
    basic: int
    ratings: int

    @property
    def share(self) -> float:
        return self.basic / self.ratings if self.ratings else 0.0


@dataclass(frozen=True)
class Flags:
    # By name here for supervisors' own people and the report's counts; the dashboard shows
    # these by team only (a review is its practitioner's and their supervisor's).
    self_higher: list[FlaggedPerson]
    basic_stages: list[BasicStage]
    in_no_circle: list[FlaggedPerson]
    overdue: list[FlaggedPerson]


def flags(filters: Filters, *, overdue_days: int) -> Flags:
    """What practice leaders and supervisors should look at, for the people in scope."""
    in_scope = filters.people()
    over_rated = (
        rated_self_higher(people_with_training(filters.as_of).filter(in_scope), as_of=filters.as_of)
        .values_list("full_name", "team__name", "self_higher")
        .order_by("-self_higher", "full_name")
    )
    stage_labels = dict(Stage.choices)
    basic_stages = (
        supervisor_ratings(filters, months=6)
        .values("competency__area__stage")
        .annotate(**SHARES)
        .order_by("-basic")
    )
    in_no_circle = (
        unplaced_trained_people(as_of=filters.as_of)
        .filter(in_scope)
        .values_list("full_name", "team__name")
    )
    overdue = (
        overdue_people(as_of=filters.as_of, days=overdue_days)
        .filter(in_scope)
        .values_list("full_name", "team__name", "line_manager__full_name")
    )
    return Flags(
        self_higher=[
            FlaggedPerson(name=name, team=team, competencies=count)
            for name, team, count in over_rated
        ],
        basic_stages=[
            BasicStage(
                stage=stage_labels.get(row["competency__area__stage"], ""),
                basic=row["basic"],
                ratings=row["ratings"],
            )
            for row in basic_stages
        ],
        in_no_circle=[FlaggedPerson(name=name, team=team) for name, team in in_no_circle],
        overdue=[
            FlaggedPerson(name=name, team=team, line_manager=manager or "")
            for name, team, manager in overdue
        ],
    )
