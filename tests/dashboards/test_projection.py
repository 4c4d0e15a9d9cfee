"""The dashboard's projection to the critical mass of trained people and of practice, for
everyone in scope and each team, on constructed histories: steady, flat and falling."""

from __future__ import annotations

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from dashboards.selectors import Filters, FunnelRow, rollout_figures
from dashboards.selectors.projection import _row, team_projections
from dashboards.services import figures_refresh
from tests.dashboards.history import AS_OF
from tests.factories import attend, make_cohort, make_person, make_team
from training.models import ProgrammeSettings

pytestmark = pytest.mark.django_db


def history(*counts: tuple[int, int], in_scope: int = 20) -> list[FunnelRow]:
    """(trained, fidelity) at the last 7 month ends up to AS_OF, oldest first."""
    days = [AS_OF - relativedelta(months=back, day=31) for back in range(len(counts) - 1, -1, -1)]
    return [
        FunnelRow(day, "", in_scope, trained, fidelity, fidelity)
        for day, (trained, fidelity) in zip(days, counts, strict=True)
    ]


def test_a_steady_pace_projects_the_month_and_states_the_pace():
    row = _row("Steady", history(*[(n + 1, n) for n in range(7)]), 50, 50)

    # 5 points a month: trained 35% now, 50% in 3 months; fidelity 30% now, 50% in 4.
    assert (row.training.pace, row.training.expected_on) == (5, datetime.date(2026, 9, 30))
    assert (row.practice.pace, row.practice.expected_on) == (5, datetime.date(2026, 10, 31))


def test_a_flat_or_falling_pace_is_not_at_this_pace():
    flat = _row("Flat", history(*[(4, 2)] * 7), 50, 50)
    falling = _row("Falling", history(*[(8, 8 - n) for n in range(7)]), 50, 50)

    assert flat.training.not_at_this_pace and flat.practice.not_at_this_pace
    assert falling.practice.pace < 0 and falling.practice.not_at_this_pace
    assert falling.training.pace == 0 and falling.training.not_at_this_pace


def test_a_threshold_already_passed_is_reached_not_projected():
    row = _row("Ahead", history(*[(12, 0)] * 7), 50, 50)

    assert row.training.reached and row.training.expected_on is None


def steady_and_flat_teams() -> None:
    """Steady: 20 practitioners, one more trained each month (7 by AS_OF, 35%). Flat: 4, one
    trained years ago."""
    steady = make_team("Steady")
    people = [make_person(team=steady) for _ in range(20)]
    for back in range(7):
        day2 = AS_OF - relativedelta(months=back, day=15)
        attend(people[back], make_cohort(day1=day2 - datetime.timedelta(days=7), day2=day2))
    flat = make_team("Flat")
    trained = make_person(team=flat)
    for _ in range(3):
        make_person(team=flat)
    attend(trained, make_cohort())
    make_team("Nobody here")
    figures_refresh()


def test_the_dashboard_projects_each_team_from_its_own_history():
    settings_row = ProgrammeSettings.load()
    settings_row.critical_mass_trained_percent = 50
    settings_row.save()
    steady_and_flat_teams()

    figures = rollout_figures(Filters(as_of=AS_OF))
    projected = team_projections(
        figures.filters, figures.projection, figures.timeline, figures.teams
    )
    rows = {row.label: row for row in [figures.projection, *projected]}

    assert rows["Steady"].training.pace == 5
    assert rows["Steady"].training.expected_on == datetime.date(2026, 9, 30)
    assert rows["Flat"].training.not_at_this_pace
    assert rows["Nobody here"].in_scope == 0
    assert list(rows)[0] == "Everyone in scope"


def test_the_page_shows_the_month_the_pace_and_not_at_this_pace(cast, as_user):
    steady_and_flat_teams()

    html = as_user(cast.programme_lead).get(reverse("fidelity"), {"as_of": AS_OF}).content
    table = html.decode().split('data-table="projections"')[1].split("</table>")[0]
    rows = {
        name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cells))
        for name, cells in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', table, flags=re.S)
    }

    assert "5.0 points a month by the end of September 2026" in rows["Steady"]
    assert "not at this pace" in rows["Flat"]
    assert rows["Nobody here"].strip() == "No one in scope"
    assert "critical mass of trained people (50%" in html.decode()
