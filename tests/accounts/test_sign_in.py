from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_people_sign_in_with_their_email_in_any_case_and_password(client):
    person = make_person(with_account=True)

    response = client.post(
        reverse("account_login"), {"login": person.email.upper(), "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == person.user


def test_a_wrong_password_is_refused_with_a_message(client):
    person = make_person(with_account=True)

    response = client.post(reverse("account_login"), {"login": person.email, "password": "nope"})

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_person_who_has_left_cannot_sign_in(client):
    person = make_person(with_account=True)
    User.objects.filter(pk=person.user_id).update(is_active=False)

    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session


def test_self_sign_up_is_closed(client):
    response = client.post(
        reverse("account_signup"), {"email": "new@x.example", "password1": "a-Long-pass-123"}
    )

    assert "the sign up is currently closed" in response.content.decode()
    assert not User.objects.filter(email="new@x.example").exists()


def test_password_reset_sends_an_email_to_a_roster_account(client):
    person = make_person(with_account=True)

    client.post(reverse("account_reset_password"), {"email": person.email})

    assert [message.to for message in mail.outbox] == [[person.email]]


@pytest.mark.parametrize("name", ["account_login", "account_reset_password", "accessibility"])
def test_sign_in_password_reset_and_accessibility_pages_need_no_sign_in(client, name):
    assert client.get(reverse(name)).status_code == 200


def test_every_other_page_needs_a_signed_in_user(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/"


def test_the_home_page_shows_a_persons_own_training_state(client):
    person = make_person(with_account=True)
    client.force_login(person.user)

    assert "not yet trained" in client.get(reverse("home")).content.decode()


def _settings_check(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DJANGO_DEBUG", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE")
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = _settings_check(ALLOWED_HOSTS="example.org")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_production_mode_refuses_to_start_without_allowed_hosts():
    result = _settings_check(SECRET_KEY="x" * 50)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_debug_mode_starts_with_no_settings_at_all():
    assert _settings_check(DJANGO_DEBUG="1").returncode == 0


def test_nobody_can_change_their_own_sign_in_email(client):
    person = make_person(with_account=True)
    client.force_login(person.user)

    page = client.get(reverse("account_email"))
    refused = client.post(reverse("account_email"), {"email": "new@x.example", "action_add": ""})

    assert "ask an administrator to correct the roster" in page.content.decode()
    assert refused.status_code == 405
    assert User.objects.get(pk=person.user_id).email == person.email
    assert not person.user.emailaddress_set.filter(email="new@x.example").exists()
