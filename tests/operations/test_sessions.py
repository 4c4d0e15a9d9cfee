"""Sessions end when a person leaves, when their account is disabled, after 8 idle hours and
12 hours after sign-in however busy; people see and end their other sessions."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Permission, can
from operations.middleware import SESSION_REFRESHED_AT, SESSION_SIGNED_IN_AT
from tests.factories import PASSWORD, make_person
from training.models import Person, PersonStatus

pytestmark = pytest.mark.django_db

EIGHT_HOURS = datetime.timedelta(hours=8)


def stored_session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_a_person_marked_as_left_is_signed_out_on_their_next_request(cast, as_user):
    client = as_user(cast.practitioner)
    session_key = client.session.session_key
    Person.objects.filter(pk=cast.practitioner.pk).update(status=PersonStatus.LEFT)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Session.objects.filter(session_key=session_key).exists()
    assert SESSION_KEY not in client.session


def test_a_disabled_account_is_signed_out_and_its_session_deleted(cast, as_user):
    client = as_user(cast.practitioner)
    session_key = client.session.session_key
    cast.practitioner.user.is_active = False
    cast.practitioner.user.save(update_fields=["is_active"])

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=session_key).exists()


@pytest.mark.parametrize("status", [PersonStatus.ACTIVE, PersonStatus.EXTENDED_LEAVE])
def test_people_who_have_not_left_stay_signed_in(cast, as_user, status):
    client = as_user(cast.practitioner)
    Person.objects.filter(pk=cast.practitioner.pk).update(status=status)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert client.session[SESSION_KEY] == str(cast.practitioner.user_id)


def test_an_account_with_no_roster_entry_stays_signed_in(client, django_user_model):
    user = django_user_model.objects.create_user("admin@council.example", is_superuser=True)
    client.force_login(user)

    assert client.get(reverse("home")).status_code == 200


def test_the_check_shares_its_query_with_the_roles_so_a_page_costs_no_extra_query(
    cast, as_user, django_assert_num_queries
):
    client = as_user(cast.administrator)

    # session, user, and the roles with the roster status; the page itself queries nothing
    with django_assert_num_queries(3):
        response = client.get(reverse("accessibility"))

    assert response.context["nav"] == {
        permission.value: can(cast.administrator.user, permission) for permission in Permission
    }
    assert response.context["nav"]["import_roster"] is True


def test_a_session_lasts_eight_hours_from_sign_in(cast, as_user):
    client = as_user(cast.practitioner)

    expires_in = stored_session(client).expire_date - timezone.now()

    assert EIGHT_HOURS - datetime.timedelta(minutes=1) < expires_in <= EIGHT_HOURS


def test_using_a_session_moves_its_expiry_forward_at_most_every_five_minutes(cast, as_user):
    client = as_user(cast.practitioner)
    session = client.session
    session[SESSION_REFRESHED_AT] -= 6 * 60
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(hours=1)
    )

    client.get(reverse("home"))
    refreshed = stored_session(client).expire_date
    client.get(reverse("home"))

    assert refreshed - timezone.now() > EIGHT_HOURS - datetime.timedelta(minutes=1)
    assert stored_session(client).expire_date == refreshed


def test_a_session_unused_for_eight_hours_has_ended(cast, as_user):
    client = as_user(cast.practitioner)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_signing_in_starts_a_new_session(client):
    person = make_person(with_account=True)
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key

    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert client.session.session_key != before
    assert client.session[SESSION_KEY] == str(person.user_id)


def test_signing_out_deletes_the_session(cast, as_user):
    client = as_user(cast.practitioner)
    session_key = client.session.session_key

    client.post(reverse("account_logout"))

    assert not Session.objects.filter(session_key=session_key).exists()


def test_a_password_change_ends_the_persons_other_sessions(cast, as_user):
    elsewhere = as_user(cast.practitioner)
    user = cast.practitioner.user
    user.set_password("a-new-long-password-2026")
    user.save()

    response = elsewhere.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def signed_in_hours_ago(client, hours: float) -> None:
    session = client.session
    session[SESSION_SIGNED_IN_AT] -= int(hours * 60 * 60)
    session.save()


def test_a_busy_session_ends_twelve_hours_after_sign_in(cast, as_user):
    client = as_user(cast.practitioner)
    session_key = client.session.session_key
    signed_in_hours_ago(client, 11.9)
    assert client.get(reverse("home")).status_code == 200

    signed_in_hours_ago(client, 0.1)
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Session.objects.filter(session_key=session_key).exists()


def test_a_session_from_before_sign_in_times_were_kept_starts_its_twelve_hours_now(cast, as_user):
    client = as_user(cast.practitioner)
    session = client.session
    del session[SESSION_SIGNED_IN_AT]
    session.save()

    assert client.get(reverse("home")).status_code == 200
    assert client.session[SESSION_SIGNED_IN_AT] == pytest.approx(timezone.now().timestamp(), abs=5)


def test_people_see_only_their_own_sessions_and_can_end_the_others(client, cast):
    for person in (cast.practitioner, cast.practitioner, cast.supervisor):
        client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
        client.cookies.clear()
    here = client
    here.post(reverse("account_login"), {"login": cast.practitioner.email, "password": PASSWORD})

    page = here.get(reverse("usersessions_list"))

    assert page.status_code == 200
    assert len(page.context["sessions"]) == 3
    assert Session.objects.count() == 4

    here.post(reverse("usersessions_list"))

    left = here.get(reverse("usersessions_list")).context["sessions"]
    assert [session.session_key for session in left] == [here.session.session_key]
    assert Session.objects.count() == 2  # this one and the supervisor's


def test_an_htmx_request_that_needs_a_sign_in_loads_the_sign_in_page_as_a_whole_page(client):
    circles = reverse("circle_list")

    page = client.get(circles)
    fragment = client.get(
        circles, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{circles}?page=2"
    )
    elsewhere = client.get(
        circles, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/phish"
    )

    login = reverse("account_login")
    assert page.status_code == 302 and page.url == f"{login}?next={circles}"
    assert fragment.status_code == 200 and not fragment.content
    assert fragment["HX-Redirect"] == f"{login}?next=/circles/%3Fpage%3D2"
    assert elsewhere["HX-Redirect"] == f"{login}?next={circles}"
