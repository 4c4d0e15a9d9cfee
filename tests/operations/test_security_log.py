"""Sign-ins, failures, sign-outs and refusals are logged by account ID, never by name or email."""

from __future__ import annotations

import logging

import pytest
from django.http import HttpResponseForbidden
from django.test import RequestFactory
from django.urls import reverse

from operations.middleware import RefusalLogMiddleware
from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db

LOGGER = "operations.security"


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    return caplog


def messages(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


def assert_no_one_is_named(caplog, person) -> None:
    for text in (person.email, person.email.split("@")[0], person.full_name):
        assert text.lower() not in caplog.text.lower()


def test_a_sign_in_is_logged_with_the_account_id_only(client, security_log):
    person = make_person(with_account=True)

    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert messages(security_log) == [f"sign-in account={person.user_id}"]
    assert_no_one_is_named(security_log, person)


def test_a_failed_sign_in_is_logged_without_the_email_typed(client, security_log):
    person = make_person(with_account=True)

    client.post(reverse("account_login"), {"login": person.email, "password": "wrong"})

    assert messages(security_log) == ["sign-in failed"]
    assert_no_one_is_named(security_log, person)
    assert "wrong" not in security_log.text


def test_signing_out_is_logged_with_the_account_id(cast, as_user, security_log):
    client = as_user(cast.practitioner)
    security_log.clear()

    client.post(reverse("account_logout"))

    assert messages(security_log) == [f"sign-out account={cast.practitioner.user_id}"]


def test_a_refusal_is_logged_with_the_account_id_and_the_address(cast, as_user, security_log):
    client = as_user(cast.practitioner)
    security_log.clear()

    client.get(reverse("roster"))

    assert messages(security_log) == [
        f"refused account={cast.practitioner.user_id} method=GET path=/roster/"
    ]
    assert_no_one_is_named(security_log, cast.practitioner)


def test_a_leaver_whose_session_is_ended_is_logged_by_account_id(cast, as_user, security_log):
    client = as_user(cast.practitioner)
    cast.practitioner.status = "left"
    cast.practitioner.save(update_fields=["status"])
    security_log.clear()

    client.get(reverse("home"))

    assert messages(security_log) == [
        f"session ended account={cast.practitioner.user_id} reason=left",
        f"sign-out account={cast.practitioner.user_id}",
    ]


def test_an_address_cannot_forge_a_line_of_the_log(cast, security_log):
    request = RequestFactory().get("/cohorts/%0Asign-in account=1/")
    request.user = cast.practitioner.user
    middleware = RefusalLogMiddleware(lambda request: HttpResponseForbidden())

    middleware(request)

    assert messages(security_log) == [
        f"refused account={cast.practitioner.user_id} method=GET "
        "path=/cohorts/%0Asign-in%20account%3D1/"
    ]


def test_a_disabled_account_whose_session_is_ended_is_logged_by_account_id(
    cast, as_user, security_log
):
    client = as_user(cast.practitioner)
    cast.practitioner.user.is_active = False
    cast.practitioner.user.save(update_fields=["is_active"])
    security_log.clear()

    client.get(reverse("home"))

    assert messages(security_log) == [
        f"session ended account={cast.practitioner.user_id} reason=inactive-or-deleted",
        "sign-out account=unknown",
    ]
