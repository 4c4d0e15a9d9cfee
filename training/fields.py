"""Form fields that refuse what the database or the calendar cannot hold, with a message."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError

from training.dates import out_of_span

BIGINT_RANGE = range(-(2**63), 2**63)


class DateInSpanField(forms.DateField):
    """A date field that accepts only dates within training.dates.date_span()."""

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value is not None and (problem := out_of_span(value)):
            raise ValidationError(problem, code="out_of_span")


class RecordsChoiceField(forms.ModelMultipleChoiceField):
    """Several records by ID, refusing IDs no database column can hold.

    Django checks each ID with an exact lookup, which is guarded against numbers beyond 64 bits,
    then fetches them with an IN lookup, which is not: SQLite raises OverflowError on such a number.
    """

    def _check_values(self, value: list[str]) -> object:
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # Django refuses it as "not a valid value"
            if number not in BIGINT_RANGE:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        # Django's ModelMultipleChoiceField has _check_values; django-stubs leaves it out.
        return super()._check_values(value)  # type: ignore[misc]
