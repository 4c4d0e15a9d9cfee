"""Courses on the site: nominations, capacity, the waiting list, freed places, invitations."""

from __future__ import annotations

import datetime

import pytest
import vobject
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from calendars.services import feed_for
from tests.factories import attend, make_cohort, make_course, make_person, make_team
from training.models import CourseAttendance, CoursePlace, PlaceStatus, RoleGroup
from training.selectors import course_mix
from training.services import (
    cohort_save,
    place_accept,
    place_confirm,
    place_offers_send,
    place_withdraw,
    places_nominate,
)

pytestmark = pytest.mark.django_db


def nominate(course, *people, by=None) -> list[CoursePlace]:
    return places_nominate(cohort=course, people=list(people), by=by)


def statuses(course) -> dict[str, str]:
    return {
        place.person.full_name: place.status
        for place in course.places.select_related("person").order_by("pk")
    }


def invitations(outbox) -> list[tuple[str, str, str, datetime.datetime, datetime.datetime, str]]:
    """(to, METHOD, UID, DTSTART, DTEND, LOCATION) of each emailed invitation, read with vobject,
    a reader independent of the library that writes them."""
    found = []
    for message in outbox:
        for content, mimetype in getattr(message, "alternatives", []):
            if not mimetype.startswith("text/calendar"):
                continue
            calendar = vobject.readOne(content)
            event = calendar.vevent
            found.append(
                (
                    message.to[0],
                    calendar.method.value,
                    event.uid.value,
                    event.dtstart.value,
                    event.dtend.value,
                    event.location.value,
                )
            )
    return sorted(found, key=lambda row: (row[0], row[3]))


# Nominations --------------------------------------------------------------------------------------


def test_a_line_manager_nominates_their_staff_for_a_course(cast):
    course = make_course()

    [place] = nominate(course, cast.practitioner, by=cast.supervisor)

    place.refresh_from_db()
    assert (place.status, place.nominated_by) == (PlaceStatus.NOMINATED, cast.supervisor)
    # Nominated is not yet a place: nobody is on the register and nobody is invited.
    assert not CourseAttendance.objects.filter(cohort=course).exists()


def test_a_nomination_naming_anyone_who_cannot_go_nominates_nobody(cast):
    course, elsewhere = make_course(), make_course()
    trained = make_person(team=cast.practitioner.team)
    attend(trained, make_cohort())
    waiting = make_person(team=cast.practitioner.team)
    nominate(elsewhere, waiting)
    free = make_person(team=cast.practitioner.team)

    with pytest.raises(ValidationError) as refused:
        nominate(course, free, trained, waiting)

    assert refused.value.messages == [
        f"{trained.full_name} is trained already.",
        f"{waiting.full_name}: nominated on {elsewhere.name} already.",
    ]
    assert not course.places.exists()


def test_nobody_is_nominated_for_a_course_that_has_started(cast):
    course = make_course(day1=timezone.localdate())

    with pytest.raises(ValidationError):
        nominate(course, cast.practitioner)

    assert not course.places.exists()


# Capacity and the waiting list -------------------------------------------------------------------


def test_confirming_gives_places_up_to_capacity_then_places_on_the_waiting_list_in_order(cast):
    course = make_course(capacity=2)
    people = [make_person(team=cast.practitioner.team) for _ in range(5)]
    places = nominate(course, *people)

    # Confirmed in an order other than nominated: the waiting list follows confirmation.
    for index in (0, 1, 4, 2, 3):
        place_confirm(place=places[index])

    by_person = statuses(course)
    assert [by_person[person.full_name] for person in people] == [
        PlaceStatus.CONFIRMED,
        PlaceStatus.CONFIRMED,
        PlaceStatus.WAITING,
        PlaceStatus.WAITING,
        PlaceStatus.WAITING,
    ]
    waiting = course.places.filter(status=PlaceStatus.WAITING).order_by("waiting_since", "pk")
    assert [place.person for place in waiting] == [people[4], people[2], people[3]]
    assert set(CourseAttendance.objects.filter(cohort=course).values_list("person", flat=True)) == {
        people[0].pk,
        people[1].pk,
    }


def test_a_freed_place_goes_to_the_next_on_the_waiting_list_in_turn(
    cast, django_capture_on_commit_callbacks
):
    course = make_course(capacity=1)
    first, second, third = (make_person(team=cast.practitioner.team) for _ in range(3))
    places = nominate(course, first, second, third)
    for place in places:
        place_confirm(place=place)

    with django_capture_on_commit_callbacks(execute=True):
        place_withdraw(place=places[0], reason="Off sick")

    assert statuses(course) == {
        first.full_name: PlaceStatus.WITHDRAWN,
        second.full_name: PlaceStatus.OFFERED,
        third.full_name: PlaceStatus.WAITING,
    }

    # The one offered declines: the place goes on to the next.
    with django_capture_on_commit_callbacks(execute=True):
        place_withdraw(place=places[1], reason="Declined the offer")

    assert statuses(course)[third.full_name] == PlaceStatus.OFFERED
    place_accept(place=places[2])
    assert statuses(course)[third.full_name] == PlaceStatus.CONFIRMED


def test_a_freed_place_is_offered_by_email_once(cast, django_capture_on_commit_callbacks):
    course = make_course(capacity=1)
    holder, next_in_line = (make_person(team=cast.practitioner.team) for _ in range(2))
    places = nominate(course, holder, next_in_line)
    for place in places:
        place_confirm(place=place)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        place_withdraw(place=places[0])

    offers = [message for message in mail.outbox if "is offered to you" in message.subject]
    assert [message.to for message in offers] == [[next_in_line.email]]
    assert course.name in offers[0].body
    # The daily job, run again and again, sends it no second time.
    assert place_offers_send() == 0
    assert place_offers_send() == 0
    assert len([m for m in mail.outbox if "is offered to you" in m.subject]) == 1
    assert CoursePlace.objects.get(pk=places[1].pk).offer_emailed_at is not None


def test_an_offer_that_could_not_be_emailed_is_sent_by_the_daily_job_once(
    cast, django_capture_on_commit_callbacks, monkeypatch
):
    course = make_course(capacity=1)
    holder, next_in_line = (make_person(team=cast.practitioner.team) for _ in range(2))
    places = nominate(course, holder, next_in_line)
    for place in places:
        place_confirm(place=place)

    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        place_withdraw(place=places[0])
    assert CoursePlace.objects.get(pk=places[1].pk).offer_emailed_at is None
    monkeypatch.undo()
    mail.outbox.clear()

    assert place_offers_send() == 1
    assert place_offers_send() == 0
    assert [message.to for message in mail.outbox] == [[next_in_line.email]]


# Invitations -------------------------------------------------------------------------------------


def test_a_confirmed_person_is_invited_to_each_day_and_finds_both_in_their_feed(
    cast, client, django_capture_on_commit_callbacks
):
    day1 = timezone.localdate() + datetime.timedelta(days=20)
    course = make_course(
        day1=day1,
        day2=day1 + datetime.timedelta(days=7),
        starts=datetime.time(9, 30),
        ends=datetime.time(16, 0),
        venue="Shire Hall",
    )
    course.day2_venue = "Oxstalls campus"
    course.save()
    [place] = nominate(course, cast.practitioner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        place_confirm(place=place)

    london = timezone.get_current_timezone()
    sent = invitations(mail.outbox)
    assert [(to, method, uid) for to, method, uid, *_ in sent] == [
        (cast.practitioner.email, "REQUEST", f"course-{course.pk}-day-1@127.0.0.1"),
        (cast.practitioner.email, "REQUEST", f"course-{course.pk}-day-2@127.0.0.1"),
    ]
    assert [
        (start.astimezone(london), end.astimezone(london), where) for *_, start, end, where in sent
    ] == [
        (
            datetime.datetime.combine(day, datetime.time(9, 30), london),
            datetime.datetime.combine(day, datetime.time(16, 0), london),
            venue,
        )
        for day, venue in (
            (course.day1_date, "Shire Hall"),
            (course.day2_date, "Oxstalls campus"),
        )
    ]

    feed = client.get(reverse("calendar_feed", args=[feed_for(cast.practitioner).token]))
    events = vobject.readOne(feed.content.decode()).contents.get("vevent", [])
    course_days = sorted(
        event.dtstart.value.astimezone(london).date()
        for event in events
        if event.uid.value.startswith(f"course-{course.pk}-")
    )
    assert course_days == [course.day1_date, course.day2_date]


def test_a_withdrawn_place_cancels_both_days(cast, django_capture_on_commit_callbacks):
    course = make_course()
    [place] = nominate(course, cast.practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        place_confirm(place=place)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        place_withdraw(place=place, reason="Leaving")

    assert [method for _, method, *_ in invitations(mail.outbox)] == ["CANCEL", "CANCEL"]
    assert not CourseAttendance.objects.filter(cohort=course, person=cast.practitioner).exists()


def test_nominated_and_waiting_people_are_invited_to_nothing(
    cast, django_capture_on_commit_callbacks
):
    course = make_course(capacity=1)
    holder, waiting = (make_person(team=cast.practitioner.team) for _ in range(2))
    places = nominate(course, holder, waiting)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        place_confirm(place=places[0])
        place_confirm(place=places[1])

    assert {to for to, *_ in invitations(mail.outbox)} == {holder.email}


# The mix of a course -----------------------------------------------------------------------------


def test_a_course_of_one_service_area_warns_and_a_mixed_one_does_not(cast, as_user):
    course = make_course()
    social_care = make_team(service_area="Children's social care")
    for person in (make_person(team=social_care), make_person(team=social_care)):
        attend(person, course, attended=False)

    assert course_mix(course).one_profession == "Children's social care"
    page = as_user(cast.programme_lead).get(reverse("cohort_detail", args=[course.pk]))
    assert 'id="one-profession"' in page.content.decode()

    health = make_team(service_area="Health")
    attend(make_person(team=health, role_group=RoleGroup.PARTNER), course, attended=False)

    mix = course_mix(course)
    assert mix.one_profession is None
    assert mix.by_service_area == [("Children's social care", 2), ("Health", 1)]
    assert mix.by_role_group == [("Practitioner", 2), ("Partner", 1)]
    page = as_user(cast.programme_lead).get(reverse("cohort_detail", args=[course.pk]))
    assert 'id="one-profession"' not in page.content.decode()


# The pages that act on places ---------------------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_programme_lead_confirms_a_place_from_the_course_page_with_htmx(
    cast, as_user, django_capture_on_commit_callbacks
):
    course = make_course(capacity=1)
    first, second = nominate(course, cast.practitioner, make_person())
    client = as_user(cast.programme_lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("place_confirm", args=[first.pk]), **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="course">') and "<html" not in content
    assert "is confirmed" in content
    first.refresh_from_db()
    assert first.status == PlaceStatus.CONFIRMED
    assert {to for to, *_ in invitations(mail.outbox)} == {cast.practitioner.email}

    # Full now: the next goes on the waiting list, and the page says so.
    response = client.post(reverse("place_confirm", args=[second.pk]), **HTMX)
    assert "is on its waiting list" in response.content.decode()
    second.refresh_from_db()
    assert second.status == PlaceStatus.WAITING

    # Confirming it again is refused with the reason, and changes nothing.
    response = client.post(reverse("place_confirm", args=[second.pk]), **HTMX)
    assert response.status_code == 409
    assert "only a nomination or an offered place can be confirmed" in response.content.decode()
    second.refresh_from_db()
    assert second.status == PlaceStatus.WAITING


def test_the_place_actions_answer_only_post(cast, as_user):
    [place] = nominate(make_course(), cast.practitioner)
    client = as_user(cast.programme_lead)
    for name in ("place_confirm", "place_accept", "place_withdraw", "place_move_approve"):
        assert client.get(reverse(name, args=[place.pk])).status_code == 405
    place.refresh_from_db()
    assert place.status == PlaceStatus.NOMINATED


def test_a_person_accepts_a_place_offered_to_them_from_their_home_page(
    cast, as_user, django_capture_on_commit_callbacks
):
    course = make_course(capacity=1)
    holder, offered = nominate(course, make_person(), cast.practitioner)
    place_confirm(place=holder)
    place_confirm(place=offered)
    with django_capture_on_commit_callbacks(execute=True):
        place_withdraw(place=holder)
    client = as_user(cast.practitioner)

    home = client.get(reverse("home")).content.decode()
    assert "is offered to you" in home
    assert reverse("place_accept", args=[offered.pk]) in home

    response = client.post(reverse("place_accept", args=[offered.pk]))

    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.status == PlaceStatus.CONFIRMED
    assert "is confirmed" in client.get(reverse("home")).content.decode()


def test_a_person_asks_to_move_and_the_programme_lead_moves_them(
    cast, as_user, django_capture_on_commit_callbacks
):
    course, later = (
        make_course(),
        make_course(day1=timezone.localdate() + datetime.timedelta(weeks=10)),
    )
    [place] = nominate(course, cast.practitioner)
    place_confirm(place=place)

    asked = as_user(cast.practitioner).post(
        reverse("place_move", args=[place.pk]),
        {"cohort": later.pk, "reason": "On leave that week"},
    )
    assert asked.status_code == 302
    place.refresh_from_db()
    assert (place.move_to, place.move_reason) == (later, "On leave that week")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        moved = as_user(cast.programme_lead).post(
            reverse("place_move_approve", args=[place.pk]), **HTMX
        )

    assert moved.status_code == 200
    place.refresh_from_db()
    assert place.status == PlaceStatus.MOVED
    assert later.places.get(person=cast.practitioner).status == PlaceStatus.CONFIRMED
    sent = invitations(mail.outbox)
    assert sorted((method, uid) for _, method, uid, *_ in sent) == [
        ("CANCEL", f"course-{course.pk}-day-1@127.0.0.1"),
        ("CANCEL", f"course-{course.pk}-day-2@127.0.0.1"),
        ("REQUEST", f"course-{later.pk}-day-1@127.0.0.1"),
        ("REQUEST", f"course-{later.pk}-day-2@127.0.0.1"),
    ]


def test_a_move_request_without_a_reason_is_refused_and_changes_nothing(cast, as_user):
    course, other = make_course(), make_course()
    [place] = nominate(course, cast.practitioner)
    place_confirm(place=place)

    response = as_user(cast.practitioner).post(
        reverse("place_move", args=[place.pk]), {"cohort": other.pk, "reason": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    place.refresh_from_db()
    assert place.move_to is None


# Creating and changing a course ------------------------------------------------------------------


def test_a_course_is_created_with_its_days_times_venues_places_and_trainers(cast, as_user):
    phase = make_cohort().phase
    day1 = timezone.localdate() + datetime.timedelta(days=30)
    data = {
        "phase": phase.pk,
        "name": "Spring course",
        "day1_date": f"{day1:%Y-%m-%d}",
        "day1_starts": "09:30",
        "day1_ends": "16:30",
        "venue": "Shire Hall",
        "day2_date": f"{day1 + datetime.timedelta(days=7):%Y-%m-%d}",
        "day2_starts": "10:00",
        "day2_ends": "15:00",
        "day2_venue": "Oxstalls campus",
        "capacity": "20",
        "trainer": "Sam Reid and Una Walsh",
    }
    client = as_user(cast.programme_lead)

    response = client.post(reverse("cohort_create"), data)

    assert response.status_code == 302
    course = phase.cohorts.get(name="Spring course")
    assert (
        course.day1_starts,
        course.day1_ends,
        course.day2_starts,
        course.day2_ends,
        course.venue_of(2),
        course.capacity,
        course.trainer,
    ) == (
        datetime.time(9, 30),
        datetime.time(16, 30),
        datetime.time(10),
        datetime.time(15),
        "Oxstalls campus",
        20,
        "Sam Reid and Una Walsh",
    )

    # A day to come without its times, or ending before it starts, is refused.
    refused = client.post(
        reverse("cohort_create"),
        data | {"name": "Summer course", "day1_starts": "", "day1_ends": "", "day2_ends": "09:00"},
    )
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert errors["day1_starts"] == ["Give the times of day 1."]
    assert errors["day2_ends"] == ["Day 2 must end after it starts."]
    assert not phase.cohorts.filter(name="Summer course").exists()


def test_moving_a_day_sends_everyone_confirmed_an_update_of_that_day_only(
    cast, as_user, django_capture_on_commit_callbacks
):
    course = make_course()
    [place] = nominate(course, cast.practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        place_confirm(place=place)
    mail.outbox.clear()

    course.day2_starts, course.day2_ends = datetime.time(13), datetime.time(17)
    with django_capture_on_commit_callbacks(execute=True):
        cohort_save(cohort=course)

    [message] = mail.outbox
    calendar = vobject.readOne(message.alternatives[0][0])
    assert (calendar.method.value, calendar.vevent.uid.value, calendar.vevent.sequence.value) == (
        "REQUEST",
        f"course-{course.pk}-day-2@127.0.0.1",
        "1",
    )
