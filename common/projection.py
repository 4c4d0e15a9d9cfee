"""When will a rising figure reach its threshold, at the pace it has kept lately?

The monthly summary uses it for the dashboard's critical mass of practice (the share practising
with fidelity against its threshold); any other rising figure can use the same arithmetic.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

# The pace is the average monthly change over this many months before the latest.
PACE_MONTHS = 6


@dataclass(frozen=True)
class Projection:
    threshold: float
    latest: float | None
    pace: float | None
    """The average change a month over the last `PACE_MONTHS` months; None without that history."""
    reached_on: datetime.date | None
    """The first month end at or above the threshold, if it has been reached."""
    expected_on: datetime.date | None
    """The month end when, at `pace`, it will be reached; None if reached or not at this pace."""

    @property
    def reached(self) -> bool:
        return self.reached_on is not None

    @property
    def not_at_this_pace(self) -> bool:
        """Not reached, and flat or falling (or too little history to tell)."""
        return not self.reached and self.expected_on is None


def project(
    history: list[tuple[datetime.date, float]], threshold: float, *, months: int = PACE_MONTHS
) -> Projection:
    """`history`: (month, value) at each month's end, oldest first, one a month, the latest last.

    Once reached, the threshold stays reached (the first month is reported), whatever came after.
    """
    if not history:
        return Projection(threshold, None, None, None, None)
    reached_on = next((month for month, value in history if value >= threshold), None)
    latest_month, latest = history[-1]
    pace = None
    if len(history) > months:
        pace = (latest - history[-1 - months][1]) / months
    expected_on = None
    if reached_on is None and pace is not None and pace > 0:
        months_needed = math.ceil((threshold - latest) / pace)
        expected_on = latest_month + relativedelta(months=months_needed, day=31)
    return Projection(threshold, latest, pace, reached_on, expected_on)
