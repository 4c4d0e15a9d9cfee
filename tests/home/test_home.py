"""The home page: each role lands on what waits for them; each item links to where it is done."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from circles.models import AttendanceStatus, MeetingAttendance
from competencies.models import Competency, Rater, Rating
from competencies.services import review_return, review_sign_off, review_start, review_submit
from dashboards.services import figures_refresh
from home.selectors import SHOWN, Listed
from supervision.selectors import people_needing_a_supervisor
from tests.factories import (
    attend,
    make_circle,
    make_cohort,
    make_course,
    make_person,
    make_place,
    make_session,
    make_team,
    rate_all,
)
from training.models import Person, PersonStatus
from training.selectors import people_to_be_trained

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 10, 9, 0, tzinfo=datetime.UTC)


def page(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def trained(person):
    attend(person, make_cohort())
    return person


def test_the_home_page_answers_only_get(cast, as_user):
    assert as_user(cast.practitioner).post(reverse("home")).status_code == 405


def test_a_practitioner_sees_their_draft_with_what_is_left_to_rate_and_where_to_go(cast, as_user):
    review = review_start(practitioner=cast.practitioner)
    competencies = list(Competency.objects.filter(area__version=review.version_id))
    Rating.objects.create(review=review, competency=competencies[0], rater=Rater.SELF, level=2)

    html = page(as_user(cast.practitioner))

    assert f"{len(competencies) - 1} competencies left to rate" in html
    assert reverse("review_detail", args=[review.pk]) in html


def test_a_review_sent_back_is_shown_to_its_practitioner_as_returned(cast, as_user):
    review = review_start(practitioner=cast.practitioner)
    rate_all(review, Rater.SELF)
    review_submit(review=review)
    review_return(
        review=review, supervisor=cast.supervisor, reason="Look again at the risk assessment."
    )

    html = page(as_user(cast.practitioner))

    assert "Your review was sent back by" in html
    assert "Why: Look again at the risk assessment." in html
    assert "No review in progress" not in html


def test_a_practitioner_sees_their_next_2_1_their_next_circle_meeting_and_last_ratings(
    cast, as_user
):
    past = timezone.now() - datetime.timedelta(days=3)
    soon = timezone.now() + datetime.timedelta(days=5)
    later = timezone.now() + datetime.timedelta(days=9)
    make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner], starts_at=later)
    next_one = make_session(
        supervisor=cast.supervisor, practitioners=[cast.practitioner], starts_at=soon
    )
    make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner], starts_at=past)
    circle = make_circle(leaders=[cast.practice_leader], members=[cast.practitioner])
    meeting = circle.meetings.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    review = review_start(practitioner=cast.practitioner)
    rate_all(review, Rater.SELF)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR, level=3)
    review_sign_off(review=review, supervisor=cast.supervisor)

    html = page(as_user(cast.practitioner))

    assert reverse("session_detail", args=[next_one.pk]) in html
    assert reverse("meeting_detail", args=[meeting.pk]) in html
    assert reverse("circle_calendar", args=[circle.pk]) in html
    rated = Competency.objects.filter(area__version=review.version_id).count()
    assert f"{rated} Advanced, 0 Competent, 0 Basic" in html


def test_a_supervisor_sees_reviews_waiting_oldest_first_with_the_days_waiting(
    cast, as_user, time_machine
):
    other = make_person(team=cast.practitioner.team, line_manager=cast.supervisor)
    time_machine.move_to(NOW - datetime.timedelta(days=6), tick=False)
    older = review_start(practitioner=other)
    rate_all(older, Rater.SELF)
    review_submit(review=older)
    time_machine.move_to(NOW - datetime.timedelta(days=2), tick=False)
    newer = review_start(practitioner=cast.practitioner)
    rate_all(newer, Rater.SELF)
    review_submit(review=newer)
    time_machine.move_to(NOW, tick=False)

    html = page(as_user(cast.supervisor))

    first = html.index(reverse("review_detail", args=[older.pk]))
    second = html.index(reverse("review_detail", args=[newer.pk]))
    assert first < second
    assert "waiting 6 days" in html and "waiting 2 days" in html


def test_a_supervisor_sees_overdue_supervisees_most_overdue_first(cast, as_user):
    team = cast.practitioner.team
    never = trained(make_person(team=team, line_manager=cast.supervisor))
    long_ago = trained(make_person(team=team, line_manager=cast.supervisor))
    lately = trained(make_person(team=team, line_manager=cast.supervisor))
    now = timezone.now()
    for person, days in ((long_ago, 80), (lately, 50)):
        make_session(
            supervisor=cast.supervisor,
            practitioners=[person],
            starts_at=now - datetime.timedelta(days=days),
            status="held",
            reason="Covering",
        )

    html = page(as_user(cast.supervisor))

    section = html[html.index("Overdue for a 2:1") : html.index("Your next 2:1s")]
    positions = [section.index(person.full_name + ":") for person in (never, long_ago, lately)]
    assert positions == sorted(positions)
    assert "no 2:1 yet" in section and "last 2:1 80 days ago" in section


def test_a_practice_leader_sees_registers_to_take_and_who_missed_the_last_two(cast, as_user):
    member = make_person(team=cast.practitioner.team)
    circle = make_circle(
        leaders=[cast.practice_leader],
        members=[member, cast.practitioner],
        starts_on=timezone.localdate() - datetime.timedelta(days=100),
        today=timezone.localdate() - datetime.timedelta(days=100),
    )
    held = list(circle.meetings.filter(starts_at__lt=timezone.now()).order_by("starts_at"))
    for meeting in held[:-1]:
        for person, status in ((member, AttendanceStatus.ABSENT), (cast.practitioner, "present")):
            MeetingAttendance.objects.create(meeting=meeting, person=person, status=status)
    not_taken = held[-1]

    html = page(as_user(cast.practice_leader))

    assert reverse("meeting_detail", args=[not_taken.pk]) in html
    assert f"Missed the last two: {member.full_name}" in html
    assert reverse("circle_detail", args=[circle.pk]) in html


def test_a_practice_leader_sees_trained_people_in_no_circle_in_their_own_service_area(
    cast, as_user
):
    near = trained(make_person(team=cast.practice_leader.team))
    far = trained(make_person(team=make_team(service_area="Health")))

    html = page(as_user(cast.practice_leader))

    assert near.full_name in html
    assert far.full_name not in html


def test_a_programme_lead_sees_the_headline_the_teams_furthest_behind_and_the_dashboard_link(
    cast, as_user
):
    behind = make_team("Nobody trained here yet")
    make_person(team=behind)
    trained(cast.practitioner)

    html = page(as_user(cast.programme_lead))

    assert "trained of a target of" in html
    furthest = html[html.index("Teams furthest behind") :]
    assert furthest.index("Nobody trained here yet") < furthest.index("Cheltenham District")
    assert reverse("fidelity") in html


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (
            "practitioner",
            ["Your practice"],
            ["As a supervisor", "Circles you lead", "The roll-out"],
        ),
        ("supervisor", ["As a supervisor"], ["Your practice", "Circles you lead", "The roll-out"]),
        ("practice_leader", ["Your practice", "Circles you lead"], ["As a supervisor"]),
        ("programme_lead", ["The roll-out"], ["Your practice", "As a supervisor"]),
        ("outsider", ["Your practice"], ["The roll-out", "Circles you lead"]),
    ],
)
def test_each_role_sees_its_own_panels_and_no_other(cast, as_user, role, shown, hidden):
    html = page(as_user(getattr(cast, role)))

    for heading in shown:
        assert heading in html
    for heading in hidden:
        assert heading not in html


# The queries each role's home page runs (the session, the account and its roles included).
# Since the routing lists: their place (everyone not trained); a supervisor's staff to be trained
# and to be placed (the first few of each, with the count, in one query each); the programme
# lead's three lists.
# The programme lead's headline: the stored figures checked, the people in scope and their spans;
# the roll-out at a glance: the people trained by today and by the end of the month three months
# back (one query), the people at work by team and state, the teams and the target.
PINNED = {"practitioner": 10, "supervisor": 14, "practice_leader": 15, "programme_lead": 16}


def _busy_organisation(cast, size: int) -> None:
    """`size` of everything the home page lists, around the cast."""
    team = cast.practitioner.team
    now = timezone.now()
    for _ in range(size):
        person = trained(make_person(team=team, line_manager=cast.supervisor))
        review = review_start(practitioner=person)
        rate_all(review, Rater.SELF)
        review_submit(review=review)
        make_session(
            supervisor=cast.supervisor,
            practitioners=[person],
            starts_at=now + datetime.timedelta(days=3),
            reason="New starter",
        )
        make_circle(leaders=[cast.practice_leader], members=[person])
        trained(make_person(team=team))
        # A new starter of the supervisor's, nominated; one trained and in no circle; and a
        # trained practitioner whose line manager is no supervisor.
        make_place(make_person(team=team, line_manager=cast.supervisor), make_course(), "nominated")
        trained(make_person(team=team, line_manager=cast.supervisor))
        trained(make_person(team=team, line_manager=make_person(team=team)))


@pytest.mark.parametrize(
    "role", ["practitioner", "supervisor", "practice_leader", "programme_lead"]
)
def test_the_home_page_runs_the_same_number_of_queries_for_1_or_8_of_everything(
    cast, as_user, role
):
    _busy_organisation(cast, 1)
    figures_refresh()  # the stored figures counted once, as the daily job does
    client = as_user(getattr(cast, role))
    with CaptureQueriesContext(connection) as small:
        page(client)
    _busy_organisation(cast, 7)
    with CaptureQueriesContext(connection) as large:
        page(client)

    assert (len(small.captured_queries), len(large.captured_queries)) == (PINNED[role],) * 2


def test_a_home_page_list_shows_its_first_few_and_counts_them_all_in_one_query(
    django_assert_num_queries,
):
    team = make_team("Listed")
    people = sorted((make_person(team=team) for _ in range(SHOWN + 2)), key=lambda p: p.pk)
    listed_people = Person.objects.filter(team=team).order_by("pk")

    with django_assert_num_queries(1):
        listed = Listed.first_of(listed_people)

    assert (listed.items, listed.total, listed.more) == (people[:SHOWN], SHOWN + 2, 2)
    nobody = Listed.first_of(listed_people.filter(status=PersonStatus.LEFT))
    assert (nobody.items, nobody.total, nobody.more) == ([], 0, 0)


def test_the_home_pages_lists_of_people_read_stored_first_days_not_attended_days(db):
    # Working out everyone's first attended days (correlated subqueries over the attended
    # days, built and run again for every list) was most of these lists' time at scale.
    today = datetime.date(2026, 12, 1)
    to_be_trained = str(people_to_be_trained(today=today).query)
    needs_supervisor = str(people_needing_a_supervisor(today=today).query)

    for query in (to_be_trained, needs_supervisor):
        assert "training_courseattendance" not in query
        assert "training_firstcoursedays" in query
