"""The models and their migrations agree: a model changed without its migration fails here, in
`make test` and so in CI, rather than on the next deployment."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Models changed without a migration:\n{out.getvalue()}", pytrace=False)
    assert "No changes detected" in out.getvalue()
