"""Charts drawn on the server as SVG, with no script, so a strict Content-Security-Policy holds.

Each chart is drawn from the rows of the table shown beside it; the table is the truth. Series
differ by line pattern and are labelled at their ends, so no meaning rests on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 52, 170, 16, 40
PATTERNS = ["", "8 4", "2 4", "10 4 2 4", "1 3", "14 6"]
COLOURS = ["#1d70b8", "#00703c", "#d4351c", "#4c2c92", "#505a5f", "#912b88"]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Line:
    name: str
    points: list[Point]
    path: str
    dash: str
    colour: str
    end_x: float
    end_y: float


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str


@dataclass(frozen=True)
class LineChart:
    title: str
    description: str
    width: int
    height: int
    lines: list[Line]
    ticks: list[Tick]
    x_labels: list[XLabel]
    left: int
    plot_right: int
    baseline: float
    threshold_y: float | None = None
    threshold_label: str = ""
    threshold_label_x: float = 0
    threshold_label_y: float = 0
    threshold_label_anchor: str = "start"


def _ceiling(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if value <= step * 5:
            return max(step, -(-value // step) * step)
    return value


def line_chart(
    *,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    percent: bool = False,
    threshold: float | None = None,
    threshold_label: str = "",
) -> LineChart | None:
    if not x_labels or not series:
        return None
    values = [value for _, points in series for value in points if value is not None]
    top = 1.0 if percent else _ceiling(max([*values, threshold or 0, 1]))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(x_labels) - 1, 1)

    def x_of(index: int) -> float:
        return round(LEFT + index * step, 1)

    def y_of(value: float) -> float:
        return round(TOP + plot_height * (1 - value / top), 1)

    def show(value: float) -> str:
        return f"{value:.0%}" if percent else f"{value:g}"

    lines = []
    for number, (name, points) in enumerate(series):
        drawn = [
            Point(x_of(index), y_of(value), f"{x_labels[index]}: {show(value)}")
            for index, value in enumerate(points)
            if value is not None
        ]
        if not drawn:
            continue
        path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(drawn))
        lines.append(
            Line(
                name=name,
                points=drawn,
                path=path,
                dash=PATTERNS[number % len(PATTERNS)],
                colour=COLOURS[number % len(COLOURS)],
                end_x=drawn[-1].x + 6,
                end_y=drawn[-1].y,
            )
        )
    _spread_labels(lines)
    every = max(1, -(-len(x_labels) * 60 // plot_width))
    threshold_y = y_of(threshold) if threshold is not None else None
    label_x, label_y, label_anchor = (
        _place_threshold_label(threshold_label, threshold_y, lines, WIDTH - RIGHT)
        if threshold_y is not None
        else (0, 0, "start")
    )
    return LineChart(
        title=title,
        description=description,
        width=WIDTH,
        height=HEIGHT,
        lines=lines,
        ticks=[Tick(y_of(top * i / 5), show(top * i / 5)) for i in range(6)],
        x_labels=[
            XLabel(x_of(index), label) for index, label in enumerate(x_labels) if index % every == 0
        ],
        left=LEFT,
        plot_right=WIDTH - RIGHT,
        baseline=TOP + plot_height,
        threshold_y=threshold_y,
        threshold_label=threshold_label,
        threshold_label_x=label_x,
        threshold_label_y=label_y,
        threshold_label_anchor=label_anchor,
    )


def _spread_labels(lines: list[Line]) -> None:
    """Move end labels apart so that they never overlap (14px apart at least)."""
    ordered = sorted(lines, key=lambda line: line.end_y)
    previous = None
    for line in ordered:
        if previous is not None and line.end_y - previous < 14:
            object.__setattr__(line, "end_y", round(previous + 14, 1))
        previous = line.end_y


def _place_threshold_label(
    label: str, threshold_y: float, lines: list[Line], plot_right: int
) -> tuple[float, float, str]:
    """Where the threshold's label can be read: just above or below its line, at the left or the
    right end, wherever no series is drawn through the text (the first place if none is free).

    Returns the label's x, its baseline's y and its text-anchor.
    """
    width = len(label) * 7 + 6  # 12px text, with room for a point's radius
    drawn = []
    for line in lines:
        for start, end in pairwise(line.points):
            drawn += [
                (start.x + (end.x - start.x) * step / 20, start.y + (end.y - start.y) * step / 20)
                for step in range(21)
            ]
        drawn += [(point.x, point.y) for point in line.points]
    places = [
        (x, y, anchor)
        for y in (threshold_y - 5, threshold_y + 15)
        if TOP + 12 <= y <= HEIGHT - BOTTOM
        for x, anchor in ((LEFT + 4, "start"), (plot_right - 4, "end"))
    ]
    for x, y, anchor in places:
        left = x if anchor == "start" else x - width
        if not any(
            left - 3 <= px <= left + width + 3 and y - 15 <= py <= y + 7 for px, py in drawn
        ):
            return x, y, anchor
    return places[0] if places else (LEFT + 4, threshold_y + 15, "start")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    width: int
    height: int
    bars: list[Bar]
    label_width: int
    bar_height: int


def bar_chart(
    *, title: str, description: str, rows: Sequence[tuple[str, float]], percent: bool = True
) -> BarChart | None:
    if not rows:
        return None
    label_width, bar_height, gap = 250, 22, 10
    top = 1.0 if percent else _ceiling(max(value for _, value in rows) or 1)
    plot_width = WIDTH - label_width - 60
    bars = [
        Bar(
            label=label,
            value=value,
            shown=f"{value:.0%}" if percent else f"{value:g}",
            y=index * (bar_height + gap) + 4,
            width=round(plot_width * value / top, 1),
        )
        for index, (label, value) in enumerate(rows)
    ]
    return BarChart(
        title=title,
        description=description,
        width=WIDTH,
        height=len(rows) * (bar_height + gap) + 8,
        bars=bars,
        label_width=label_width,
        bar_height=bar_height,
    )
