from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from common.validators import validate_single_line
from competencies.models import (
    Level,
    Review,
    ReviewStatus,
)
from competencies.selectors import GridArea, GridRow
from competencies.services import RatingChange
from training.fields import DateInSpanField
from training.forms import StyledFormMixin

NOT_SEEN = "not_seen"
LEVEL_CHOICES = [*((str(level.value), level.label) for level in Level), (NOT_SEEN, "Not yet seen")]


def parse_level(value: str) -> tuple[bool, int | None]:
    """(valid, level) for a submitted level: "1".."3", or "not_seen" for no level."""
    if value == NOT_SEEN:
        return True, None
    if value in {str(level.value) for level in Level}:
        return True, int(value)
    return False, None


def rating_changes(data: dict[str, str], competency_ids: list[int]) -> list[RatingChange]:
    """Rating fields of a grid (`level-<id>`, `comment-<id>`, `based_on-<id>`) as changes.

    Rows left blank are not changes.
    """
    changes = []
    for competency_id in competency_ids:
        valid, level = parse_level(data.get(f"level-{competency_id}", ""))
        if not valid:
            continue
        based_on = data.get(f"based_on-{competency_id}", "0")
        changes.append(
            RatingChange(
                competency_id=competency_id,
                level=level,
                comment=data.get(f"comment-{competency_id}", "").replace("\x00", "").strip()[:2000],
                based_on=int(based_on) if based_on.isdecimal() else 0,
            )
        )
    return changes


class SignOffForm(forms.Form):
    agreed = forms.BooleanField(
        label="We have discussed these ratings together and I sign the review off.",
        error_messages={"required": "Confirm that you have discussed the ratings together."},
    )


class ReturnForm(StyledFormMixin, forms.Form):
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


class CorrectionForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="The signed-off review stays in the history; the correction records why. "
        "Never write names or details of children, young people or families.",
    )


class FrameworkImportForm(StyledFormMixin, forms.Form):
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


class ReviewFilterForm(StyledFormMixin, forms.Form):
    """The filters of the review list, read from the query string; anything invalid is ignored."""

    status = forms.ChoiceField(choices=[("", "Any status"), *ReviewStatus.choices], required=False)
    person = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Anyone", label="Practitioner"
    )

    def __init__(self, *args: object, people: QuerySet, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people

    def filters(self) -> dict[str, object]:
        if not self.is_valid():
            return {}
        chosen = {
            "status": self.cleaned_data["status"],
            "practitioner": self.cleaned_data["person"],
        }
        return {key: value for key, value in chosen.items() if value}


def _levels(row: GridRow) -> str:
    def level(rating: object) -> str:
        if rating is None:
            return "not rated"
        return rating.get_level_display() if rating.level else "not yet seen"

    return f"supervisor: {level(row.theirs)}, own: {level(row.mine)}"


class GoalForm(StyledFormMixin, forms.Form):
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
        self, *args: object, grid: list[GridArea], suggested: list[GridRow], **kwargs: object
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
        self.fields["competency"].choices = choices

    def clean_competency(self) -> object:
        return self.competencies[self.cleaned_data["competency"]]
