"""What practice leaders and supervisors should look at, each by the rule of the app that owns
it: competencies (rated themselves higher), circles (in no circle), supervision (overdue)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from circles.selectors import unplaced_trained_people
from competencies.selectors import rated_self_higher
from dashboards.selectors.filters import Filters
from supervision.selectors import overdue_people
from training.models import Person


@dataclass(frozen=True)
class FlaggedPerson:
    name: str
    team: str
    line_manager: str = ""
    competencies: int = 0  # rated themselves higher on this many


@dataclass(frozen=True)
class Flags:
    # By name here for supervisors' own people and the report's counts; the dashboard shows
    # these by team only (a review is its practitioner's and their supervisor's).
    self_higher: list[FlaggedPerson]
    in_no_circle: list[FlaggedPerson]
    overdue: list[FlaggedPerson]

    @property
    def self_higher_by_team(self) -> list[tuple[str, int]]:
        """How many people each team has flagged as rating themselves higher, by team name:
        what the dashboard and the report show of them (counted here once, not regrouped in
        the template, which took longer than counting at a region's thousands of people)."""
        return sorted(Counter(person.team for person in self.self_higher).items())


def flags(filters: Filters, *, overdue_days: int) -> Flags:
    """What practice leaders and supervisors should look at, for the people in scope."""
    in_scope = filters.people()
    over_rated = rated_self_higher(Person.objects.filter(in_scope), as_of=filters.as_of)
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
            for _, name, team, count in over_rated
        ],
        in_no_circle=[FlaggedPerson(name=name, team=team) for name, team in in_no_circle],
        overdue=[
            FlaggedPerson(name=name, team=team, line_manager=manager or "")
            for name, team, manager in overdue
        ],
    )
