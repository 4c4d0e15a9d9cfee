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
        "share with fidelity for full implementation and the critical mass of practice (%)",
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


class StatusSpan(models.Model):
    """A stretch of days over which a person's figures do not change: from `starts_on` to the
    day before `ends_on` (to this day on, when `ends_on` is empty) they are trained or not,
    embedded or not, and practising with fidelity or not.

    The dashboard counts these instead of judging every person afresh: the figures for any
    day, a month's end or today, are the spans that contain it. They are written by
    dashboards.services from the source records (see dashboards.selectors.definitions), kept up
    to date whenever a record they come from changes, and rebuilt by `refresh_figures`. Only
    stretches with something to count are kept; a person's team, role group and status are
    read from the roster when the figures are read.
    """

    person = models.ForeignKey(
        "training.Person", on_delete=models.CASCADE, related_name="status_spans"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    trained = models.BooleanField()
    embedded = models.BooleanField()
    faithful = models.BooleanField("practising with fidelity")
    phase = models.ForeignKey(
        "training.Phase",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The phase the person's training is credited to, once trained.",
    )

    class Meta:
        # No index on the dates: nearly every span is read for a year's figures, and SQLite
        # reads them twice as fast in table order as through such an index.
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gt=models.F("starts_on")),
                name="status_span_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} from {self.starts_on}"


class StaleFigures(models.Model):
    """People whose records changed since their spans were counted: counted again once the
    change is committed, or by `refresh_figures` if that did not happen."""

    person = models.ForeignKey("training.Person", on_delete=models.CASCADE, related_name="+")
    since = models.DateField(null=True, blank=True, help_text="The first day that changed.")
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "stale figures"

    def __str__(self) -> str:
        return f"Figures of {self.person_id} since {self.since}"


class FiguresRefresh(models.Model):
    """When every figure was last counted again from the source records; one row."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0.0, help_text="How long it took.")
    spans = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "figures refresh"

    def __str__(self) -> str:
        return f"Figures refreshed at {self.refreshed_at}"

    @classmethod
    def load(cls) -> FiguresRefresh:
        row, _ = cls.objects.get_or_create(pk=1)
        return row
