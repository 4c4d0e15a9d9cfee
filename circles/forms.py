from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone

from accounts.roles import Role
from circles.holidays import bank_holiday
from circles.models import AttendanceStatus, CircleMeeting, LearningCircle
from common.forms import form_field
from common.validators import validate_single_line
from competencies.models import Competency, Stage
from training.fields import DateInSpanField, RecordsChoiceField
from training.forms import refuse_skipped_times
from training.models import Person, PersonStatus


class CircleForm(forms.ModelForm):
    facilitators = RecordsChoiceField(
        queryset=Person.objects.exclude(status=PersonStatus.LEFT).filter(
            user__groups__name=Role.PRACTICE_LEADER.label
        ),
        label="Practice leaders",
        help_text="Who runs the circle. Hold Ctrl (or Cmd) to choose more than one.",
    )
    online_link = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text="The video-call link, if the circle meets online.",
    )

    class Meta:
        model = LearningCircle
        fields = [
            "name",
            "kind",
            "facilitators",
            "ordinal",
            "weekday",
            "start_time",
            "end_time",
            "starts_on",
            "ends_on",
            "on_bank_holiday",
            "venue",
            "online_link",
        ]
        widgets = {
            "on_bank_holiday": forms.RadioSelect,
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        field_classes = {"starts_on": DateInSpanField, "ends_on": DateInSpanField}
        help_texts = {
            "ordinal": "With the day: for example the second Tuesday of each month.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A new series: the leader chooses, rather than finding out at Christmas.
            self.initial.pop("on_bank_holiday", None)
            self.fields["on_bank_holiday"].initial = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("venue") and not data.get("online_link"):
            raise forms.ValidationError("Give a venue, an online link, or both.")
        return data


class AddMemberForm(forms.Form):
    email = forms.EmailField(label="Add a member by work email")

    def clean_email(self) -> Person:
        email = self.cleaned_data["email"].strip().lower()
        person = Person.objects.filter(email=email).exclude(status=PersonStatus.LEFT).first()
        if person is None:
            raise forms.ValidationError(
                f"{email} is not on the roster as a current member of staff."
            )
        return person


class AddMembersForm(forms.Form):
    """Several people at once, chosen from a name search or from trained people in no circle."""

    people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one person to add."},
    )

    def __init__(self, *args: Any, circle: LearningCircle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "people", forms.ModelChoiceField).queryset = Person.objects.exclude(
            status=PersonStatus.LEFT
        ).exclude(circle_memberships__circle=circle)


class MoveMeetingForm(forms.Form):
    date = DateInSpanField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    venue = forms.CharField(
        required=False,
        max_length=200,
        validators=[validate_single_line],
        help_text="Leave blank for the circle's usual place.",
    )
    on_bank_holiday_anyway = forms.BooleanField(
        label="Move it to that bank holiday anyway", required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The meeting must end after it starts.")
        refuse_skipped_times(self, data)
        day = data.get("date")
        if day and (holiday := bank_holiday(day)) and not data.get("on_bank_holiday_anyway"):
            self.add_error(
                "date",
                f"{day:%-d %B %Y} is {holiday}, a bank holiday. Choose another day, or tick "
                '"Move it to that bank holiday anyway".',
            )
        return data


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(
        label="Why it is cancelled",
        max_length=200,
        help_text="Said in the cancellation everyone is emailed, for example: the room is "
        "needed for training.",
    )


class AgendaForm(forms.ModelForm):
    class Meta:
        model = CircleMeeting
        fields = ["agenda"]
        widgets = {"agenda": forms.Textarea(attrs={"rows": 4})}


def worked_on_choices(competencies: list[Competency]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each stage, as a whole and then its competencies: `stage:<stage>`, `competency:<id>`."""
    return [
        (
            stage.label,
            [
                (f"stage:{stage.value}", "The stage as a whole"),
                *(
                    (f"competency:{competency.pk}", competency.title)
                    for competency in competencies
                    if competency.area.stage == stage
                ),
            ],
        )
        for stage in Stage
    ]


class MeetingRecordForm(forms.ModelForm):
    """What a meeting worked on, how many cases were brought, and notes.

    `competencies` are those of the current published framework, with any the meeting already
    records from an earlier version (so saving again keeps them), each with its area loaded.
    """

    worked_on = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What the circle worked on",
        help_text="Stages as a whole, or competencies of the current framework.",
    )

    class Meta:
        model = CircleMeeting
        fields = ["cases_brought", "notes"]
        labels = {"cases_brought": "Cases brought"}
        help_texts = {
            "notes": "Short notes on learning and themes. Never write names or details of "
            "children, young people or families; refer to cases only in general terms.",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(
        self, *args: Any, competencies: list[Competency], focus: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.competencies = {str(competency.pk): competency for competency in competencies}
        form_field(self, "worked_on", forms.ChoiceField).choices = worked_on_choices(competencies)
        self.fields["worked_on"].initial = focus

    def clean_worked_on(self) -> list[tuple[str, Competency | None]]:
        chosen: list[tuple[str, Competency | None]] = []
        for value in self.cleaned_data["worked_on"]:
            kind, _, key = value.partition(":")
            if kind == "competency":
                competency = self.competencies[key]
                chosen.append((competency.area.stage, competency))
            else:
                chosen.append((key, None))
        return chosen


class AttendanceForm(forms.Form):
    """The register: a status for each member, in radio buttons named `status-<person id>`.

    A member left unmarked keeps what they have; a status for anyone outside the circle is not
    a field, so it is never read.
    """

    def __init__(self, *args: Any, member_ids: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for person_id in sorted(member_ids):
            self.fields[f"status-{person_id}"] = forms.TypedChoiceField(
                choices=AttendanceStatus.choices,
                coerce=AttendanceStatus,
                required=False,
                empty_value=None,
            )

    def marks(self) -> dict[int, AttendanceStatus]:
        """{person_id: status} for each member marked."""
        return {
            int(name.removeprefix("status-")): status
            for name, status in self.cleaned_data.items()
            if name.startswith("status-") and status is not None
        }


class AttendanceMarkForm(AttendanceForm):
    """One member's status, saved as soon as it is chosen: `person` says whose radio changed."""

    NOT_A_MEMBER = "Choose a status for a member of this circle."

    person = forms.TypedChoiceField(
        coerce=int, error_messages={"required": NOT_A_MEMBER, "invalid_choice": NOT_A_MEMBER}
    )

    def __init__(self, *args: Any, member_ids: Iterable[int], **kwargs: Any) -> None:
        member_ids = sorted(member_ids)
        super().__init__(*args, member_ids=member_ids, **kwargs)
        form_field(self, "person", forms.TypedChoiceField).choices = [
            (person_id, person_id) for person_id in member_ids
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        person_id = data.get("person")
        if person_id is not None and data.get(f"status-{person_id}") is None:
            raise forms.ValidationError(self.NOT_A_MEMBER)
        return data

    def marks(self) -> dict[int, AttendanceStatus]:
        """Only the named member's status: the other radios of the form travel with it."""
        person_id = self.cleaned_data["person"]
        return {person_id: self.cleaned_data[f"status-{person_id}"]}


class RemoveMemberForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none())

    def __init__(self, *args: Any, circle: LearningCircle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "person", forms.ModelChoiceField).queryset = circle.members.all()


def meeting_defaults(meeting: CircleMeeting) -> dict[str, datetime.date | datetime.time | str]:
    starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    return {
        "date": starts.date(),
        "start_time": starts.time(),
        "end_time": ends.time(),
        "venue": meeting.venue,
    }
