from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet

from common.forms import form_field
from common.validators import validate_single_line
from competencies.models import (
    Level,
    Rating,
    Review,
    ReviewStatus,
)
from competencies.selectors import GridArea, GridRow
from competencies.services import RatingChange
from training.fields import DateInSpanField
from training.models import Person

NOT_SEEN = "not_seen"
LEVEL_CHOICES = [*((str(level.value), level.label) for level in Level), (NOT_SEEN, "Not yet seen")]


def parse_level(value: str | None) -> tuple[bool, int | None]:
    """(valid, level) for a submitted level: "1".."3", or "not_seen" for no level."""
    if value == NOT_SEEN:
        return True, None
    if value in {str(level.value) for level in Level}:
        return True, int(value)
    return False, None


class CommentField(forms.CharField):
    """A reflection or feedback: null characters dropped (PostgreSQL refuses them), stripped, and
    cut to 2,000 characters, so that one odd comment never costs the rest of the grid."""

    def to_python(self, value: object) -> str:
        if isinstance(value, str):
            value = value.replace("\x00", "")
        return (super().to_python(value) or "")[:2000]


class RevisionField(forms.Field):
    """The revision of the rating the rater saw: anything but a number is 0 (saw none), which
    the service then reports as a conflict if there is a rating."""

    def to_python(self, value: object) -> int:
        return int(value) if isinstance(value, str) and value.isdecimal() else 0


class RatingsForm(forms.Form):
    """The rating grid, saved whole: for each competency `level-<id>` (a level, or "not_seen"),
    `comment-<id>` and `based_on-<id>`.

    A row with no level chosen, or one not offered, is not a change; nothing else in the grid is
    refused, so that the rows the rater did fill in are saved.
    """

    def __init__(self, *args: Any, competency_ids: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.competency_ids = list(competency_ids)
        for competency_id in self.competency_ids:
            self.fields[f"level-{competency_id}"] = forms.Field(required=False)
            self.fields[f"comment-{competency_id}"] = CommentField(required=False)
            self.fields[f"based_on-{competency_id}"] = RevisionField(required=False)

    def changes(self) -> list[RatingChange]:
        return [
            change
            for competency_id in self.competency_ids
            if (change := self.change_of(competency_id)) is not None
        ]

    def change_of(self, competency_id: int) -> RatingChange | None:
        valid, level = parse_level(self.cleaned_data[f"level-{competency_id}"])
        if not valid:
            return None
        return RatingChange(
            competency_id=competency_id,
            level=level,
            comment=self.cleaned_data[f"comment-{competency_id}"],
            based_on=self.cleaned_data[f"based_on-{competency_id}"],
        )


class RatingForm(RatingsForm):
    """One row of the grid, saved as the rater changes it: `competency` says which; the other
    rows of the grid travel with it and are not read."""

    competency = forms.TypedChoiceField(coerce=int)

    def __init__(self, *args: Any, competency_ids: Iterable[int], **kwargs: Any) -> None:
        competency_ids = list(competency_ids)
        super().__init__(*args, competency_ids=competency_ids, **kwargs)
        form_field(self, "competency", forms.TypedChoiceField).choices = [
            (pk, pk) for pk in competency_ids
        ]

    def changes(self) -> list[RatingChange]:
        change = self.change_of(self.cleaned_data["competency"])
        return [change] if change else []


class SignOffForm(forms.Form):
    agreed = forms.BooleanField(
        label="We have discussed these ratings together and I sign the review off.",
        error_messages={"required": "Confirm that you have discussed the ratings together."},
    )


class ReturnForm(forms.Form):
    """Sending a submitted review back: the practitioner is told why, by email and on the page."""

    reason = forms.CharField(
        label="Why you are sending it back",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Review._meta.get_field("return_reason").max_length,
        error_messages={"required": "Say why you are sending the review back."},
        help_text="The practitioner reads this in the email and on the review, for example: "
        "look again at the risk assessment competencies. Never write names or details of "
        "children, young people or families.",
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="The signed-off review stays in the history; the correction records why. "
        "Never write names or details of children, young people or families.",
    )


class FrameworkImportForm(forms.Form):
    file = forms.FileField(label="Framework file (.json or .csv)")
    name = forms.CharField(
        required=False,
        max_length=200,
        validators=[validate_single_line],
        help_text="Needed for a CSV file; a JSON file names itself.",
    )

    def clean_file(self) -> tuple[str, str]:
        upload = self.cleaned_data["file"]
        suffix = upload.name.lower().rsplit(".", 1)[-1]
        if suffix not in ("json", "csv"):
            raise forms.ValidationError("Choose a .json or .csv file.")
        if upload.size > 1024 * 1024:
            raise forms.ValidationError("The file is larger than 1 MB.")
        try:
            return upload.read().decode("utf-8-sig"), suffix
        except UnicodeDecodeError as error:
            raise forms.ValidationError("Save the file as UTF-8 and try again.") from error


class ReviewFilterForm(forms.Form):
    """The filters of the review list, read from the query string; anything invalid is ignored."""

    status = forms.ChoiceField(choices=[("", "Any status"), *ReviewStatus.choices], required=False)
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="Anyone", label="Practitioner"
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any):
        super().__init__(*args, **kwargs)
        form_field(self, "person", forms.ModelChoiceField).queryset = people

    def filters(self) -> dict[str, object]:
        if not self.is_valid():
            return {}
        chosen = {
            "status": self.cleaned_data["status"],
            "practitioner": self.cleaned_data["person"],
        }
        return {key: value for key, value in chosen.items() if value}


def _levels(row: GridRow) -> str:
    def level(rating: Rating | None) -> str:
        if rating is None:
            return "not rated"
        return rating.get_level_display() if rating.level else "not yet seen"

    return f"supervisor: {level(row.theirs)}, own: {level(row.mine)}"


class GoalForm(forms.Form):
    """A goal agreed from a signed-off review, on one of its competencies."""

    competency = forms.ChoiceField(label="Competency")
    description = forms.CharField(
        label="The goal",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What will be done and what it will look like. Never write names or details of "
        "children, young people or families.",
    )
    review_on = DateInSpanField(
        label="Review date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    agreed = forms.BooleanField(
        label="We have agreed this goal together.",
        error_messages={"required": "Confirm that you have agreed the goal together."},
    )

    def __init__(
        self, *args: Any, grid: list[GridArea], suggested: list[GridRow], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        rows = [row for area in grid for row in area.rows]
        self.competencies = {str(row.competency.pk): row.competency for row in rows}
        chosen = {row.competency.pk for row in suggested}
        others = [row for row in rows if row.competency.pk not in chosen]
        choices: list[tuple[str, object]] = [("", "Choose")]
        if suggested:
            choices.append(
                (
                    "Suggested: rated Basic by the supervisor, or the views differ",
                    [
                        (str(row.competency.pk), f"{row.competency.title} ({_levels(row)})")
                        for row in suggested
                    ],
                )
            )
        choices.append(
            (
                "Other competencies" if suggested else "Competencies",
                [
                    (str(row.competency.pk), f"{row.competency.title} ({_levels(row)})")
                    for row in others
                ],
            )
        )
        form_field(self, "competency", forms.ChoiceField).choices = choices

    def clean_competency(self) -> object:
        return self.competencies[self.cleaned_data["competency"]]
