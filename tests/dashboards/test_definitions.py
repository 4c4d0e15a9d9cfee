"""Every definition of the dashboard at its edges, on small known histories."""

from __future__ import annotations

import datetime

import pytest

from competencies.services import review_correct
from dashboards.models import Definitions
from dashboards.selectors import (
    Filters,
    FunnelRow,
    ImplementationStage,
    rollout_figures,
    stage_of,
)
from dashboards.services import figures_refresh
from tests.dashboards.history import (
    AS_OF,
    circle_with_meetings,
    embedded_person,
    held_session,
    months_before,
    signed_off_review,
    status,
    trained_person,
)
from tests.factories import make_person, make_team

pytestmark = pytest.mark.django_db


# Embedded ---------------------------------------------------------------------------------------


def test_trained_present_at_a_recent_circle_and_a_2_to_1_exactly_8_weeks_ago_is_embedded():
    person = trained_person()
    circle_with_meetings(person, present_at=[2])
    held_session(person, AS_OF - datetime.timedelta(weeks=8))

    assert status(person).is_embedded is True


def test_a_2_to_1_8_weeks_and_a_day_ago_is_too_long_ago():
    person = trained_person()
    circle_with_meetings(person, present_at=[0])
    held_session(person, AS_OF - datetime.timedelta(weeks=8, days=1))

    assert status(person).is_embedded is False


def test_attending_only_the_fourth_last_meeting_is_not_enough():
    person = trained_person()
    circle_with_meetings(person, present_at=[3])
    held_session(person, AS_OF - datetime.timedelta(weeks=1))

    assert status(person).is_embedded is False


def test_someone_not_trained_is_never_embedded():
    person = make_person()
    circle_with_meetings(person, present_at=[0])
    held_session(person, AS_OF - datetime.timedelta(weeks=1))

    assert status(person).is_embedded is False


# Practising with fidelity -----------------------------------------------------------------------


def test_exactly_80_percent_competent_with_every_stage_rated_is_fidelity():
    person = embedded_person()
    signed_off_review(person, on=months_before(1), good=12, basic=3)  # 12 of 15 rated

    row = status(person)
    assert (row.rated_count, row.good_count, row.has_fidelity) == (15, 12, True)


def test_just_under_80_percent_is_not():
    person = embedded_person()
    signed_off_review(person, on=months_before(1), good=15, basic=4)  # 15 of 19 = 78.9%

    assert status(person).has_fidelity is False


def test_a_base_stage_not_rated_means_no_fidelity_even_at_100_percent():
    person = embedded_person()
    signed_off_review(person, on=months_before(1), good=14, basic=0, skip_stage="risk")

    row = status(person)
    assert (row.base_stages_rated, row.has_fidelity) == (4, False)


def test_a_review_signed_off_exactly_6_months_ago_counts():
    person = embedded_person()
    signed_off_review(person, on=months_before(6), good=19, basic=0)

    assert status(person).has_fidelity is True


def test_a_review_signed_off_6_months_and_a_day_ago_does_not():
    person = embedded_person()
    signed_off_review(person, on=months_before(6, days=1), good=19, basic=0)

    assert status(person).has_fidelity is False


def test_only_the_latest_review_counts():
    person = embedded_person()
    signed_off_review(person, on=months_before(3), good=19, basic=0)
    signed_off_review(person, on=months_before(1), good=5, basic=14)

    assert status(person).has_fidelity is False


def test_a_corrected_review_counts_only_in_its_newest_revision():
    person = embedded_person()
    supervisor = make_person()
    original = signed_off_review(person, on=months_before(1), good=19, basic=0)
    original.supervisor = supervisor
    original.save()
    review_correct(review=original, reason="Wrong case")  # the correction is not signed off

    assert status(person).has_fidelity is False


def test_a_faithful_review_without_a_circle_or_2_to_1_is_not_practice_with_fidelity():
    """The stages nest: only the embedded practise with fidelity, however good the review."""
    person = trained_person()
    signed_off_review(person, on=months_before(1), good=19, basic=0)

    row = status(person)
    assert (row.is_embedded, row.good_count, row.has_fidelity) == (False, 19, False)


def test_fidelity_ends_with_embedding_and_never_outnumbers_it():
    team = make_team("Nested")
    for _ in range(3):
        signed_off_review(trained_person(team=team), on=months_before(1), good=19, basic=0)
    signed_off_review(embedded_person(team=team), on=months_before(1), good=19, basic=0)
    figures_refresh()

    data = rollout_figures(Filters(as_of=AS_OF, team=team.pk))

    assert (data.total.trained, data.total.embedded, data.total.fidelity) == (4, 1, 1)
    assert all(row.fidelity <= row.embedded <= row.trained for row in data.timeline)


# Stages and critical mass -----------------------------------------------------------------------


def row(in_scope: int, trained: int, embedded: int, fidelity: int) -> FunnelRow:
    return FunnelRow("x", "x", in_scope, trained, embedded, fidelity)


@pytest.mark.parametrize(
    ("counts", "stage"),
    [
        ((0, 0, 0, 0), ImplementationStage.NO_ONE_IN_SCOPE),
        ((10, 0, 0, 0), ImplementationStage.EXPLORATION),
        ((10, 1, 0, 0), ImplementationStage.INSTALLATION),
        ((20, 5, 1, 0), ImplementationStage.INSTALLATION),  # 5% embedded
        ((10, 5, 1, 0), ImplementationStage.INITIAL),  # exactly 10% embedded
        ((10, 9, 9, 4), ImplementationStage.INITIAL),  # 40% with fidelity
        ((10, 9, 9, 5), ImplementationStage.FULL),  # exactly 50% with fidelity
    ],
)
def test_implementation_stage_at_its_edges(counts, stage):
    assert stage_of(row(*counts), Definitions.load()) == stage


def test_definitions_are_data_an_administrator_changes():
    definitions = Definitions.load()
    definitions.installation_embedded_percent = 50
    definitions.save()

    assert stage_of(row(10, 5, 1, 0), Definitions.load()) == ImplementationStage.INSTALLATION


def test_team_stages_and_critical_mass_come_from_active_practitioners():
    ahead, behind = make_team("Ahead"), make_team("Behind")
    for _ in range(2):
        person = embedded_person(team=ahead)
        signed_off_review(person, on=months_before(1), good=19, basic=0)
    embedded_person(team=behind)
    make_person(team=behind)
    left = trained_person(team=behind, status="left")
    signed_off_review(left, on=months_before(1), good=19, basic=0)

    figures_refresh()
    data = rollout_figures(Filters(as_of=AS_OF))

    stages = {team.label: team.stage for team in data.teams if team.label in ("Ahead", "Behind")}
    assert stages == {"Ahead": ImplementationStage.FULL, "Behind": ImplementationStage.INITIAL}
    assert (data.total.in_scope, data.total.fidelity) == (4, 2)
    assert data.has_critical_mass  # exactly 50%
    # The reviews were signed off in May, but the 2:1s that embed these people were held in
    # June: practice with fidelity, nested in embedding, starts then.
    assert data.critical_mass_reached_on == AS_OF


def test_a_team_with_nobody_in_scope_says_so_and_not_exploration():
    leaders = make_team("Senior Leadership Team")
    for _ in range(3):
        trained_person(team=leaders, role_group="senior_manager")
    figures_refresh()

    practitioners = rollout_figures(Filters(as_of=AS_OF))
    everyone = rollout_figures(Filters(as_of=AS_OF, role_group=""))

    row = next(team for team in practitioners.teams if team.label == "Senior Leadership Team")
    assert (row.in_scope, row.stage) == (0, ImplementationStage.NO_ONE_IN_SCOPE)
    assert row.stage_order > ImplementationStage.ORDER.index(ImplementationStage.FULL)
    row = next(team for team in everyone.teams if team.label == "Senior Leadership Team")
    assert (row.in_scope, row.trained, row.stage) == (3, 3, ImplementationStage.INSTALLATION)
