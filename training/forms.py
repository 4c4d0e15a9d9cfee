from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from common.forms import form_field
from common.validators import validate_single_line
from training.csv_files import CSVFileError, ImportFile
from training.dates import skipped_time
from training.fields import DateInSpanField, RecordsChoiceField
from training.models import Cohort, CourseDay, Organisation, Person, Team


class _PlaceCounts(TypedDict):
    taken: int
    waiting: int


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A course as the course selectors return it, with its places counted.
    CourseWithPlaces = WithAnnotations[Cohort, _PlaceCounts]


def refuse_skipped_times(form: forms.Form, data: dict[str, object]) -> None:
    """Add an error to `start_time` or `end_time` when the clocks skip it on `date`."""
    day = data.get("date")
    for field in ("start_time", "end_time"):
        time = data.get(field)
        if (
            isinstance(day, datetime.date)
            and isinstance(time, datetime.time)
            and (problem := skipped_time(day, time))
        ):
            form.add_error(field, problem)


class AsOfForm(forms.Form):
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


class RolloutFilterForm(AsOfForm):
    organisation = forms.ModelChoiceField(
        Organisation.objects.all(), required=False, empty_label="All organisations"
    )

    def as_of_date(self) -> datetime.date:
        # A filter that cannot be used is ignored on its own, never with the date.
        if self.is_bound:
            self.is_valid()
            if as_of := self.cleaned_data.get("as_of"):
                return as_of
        return timezone.localdate()

    def organisation_id(self) -> int | None:
        if not self.is_bound:
            return None
        self.is_valid()
        organisation = self.cleaned_data.get("organisation")
        return organisation.pk if organisation else None


class CSVUploadForm(forms.Form):
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


class RegisterPersonForm(forms.Form):
    email = forms.EmailField(
        label="Add a person by work email", help_text="They must be on the roster."
    )

    def clean_email(self) -> Person:
        email = self.cleaned_data["email"].strip().lower()
        person = Person.objects.filter(email=email).first()
        if person is None:
            raise forms.ValidationError(f"{email} is not on the roster.")
        return person


class RegisterForm(forms.Form):
    """A course's register taken without JavaScript: a ticked box `<person id>:<day>` for each
    day attended, and an unticked one for each day missed.

    A box for someone not on the register (taken off since the page was loaded, say) is ignored,
    so that the rest of the register still saves.
    """

    attended = forms.Field(required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, *args: Any, registered: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registered = set(registered)

    def day_of(self, value: str) -> tuple[int, CourseDay] | None:
        """(person_id, day) for a box of someone on the register, else None."""
        person_id, _, day = value.partition(":")
        if person_id.isdecimal() and day in ("1", "2") and int(person_id) in self.registered:
            return int(person_id), CourseDay(int(day))
        return None

    def clean_attended(self) -> set[tuple[int, CourseDay]]:
        ticked = (self.day_of(str(value)) for value in self.cleaned_data["attended"] or [])
        return {mark for mark in ticked if mark is not None}

    def marks(self) -> dict[tuple[int, CourseDay], bool]:
        """Every day of everyone on the register: ticked or not."""
        ticked = self.cleaned_data["attended"]
        return {
            (person_id, day): (person_id, day) in ticked
            for person_id in self.registered
            for day in CourseDay
        }


class RegisterMarkForm(RegisterForm):
    """One box, saved as soon as it is ticked or unticked: `toggle` names it, and `attended`
    (the boxes of the register that travel with it) says whether it is now ticked."""

    toggle = forms.CharField(
        error_messages={"required": "Choose a day of someone on the register."}
    )

    def clean_toggle(self) -> tuple[int, CourseDay]:
        mark = self.day_of(self.cleaned_data["toggle"])
        if mark is None:
            raise forms.ValidationError("Choose a day of someone on the register.")
        return mark

    def marks(self) -> dict[tuple[int, CourseDay], bool]:
        mark = self.cleaned_data["toggle"]
        return {mark: mark in self.cleaned_data["attended"]}


TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CohortForm(forms.ModelForm):
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

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        phase, name = data.get("phase"), data.get("name")
        # Imports find a cohort by its name in any case, so two names may not differ only by it.
        same_name = Cohort.objects.filter(phase=phase, name__iexact=name).exclude(
            pk=self.instance.pk
        )
        if phase and name and same_name.exists():
            self.add_error("name", f"{phase} already has a cohort called {name}.")
        return data


class TeamFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="Every team"
    )


class CourseChoiceField(forms.ModelChoiceField):
    """A choice of course from the courses' selectors, which count its places."""

    def label_from_instance(self, obj: CourseWithPlaces) -> str:
        return course_choice_label(obj)


def course_choice_label(cohort: CourseWithPlaces) -> str:
    """A course as a choice: its name, its first day and how full it is."""
    when = f"{cohort.day1_date:%-d %B %Y}" if cohort.day1_date else "date to be set"
    if cohort.capacity is None:
        places = f"{cohort.taken} confirmed"
    elif cohort.taken >= cohort.capacity:
        places = f"full, {cohort.waiting} waiting"
    else:
        places = f"{cohort.capacity - cohort.taken} of {cohort.capacity} places free"
    return f"{cohort.name}, {when} ({places})"


class NominateForm(forms.Form):
    """People, chosen from those one may nominate, for a course still to come."""

    people = RecordsChoiceField(
        queryset=Person.objects.none(),
        label="People to nominate",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick the people to nominate."},
    )
    cohort = CourseChoiceField(
        queryset=Cohort.objects.none(),
        label="Course",
        empty_label="Choose a course",
        error_messages={"required": "Choose the course to nominate them for."},
    )

    def __init__(
        self,
        *args: Any,
        nominees: QuerySet[Person],
        courses: QuerySet[Cohort],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "people", forms.ModelChoiceField).queryset = nominees
        cohort = form_field(self, "cohort", forms.ModelChoiceField)
        cohort.queryset = courses
        # The page lists the same courses beside the form: read once for the list and the
        # choices (a model choice field reads its queryset again to draw its options).
        # The course selectors annotate each course with its places taken and waiting.
        self.courses = cast("list[CourseWithPlaces]", list(courses))
        cohort.choices = [
            ("", cohort.empty_label),
            *((course.pk, course_choice_label(course)) for course in self.courses),
        ]


class PlaceMoveForm(forms.Form):
    cohort = CourseChoiceField(
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

    def __init__(self, *args: Any, courses: QuerySet[Cohort], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "cohort", forms.ModelChoiceField).queryset = courses


class PlaceWithdrawForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, validators=[validate_single_line])
