"""Column charts drawn on the server as SVG: no script, readable by assistive technology.

A chart is drawn from the same figures as the table shown beside it. Its columns stand side by
side in the order given; a stretch the chart leaves out (months in which nothing changed) is a
break of its own, drawn as a dashed line at the level that held, with a pair of slanted strokes
across the axis and a label saying what was left out, so the reader is never misled about time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 276
LABEL_WIDTH = 64  # room for a label such as "Sep 2016" at 12px
TEXT_WIDTH = 6.5  # the width of a character at 12px, near enough
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 52
LABEL_Y = HEIGHT - BOTTOM + 16
BREAK_LABEL_Y = HEIGHT - BOTTOM + 32


@dataclass(frozen=True)
class Column:
    """A figure to draw as a column, such as one month's total."""

    label: str
    value: int


@dataclass(frozen=True)
class Gap:
    """A stretch the chart leaves out, through which the figure held at `value`."""

    label: str
    """Shown under the break, such as "111 months"."""
    title: str
    """What was left out, in full, such as "September 2017 to November 2026: 199 throughout"."""
    value: int


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    show_label: bool
    label_x: float
    label_anchor: str
    """The last column's label ends at its right edge, so it stays inside the chart."""
    is_break = False


@dataclass(frozen=True)
class Break:
    x: float
    width: float
    y: float
    label: str
    title: str
    value: int
    is_break = True

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def end_x(self) -> float:
        return round(self.x + self.width, 1)

    @property
    def label_place(self) -> tuple[float, str]:
        """The x and text-anchor of the label: centred under the break, unless that would run
        past either side of the chart."""
        half = len(self.label) * TEXT_WIDTH / 2
        if self.middle + half > WIDTH - RIGHT:
            return WIDTH - RIGHT, "end"
        if self.middle - half < LEFT:
            return LEFT, "start"
        return self.middle, "middle"

    @property
    def label_x(self) -> float:
        return self.label_place[0]

    @property
    def label_anchor(self) -> str:
        return self.label_place[1]

    @property
    def strokes(self) -> str:
        """An SVG path of two slanted strokes across the axis, the mark of a broken axis."""
        base = HEIGHT - BOTTOM
        return " ".join(
            f"M{round(self.middle + offset - 4, 1)},{base + 6} "
            f"L{round(self.middle + offset + 4, 1)},{base - 6}"
            for offset in (-3, 3)
        )


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    slots: list[Bar | Break]
    ticks: list[Tick]
    target_y: float | None
    target: int | None
    baseline_y: float
    label_y: float
    break_label_y: float

    @property
    def bars(self) -> list[Bar]:
        return [slot for slot in self.slots if isinstance(slot, Bar)]

    @property
    def breaks(self) -> list[Break]:
        return [slot for slot in self.slots if isinstance(slot, Break)]


def nice_ceiling(value: int) -> int:
    """The smallest round number at or above `value` that divides into five even ticks."""
    for step in (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if value <= step * 5:
            return -(-value // step) * step
    return value


def column_chart(slots: Sequence[Column | Gap], *, target: int | None = None) -> ColumnChart:
    """Columns (and breaks) side by side across the plot, on a scale from 0 that has room for
    the highest column and the target line."""
    top_value = nice_ceiling(max([target or 0, *(slot.value for slot in slots), 1]))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot_width = plot_width / max(len(slots), 1)

    def y_of(value: int) -> float:
        return round(TOP + plot_height * (1 - value / top_value), 1)

    labelled = _labelled(slots, [LEFT + index * slot_width for index in range(len(slots))])
    drawn: list[Bar | Break] = []
    for index, slot in enumerate(slots):
        x = LEFT + index * slot_width
        if isinstance(slot, Gap):
            drawn.append(
                Break(
                    x=round(x, 1),
                    width=round(slot_width, 1),
                    y=y_of(slot.value),
                    label=slot.label,
                    title=slot.title,
                    value=slot.value,
                )
            )
        else:
            drawn.append(
                Bar(
                    x=round(x + slot_width * 0.1, 1),
                    y=y_of(slot.value),
                    width=round(slot_width * 0.8, 1),
                    height=round(plot_height * slot.value / top_value, 1),
                    label=slot.label,
                    value=slot.value,
                    show_label=index in labelled,
                    label_x=round(x + slot_width * (0.9 if index == len(slots) - 1 else 0.1), 1),
                    label_anchor="end" if index == len(slots) - 1 else "start",
                )
            )
    return ColumnChart(
        width=WIDTH,
        height=HEIGHT,
        slots=drawn,
        ticks=[
            Tick(y=y_of(value), value=value) for value in range(0, top_value + 1, top_value // 5)
        ],
        target_y=y_of(target) if target is not None else None,
        target=target,
        baseline_y=TOP + plot_height,
        label_y=LABEL_Y,
        break_label_y=BREAK_LABEL_Y,
    )


def _labelled(slots: Sequence[Column | Gap], xs: list[float]) -> set[int]:
    """The columns whose labels are shown: the first, the last and each one after a break
    always (they say where the chart starts, ends and picks up again), others at even steps
    wherever there is room for them."""
    columns = [index for index, slot in enumerate(slots) if isinstance(slot, Column)]
    if not columns:
        return set()
    every = max(1, math.ceil(LABEL_WIDTH / (xs[1] - xs[0]))) if len(xs) > 1 else 1
    kept = {columns[0], columns[-1]} | {
        index for index in columns if index and isinstance(slots[index - 1], Gap)
    }
    for number, index in enumerate(columns):
        if number % every == 0 and all(abs(xs[index] - xs[other]) >= LABEL_WIDTH for other in kept):
            kept.add(index)
    return kept
