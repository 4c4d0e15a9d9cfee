"""When a rising figure reaches its threshold, at the pace of the last months."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta

from common.projection import project

START = datetime.date(2026, 1, 31)


def monthly(*values: float) -> list[tuple[datetime.date, float]]:
    return [(START + relativedelta(months=n, day=31), value) for n, value in enumerate(values)]


def test_at_a_steady_pace_the_month_it_will_be_reached_is_projected():
    # 2 points a month over the last six months: 38 now, 50 needs 6 more months.
    projection = project(monthly(24, 26, 28, 30, 32, 34, 36, 38), 50)

    assert projection.pace == 2
    assert projection.expected_on == datetime.date(2027, 2, 28)
    assert not projection.reached and not projection.not_at_this_pace


def test_a_part_month_rounds_up_to_the_month_it_is_passed():
    projection = project(monthly(0, 1, 2, 3, 4, 5, 6), 6.5)

    assert projection.expected_on == datetime.date(2026, 8, 31)


def test_once_reached_the_first_month_stays_the_answer_even_after_a_fall():
    projection = project(monthly(40, 52, 49, 47), 50)

    assert projection.reached_on == datetime.date(2026, 2, 28)
    assert projection.expected_on is None and projection.reached


def test_flat_falling_or_too_short_a_history_has_no_projected_date():
    assert project(monthly(*[10] * 7), 50).not_at_this_pace
    assert project(monthly(20, 18, 16, 14, 12, 10, 8), 50).not_at_this_pace
    too_short = project(monthly(10, 20, 30), 50)
    assert too_short.pace is None and too_short.not_at_this_pace
    assert project([], 50).latest is None
