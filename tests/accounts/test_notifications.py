"""People are told by email when their password or their two-factor sign-in changes."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-test-password"


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def signed_in_with_password(client, person):
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert "_auth_user_id" in client.session
    return client


def add_authenticator(client) -> str:
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


def sent_to(person) -> list[str]:
    return [str(message.subject) for message in mail.outbox if message.to == [person.email]]


def test_a_password_change_is_emailed_to_the_person(client, cast):
    signed_in_with_password(client, cast.practitioner)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    subjects = sent_to(cast.practitioner)
    assert any(
        "password" in subject.lower() and "changed" in subject.lower() for subject in subjects
    )


def test_a_reset_password_is_emailed_to_the_person_too(client, cast):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    user = cast.practitioner.user
    key = default_token_generator.make_token(user)
    url = reverse(
        "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key}
    )
    form_url = client.get(url).url
    mail.outbox.clear()

    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert any("password" in subject.lower() for subject in sent_to(cast.practitioner))


# allauth sends this one once the new authenticator is committed, within the request.
@pytest.mark.django_db(transaction=True)
def test_adding_an_authenticator_app_is_emailed_to_the_person(client, cast):
    signed_in_with_password(client, cast.programme_lead)

    add_authenticator(client)

    subjects = [subject.lower() for subject in sent_to(cast.programme_lead)]
    assert any("authenticator" in subject and "activated" in subject for subject in subjects)


def test_removing_an_authenticator_app_is_emailed_to_the_person(client, cast):
    signed_in_with_password(client, cast.programme_lead)
    add_authenticator(client)
    mail.outbox.clear()

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    subjects = [subject.lower() for subject in sent_to(cast.programme_lead)]
    assert any("authenticator" in subject and "deactivated" in subject for subject in subjects)
