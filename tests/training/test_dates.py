from __future__ import annotations

import datetime

import pytest

from training.dates import date_span, out_of_span, skipped_time

D, T = datetime.date, datetime.time
CLOCKS_GO_FORWARD = D(2027, 3, 28)  # the last Sunday of March: 01:00 to 02:00 never happens
CLOCKS_GO_BACK = D(2027, 10, 31)  # 01:00 to 02:00 happens twice


def test_the_span_runs_from_2000_to_the_end_of_the_year_ten_years_ahead():
    assert date_span(D(2026, 11, 28)) == (D(2000, 1, 1), D(2036, 12, 31))
    assert out_of_span(D(2000, 1, 1), D(2026, 11, 28)) is None
    assert out_of_span(D(2036, 12, 31), D(2026, 11, 28)) is None
    assert out_of_span(D(1999, 12, 31), D(2026, 11, 28)) == (
        "Enter a date between 1 January 2000 and 31 December 2036."
    )
    assert out_of_span(D(2037, 1, 1), D(2026, 11, 28)) is not None


@pytest.mark.parametrize("time", [T(1, 0), T(1, 30), T(1, 59, 59)])
def test_the_hour_the_clocks_skip_does_not_exist(time):
    assert skipped_time(CLOCKS_GO_FORWARD, time) == (
        f"The clocks go forward on Sunday 28 March 2027, so {time:%H:%M} does not exist "
        "that day. Choose another time."
    )


@pytest.mark.parametrize(
    ("day", "time"),
    [
        (CLOCKS_GO_FORWARD, T(0, 59)),
        (CLOCKS_GO_FORWARD, T(2, 0)),
        (CLOCKS_GO_BACK, T(1, 30)),  # happens twice, which is still a time
        (D(2027, 3, 21), T(1, 30)),
    ],
)
def test_every_other_time_exists(day, time):
    assert skipped_time(day, time) is None
