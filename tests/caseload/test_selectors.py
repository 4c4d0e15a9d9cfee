"""Cases worked with the model as of a date: each person's latest monthly figure in the month of
the date and the two before it, summed; the same figure on the page, its downloads and the
command."""

from __future__ import annotations

import csv
import datetime
import io
import json
import random

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from caseload.models import MonthlyCaseload, Source
from caseload.selectors import cases_with_model, cases_with_model_by_month, months_counted
from tests.factories import attend, make_cohort, make_person, make_phase, make_team
from training.models import RoleGroup

pytestmark = pytest.mark.django_db

D = datetime.date


def record(person, month: datetime.date, caseload: int, with_model: int) -> None:
    MonthlyCaseload.objects.create(
        person=person,
        month=month.replace(day=1),
        caseload=caseload,
        cases_with_model=with_model,
        source=Source.PRACTITIONER,
    )


@pytest.mark.any_day
def test_each_persons_latest_figure_in_the_month_and_the_two_before_it_counts():
    today = timezone.localdate()
    this_month = today.replace(day=1)
    back = [this_month - relativedelta(months=n) for n in range(4)]
    recent, older, stale, fresh = (make_person() for _ in range(4))
    record(recent, back[2], 10, 1)
    record(recent, back[0], 12, 5)  # the latest: counts instead of the month before last
    record(older, back[2], 8, 2)  # two months before this one: still counts
    record(stale, back[3], 30, 30)  # three months before: out of date, counts no more
    record(fresh, back[1], 9, 3)

    figures = cases_with_model(as_of=today)

    assert (figures.total.cases_with_model, figures.total.caseload) == (5 + 2 + 3, 12 + 8 + 9)
    assert months_counted(today) == (back[2], back[0])
    # On the last day of last month, this month's figures are still to come.
    last_month_end = this_month - datetime.timedelta(days=1)
    earlier = cases_with_model(as_of=last_month_end)
    assert earlier.total.cases_with_model == 1 + 2 + 30 + 3
    # On the first of this month, this month's figures already count.
    assert cases_with_model(as_of=this_month).total.cases_with_model == 5 + 2 + 3


def test_figures_are_summed_by_credited_phase_team_and_role_group():
    pilot, phase1 = make_phase("Pilot"), make_phase("Phase 1")
    pod, health = make_team("Pod"), make_team("Health")
    in_pilot = make_person(team=pod)
    in_phase1 = make_person(team=health, role_group=RoleGroup.PARTNER)
    untrained = make_person(team=health)
    attend(in_pilot, make_cohort(phase=pilot, day1=D(2015, 11, 3), day2=D(2015, 11, 10)))
    attend(in_phase1, make_cohort(phase=phase1, day1=D(2016, 3, 1), day2=D(2016, 3, 8)))
    for person, with_model in ((in_pilot, 18), (in_phase1, 3), (untrained, 1)):
        record(person, D(2016, 9, 1), 20, with_model)

    figures = cases_with_model(as_of=D(2016, 9, 30))

    assert {key: count.cases_with_model for key, count in figures.by_phase.items()} == {
        pilot.pk: 18,
        phase1.pk: 3,
        None: 1,
    }
    assert {key: count.caseload for key, count in figures.by_team.items()} == {
        pod.pk: 20,
        health.pk: 40,
    }
    assert {key: count.cases_with_model for key, count in figures.by_role_group.items()} == {
        RoleGroup.PRACTITIONER: 19,
        RoleGroup.PARTNER: 3,
    }
    # Before anyone was trained in phase 1, their training counts for no phase yet.
    assert cases_with_model(as_of=D(2016, 2, 29)).by_phase == {}


def test_the_page_its_downloads_and_the_command_give_the_same_figures(cast, as_user):
    phase = make_phase("Pilot")
    cohort = make_cohort(phase=phase, day1=D(2015, 11, 3), day2=D(2015, 11, 10))
    team = make_team("Pod")
    people = [make_person(team=team) for _ in range(3)]
    for index, person in enumerate(people):
        attend(person, cohort)
        record(person, D(2016, 8, 1), 20 + index, 2 + index)
    record(people[0], D(2016, 9, 1), 21, 7)
    expected = cases_with_model(as_of=D(2016, 9, 30))
    assert (expected.total.cases_with_model, expected.total.caseload) == (7 + 3 + 4, 21 + 21 + 22)
    client = as_user(cast.programme_lead)

    page = client.get(reverse("rollout"), {"as_of": "2016-09-30"}).context["summary"]
    phases_csv = client.get(
        reverse("rollout"), {"as_of": "2016-09-30", "table": "phases", "_export": "csv"}
    )
    teams_csv = client.get(
        reverse("rollout"), {"as_of": "2016-09-30", "table": "teams", "_export": "csv"}
    )
    out = io.StringIO()
    call_command("rollout_report", "--as-of", "2016-09-30", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())

    assert (page.cases_with_model, page.caseload) == (14, 64)
    assert (report["cases_with_model"], report["caseload"]) == (14, 64)
    pilot_row = next(row for row in report["phases"] if row["name"] == "Pilot")
    assert (pilot_row["cases_with_model"], pilot_row["caseload"]) == (14, 64)
    phase_rows = list(csv.DictReader(io.StringIO(phases_csv.content.decode("utf-8-sig"))))
    assert [
        (row["Phase"], row["Cases worked with the model"], row["Caseload"]) for row in phase_rows
    ] == [("Pilot", "14", "64")]
    team_rows = {
        row["Team"]: (row["Cases worked with the model"], row["Caseload"])
        for row in csv.DictReader(io.StringIO(teams_csv.content.decode("utf-8-sig")))
    }
    assert team_rows["Pod"] == ("14", "64")
    assert team_rows[cast.practitioner.team.name] == ("0", "0")


def test_the_figures_by_month_end_are_each_dates_own_figures():
    """The dashboard's month by month (one query for all the month ends) agrees with the rule
    at each date (`cases_with_model`), for people who record some months and skip others."""
    rng = random.Random(7)
    team = make_team("Recording")
    people = [make_person(team=team) for _ in range(6)]
    first = D(2025, 1, 1)
    for person in people:
        for month in range(24):
            if rng.random() < 0.6:
                load = rng.randint(5, 20)
                record(person, first + relativedelta(months=month), load, rng.randint(0, load))
    ends = [first + relativedelta(months=month, day=31) for month in range(-1, 26)]
    in_team = Q(person__team=team)

    by_month = cases_with_model_by_month(ends=ends, people=in_team)

    assert by_month == {end: cases_with_model(as_of=end, people=in_team).total for end in ends}
    assert len({count for count in by_month.values()}) > 10  # the dates differ from each other
