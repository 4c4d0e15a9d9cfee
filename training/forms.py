from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from common.validators import validate_single_line
from training.csv_files import CSVFileError, ImportFile
from training.dates import skipped_time
from training.fields import DateInSpanField, RecordsChoiceField
from training.models import Cohort, Person, Team


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


TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CohortForm(StyledFormMixin, forms.ModelForm):
    """A course: its days, their times and venues, its places and its trainers. The rules
    that hold whichever way a course is saved are on the model (Cohort.clean)."""

    class Meta:
        model = Cohort
        fields = [
            "phase",
            "name",
            "day1_date",
            "day1_starts",
            "day1_ends",
            "venue",
            "day2_date",
            "day2_starts",
            "day2_ends",
            "day2_venue",
            "capacity",
            "trainer",
        ]
        widgets = {
            "day1_date": DATE_INPUT,
            "day2_date": DATE_INPUT,
            "day1_starts": TIME_INPUT,
            "day1_ends": TIME_INPUT,
            "day2_starts": TIME_INPUT,
            "day2_ends": TIME_INPUT,
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
        return data


class TeamFilterForm(StyledFormMixin, forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="Every team"
    )


class NominateForm(StyledFormMixin, forms.Form):
    """People, chosen from those one may nominate, for a course still to come."""

    people = RecordsChoiceField(
        queryset=Person.objects.none(),
        label="People to nominate",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick the people to nominate."},
    )
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        label="Course",
        empty_label="Choose a course",
        error_messages={"required": "Choose the course to nominate them for."},
    )

    def __init__(
        self,
        *args: object,
        nominees: QuerySet[Person],
        courses: QuerySet[Cohort],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = nominees
        cohort = self.fields["cohort"]
        cohort.queryset = courses
        cohort.label_from_instance = course_choice_label
        # The page lists the same courses beside the form: read once for the list and the
        # choices (a model choice field reads its queryset again to draw its options).
        self.courses = list(courses)
        cohort.choices = [
            ("", cohort.empty_label),
            *((course.pk, course_choice_label(course)) for course in self.courses),
        ]


def course_choice_label(cohort: Cohort) -> str:
    """A course as a choice: its name, its first day and how full it is."""
    when = f"{cohort.day1_date:%-d %B %Y}" if cohort.day1_date else "date to be set"
    if cohort.capacity is None:
        places = f"{cohort.taken} confirmed"
    elif cohort.taken >= cohort.capacity:
        places = f"full, {cohort.waiting} waiting"
    else:
        places = f"{cohort.capacity - cohort.taken} of {cohort.capacity} places free"
    return f"{cohort.name}, {when} ({places})"


class PlaceMoveForm(StyledFormMixin, forms.Form):
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        label="Move to",
        empty_label="Choose a course",
        error_messages={"required": "Choose the course to move to."},
    )
    reason = forms.CharField(
        label="Why",
        max_length=200,
        validators=[validate_single_line],
        help_text="Such as 'On leave that week'. The programme lead reads it.",
    )

    def __init__(self, *args: object, courses: QuerySet[Cohort], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = courses
        self.fields["cohort"].label_from_instance = course_choice_label


class PlaceWithdrawForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, validators=[validate_single_line])
