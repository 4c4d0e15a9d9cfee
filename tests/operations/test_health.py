from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_health_check_answers_ok_after_one_query_without_sign_in(
    client, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]


def test_the_health_check_answers_503_when_the_database_is_unreachable(client, caplog):
    refused = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(connection, "cursor", side_effect=refused):
        response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.content == b"database unavailable"
    assert "health check: the database did not answer" in caplog.text


def test_the_health_check_only_answers_get_and_head(client):
    assert client.head(reverse("health")).status_code == 200
    assert client.post(reverse("health")).status_code == 405


@override_settings(SECURE_SSL_REDIRECT=True)
def test_the_health_check_answers_plain_http_probes_while_pages_redirect_to_https(client):
    assert client.get(reverse("health")).status_code == 200

    response = client.get(reverse("accessibility"))
    assert response.status_code == 301
    assert response.url.startswith("https://")
