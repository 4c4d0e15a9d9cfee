"""The Roll-out section's role group, employer and phase rows come from one statement grouped
by all three (dashboards.selectors.assembly.groups_today); each must equal the stored figures
counted by that grouping alone, under any filters."""

from __future__ import annotations

import datetime

import pytest

from dashboards.selectors import Filters, rollout_figures
from dashboards.selectors.funnel import MEASURES, span_counts
from dashboards.services import figures_refresh
from tests.dashboards.history import AS_OF, circle_with_meetings, held_session
from tests.factories import attend, make_cohort, make_person, make_phase, make_team
from training.models import Organisation, OrganisationKind, Phase, RoleGroup, council_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_workforce() -> tuple[Organisation, Phase]:
    """Two employers, two phases and three role groups, each with someone embedded, someone
    only trained and someone not trained; different numbers of each, so that a sum over the
    wrong group shows."""
    partner = Organisation.objects.create(name="Health trust", kind=OrganisationKind.PARTNER)
    council = Organisation.objects.get(pk=council_id())
    team = make_team("Forest")
    early, late = make_phase(order=1), make_phase(order=2)
    cohorts = {
        early: make_cohort(
            phase=early, day1=datetime.date(2025, 3, 1), day2=datetime.date(2025, 3, 8)
        ),
        late: make_cohort(
            phase=late, day1=datetime.date(2026, 3, 1), day2=datetime.date(2026, 3, 8)
        ),
    }
    groups = (RoleGroup.PRACTITIONER, RoleGroup.MANAGER, RoleGroup.PARTNER)
    for number, group in enumerate(groups, start=1):
        for organisation in (council, partner):
            for phase, cohort in cohorts.items():
                for embedded in range(number if phase == early else 1):
                    person = make_person(team=team, role_group=group, organisation=organisation)
                    attend(person, cohort)
                    if embedded:
                        circle_with_meetings(person, present_at=[0])
                        held_session(person, AS_OF - datetime.timedelta(weeks=2))
            make_person(team=team, role_group=group, organisation=organisation)
    figures_refresh()
    return partner, late


def _by(filters: Filters, field: str) -> dict[object, dict[str, int]]:
    return {
        key: counts
        for (key, _day), counts in span_counts(filters, [filters.as_of], group_by=field).items()
    }


def _counts(row: object) -> dict[str, int]:
    return {name: getattr(row, name) for name in MEASURES}


@pytest.mark.parametrize(
    "narrowed",
    [
        {},
        {"role_group": ""},
        {"role_group": RoleGroup.MANAGER},
        {"role_group": RoleGroup.PARTNER, "organisation": "the trust"},
        {"phase": "the later phase"},
        {"phase": "the later phase", "role_group": ""},
    ],
)
def test_the_role_group_employer_and_phase_rows_equal_each_grouping_counted_alone(
    mixed_workforce, narrowed
):
    partner, late = mixed_workforce
    chosen = {"the trust": partner.pk, "the later phase": late.pk}
    filters = Filters(
        as_of=AS_OF, **{key: chosen.get(value, value) for key, value in narrowed.items()}
    )
    every_group = Filters(**{**filters.__dict__, "role_group": ""})
    empty = dict.fromkeys(MEASURES, 0)

    figures = rollout_figures(filters)

    by_group = _by(every_group, "person__role_group")
    by_employer = _by(filters, "person__organisation_id")
    by_phase = _by(filters, "phase_id")
    assert {row.key: _counts(row) for row in figures.role_groups} == {
        key: by_group.get(key, empty) for key in RoleGroup.values
    }
    assert {row.key: _counts(row) for row in figures.organisations} == {
        key: by_employer.get(key, empty)
        for key in Organisation.objects.values_list("pk", flat=True)
    }
    assert {row.key: _counts(row) for row in figures.phases} == {
        key: by_phase.get(key, empty) for key in Phase.objects.values_list("pk", flat=True)
    }
    # Someone is counted under every filter, so the comparison is not of zeros.
    assert sum(row.trained for row in figures.organisations) > 0
