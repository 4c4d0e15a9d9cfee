from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from common.validators import validate_single_line
from competencies.models import CaseType, Level, Review, RiskLevel
from competencies.services import RatingChange
from supervision.models import SupervisionSession
from training.forms import StyledFormMixin

NOT_SEEN = "not_seen"
LEVEL_CHOICES = [*((str(level.value), level.label) for level in Level), (NOT_SEEN, "Not yet seen")]


class ReviewStartForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Review
        fields = ["case_reference", "case_type", "risk_level", "session"]
        labels = {"case_reference": "Case reference (optional)"}
        help_texts = {
            "case_reference": "Only your organisation's pseudonymous reference. Never a name, "
            "date of birth, address or any detail that identifies a child or young person.",
            "session": "The 2:1 where you will discuss this review, if there is one.",
        }

    def __init__(self, *args: object, sessions: QuerySet[SupervisionSession], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["case_type"].choices = [("", "No particular case"), *CaseType.choices]
        self.fields["risk_level"].choices = [("", "Not applicable"), *RiskLevel.choices]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        # The reference's format is checked by the model field, for every way in.
        reference = (data.get("case_reference") or "").strip()
        if reference and not data.get("case_type"):
            self.add_error("case_type", "Say what kind of case this is.")
        return data


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
