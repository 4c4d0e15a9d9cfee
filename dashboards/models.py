from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

PERCENT = [MinValueValidator(1), MaxValueValidator(100)]


class Definitions(models.Model):
    """How the dashboards judge embedding, fidelity and implementation stage; one row.

    The defaults are the product's; an administrator changes them in the admin site and the
    dashboard shows the values in force.
    """

    embedded_recent_meetings = models.PositiveSmallIntegerField(
        "circle meetings looked at",
        default=3,
        validators=[MinValueValidator(1)],
        help_text="Embedded: attended at least one of their circle's last this-many held meetings.",
    )
    embedded_supervision_weeks = models.PositiveSmallIntegerField(
        "weeks since a held 2:1",
        default=8,
        validators=[MinValueValidator(1)],
        help_text="Embedded: had a held 2:1 within this many weeks.",
    )
    fidelity_months = models.PositiveSmallIntegerField(
        "months a sign-off counts",
        default=6,
        validators=[MinValueValidator(1)],
        help_text="Fidelity uses the latest review signed off within this many months.",
    )
    fidelity_percent = models.PositiveSmallIntegerField(
        "share rated Competent or above (%)",
        default=80,
        validators=PERCENT,
        help_text="Practising with fidelity: at least this share of rated competencies are "
        "Competent or Advanced in the supervisor's view, with every BASE stage rated.",
    )
    installation_embedded_percent = models.PositiveSmallIntegerField(
        "embedded share for initial implementation (%)", default=10, validators=PERCENT
    )
    full_fidelity_percent = models.PositiveSmallIntegerField(
        "share with fidelity for full implementation and critical mass (%)",
        default=50,
        validators=PERCENT,
    )

    class Meta:
        verbose_name = "definitions"
        verbose_name_plural = "definitions"

    def __str__(self) -> str:
        return "Dashboard definitions"

    @classmethod
    def load(cls) -> Definitions:
        row, _ = cls.objects.get_or_create(pk=1)
        return row
