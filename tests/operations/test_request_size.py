"""Bodies larger than a request may carry are refused (413) before anything reads them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from training.models import Person

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def claimed_post(client, url: str, size: int):
    """A POST that declares a body of `size` bytes but carries a few: reading it would fail the
    test client, so an answer proves nothing read the body."""
    return client.generic(
        "POST",
        url,
        b"login=a%40b.example&password=x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(size),
    )


def test_an_anonymous_200_mb_post_to_sign_in_is_refused_before_it_is_read(client):
    response = claimed_post(client, reverse("account_login"), 200 * MB)

    assert response.status_code == 413
    assert "It was refused before it was read" in response.content.decode()


def test_an_anonymous_upload_of_a_real_megabyte_to_sign_in_is_refused(client):
    response = client.post(
        reverse("account_login"),
        {"login": "a@b.example", "password": "x", "file": SimpleUploadedFile("a.bin", b"a" * MB)},
    )

    assert response.status_code == 413
    assert "_auth_user_id" not in client.session


def test_an_ordinary_sign_in_is_not_affected(client, cast):
    from tests.factories import PASSWORD

    response = client.post(
        reverse("account_login"), {"login": cast.practitioner.email, "password": PASSWORD}
    )

    assert response.status_code == 302


def test_a_signed_in_upload_over_the_request_limit_is_refused_with_the_file_limit(
    cast, as_user, settings
):
    response = claimed_post(as_user(cast.administrator), reverse("roster_import"), 50 * MB)

    page = response.content.decode()
    assert response.status_code == 413
    assert f"at most {settings.ROSTER_UPLOAD_MAX_BYTES // 1024} KB" in page
    assert Person.objects.count() == 6


def test_a_file_just_over_the_upload_limit_gets_the_forms_own_message(cast, as_user, settings):
    text = b"email,full_name,team,role_group\n" + b"x" * settings.ROSTER_UPLOAD_MAX_BYTES

    response = as_user(cast.administrator).post(
        reverse("roster_import"), {"file": SimpleUploadedFile("big.csv", text)}
    )

    assert response.status_code == 200
    assert "The file is larger than 2048 KB" in response.content.decode()


def test_the_limits_hold_together(settings):
    """The proxy's documented limit, the request limit and Django's own agree."""
    assert settings.REQUEST_MAX_BYTES == (
        settings.ROSTER_UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )
    assert settings.ANONYMOUS_REQUEST_MAX_BYTES < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= settings.REQUEST_MAX_BYTES
    from pathlib import Path

    operations = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    limit_mb = -(-settings.REQUEST_MAX_BYTES // MB)
    assert f"client_max_body_size {limit_mb}m;" in operations
