"""Passwords people choose: at least 12 characters (ASVS 2.1.1), and not a common one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("Kx7!mQ2#vL9", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
    ],
)
def test_a_short_or_common_new_password_is_refused_with_a_message(
    cast, as_user, new_password, message
):
    client = as_user(cast.practitioner)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    cast.practitioner.user.refresh_from_db()
    assert cast.practitioner.user.check_password(PASSWORD)


def test_a_password_of_twelve_characters_is_accepted(cast, as_user):
    client = as_user(cast.practitioner)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "Kx7!mQ2#vL9p", "password2": "Kx7!mQ2#vL9p"},
    )

    assert response.status_code == 302
    cast.practitioner.user.refresh_from_db()
    assert cast.practitioner.user.check_password("Kx7!mQ2#vL9p")
