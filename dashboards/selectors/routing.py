"""The lists of people waiting at a step from the roster to 2:1s, counted for the dashboard.

Each list is its owning app's: training says who is to be trained, circles who is to be placed
in a circle, supervision who needs a supervisor. The dashboard shows their counts as of today,
whatever the filters.
"""

from __future__ import annotations

from dataclasses import dataclass

from circles.selectors import people_to_be_placed
from supervision.selectors import people_needing_a_supervisor
from training.selectors import people_to_be_trained


@dataclass(frozen=True)
class RoutingCounts:
    """How many people wait at each step from the roster to 2:1s, today."""

    to_be_trained: int
    to_be_placed: int
    needs_supervisor: int


def routing_counts() -> RoutingCounts:
    return RoutingCounts(
        to_be_trained=people_to_be_trained().prefetch_related(None).count(),
        to_be_placed=people_to_be_placed().count(),
        needs_supervisor=people_needing_a_supervisor().count(),
    )
