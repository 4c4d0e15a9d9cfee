"""Development goals: agreed from a signed-off review, shown beside the ratings, looked at again."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from competencies.frameworks import current_version, version_new_draft, version_publish
from competencies.models import Competency, DevelopmentGoal, Level, Rater, Rating, Review
from competencies.selectors import goal_progress, goal_suggestions, review_goals, review_grid
from competencies.services import (
    goal_agree,
    review_correct,
    review_sign_off,
    review_start,
    review_submit,
)
from tests.factories import make_person, rate_all
from training.models import RoleGroup

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LATER = timezone.localdate() + datetime.timedelta(days=90)


def competencies(version=None) -> list[Competency]:
    return list(
        Competency.objects.filter(area__version=version or current_version())
        .select_related("area")
        .order_by("pk")
    )


def reviewed(cast, *, supervisor=None, self_level=2, levels=None, sign_off=True) -> Review:
    """A review of the practitioner's, rated by both; `levels` sets some supervisor levels."""
    review = review_start(practitioner=cast.practitioner)
    rate_all(review, Rater.SELF, level=self_level)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR, level=supervisor)
    for competency, level in (levels or {}).items():
        Rating.objects.filter(review=review, competency=competency, rater=Rater.SUPERVISOR).update(
            level=level
        )
    if sign_off:
        review_sign_off(review=review, supervisor=cast.supervisor)
    review.refresh_from_db()
    return review


def goal(review, competency, text="Weigh each hazard with the family") -> DevelopmentGoal:
    return goal_agree(review=review, competency=competency, description=text, review_on=LATER)


# Agreeing goals ------------------------------------------------------------------------------


def test_a_goal_is_agreed_from_a_signed_off_review_on_one_of_its_competencies(cast):
    review = reviewed(cast, supervisor=2)
    first = competencies()[0]

    made = goal(review, first)

    stored = DevelopmentGoal.objects.get(pk=made.pk)
    assert (stored.review, stored.competency, stored.review_on) == (review, first, LATER)


def test_no_goal_from_a_review_not_yet_signed_off(cast):
    draft = review_start(practitioner=cast.practitioner)
    submitted = reviewed(cast, supervisor=2, sign_off=False)

    for review in (draft, submitted):
        with pytest.raises(ValidationError, match="once the review is signed off"):
            goal(review, competencies()[0])
    assert not DevelopmentGoal.objects.exists()


def test_goals_come_from_the_newest_revision_of_a_corrected_review(cast):
    review = reviewed(cast, supervisor=2)
    review_correct(review=review, reason="A rating was on the wrong line")

    with pytest.raises(ValidationError, match="newest revision"):
        goal(review, competencies()[0])
    assert not DevelopmentGoal.objects.exists()


def test_a_goal_needs_a_competency_of_the_review_a_date_to_come_and_one_goal_a_competency(cast):
    review = reviewed(cast, supervisor=2)
    other_version = version_new_draft(version=current_version())
    first = competencies()[0]
    goal(review, first)

    with pytest.raises(ValidationError, match="not in this review's framework"):
        goal(review, competencies(other_version)[0])
    with pytest.raises(ValidationError, match="after today"):
        goal_agree(
            review=review,
            competency=competencies()[1],
            description="Plan",
            review_on=timezone.localdate(),
        )
    with pytest.raises(ValidationError, match="already has a goal for that competency"):
        goal(review, first)
    assert DevelopmentGoal.objects.count() == 1


def test_goals_are_suggested_where_the_supervisor_rated_basic_or_the_views_differ(cast):
    first, second, third, *_ = competencies()
    review = reviewed(
        cast,
        supervisor=Level.ADVANCED,
        self_level=Level.ADVANCED,
        levels={first: Level.BASIC, second: Level.COMPETENT},
    )
    Rating.objects.filter(review=review, competency=third, rater=Rater.SELF).update(
        level=Level.BASIC
    )

    suggested = goal_suggestions(review_grid(review, Rater.SELF))

    assert [row.competency for row in suggested] == [first, second, third]


# Did the competency move? --------------------------------------------------------------------


def test_the_next_review_shows_the_supervisor_level_before_and_after(cast):
    first, second, third, *_ = competencies()
    earlier = reviewed(cast, supervisor=2, levels={first: 1, second: 2, third: 3})
    up, same, down = goal(earlier, first), goal(earlier, second), goal(earlier, third)
    later = reviewed(cast, supervisor=2, levels={first: 3, second: 2, third: 2})

    progress = {item.goal: item for item in goal_progress(cast.practitioner)}

    assert [
        (progress[g].before, progress[g].after, progress[g].moved) for g in (up, same, down)
    ] == [
        (1, 3, 2),
        (2, 2, 0),
        (3, 2, -1),
    ]
    assert {progress[g].next_review_id for g in (up, same, down)} == {later.pk}
    shown = review_goals(later)
    assert [item.goal for item in shown.reviewed_here] == [up, same, down]
    assert shown.agreed_here == []
    assert [item.goal for item in review_goals(earlier).agreed_here] == [up, same, down]


def test_a_goal_waits_for_a_review_started_after_it_and_signed_off(cast):
    earlier = reviewed(cast, supervisor=1)
    waiting = goal(earlier, competencies()[0])
    in_progress = reviewed(cast, supervisor=3, sign_off=False)

    (item,) = goal_progress(cast.practitioner)
    shown = review_goals(in_progress)

    assert (item.before, item.reviewed, item.after, item.moved) == (1, False, None, None)
    assert [entry.goal for entry in shown.reviewed_here] == [waiting]
    review_sign_off(review=in_progress, supervisor=cast.supervisor)
    (item,) = goal_progress(cast.practitioner)
    assert (item.after, item.moved, item.next_review_id) == (3, 2, in_progress.pk)


def test_a_goal_compares_by_competency_code_across_framework_versions(cast):
    earlier = reviewed(cast, supervisor=1)
    first = competencies()[0]
    made = goal(earlier, first)
    newer = version_publish(version=version_new_draft(version=current_version()))
    later = reviewed(cast, supervisor=2)

    (item,) = goal_progress(cast.practitioner)

    assert later.version == newer
    assert (item.goal, item.before, item.after, item.moved) == (made, 1, 2, 1)


def test_a_correction_of_the_next_review_is_what_the_goal_is_compared_with(cast):
    earlier = reviewed(cast, supervisor=1)
    goal(earlier, competencies()[0])
    later = reviewed(cast, supervisor=2)
    correction = review_correct(review=later, reason="The supervisor's view was entered wrongly")
    Rating.objects.filter(review=correction, rater=Rater.SUPERVISOR).update(level=3)
    review_sign_off(review=correction, supervisor=cast.supervisor)

    (item,) = goal_progress(cast.practitioner)

    assert (item.next_review_id, item.after) == (correction.pk, 3)
    assert [entry.goal for entry in review_goals(later).reviewed_here] == [item.goal]


# Pages ---------------------------------------------------------------------------------------


def goals_url(review) -> str:
    return reverse("review_goals", args=[review.pk])


def form_data(competency, **changes) -> dict[str, object]:
    return {
        "competency": competency.pk,
        "description": "Weigh each hazard with the family",
        "review_on": LATER.isoformat(),
        "agreed": "on",
        **changes,
    }


@pytest.mark.parametrize("who", ["practitioner", "supervisor"])
def test_the_practitioner_or_the_supervisor_agrees_a_goal_through_the_page(cast, as_user, who):
    first = competencies()[0]
    review = reviewed(cast, supervisor=2, levels={first: 1})
    client = as_user(getattr(cast, who))

    page = client.get(goals_url(review))
    response = client.post(goals_url(review), form_data(first))

    assert [row.competency for row in page.context["suggested"]] == [first]
    assert response.status_code == 302 and response.url == goals_url(review)
    stored = DevelopmentGoal.objects.get()
    assert (stored.review, stored.competency, stored.description) == (
        review,
        first,
        "Weigh each hazard with the family",
    )


def test_an_htmx_goal_comes_back_as_the_goals_section_alone(cast, as_user):
    review = reviewed(cast, supervisor=2)
    first = competencies()[0]

    response = as_user(cast.practitioner).post(goals_url(review), form_data(first), **HTMX)

    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith('<section id="goals"') and "<html" not in html
    assert "Goal agreed." in html and "Weigh each hazard with the family" in html
    assert DevelopmentGoal.objects.count() == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"agreed": ""}, "Confirm that you have agreed the goal together."),
        ({"description": ""}, "This field is required."),
        ({"review_on": timezone.localdate().isoformat()}, "The review date is after today."),
        ({"review_on": "3024-01-01"}, "Enter a date between"),
        ({"competency": "999999999999999999999"}, "Select a valid choice."),
    ],
)
def test_a_refused_goal_comes_back_with_the_message_and_saves_nothing(
    cast, as_user, changes, message
):
    review = reviewed(cast, supervisor=2)
    client = as_user(cast.practitioner)
    data = {**form_data(competencies()[0]), **changes}

    page = client.post(goals_url(review), data)
    section = client.post(goals_url(review), data, **HTMX)

    assert page.status_code == 200 and message in page.content.decode()
    assert section.content.decode().strip().startswith('<section id="goals"')
    assert message in section.content.decode()
    assert not DevelopmentGoal.objects.exists()


def test_the_goals_page_of_a_draft_offers_no_form(cast, as_user):
    draft = review_start(practitioner=cast.practitioner)

    response = as_user(cast.practitioner).get(goals_url(draft))

    assert "Goals are agreed once the review is signed off." in response.content.decode()
    assert "Agree a goal" not in response.content.decode()


def test_a_line_manager_who_is_not_the_named_supervisor_reads_the_goals_but_agrees_none(
    cast, as_user
):
    review = reviewed(cast, supervisor=2)
    named = make_person(role_group=RoleGroup.MANAGER, roles=(Role.SUPERVISOR,))
    Review.objects.filter(pk=review.pk).update(supervisor=named)
    client = as_user(cast.supervisor)

    page = client.get(goals_url(review))
    refused = client.post(goals_url(review), form_data(competencies()[0]))

    assert page.status_code == 200 and "Agree a goal" not in page.content.decode()
    assert refused.status_code == 403
    assert not DevelopmentGoal.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "practice_leader", "programme_lead", "administrator"])
def test_nobody_else_opens_or_writes_the_goals_of_a_review(cast, as_user, who):
    review = reviewed(cast, supervisor=2)
    client = as_user(getattr(cast, who))

    assert client.get(goals_url(review)).status_code == 404
    assert client.post(goals_url(review), form_data(competencies()[0])).status_code == 404
    assert not DevelopmentGoal.objects.exists()


def test_the_goals_page_refuses_other_methods(cast, as_user):
    review = reviewed(cast, supervisor=2)

    assert as_user(cast.practitioner).put(goals_url(review)).status_code == 405


def test_my_progress_shows_each_goal_beside_its_competency_and_whether_it_moved(cast, as_user):
    first = competencies()[0]
    earlier = reviewed(cast, supervisor=2, levels={first: 1})
    goal(earlier, first, text="Agree expectations at the first visit")
    reviewed(cast, supervisor=2)

    response = as_user(cast.practitioner).get(reverse("my_progress"))

    row = response.context["areas"][0].rows[0]
    assert row.code == first.code
    assert [(item.before, item.after) for item in row.goals] == [(1, 2)]
    html = response.content.decode()
    assert "Agree expectations at the first visit" in html and "Up 1 level" in html


def test_the_next_review_page_shows_the_goals_it_looks_at_again(cast, as_user):
    first = competencies()[0]
    earlier = reviewed(cast, supervisor=2, levels={first: 1})
    goal(earlier, first, text="Agree expectations at the first visit")
    later = reviewed(cast, supervisor=2)

    html = as_user(cast.supervisor).get(reverse("review_detail", args=[later.pk])).content
    earlier_html = as_user(cast.supervisor).get(reverse("review_detail", args=[earlier.pk])).content

    assert "Goals from the previous review" in html.decode()
    assert "Agree expectations at the first visit" in html.decode()
    assert "Up 1 level" in html.decode()
    assert "1 goal agreed from this review" in earlier_html.decode()


@pytest.mark.parametrize("reviews", [1, 5])
def test_goal_pages_run_a_constant_number_of_queries(
    cast, as_user, reviews, django_assert_num_queries
):
    for _ in range(reviews):
        review = reviewed(cast, supervisor=1)
        for competency in competencies()[:3]:
            goal(review, competency)
    client = as_user(cast.practitioner)

    # session, user, roles, person, review, corrected?, ratings, competencies, goals, their
    # ratings
    with django_assert_num_queries(10):
        response = client.get(goals_url(review))
    assert len(response.context["goals"].agreed_here) == 3
    # session, user, roles, person, ratings, goals, their ratings
    with django_assert_num_queries(7):
        client.get(reverse("my_progress"))
    # session, user, roles, person, review, ratings, competencies, history, goals, their ratings
    with django_assert_num_queries(10):
        client.get(reverse("review_detail", args=[review.pk]))
