"""The roll-out chart's time axis fits the training: long stretches in which nobody was trained
are a labelled break, not years of flat line."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from common.charts.columns import LEFT, RIGHT, WIDTH
from tests.factories import attend, make_cohort, make_person, make_phase
from training.charts import cumulative_chart
from training.selectors import MonthPoint, RolloutSummary

D = datetime.date


def months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    found, month = [], first.replace(day=1)
    while month <= last:
        found.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return found


def summary(trained: dict[datetime.date, int], as_of: datetime.date) -> RolloutSummary:
    """A roll-out in which `trained[month]` people finished training in each month."""
    running, timeline = 0, []
    for month in months(min(trained), as_of):
        running += trained.get(month, 0)
        timeline.append(MonthPoint(month=month, cumulative=running))
    return RolloutSummary(
        as_of=as_of,
        target=300,
        trained_total=running,
        phases=[],
        teams=[],
        role_groups=[],
        timeline=timeline,
    )


# The demo's roll-out: a pilot in November 2015, two phases in 2016, the last people in May 2017.
DEMO = {
    D(2015, 11, 1): 2,
    D(2016, 2, 1): 4,
    D(2016, 4, 1): 4,
    D(2016, 6, 1): 4,
    D(2016, 9, 1): 23,
    D(2016, 10, 1): 38,
    D(2016, 11, 1): 57,
    D(2016, 12, 1): 36,
    D(2017, 1, 1): 11,
    D(2017, 3, 1): 10,
    D(2017, 5, 1): 10,
}


def test_training_that_ended_in_2017_seen_today_is_not_drawn_as_nine_years_of_flat_line():
    chart = cumulative_chart(summary(DEMO, as_of=D(2026, 12, 1)))

    drawing = chart.drawing
    bars = [bar.label for bar in drawing.bars]
    # Every month from the first training to three months after the last, then the as-of month.
    assert bars == [f"{month:%b %Y}" for month in months(D(2015, 11, 1), D(2017, 8, 1))] + [
        "Dec 2026"
    ]
    [gap] = drawing.breaks
    assert (gap.label, gap.value) == ("111 months not shown", 199)
    assert gap.title == "September 2017 to November 2026: 199 throughout, nobody trained"
    assert [slot.is_break for slot in drawing.slots][-2:] == [True, False]
    # The months in which people were trained take most of the chart's width.
    trained_until = next(bar for bar in drawing.bars if bar.label == "May 2017")
    assert trained_until.x + trained_until.width > LEFT + 0.75 * (WIDTH - LEFT - RIGHT)
    assert chart.explanation == (
        "Nobody has been trained since May 2017, so the total has stayed at 199: the chart "
        "leaves out September 2017 to November 2026 (111 months, marked by a break in its time "
        "axis) and ends with the as-of month."
    )
    assert chart.explanation in chart.description


def test_the_charts_table_has_each_month_drawn_and_one_row_for_the_months_left_out():
    chart = cumulative_chart(summary(DEMO, as_of=D(2026, 12, 1)))

    rows = [(row.label, row.cumulative, row.left_out) for row in chart.rows]
    assert rows[0] == ("November 2015", 2, False)
    assert rows[-3:] == [
        ("August 2017", 199, False),
        ("September 2017 to November 2026", 199, True),
        ("December 2026", 199, False),
    ]
    assert len(rows) == len(chart.drawing.slots)


def test_every_month_is_drawn_when_the_as_of_date_is_soon_after_the_last_training():
    chart = cumulative_chart(summary(DEMO, as_of=D(2016, 12, 31)))

    assert [bar.label for bar in chart.drawing.bars] == [
        f"{month:%b %Y}" for month in months(D(2015, 11, 1), D(2016, 12, 1))
    ]
    assert chart.drawing.breaks == []
    assert chart.explanation == ""
    assert chart.description == (
        "168 people trained by 31 December 2016, against a target of 300; the totals month by "
        "month are in the table below."
    )


@pytest.mark.parametrize(("quiet", "broken"), [(12, False), (13, True)])
def test_a_pause_of_up_to_a_year_is_drawn_in_full_and_a_longer_one_is_a_break(quiet, broken):
    last = (D(2016, 1, 1) + datetime.timedelta(days=31 * (quiet + 1))).replace(day=1)
    trained = {D(2016, 1, 1): 10, last: 5}

    chart = cumulative_chart(summary(trained, as_of=last))

    assert len(chart.drawing.slots) == (1 + 3 + 1 + 1 if broken else quiet + 2)
    assert bool(chart.drawing.breaks) is broken


def test_a_long_pause_between_phases_is_a_break_and_the_chart_picks_up_with_the_next_phase():
    trained = {D(2015, 11, 1): 2, D(2019, 4, 1): 30, D(2019, 5, 1): 20}

    chart = cumulative_chart(summary(trained, as_of=D(2019, 6, 15)))

    assert [slot.label for slot in chart.drawing.slots] == [
        "Nov 2015",
        "Dec 2015",
        "Jan 2016",
        "Feb 2016",
        "37 months not shown",
        "Apr 2019",
        "May 2019",
        "Jun 2019",
    ]
    # The month it picks up again is labelled, and so are the first and last.
    assert [bar.label for bar in chart.drawing.bars if bar.show_label][:1] == ["Nov 2015"]
    assert {"Apr 2019", "Jun 2019"} <= {bar.label for bar in chart.drawing.bars if bar.show_label}
    assert chart.explanation == (
        "Nobody was trained from March 2016 to March 2019, when the total stayed at 2: the "
        "chart leaves out those 37 months, marked by a break in its time axis."
    )


def test_no_label_of_the_time_axis_runs_into_another_or_out_of_the_chart():
    chart = cumulative_chart(summary(DEMO, as_of=D(2026, 12, 1)))

    shown = [bar for bar in chart.drawing.bars if bar.show_label]
    starts = [bar.label_x - (52 if bar.label_anchor == "end" else 0) for bar in shown]
    assert all(later - earlier >= 52 for earlier, later in zip(starts, starts[1:], strict=False))
    assert shown[-1].label == "Dec 2026" and shown[-1].label_x <= WIDTH - RIGHT
    [gap] = chart.drawing.breaks
    assert gap.label_anchor == "end" and gap.label_x <= WIDTH - RIGHT


@pytest.mark.django_db
def test_the_rollout_page_says_under_its_chart_which_months_it_leaves_out(cast, as_user):
    attend(make_person(), make_cohort(phase=make_phase(), day1=D(2016, 3, 1), day2=D(2016, 3, 8)))
    client = as_user(cast.programme_lead)

    today = client.get(reverse("rollout"), {"as_of": "2026-12-01"}).content.decode()
    soon_after = client.get(reverse("rollout"), {"as_of": "2016-05-31"}).content.decode()

    said = (
        "Nobody has been trained since March 2016, so the total has stayed at 1: the chart "
        "leaves out July 2016 to November 2026 (125 months, marked by a break in its time "
        "axis) and ends with the as-of month."
    )
    assert f'<p class="small" id="chart-left-out">{said}</p>' in today
    assert 'class="break"' in today
    assert "chart-left-out" not in soon_after and 'class="break"' not in soon_after
