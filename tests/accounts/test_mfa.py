from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

REQUIRED = ["administrator", "programme_lead"]


def opens(response) -> bool:
    """The set-up page is shown, or allauth first asks for the password again."""
    return response.status_code == 200 or response.url.startswith("/accounts/reauthenticate/")


def current_code(secret: str) -> str:
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))


@pytest.mark.parametrize("role", ["administrator", "programme_lead"])
def test_administrators_and_programme_leads_must_set_up_two_factor_sign_in(
    cast, as_user, settings, role
):
    settings.MFA_REQUIRED_FOR_ROLES = REQUIRED

    response = as_user(getattr(cast, role)).get(reverse("rollout"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_the_set_up_page_itself_and_signing_out_stay_open(cast, as_user, settings):
    settings.MFA_REQUIRED_FOR_ROLES = REQUIRED
    client = as_user(cast.administrator)

    assert opens(client.get(reverse("mfa_activate_totp")))
    assert client.get(reverse("accessibility")).status_code == 200


def test_other_roles_are_offered_it_but_not_made_to(cast, as_user, settings):
    settings.MFA_REQUIRED_FOR_ROLES = REQUIRED
    client = as_user(cast.practitioner)

    assert client.get(reverse("home")).status_code == 200
    assert opens(client.get(reverse("mfa_activate_totp")))


def test_once_set_up_the_code_is_asked_at_sign_in_and_the_pages_open(client, cast, settings):
    settings.MFA_REQUIRED_FOR_ROLES = REQUIRED
    secret = generate_totp_secret()
    TOTP.activate(cast.programme_lead.user, secret)

    response = client.post(
        reverse("account_login"), {"login": cast.programme_lead.email, "password": PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})

    assert client.get(reverse("rollout")).status_code == 200


def test_a_wrong_code_does_not_sign_in(client, cast, settings):
    secret = generate_totp_secret()
    TOTP.activate(cast.administrator.user, secret)
    client.post(reverse("account_login"), {"login": cast.administrator.email, "password": PASSWORD})

    client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert "_auth_user_id" not in client.session


def test_it_is_required_in_production_by_default():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "MFA_REQUIRED_FOR_ROLES")
    }
    env.update(
        SECRET_KEY="x" * 60, ALLOWED_HOSTS="example.org", DJANGO_SETTINGS_MODULE="config.settings"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(sorted(settings.MFA_REQUIRED_FOR_ROLES))",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.strip() == "['administrator', 'programme_lead']", result.stderr
