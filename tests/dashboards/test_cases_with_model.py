"""The dashboard's cases worked with the model, month by month beside practising with fidelity."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from caseload.models import MonthlyCaseload, Source
from caseload.selectors import cases_with_model
from tests.factories import make_person, make_team
from training.models import PersonStatus, RoleGroup

pytestmark = pytest.mark.django_db

D = datetime.date


def record(person, month: datetime.date, caseload: int, with_model: int) -> None:
    MonthlyCaseload.objects.create(
        person=person,
        month=month,
        caseload=caseload,
        cases_with_model=with_model,
        source=Source.PRACTITIONER,
    )


def test_the_dashboard_shows_cases_with_the_model_at_each_month_end(cast, as_user):
    team = make_team("Pod")
    ana, ben = make_person(team=team), make_person(team=team)
    left = make_person(team=team, status=PersonStatus.LEFT)
    manager = make_person(team=team, role_group=RoleGroup.MANAGER)
    record(ana, D(2026, 6, 1), 20, 2)
    record(ana, D(2026, 9, 1), 20, 6)
    record(ben, D(2026, 11, 1), 10, 4)
    record(left, D(2026, 11, 1), 10, 9)  # not in the dashboard's scope: no longer active
    record(manager, D(2026, 11, 1), 10, 9)  # nor a practitioner, the scope by default

    response = as_user(cast.programme_lead).get(reverse("fidelity"), {"as_of": "2026-11-30"})

    months = {row.label: row for row in response.context["cases_by_month"]}
    assert len(months) == len(response.context["data"].timeline)
    assert [
        (label, months[label].cases_with_model, months[label].caseload)
        for label in ("May 2026", "Jun 2026", "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026")
    ] == [
        ("May 2026", 0, 0),
        ("Jun 2026", 2, 20),
        ("Aug 2026", 2, 20),  # June's figure is still among the last three months
        ("Sep 2026", 6, 20),
        ("Oct 2026", 6, 20),
        ("Nov 2026", 10, 30),
    ]
    scope = cases_with_model(
        as_of=D(2026, 11, 30),
        people=response.context["data"].filters.people(prefix="person__"),
    )
    assert scope.total.cases_with_model == months["Nov 2026"].cases_with_model
    body = response.content.decode()
    assert 'id="cases-title"' in body
    assert '<td data-figure="cases_with_model">10</td>' in body
