from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from common.forms import form_field
from common.validators import validate_single_line
from competencies.models import (
    CASE_REFERENCE_HELP,
    CaseType,
    Competency,
    Review,
    RiskLevel,
    Stage,
)
from supervision.models import AgreedAction, CaseDiscussed, SessionStatus, SupervisionSession
from training.dates import local_datetime
from training.fields import DateInSpanField, RecordsChoiceField
from training.forms import refuse_skipped_times
from training.models import Person


class SessionForm(forms.Form):
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

    def __init__(self, *args: Any, supervisees: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "practitioners", forms.ModelChoiceField).queryset = supervisees

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
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


class SessionStatusForm(forms.Form):
    """A planned 2:1 marked held or cancelled from its page."""

    status = forms.ChoiceField(
        choices=[(SessionStatus.HELD, "Held"), (SessionStatus.CANCELLED, "Cancelled")]
    )


class HeldSessionForm(SessionForm):
    """A 2:1 that has already taken place: the same details, on or before today."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors and self.times()[0] > timezone.now():
            self.add_error(
                "date", "This 2:1 has not started yet: schedule it instead, to send invitations."
            )
        return data


# The record of a 2:1 -----------------------------------------------------------------------------

SHARED = "shared"
GENERAL_TERMS = (
    "Refer to cases only in general terms: never a name, date of birth, address or other detail "
    "of a child, young person or family."
)


class WhoseMixin:
    """The `whose` field of a record item: one practitioner of the 2:1, or both.

    Built from the 2:1's practitioners as already loaded, so drawing the form costs no query.
    There is no default: a shared item is seen by both practitioners, so it is chosen on purpose.
    """

    whose_label = "Whose is it"
    may_share = True
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def add_whose(self, session: SupervisionSession) -> None:
        self.people = {str(person.pk): person for person in session.practitioners.all()}
        choices = [(pk, f"{person.full_name} only") for pk, person in self.people.items()]
        if self.may_share and len(self.people) > 1:
            choices.append((SHARED, "Shared: both practitioners"))
        if len(choices) > 1:
            choices.insert(0, ("", "Choose"))
        self.fields["whose"] = forms.ChoiceField(label=self.whose_label, choices=choices)

    def clean_whose(self) -> Person | None:
        value = self.cleaned_data["whose"]
        return None if value == SHARED else self.people[value]


class CaseDiscussedForm(WhoseMixin, forms.ModelForm):
    """A case discussed: its reference and context are checked as a review's are."""

    whose_label = "Whose case"
    may_share = False

    class Meta:
        model = CaseDiscussed
        fields = ["case_reference", "case_type", "risk_level"]
        labels = {"case_reference": "Case reference"}

    def __init__(self, *args: Any, session: SupervisionSession, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "case_%s")
        kwargs.setdefault("instance", CaseDiscussed(session=session))
        super().__init__(*args, **kwargs)
        form_field(self, "case_type", forms.ChoiceField).choices = [
            ("", "Choose"),
            *CaseType.choices,
        ]
        form_field(self, "risk_level", forms.ChoiceField).choices = [
            ("", "Choose"),
            *RiskLevel.choices,
        ]
        self.add_whose(session)
        self.order_fields(["whose"])


def focus_choices(competencies: list[Competency]) -> list[tuple[str, object]]:
    """Each stage, then its competencies, grouped by stage: `stage:<stage>`, `competency:<id>`."""
    choices: list[tuple[str, object]] = [("", "Choose")]
    for stage in Stage:
        options = [(f"stage:{stage.value}", f"{stage.label}: the stage as a whole")]
        options += [
            (f"competency:{competency.pk}", competency.title)
            for competency in competencies
            if competency.area.stage == stage
        ]
        choices.append((stage.label, options))
    return choices


class SessionFocusForm(WhoseMixin, forms.Form):
    worked_on = forms.ChoiceField(
        label="Stage or competency worked on",
        help_text="A stage as a whole, or one of its competencies in the current framework.",
    )

    def __init__(
        self,
        *args: Any,
        session: SupervisionSession,
        competencies: list[Competency],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "focus_%s")
        super().__init__(*args, **kwargs)
        self.competencies = {str(competency.pk): competency for competency in competencies}
        form_field(self, "worked_on", forms.ChoiceField).choices = focus_choices(competencies)
        self.add_whose(session)

    def clean_worked_on(self) -> tuple[str, Competency | None]:
        kind, _, key = self.cleaned_data["worked_on"].partition(":")
        if kind == "competency":
            competency = self.competencies[key]
            return competency.area.stage, competency
        return key, None


class SessionNoteForm(WhoseMixin, forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=GENERAL_TERMS,
    )

    def __init__(self, *args: Any, session: SupervisionSession, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)
        self.add_whose(session)
        self.order_fields(["whose"])


class AgreedActionForm(WhoseMixin, forms.Form):
    description = forms.CharField(
        label="Action",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=GENERAL_TERMS,
    )
    owner = forms.ChoiceField(label="Owner", help_text="Who does it.")
    due_on = DateInSpanField(
        label="Due", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, session: SupervisionSession, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "action_%s")
        super().__init__(*args, **kwargs)
        self.add_whose(session)
        self.owners = {str(session.supervisor.pk): session.supervisor, **self.people}
        form_field(self, "owner", forms.ChoiceField).choices = [
            ("", "Choose"),
            *((pk, person.full_name) for pk, person in self.owners.items()),
        ]

    def clean_owner(self) -> Person:
        return self.owners[self.cleaned_data["owner"]]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        owner, whose = data.get("owner"), data.get("whose")
        if owner and whose and owner in self.people.values() and owner != whose:
            self.add_error("whose", "An action a practitioner owns is theirs or shared by both.")
        return data


class ActionCloseForm(forms.Form):
    action = forms.ChoiceField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="How it was closed",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=GENERAL_TERMS,
    )

    def __init__(self, *args: Any, actions: list[AgreedAction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions = {str(action.pk): action for action in actions if action.is_open}
        form_field(self, "action", forms.ChoiceField).choices = [(pk, pk) for pk in self.actions]
        self.fields["action"].error_messages["invalid_choice"] = (
            "That action is not open in this 2:1."
        )

    def clean_action(self) -> AgreedAction:
        return self.actions[self.cleaned_data["action"]]


class ReviewStartForm(forms.ModelForm):
    """A practitioner starts a review of their practice, for one of their 2:1s or none."""

    class Meta:
        model = Review
        fields = ["case_reference", "case_type", "risk_level", "session"]
        labels = {"case_reference": "Case reference (optional)"}
        help_texts = {
            "case_reference": CASE_REFERENCE_HELP,
            "session": "The 2:1 where you will discuss this review, if there is one.",
        }

    def __init__(self, *args: Any, sessions: QuerySet[SupervisionSession], **kwargs: Any):
        super().__init__(*args, **kwargs)
        sessions = sessions.exclude(status=SessionStatus.CANCELLED)
        form_field(self, "session", forms.ModelChoiceField).queryset = sessions
        # A review usually follows a 2:1 that took place: those first, the latest at the top,
        # then the ones to come, the soonest first.
        now = timezone.now()
        listed = sorted(
            sessions.select_related("supervisor"),
            key=lambda session: (
                (0, -session.starts_at.timestamp())
                if session.starts_at <= now
                else (1, session.starts_at.timestamp())
            ),
        )
        form_field(self, "session", forms.ChoiceField).choices = [
            ("", "None"),
            *((session.pk, session_label(session, now=now)) for session in listed),
        ]
        form_field(self, "case_type", forms.ChoiceField).choices = [
            ("", "No particular case"),
            *CaseType.choices,
        ]
        form_field(self, "risk_level", forms.ChoiceField).choices = [
            ("", "Not applicable"),
            *RiskLevel.choices,
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # The reference's format is checked by the model field, for every way in.
        reference = (data.get("case_reference") or "").strip()
        if reference and not data.get("case_type"):
            self.add_error("case_type", "Say what kind of case this is.")
        return data


def session_label(session: SupervisionSession, *, now: datetime.datetime) -> str:
    when = timezone.localtime(session.starts_at).strftime("%-d %B %Y, %H:%M")
    if session.status == SessionStatus.HELD:
        state = "Held"
    elif session.starts_at <= now:
        state = "Took place (not yet marked held)"
    else:
        state = "Coming"
    return f"{state}: {when}, with {session.supervisor.full_name}"
