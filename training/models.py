from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from common.validators import validate_single_line


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True, validators=[validate_single_line])
    service_area = models.CharField(
        max_length=120,
        blank=True,
        validators=[validate_single_line],
        help_text="The part of the service the team belongs to, such as Youth justice or Health.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoleGroup(models.TextChoices):
    """The groups the training figures are reported by."""

    SENIOR_MANAGER = "senior_manager", "Senior manager"
    MANAGER = "manager", "Manager"
    PRACTITIONER = "practitioner", "Practitioner"
    PARTNER = "partner", "Partner"
    ADMIN = "admin", "Administrative staff"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXTENDED_LEAVE = "extended_leave", "On extended leave"
    LEFT = "left", "Left"


class Person(models.Model):
    """A member of staff or a partner on the workforce roster. Never a child or young person."""

    email = models.EmailField(
        unique=True, help_text="Work email; it identifies the person in imports."
    )
    full_name = models.CharField(max_length=200, validators=[validate_single_line])
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="people")
    role_group = models.CharField(max_length=20, choices=RoleGroup.choices)
    job_title = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    line_manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
    )
    status = models.CharField(
        max_length=20, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    left_on = models.DateField(
        "left on",
        null=True,
        blank=True,
        help_text="When the person left. Their records are deleted some years after this "
        "(see purge_leavers in the operations guide).",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="The sign-in account of this person, if they have one.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="person_email_unique_ci"),
            models.CheckConstraint(
                condition=~models.Q(line_manager=models.F("pk")),
                name="person_not_own_line_manager",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        self.email = self.email.strip().lower()
        if self.line_manager_id and self.line_manager_id == self.pk:
            raise ValidationError({"line_manager": "A person cannot be their own line manager."})


class Phase(models.Model):
    """A stage of the roll-out. Dates are set by an administrator, never assumed in code."""

    name = models.CharField(max_length=120, unique=True, validators=[validate_single_line])
    order = models.PositiveIntegerField(
        default=0, help_text="Phases are listed in this order, lowest first."
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="phase_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CourseDay(models.IntegerChoices):
    RESTORATIVE = 1, "Day 1: Restorative Practice"
    BASE = 2, "Day 2: the BASE model"


class Cohort(models.Model):
    """One running of the two-day course."""

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=120, validators=[validate_single_line])
    venue = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    trainer = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    day1_date = models.DateField("day 1 (Restorative Practice)", null=True, blank=True)
    day2_date = models.DateField("day 2 (the BASE model)", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["phase__order", "day1_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "name"], name="cohort_name_unique_in_phase"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.phase})"

    def date_of(self, day: int) -> object:
        return self.day1_date if day == CourseDay.RESTORATIVE else self.day2_date


class CourseAttendance(models.Model):
    """Whether a person attended one day of a cohort's course."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendances")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="attendances")
    day = models.PositiveSmallIntegerField(choices=CourseDay.choices)
    attended = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "course attendance"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cohort", "day"], name="attendance_once_per_person_cohort_day"
            ),
        ]

    def __str__(self) -> str:
        mark = "attended" if self.attended else "did not attend"
        return f"{self.person} {mark} {self.cohort} day {self.day}"


class ProgrammeSettings(models.Model):
    """Settings of the roll-out that an administrator changes; there is one row."""

    workforce_target = models.PositiveIntegerField(
        "people to train",
        default=300,
        help_text="The size of the workforce the roll-out aims to train; shown as the target line.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "programme settings"
        verbose_name_plural = "programme settings"

    def __str__(self) -> str:
        return "Programme settings"

    @classmethod
    def load(cls) -> ProgrammeSettings:
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row


class ImportRun(models.Model):
    """One uploaded roster or training file, imported in the background by a task worker.

    The file is kept only until the import has run; the result (the summary, or every bad line)
    is kept for the administrator to read.
    """

    class Kind(models.TextChoices):
        ROSTER = "roster", "Roster"
        TRAINING = "training", "Training attendance"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Stopped by an error"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    data = models.BinaryField(
        blank=True, editable=False, help_text="The uploaded file, emptied once imported."
    )
    dry_run = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=20, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    result = models.JSONField(
        default=dict, blank=True, help_text="The import's result: its summary or every bad line."
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import of {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
