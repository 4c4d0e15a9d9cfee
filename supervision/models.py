from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from common.validators import validate_single_line
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
