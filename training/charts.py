"""Charts drawn on the server as SVG: no script, readable by assistive technology.

Each chart is drawn from the same figures as the table shown beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from training.selectors import RolloutSummary

WIDTH, HEIGHT = 720, 260
LABEL_WIDTH = 64  # room for a month label such as "Sep 2016" at 12px
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 36


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    show_label: bool


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class CumulativeChart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    target_y: float
    target: int
    baseline_y: float
    description: str


def _nice_ceiling(value: int) -> int:
    for step in (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if value <= step * 5:
            return -(-value // step) * step
    return value


def cumulative_chart(summary: RolloutSummary) -> CumulativeChart | None:
    points = summary.timeline
    if not points:
        return None
    top_value = _nice_ceiling(max(summary.target, points[-1].cumulative, 1))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / len(points)
    label_every = max(1, math.ceil(LABEL_WIDTH / slot))

    def y_of(value: int) -> float:
        return TOP + plot_height * (1 - value / top_value)

    bars = [
        Bar(
            x=round(LEFT + index * slot + slot * 0.1, 1),
            y=round(y_of(point.cumulative), 1),
            width=round(slot * 0.8, 1),
            height=round(plot_height * point.cumulative / top_value, 1),
            label=point.month.strftime("%b %Y"),
            value=point.cumulative,
            show_label=index % label_every == 0,
        )
        for index, point in enumerate(points)
    ]
    ticks = [
        Tick(y=round(y_of(value), 1), value=value)
        for value in range(0, top_value + 1, top_value // 5)
    ]
    last = points[-1]
    description = (
        f"{last.cumulative} people trained by the end of {last.month:%B %Y}, "
        f"against a target of {summary.target}; monthly totals are in the table below."
    )
    return CumulativeChart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        ticks=ticks,
        target_y=round(y_of(summary.target), 1),
        target=summary.target,
        baseline_y=TOP + plot_height,
        description=description,
    )
