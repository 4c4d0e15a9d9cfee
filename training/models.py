from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from common.validators import validate_single_line
from training.dates import local_datetime, skipped_time


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


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "The council"
    PARTNER = "partner", "Partner agency"


class Organisation(models.Model):
    """Who employs a person: the council that runs the roll-out, or a partner agency (police,
    probation, health) whose staff are trained beside it. There is one council row."""

    name = models.CharField(max_length=120, unique=True, validators=[validate_single_line])
    kind = models.CharField(
        max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.PARTNER
    )
    embedded_needs_council_21 = models.BooleanField(
        "embedded needs a council 2:1",
        default=True,
        help_text="Untick for a partner whose staff are supervised by their own agency: their "
        "learning circle attendance alone then counts them as embedded.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="council"),
                name="one_council",
            ),
        ]

    def __str__(self) -> str:
        return self.name


COUNCIL_NAME = "The council"


def council_id() -> int:
    """The council's row, made on first use (a new site, or a test database just flushed): the
    employer of everyone the roster does not say otherwise of."""
    council, _ = Organisation.objects.only("pk").get_or_create(
        kind=OrganisationKind.COUNCIL, defaults={"name": COUNCIL_NAME}
    )
    return council.pk


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
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        default=council_id,
        related_name="people",
        help_text="Who employs the person: the council, or a partner agency.",
    )
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
        # Lists of people come in name order a page at a time: the index reads the first page
        # without working out every person's row first.
        indexes = [models.Index(fields=["full_name"], name="person_full_name")]
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

    @property
    def topic(self) -> str:
        """What the day teaches: "Restorative Practice" or "the BASE model"."""
        return self.label.split(": ", 1)[1]


class Cohort(models.Model):
    """One running of the two-day course: its days, where and when they meet, how many people it
    takes and who runs it. People are placed on it through `CoursePlace`."""

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=120, validators=[validate_single_line])
    venue = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="Where day 1 meets, and day 2 unless it has a venue of its own.",
    )
    trainer = models.CharField(
        "trainers",
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="Who runs the course, such as 'Sam Reid and Una Walsh'.",
    )
    day1_date = models.DateField("day 1 (Restorative Practice)", null=True, blank=True)
    day1_starts = models.TimeField("day 1 starts", null=True, blank=True)
    day1_ends = models.TimeField("day 1 ends", null=True, blank=True)
    day2_date = models.DateField("day 2 (the BASE model)", null=True, blank=True)
    day2_starts = models.TimeField("day 2 starts", null=True, blank=True)
    day2_ends = models.TimeField("day 2 ends", null=True, blank=True)
    day2_venue = models.CharField(
        "day 2 venue",
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="Leave blank when day 2 meets where day 1 does.",
    )
    capacity = models.PositiveIntegerField(
        "places",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="How many people the course takes. Once every place is taken, people confirmed "
        "go on its waiting list. Leave blank for no limit.",
    )
    # Raised on every change that confirmed people's calendars must follow (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["phase__order", "day1_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "name"], name="cohort_name_unique_in_phase"),
            models.CheckConstraint(
                condition=models.Q(day1_ends__isnull=True)
                | models.Q(day1_starts__isnull=True)
                | models.Q(day1_ends__gt=models.F("day1_starts")),
                name="cohort_day1_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(day2_ends__isnull=True)
                | models.Q(day2_starts__isnull=True)
                | models.Q(day2_ends__gt=models.F("day2_starts")),
                name="cohort_day2_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.phase})"

    def date_of(self, day: int) -> datetime.date | None:
        return self.day1_date if day == CourseDay.RESTORATIVE else self.day2_date

    def times_of(self, day: int) -> tuple[datetime.time | None, datetime.time | None]:
        if day == CourseDay.RESTORATIVE:
            return self.day1_starts, self.day1_ends
        return self.day2_starts, self.day2_ends

    def venue_of(self, day: int) -> str:
        return (self.day2_venue or self.venue) if day == CourseDay.BASE else self.venue

    def span_of(self, day: int) -> tuple[datetime.datetime, datetime.datetime] | None:
        """When a day starts and ends on the organisation's clock, once its date and times are
        known."""
        date, (starts, ends) = self.date_of(day), self.times_of(day)
        if date is None or starts is None or ends is None:
            return None
        return local_datetime(date, starts), local_datetime(date, ends)

    @property
    def last_date(self) -> datetime.date | None:
        return self.day2_date or self.day1_date

    def has_started(self, today: datetime.date) -> bool:
        return self.day1_date is not None and self.day1_date <= today

    def has_finished(self, today: datetime.date) -> bool:
        return self.last_date is not None and self.last_date < today

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.day1_date and self.day2_date and self.day2_date < self.day1_date:
            errors["day2_date"] = "Day 2 cannot come before day 1."
        today = timezone.localdate()
        for day in CourseDay:
            number, date = day.value, self.date_of(day)
            starts, ends = self.times_of(day)
            if (starts is None) != (ends is None):
                field = f"day{number}_ends" if ends is None else f"day{number}_starts"
                errors[field] = f"Give both the start and the end of day {number}, or neither."
            elif starts and ends and ends <= starts:
                errors[f"day{number}_ends"] = f"Day {number} must end after it starts."
            elif starts and date is None:
                errors[f"day{number}_date"] = f"Give the date of day {number} with its times."
            elif date and date >= today and starts is None:
                # Confirmed people are sent each day in their calendars, which needs its times.
                errors[f"day{number}_starts"] = f"Give the times of day {number}."
            for field, time in ((f"day{number}_starts", starts), (f"day{number}_ends", ends)):
                if date and time and field not in errors and (problem := skipped_time(date, time)):
                    errors[field] = problem
        if errors:
            raise ValidationError(errors)


class PlaceStatus(models.TextChoices):
    NOMINATED = "nominated", "Nominated"
    WAITING = "waiting", "On the waiting list"
    OFFERED = "offered", "Offered a place"
    CONFIRMED = "confirmed", "Confirmed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MOVED = "moved", "Moved to another course"


# A place that is still going somewhere; a person has at most one of these on a course.
LIVE_PLACES = (
    PlaceStatus.NOMINATED,
    PlaceStatus.WAITING,
    PlaceStatus.OFFERED,
    PlaceStatus.CONFIRMED,
)
# Places that count against a course's capacity: an offered place is held until it is answered.
TAKEN_PLACES = (PlaceStatus.OFFERED, PlaceStatus.CONFIRMED)
# Places still waiting for a decision: a person has at most one of these, on any course.
PENDING_PLACES = (PlaceStatus.NOMINATED, PlaceStatus.WAITING, PlaceStatus.OFFERED)


class CoursePlace(models.Model):
    """A person's place on a course, from their nomination to their confirmed seat.

    A line manager nominates; the programme lead confirms, which gives a place while the course
    has one free and a place on its waiting list once it is full. A place freed on a full course
    is offered to the first on the waiting list, who accepts or declines it. Rows are kept when a
    place is withdrawn or moved, so the course keeps its history.
    """

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="places", verbose_name="course"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="course_places")
    status = models.CharField(
        max_length=20, choices=PlaceStatus.choices, default=PlaceStatus.NOMINATED
    )
    nominated_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nominated_at = models.DateTimeField(default=timezone.now)
    # The waiting list's order: who went on it first.
    waiting_since = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    # Set when the offer's email is claimed for sending, so that it goes once.
    offer_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(
        "why", max_length=200, blank=True, validators=[validate_single_line]
    )
    move_to = models.ForeignKey(
        Cohort,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="move_requests",
        verbose_name="asked to move to",
    )
    move_reason = models.CharField(
        "why move", max_length=200, blank=True, validators=[validate_single_line]
    )
    move_requested_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["cohort", "nominated_at", "pk"]
        indexes = [models.Index(fields=["cohort", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "person"],
                condition=models.Q(status__in=LIVE_PLACES),
                name="one_live_place_per_person_on_a_course",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=PENDING_PLACES),
                name="one_pending_place_per_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=PlaceStatus.WAITING)
                | models.Q(waiting_since__isnull=False),
                name="a_waiting_place_knows_since_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.cohort.name}: {self.get_status_display().lower()}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_PLACES


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


class FirstCourseDays(models.Model):
    """A person's first attended day of each kind (by date, then cohort) and the phase of the
    cohort it belongs to, as their attendance stands: stored, so that everyone's training is
    read from one row a person rather than worked out from their attended days on every view.

    Whether someone was trained by a date follows from these alone (a first day after the date
    means no attended day by then). Kept up to date by training.services.first_days_record
    whenever attendance or a cohort changes (training.receivers), and rebuilt with the other
    stored figures by `refresh_figures`. A person who never attended has no row.
    """

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="first_days"
    )
    restorative_on = models.DateField(null=True, blank=True)
    restorative_phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    base_on = models.DateField(null=True, blank=True)
    base_phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "first course days"

    def __str__(self) -> str:
        return f"First course days of {self.person_id}"


class ProgrammeSettings(models.Model):
    """Settings of the roll-out that an administrator changes; there is one row."""

    workforce_target = models.PositiveIntegerField(
        "people to train",
        default=300,
        help_text="The size of the workforce the roll-out aims to train; shown as the target line.",
    )
    critical_mass_trained_percent = models.PositiveSmallIntegerField(
        "critical mass of trained people (% of the people to train)",
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Training has reached critical mass once this share of the people to train "
        "is trained. Not the dashboard's critical mass of practice, which counts people "
        "practising with fidelity.",
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
