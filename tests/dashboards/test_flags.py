"""The flag "self ratings a level or more above the supervisor's": counts by team for managers,
names only for each practitioner's own supervisor (reviews are theirs alone)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from competencies.models import Rater, Rating
from competencies.services import review_sign_off, review_start, review_submit
from tests.factories import make_person, make_team, rate_all

pytestmark = pytest.mark.django_db


def signed_off_with_gap(practitioner, supervisor, *, higher: int):
    """A signed-off review: the practitioner rated every competency Advanced, the supervisor
    Competent on `higher` of them and Advanced on the rest."""
    review = review_start(practitioner=practitioner)
    rate_all(review, Rater.SELF, level=3)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR, level=3)
    lower = Rating.objects.filter(review=review, rater=Rater.SUPERVISOR).order_by("pk")[:higher]
    Rating.objects.filter(pk__in=[rating.pk for rating in lower]).update(level=2)
    review_sign_off(review=review, supervisor=supervisor)
    return review


def test_managers_see_how_many_people_each_team_has_flagged_but_not_who(cast, as_user):
    signed_off_with_gap(cast.practitioner, cast.supervisor, higher=4)

    html = as_user(cast.programme_lead).get(reverse("fidelity_follow_up")).content.decode()

    flags = html.split('id="flags-title"')[1]
    assert f"<li>{cast.practitioner.team.name}: 1</li>" in flags
    assert cast.practitioner.full_name not in flags


def test_the_flagged_are_counted_by_team_in_the_order_of_the_teams_names(cast, as_user):
    zennor, abbey = make_team("Zennor"), make_team("Abbey")
    for team in (zennor, abbey, zennor):
        person = make_person(team=team, line_manager=cast.supervisor)
        signed_off_with_gap(person, cast.supervisor, higher=4)

    html = as_user(cast.programme_lead).get(reverse("fidelity_follow_up")).content.decode()

    flags = html.split('id="flags-title"')[1]
    assert "<li>Abbey: 1</li><li>Zennor: 2</li>" in flags


def test_a_supervisor_sees_by_name_who_rated_themselves_higher_in_the_review_they_signed_off(
    cast, as_user
):
    peer = make_person(team=cast.practitioner.team, line_manager=cast.supervisor)
    signed_off_with_gap(cast.practitioner, cast.supervisor, higher=4)
    signed_off_with_gap(peer, cast.supervisor, higher=1)

    response = as_user(cast.supervisor).get(reverse("supervision"))

    rated_higher = {person.pk: person.rated_higher for person in response.context["supervisees"]}
    assert rated_higher == {cast.practitioner.pk: 4, peer.pk: 1}
    assert '<span class="badge text-bg-warning">4 competencies</span>' in response.content.decode()
