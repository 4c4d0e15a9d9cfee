from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from common.validators import validate_single_line
from competencies.case_references import validate_case_reference
from competencies.models import (
    CASE_REFERENCE_HELP,
    CaseType,
    Competency,
    RiskLevel,
    Stage,
)
from training.models import Person

if TYPE_CHECKING:
    from supervision.forms import ActionCloseForm


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class SupervisionSession(models.Model):
    """A 2:1: one trained manager with two practitioners (or one, for a stated reason)."""

    supervisor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="sessions_supervised"
    )
    practitioners = models.ManyToManyField(Person, related_name="supervision_sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    status = models.CharField(
        max_length=20, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    single_practitioner_reason = models.CharField(
        "why only one practitioner",
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="A 2:1 normally has two practitioners; say why this one has one.",
    )
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[practitioners])

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"2:1 with {self.supervisor} on {self.starts_at:%d/%m/%Y}"


class SupervisionSettings(models.Model):
    """How 2:1 supervision is judged; one row, which an administrator changes."""

    overdue_days = models.PositiveSmallIntegerField(
        "days until a 2:1 is overdue",
        default=42,
        validators=[MinValueValidator(1)],
        help_text="An active, trained person with no 2:1 held in this many days is overdue. "
        "Whole days count: a 2:1 held at any time on the first of those days still counts.",
    )

    class Meta:
        verbose_name = "supervision settings"
        verbose_name_plural = "supervision settings"

    def __str__(self) -> str:
        return "Supervision settings"

    @classmethod
    def load(cls) -> SupervisionSettings:
        row, _ = cls.objects.get_or_create(pk=1)
        return row


# The record of a 2:1 ------------------------------------------------------------------------------
#
# The supervisor writes it. Each item belongs to one practitioner of the 2:1 or is shared by both
# (`practitioner` empty): a practitioner sees the shared items and their own, never the other's;
# the supervisor sees everything. A case discussed always belongs to one practitioner. An action
# has an owner (the supervisor or a practitioner) and belongs, like any item, to one practitioner
# or to both; an action a practitioner owns is theirs or shared, never the other practitioner's.

WHOSE_HELP = "Leave empty when the item is shared by both practitioners of the 2:1."


class CaseDiscussed(models.Model):
    """A case one practitioner brought to a 2:1, known only as a review knows a case.

    The organisation's pseudonymous case reference, the case type and the risk level: never a
    name or any detail that identifies a child or young person.
    """

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="cases_discussed"
    )
    practitioner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Whose case it is: only they and the supervisor see it.",
    )
    case_reference = models.CharField(
        max_length=40,
        validators=[validate_case_reference, validate_single_line],
        help_text=CASE_REFERENCE_HELP,
    )
    case_type = models.CharField(max_length=20, choices=CaseType.choices)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "case discussed"
        verbose_name_plural = "cases discussed"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "case_reference"],
                name="case_discussed_once_a_session",
                violation_error_message="This case is already in the record of this 2:1.",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.case_reference} at {self.session}"


class SessionFocus(models.Model):
    """A stage of the framework, or one competency of it, that a 2:1 worked on."""

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="focus")
    practitioner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=WHOSE_HELP,
    )
    stage = models.CharField(max_length=20, choices=Stage.choices)
    competency = models.ForeignKey(
        Competency,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Empty when the 2:1 worked on the stage as a whole.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "competency or stage worked on"
        verbose_name_plural = "competencies and stages worked on"
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.competency or self.get_stage_display())

    def clean(self) -> None:
        competency = self.competency
        if competency is not None and competency.area.stage != self.stage:
            raise ValidationError({"competency": "The competency is not in that stage."})


class SessionNote(models.Model):
    """What was said at a 2:1, in general terms."""

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="notes")
    practitioner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=WHOSE_HELP,
    )
    text = models.TextField(max_length=2000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Note at {self.session}"


class AgreedAction(models.Model):
    """An action agreed at a 2:1: open until it is closed, with a note, at a later one."""

    # Never stored: the form that closes an open action on the 2:1's record page, given to each
    # action by the view that shows it.
    close_form: ActionCloseForm

    session = models.ForeignKey(
        SupervisionSession,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name="agreed at",
    )
    practitioner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=WHOSE_HELP,
    )
    owner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="actions_owned",
        help_text="Who does it: the supervisor or a practitioner of the 2:1.",
    )
    description = models.TextField(max_length=1000)
    due_on = models.DateField("due")
    closed_in = models.ForeignKey(
        SupervisionSession,
        on_delete=models.SET_NULL,
        related_name="actions_closed",
        null=True,
        blank=True,
        verbose_name="closed at",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(max_length=1000, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["closed_at", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True, closing_note="")
                | (models.Q(closed_at__isnull=False) & ~models.Q(closing_note="")),
                name="action_closed_with_a_note",
                violation_error_message="An action is closed with a note.",
            ),
        ]

    def __str__(self) -> str:
        return f"Action for {self.owner}, due {self.due_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
