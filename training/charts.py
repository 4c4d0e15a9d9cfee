"""The roll-out chart: people trained so far, month by month, against the target.

The chart's time runs from the first month anyone was trained to the as-of date, but months in
which nobody was trained do not get to stretch it: a quiet stretch longer than
`LONGEST_QUIET_DRAWN` is drawn for its first `QUIET_MONTHS_KEPT` months (to show the total
holding), then as a break that names the months left out, then the chart picks up again with
the next month anyone was trained, or ends with the as-of month. Without this, a roll-out
trained in 2015 to 2017 and looked at today would be a small slope followed by years of flat
line, squeezed into the left of the chart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from common.charts.columns import Column, ColumnChart, Gap, column_chart
from training.selectors import MonthPoint, RolloutSummary

LONGEST_QUIET_DRAWN = 12
"""Months without anyone trained that are drawn in full (a pause between phases)."""
QUIET_MONTHS_KEPT = 3
"""Months drawn at the start of a longer quiet stretch, before the break."""


@dataclass(frozen=True)
class QuietStretch:
    """Months left out of the chart, through which the total held at `total`."""

    since: datetime.date
    """The month of the last training before the stretch."""
    first: datetime.date
    last: datetime.date
    months: int
    total: int
    at_end: bool
    """Whether nobody has been trained since, up to the as-of date."""

    @property
    def span(self) -> str:
        return f"{self.first:%B %Y} to {self.last:%B %Y}"

    @property
    def explanation(self) -> str:
        if self.at_end:
            return (
                f"Nobody has been trained since {self.since:%B %Y}, so the total has stayed at "
                f"{self.total}: the chart leaves out {self.span} ({self.months} months, marked "
                "by a break in its time axis) and ends with the as-of month."
            )
        return (
            f"Nobody was trained from {self.first:%B %Y} to {self.last:%B %Y}, when the total "
            f"stayed at {self.total}: the chart leaves out those {self.months} months, marked "
            "by a break in its time axis."
        )


@dataclass(frozen=True)
class Row:
    """A row of the chart's table: a month, or the months a break leaves out."""

    label: str
    cumulative: int
    left_out: bool = False


@dataclass(frozen=True)
class RolloutChart:
    drawing: ColumnChart
    rows: list[Row]
    left_out: list[QuietStretch]
    description: str
    explanation: str
    """Said on the page, under the chart, when the chart leaves months out; else empty."""


def drawn_months(points: list[MonthPoint]) -> list[MonthPoint | QuietStretch]:
    """The months the chart draws, in order, with each long quiet stretch left out."""
    drawn: list[MonthPoint | QuietStretch] = []
    index = 0
    while index < len(points):
        point = points[index]
        drawn.append(point)
        index += 1
        quiet_end = index
        while quiet_end < len(points) and points[quiet_end].cumulative == point.cumulative:
            quiet_end += 1
        quiet = points[index:quiet_end]
        if len(quiet) <= LONGEST_QUIET_DRAWN:
            continue
        # At the end of the timeline the as-of month is drawn after the break, so the chart
        # still ends on the as-of date.
        at_end = quiet_end == len(points)
        kept, left_out = quiet[:QUIET_MONTHS_KEPT], quiet[QUIET_MONTHS_KEPT:]
        if at_end:
            left_out = left_out[:-1]
        drawn.extend(kept)
        drawn.append(
            QuietStretch(
                since=point.month,
                first=left_out[0].month,
                last=left_out[-1].month,
                months=len(left_out),
                total=point.cumulative,
                at_end=at_end,
            )
        )
        index = quiet_end - 1 if at_end else quiet_end
    return drawn


def cumulative_chart(summary: RolloutSummary) -> RolloutChart | None:
    points = summary.timeline
    if not points:
        return None
    drawn = drawn_months(points)
    slots: list[Column | Gap] = []
    rows: list[Row] = []
    for item in drawn:
        if isinstance(item, QuietStretch):
            slots.append(
                Gap(
                    label=f"{item.months} months not shown",
                    title=f"{item.span}: {item.total} throughout, nobody trained",
                    value=item.total,
                )
            )
            rows.append(Row(label=item.span, cumulative=item.total, left_out=True))
        else:
            slots.append(Column(label=f"{item.month:%b %Y}", value=item.cumulative))
            rows.append(Row(label=f"{item.month:%B %Y}", cumulative=item.cumulative))
    left_out = [item for item in drawn if isinstance(item, QuietStretch)]
    as_of = summary.as_of
    description = (
        f"{points[-1].cumulative} people trained by {as_of.day} {as_of:%B %Y}, against a target "
        f"of {summary.target}; the totals month by month are in the table below."
    )
    explanation = " ".join(stretch.explanation for stretch in left_out)
    if explanation:
        description = f"{description} {explanation}"
    return RolloutChart(
        drawing=column_chart(slots, target=summary.target),
        rows=rows,
        left_out=left_out,
        description=description,
        explanation=explanation,
    )
