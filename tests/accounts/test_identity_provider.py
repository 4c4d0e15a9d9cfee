"""Sign-in through the organisation's identity provider: roster people only, no new accounts."""

from __future__ import annotations

import pytest
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import RequestFactory

from accounts.models import User
from tests.factories import make_person
from training.sign_in import RosterSocialAccountAdapter

pytestmark = pytest.mark.django_db


def provider_login(email: str) -> SocialLogin:
    return SocialLogin(
        user=User(email=email),
        account=SocialAccount(provider="organisation", uid=f"uid-{email}"),
    )


def request():
    from django.contrib.sessions.middleware import SessionMiddleware

    made = RequestFactory().get("/accounts/oidc/organisation/login/callback/")
    SessionMiddleware(lambda r: None).process_request(made)
    made.user = AnonymousUser()
    return made


@pytest.fixture(autouse=True)
def organisation_provider(settings):
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


def test_a_roster_person_is_matched_by_email_in_any_case_and_connected():
    person = make_person(email="kim@council.example", with_account=True)
    login = provider_login("KIM@Council.Example")
    made = request()

    with context.request_context(made):
        RosterSocialAccountAdapter().pre_social_login(made, login)

    assert login.user == person.user
    assert SocialAccount.objects.get(uid="uid-KIM@Council.Example").user == person.user
    # The person is told that their account can now be reached through the provider.
    assert [message.to for message in mail.outbox] == [["kim@council.example"]]


@pytest.mark.parametrize("status", ["left"])
def test_someone_who_has_left_is_refused(status):
    make_person(email="gone@council.example", with_account=True, status=status)

    with pytest.raises(ImmediateHttpResponse) as refused:
        RosterSocialAccountAdapter().pre_social_login(
            request(), provider_login("gone@council.example")
        )

    assert refused.value.response.status_code == 403


def test_someone_not_on_the_roster_is_refused_and_no_account_is_made():
    before = User.objects.count()

    with pytest.raises(ImmediateHttpResponse) as refused:
        RosterSocialAccountAdapter().pre_social_login(
            request(), provider_login("new@elsewhere.example")
        )

    assert "could not find you on the workforce roster" in refused.value.response.content.decode()
    assert User.objects.count() == before
    assert not SocialAccount.objects.exists()


def test_sign_up_through_the_provider_is_closed():
    assert (
        RosterSocialAccountAdapter().is_open_for_signup(request(), provider_login("a@b.example"))
        is False
    )


def test_the_provider_is_configured_by_environment():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    env.update(
        OIDC_SERVER_URL="https://login.example.org/tenant/v2.0",
        OIDC_CLIENT_ID="client",
        OIDC_CLIENT_SECRET="secret",
        OIDC_NAME="Example Council",
    )
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "app = settings.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'][0]; "
        "print(app['name'], app['settings']['server_url'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.strip() == "Example Council https://login.example.org/tenant/v2.0"
