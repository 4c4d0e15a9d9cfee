from __future__ import annotations

import datetime
from typing import Any

from django import forms

from caseload.models import MOST_CASES
from caseload.months import parse_month
from common.forms import form_field
from training.models import Person


class CaseFiguresForm(forms.Form):
    """The two numbers of a month: no case is named, only counted."""

    caseload = forms.IntegerField(
        label="Caseload",
        min_value=0,
        max_value=MOST_CASES,
        help_text="How many cases you held in the month.",
    )
    cases_with_model = forms.IntegerField(
        label="Cases worked with the model",
        min_value=0,
        max_value=MOST_CASES,
        help_text="How many of those cases you worked with the model.",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        caseload, with_model = data.get("caseload"), data.get("cases_with_model")
        if caseload is not None and with_model is not None and with_model > caseload:
            self.add_error(
                "cases_with_model", "Cases worked with the model cannot be more than the caseload."
            )
        return data


class MyCasesForm(CaseFiguresForm):
    """A practitioner's own figures for a month. There is no field for whose they are: they are
    always the signed-in person's."""

    month = forms.CharField(
        label="Month",
        max_length=10,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
        help_text="As YYYY-MM, such as 2016-09.",
    )

    field_order = ["month", "caseload", "cases_with_model"]

    def clean_month(self) -> datetime.date:
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError("Enter a month as YYYY-MM, such as 2016-09.")
        return month


class SessionCasesForm(CaseFiguresForm):
    """One practitioner's figures for the month of a 2:1, as its supervisor confirms them."""

    practitioner = forms.ChoiceField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, practitioners: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in practitioners}
        form_field(self, "practitioner", forms.ChoiceField).choices = [
            (pk, pk) for pk in self.people
        ]
        self.fields["practitioner"].error_messages["invalid_choice"] = (
            "That person is not a practitioner of this 2:1."
        )
        self.fields["caseload"].help_text = "How many cases they held in the month."
        self.fields[
            "cases_with_model"
        ].help_text = "How many of those cases they worked with the model."

    def clean_practitioner(self) -> Person:
        return self.people[self.cleaned_data["practitioner"]]
