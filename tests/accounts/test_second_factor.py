"""The second factor on every door: no sign-in route, and no session, skips it.

Administrators and programme leads must pass two-factor sign-in (MFA_REQUIRED_FOR_ROLES). Each
route that signs people in (the site's sign-in form, the admin site's own form, the
organisation's identity provider) must stop at the code, and a session that has not passed it,
however it was made, must reach none of the pages those roles open. Failed attempts at any form
are limited.
"""

from __future__ import annotations

import pytest
from allauth.core import context
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

REQUIRED = ["administrator", "programme_lead"]

# What a password alone must never open: the admin site and the exports of everyone's data.
NEEDS_THE_SECOND_FACTOR = [
    "/admin/",
    "/admin/training/person/",
    "/roster/?_export=csv",
    "/fidelity/evaluation-export/",
    "/rollout/",
    # The account's own two-factor pages: its recovery codes would be a second factor for free.
    "/accounts/2fa/",
    "/accounts/2fa/recovery-codes/",
    "/accounts/2fa/totp/deactivate/",
]


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.fixture
def administrator(cast, settings):
    """A staff administrator with an authenticator app; returns its TOTP secret."""
    settings.MFA_REQUIRED_FOR_ROLES = REQUIRED
    User.objects.filter(pk=cast.administrator.user_id).update(is_staff=True)
    secret = generate_totp_secret()
    TOTP.activate(cast.administrator.user, secret)
    return secret


def reaches(client: Client, page: str) -> bool:
    return client.get(page).status_code == 200


def test_the_admin_sign_in_form_signs_nobody_in_and_sends_people_to_the_sites_own(
    client, cast, administrator
):
    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": cast.administrator.email, "password": PASSWORD, "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    assert not any(reaches(client, page) for page in NEEDS_THE_SECOND_FACTOR)


def test_the_sites_sign_in_form_stops_at_the_code(client, cast, administrator):
    response = client.post(
        reverse("account_login"), {"login": cast.administrator.email, "password": PASSWORD}
    )

    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert not any(reaches(client, page) for page in NEEDS_THE_SECOND_FACTOR)


def identity_provider_sign_in(user: User):
    """The end of a sign-in through the organisation's identity provider, after it has
    vouched for the person (the part allauth's OpenID Connect callback does)."""
    request = RequestFactory().get("/accounts/oidc/organisation/login/callback/")
    SessionMiddleware(lambda request: HttpResponse()).process_request(request)
    MessageMiddleware(lambda request: HttpResponse()).process_request(request)
    request.user = AnonymousUser()
    with context.request_context(request):
        provider = get_adapter().get_provider(request, "organisation")
        login = SocialLogin(
            user=User(email=user.email),
            account=SocialAccount(provider="organisation", uid="uid-administrator"),
            provider=provider,
        )
        response = complete_social_login(request, login)
    return request, response


def test_the_identity_providers_sign_in_stops_at_the_code(cast, administrator, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "organisation",
                    "name": "Example Council",
                    "client_id": "client",
                    "secret": "secret",
                    "settings": {"server_url": "https://login.example.org"},
                }
            ]
        }
    }

    request, response = identity_provider_sign_in(cast.administrator.user)

    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in request.session
    assert not request.user.is_authenticated


@pytest.mark.parametrize("page", NEEDS_THE_SECOND_FACTOR)
def test_a_session_opened_by_a_password_alone_is_asked_for_the_code_first(
    client, cast, administrator, page
):
    # As the admin site's own form, or any sign-in before the authenticator was added, made it.
    client.force_login(cast.administrator.user)

    response = client.get(page)

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_reauthenticate") + "?next=")


def test_once_the_session_has_passed_the_code_the_pages_open(client, cast, administrator):
    client.force_login(cast.administrator.user)

    response = client.post(
        reverse("mfa_reauthenticate") + "?next=/admin/", {"code": current_code(administrator)}
    )

    assert response.url == "/admin/"
    assert reaches(client, "/admin/")
    assert reaches(client, "/roster/?_export=csv")


def test_a_full_sign_in_with_the_code_opens_the_admin_site_and_the_exports(
    client, cast, administrator
):
    client.post(reverse("account_login"), {"login": cast.administrator.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": current_code(administrator)})

    assert all(
        reaches(client, page)
        for page in [
            "/admin/",
            "/roster/?_export=csv",
            "/fidelity/evaluation-export/",
            "/accounts/2fa/",
        ]
    )


def test_a_session_without_the_code_can_still_sign_out(client, cast, administrator):
    client.force_login(cast.administrator.user)

    client.post(reverse("account_logout"))

    assert "_auth_user_id" not in client.session


def test_people_whose_role_does_not_require_it_are_not_asked(client, cast, administrator):
    TOTP.activate(cast.practitioner.user, generate_totp_secret())
    client.force_login(cast.practitioner.user)

    assert reaches(client, reverse("home"))


# Failed attempts ---------------------------------------------------------------------------------


def wrong_password_at_the_sites_form(client: Client, email: str, password: str) -> None:
    client.post(reverse("account_login"), {"login": email, "password": password})


def wrong_password_at_the_admins_form(client: Client, email: str, password: str) -> None:
    client.post(reverse("admin:login"), {"username": email, "password": password})


@pytest.mark.parametrize(
    "attempt",
    [wrong_password_at_the_sites_form, wrong_password_at_the_admins_form],
    ids=["site", "admin"],
)
def test_forty_wrong_passwords_at_any_sign_in_form_lock_the_next_attempt(client, cast, attempt):
    User.objects.filter(pk=cast.administrator.user_id).update(is_staff=True)
    for _ in range(40):
        attempt(client, cast.administrator.email, "not-the-password")

    attempt(client, cast.administrator.email, PASSWORD)

    assert "_auth_user_id" not in client.session


def test_forty_wrong_passwords_when_asked_again_lock_the_next_attempt(client, cast):
    """The form that asks a signed-in person for their password again, before a sensitive
    change (an authenticator, say), is limited too."""
    client.force_login(cast.administrator.user)
    for _ in range(40):
        client.post(reverse("account_reauthenticate"), {"password": "not-the-password"})

    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    assert response.status_code == 429
    assert not any(
        record.get("reauthenticated")
        for record in client.session.get("account_authentication_methods", [])
    )


def test_forty_wrong_codes_lock_the_next_one(client, cast, administrator):
    client.post(reverse("account_login"), {"login": cast.administrator.email, "password": PASSWORD})
    for _ in range(40):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})

    client.post(reverse("mfa_authenticate"), {"code": current_code(administrator)})

    assert "_auth_user_id" not in client.session
