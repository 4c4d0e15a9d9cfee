from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone

from training.csv_files import CSVFileError, ImportFile
from training.dates import skipped_time
from training.fields import DateInSpanField
from training.models import Cohort, Person


class StyledFormMixin:
    """Bootstrap classes on every widget, so templates can render fields one by one."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if getattr(widget, "input_type", None) == "checkbox":
                css = "form-check-input"
            elif getattr(widget, "input_type", None) == "select":
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def refuse_skipped_times(form: forms.Form, data: dict[str, object]) -> None:
    """Add an error to `start_time` or `end_time` when the clocks skip it on `date`."""
    day = data.get("date")
    for field in ("start_time", "end_time"):
        time = data.get(field)
        if day and time and (problem := skipped_time(day, time)):
            form.add_error(field, problem)


class AsOfForm(StyledFormMixin, forms.Form):
    as_of = DateInSpanField(
        label="Figures as of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Counts only training attended on or before this date.",
    )

    def as_of_date(self) -> datetime.date:
        if self.is_valid() and self.cleaned_data["as_of"]:
            return self.cleaned_data["as_of"]
        return timezone.localdate()


class CSVUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="A .csv file saved as UTF-8 or from Excel, or an Excel workbook (.xlsx), with a "
        "header row. A workbook is read from the sheet it opens on.",
    )
    dry_run = forms.BooleanField(
        label="Check the file only (dry run): save nothing",
        required=False,
    )

    def clean_file(self) -> ImportFile:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Choose a file that ends in .csv or .xlsx.")
        if upload.size > settings.ROSTER_UPLOAD_MAX_BYTES:
            limit = settings.ROSTER_UPLOAD_MAX_BYTES // 1024
            raise forms.ValidationError(f"The file is larger than {limit} KB.")
        file = ImportFile(name=upload.name, data=upload.read())
        try:
            file.source()
        except CSVFileError as error:
            raise forms.ValidationError(str(error)) from error
        return file


class RegisterPersonForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label="Add a person by work email", help_text="They must be on the roster."
    )

    def clean_email(self) -> Person:
        email = self.cleaned_data["email"].strip().lower()
        person = Person.objects.filter(email=email).first()
        if person is None:
            raise forms.ValidationError(f"{email} is not on the roster.")
        return person


class CohortForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["phase", "name", "day1_date", "day2_date", "venue", "trainer"]
        widgets = {
            "day1_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "day2_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        field_classes = {"day1_date": DateInSpanField, "day2_date": DateInSpanField}
        help_texts = {
            "name": "Unique within its phase, such as 'Phase 2 cohort C'.",
            "day1_date": "Leave blank until the date is known.",
        }

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean(self) -> dict[str, object]:
        data = super().clean()
        phase, name = data.get("phase"), data.get("name")
        # Imports find a cohort by its name in any case, so two names may not differ only by it.
        same_name = Cohort.objects.filter(phase=phase, name__iexact=name).exclude(
            pk=self.instance.pk
        )
        if phase and name and same_name.exists():
            self.add_error("name", f"{phase} already has a cohort called {name}.")
        day1, day2 = data.get("day1_date"), data.get("day2_date")
        if day1 and day2 and day2 < day1:
            self.add_error("day2_date", "Day 2 cannot come before day 1.")
        return data
