from __future__ import annotations

import datetime

from django import forms
from django.db.models import QuerySet

from common.validators import validate_single_line
from training.dates import local_datetime
from training.fields import DateInSpanField, RecordsChoiceField
from training.forms import StyledFormMixin, refuse_skipped_times
from training.models import Person


class SessionForm(StyledFormMixin, forms.Form):
    practitioners = RecordsChoiceField(
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose two; choose one only with a reason.",
    )
    date = DateInSpanField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(max_length=200, required=False, validators=[validate_single_line])
    reason = forms.CharField(
        label="Why only one practitioner",
        max_length=200,
        required=False,
        validators=[validate_single_line],
        help_text="Needed only when you choose one practitioner.",
    )

    def __init__(self, *args: object, supervisees: QuerySet[Person], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practitioners"].queryset = supervisees
        self.fields["practitioners"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, object]:
        data = super().clean()
        chosen = data.get("practitioners") or []
        if chosen and len(chosen) > 2:
            self.add_error("practitioners", "A 2:1 has at most two practitioners.")
        if len(chosen) == 1 and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why this 2:1 has only one practitioner.")
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The session must end after it starts.")
        refuse_skipped_times(self, data)
        return data

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        day = self.cleaned_data["date"]
        return (
            local_datetime(day, self.cleaned_data["start_time"]),
            local_datetime(day, self.cleaned_data["end_time"]),
        )
