from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from training.models import Person


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
    place = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    single_practitioner_reason = models.CharField(
        "why only one practitioner",
        max_length=200,
        blank=True,
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
