"""The demo organisation, loaded once for all the demo's tests and rolled back after them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from tests.factories import analyse_after_bulk_load


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture(scope="package")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """What `seed_demo` printed; its rows stay in the database until the last demo test."""
    with django_db_blocker.unblock(), transaction.atomic():
        printed = run("seed_demo")
        analyse_after_bulk_load()
        yield printed
        transaction.set_rollback(True)
