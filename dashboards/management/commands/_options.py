"""Options the report commands share."""

from __future__ import annotations

from django.core.management.base import CommandError

from training.models import Organisation


def organisation_option(name: str | None) -> int | None:
    """The organisation a report's `--organisation` names, in any case: None for everyone."""
    if not name:
        return None
    pk = Organisation.objects.filter(name__iexact=name.strip()).values_list("pk", flat=True).first()
    if pk is None:
        raise CommandError(f"No organisation is called '{name}'.")
    return pk
