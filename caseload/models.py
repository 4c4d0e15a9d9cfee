from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from training.models import Person

# A caseload above this is a typing slip (a practitioner holds a few dozen cases at most).
MOST_CASES = 500


class Source(models.TextChoices):
    PRACTITIONER = "practitioner", "Recorded by the practitioner"
    SUPERVISION = "supervision", "Confirmed in a 2:1"
    IMPORT = "import", "Imported"


class MonthlyCaseload(models.Model):
    """A practitioner's caseload in one month and how many of those cases they worked with the
    model. Numbers only: the cases themselves are never named here."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="monthly_caseloads")
    month = models.DateField(help_text="The first day of the month the figures are for.")
    caseload = models.PositiveIntegerField(
        validators=[MaxValueValidator(MOST_CASES)],
        help_text="How many cases the practitioner held in the month.",
    )
    cases_with_model = models.PositiveIntegerField(
        "cases worked with the model",
        validators=[MaxValueValidator(MOST_CASES)],
        help_text="How many of those cases they worked with the model.",
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who recorded, confirmed or imported the figures last.",
    )
    session = models.ForeignKey(
        "supervision.SupervisionSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="confirmed in",
        help_text="The 2:1 where the supervisor confirmed or changed the figures.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "monthly caseload"
        ordering = ["-month", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "month"],
                name="monthly_caseload_once_a_month",
                violation_error_message="This person already has figures for this month.",
            ),
            models.CheckConstraint(
                condition=models.Q(cases_with_model__lte=models.F("caseload")),
                name="cases_with_model_within_caseload",
                violation_error_message="Cases worked with the model cannot be more than the "
                "caseload.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.month:%B %Y}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "A month is stored as its first day."})
