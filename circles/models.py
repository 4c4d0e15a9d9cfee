from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from circles.schedule import series_dates
from common.validators import validate_single_line
from competencies.models import Competency, Stage
from training.dates import skipped_time
from training.models import Person


class CircleKind(models.TextChoices):
    LEARNING_CIRCLE = "learning_circle", "Learning circle"
    PRACTICE_LEADER_CLUSTER = "practice_leader_cluster", "Practice leader cluster"


class Ordinal(models.IntegerChoices):
    FIRST = 1, "first"
    SECOND = 2, "second"
    THIRD = 3, "third"
    FOURTH = 4, "fourth"
    LAST = -1, "last"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OnBankHoliday(models.TextChoices):
    SKIP = "skip", "Skip that month's meeting"
    MOVE = "move", "Move it to the next working day"


_ORDINAL_LABELS = dict(Ordinal.choices)
_WEEKDAY_LABELS = dict(Weekday.choices)


class LearningCircle(models.Model):
    """A group that meets monthly, run by one or more practice leaders."""

    name = models.CharField(max_length=120, unique=True, validators=[validate_single_line])
    kind = models.CharField(
        max_length=30, choices=CircleKind.choices, default=CircleKind.LEARNING_CIRCLE
    )
    venue = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="Where the circle meets in person.",
    )
    online_link = models.URLField(
        blank=True, help_text="The video-call link, if the circle meets online."
    )
    facilitators = models.ManyToManyField(
        Person, related_name="circles_led", verbose_name="practice leaders"
    )
    members: models.ManyToManyField[Person, CircleMembership] = models.ManyToManyField(
        Person, through="CircleMembership", related_name="circles"
    )
    ordinal = models.SmallIntegerField(
        "which week", choices=Ordinal.choices, default=Ordinal.SECOND
    )
    weekday = models.SmallIntegerField("day", choices=Weekday.choices, default=Weekday.TUESDAY)
    start_time = models.TimeField(default=datetime.time(10, 0))
    end_time = models.TimeField(default=datetime.time(12, 0))
    starts_on = models.DateField(
        "first month from", help_text="The series starts on or after this date."
    )
    ends_on = models.DateField(
        "last month until", null=True, blank=True, help_text="Leave blank to run on."
    )
    on_bank_holiday = models.CharField(
        "when a meeting falls on a bank holiday",
        max_length=10,
        choices=OnBankHoliday.choices,
        default=OnBankHoliday.MOVE,
    )

    history = HistoricalRecords(m2m_fields=[facilitators])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="circle_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="circle_series_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rule_text(self) -> str:
        """The rule the way people say it: "the second Tuesday of each month, 10:00 to 12:00"."""
        # The labels as get_FOO_display gives them, without it rebuilding the choices each call
        # (a list of all circles says this once a row).
        ordinal = _ORDINAL_LABELS.get(self.ordinal, self.ordinal)
        weekday = _WEEKDAY_LABELS.get(self.weekday, self.weekday)
        return (
            f"the {ordinal} {weekday} of each month, "
            f"{self.start_time:%H:%M} to {self.end_time:%H:%M}"
        )

    @property
    def place(self) -> str:
        return self.venue or self.online_link

    def clean(self) -> None:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "The meeting must end after it starts."})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The series must end after it starts."})
        if self.starts_on and self.start_time and self.end_time:
            self._refuse_skipped_times()

    def _refuse_skipped_times(self) -> None:
        """Refuse a rule that lands a meeting in the hour the clocks skip.

        The rule is checked over 28 years, after which the days of the week fall on the same
        dates again, so the daily job that adds months cannot meet a skipped time later.
        """
        try:
            cycle_end = self.starts_on + relativedelta(years=28)
        except (ValueError, OverflowError):
            cycle_end = datetime.date.max
        for day in series_dates(
            ordinal=self.ordinal,
            weekday_number=self.weekday,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            until=cycle_end,
        ):
            for field in ("start_time", "end_time"):
                if problem := skipped_time(day, getattr(self, field)):
                    raise ValidationError({field: problem})


class CircleMembership(models.Model):
    circle = models.ForeignKey(LearningCircle, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="circle_memberships")
    joined_on = models.DateField(default=datetime.date.today)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "person"], name="member_once_per_circle"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.circle}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class CircleMeeting(models.Model):
    """One meeting of a circle. Each is its own row, so it can be moved or cancelled alone."""

    circle = models.ForeignKey(LearningCircle, on_delete=models.CASCADE, related_name="meetings")
    month = models.DateField(
        help_text="The first day of the month this meeting belongs to; a circle meets once a month."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="Raised on every change, so calendars replace their copy."
    )
    moved = models.BooleanField(
        "moved on its own",
        default=False,
        help_text="Moved away from the circle's rule; a change of rule leaves it where it is.",
    )
    cancel_reason = models.CharField(
        "why it is cancelled",
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="Said in the cancellation.",
    )
    venue = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="Leave blank for the circle's usual place.",
    )
    agenda = models.TextField(
        blank=True,
        max_length=2000,
        help_text="What the meeting will work on, one item a line; sent with its reminder. "
        "Never names or details of children, young people or families.",
    )
    cases_brought = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "month"], name="meeting_once_a_month"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.circle} on {self.starts_at:%d/%m/%Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def place(self) -> str:
        return self.venue or self.circle.place

    @property
    def agenda_items(self) -> list[str]:
        """The agenda's lines, without blank ones."""
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]


class MeetingFocus(models.Model):
    """A stage of the framework, or one competency of it, that a circle meeting worked on.

    Competencies come from a published framework version (the current one when the meeting is
    recorded); they are counted across versions by their code.
    """

    meeting = models.ForeignKey(CircleMeeting, on_delete=models.CASCADE, related_name="focus")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    competency = models.ForeignKey(
        Competency,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Empty when the meeting worked on the stage as a whole.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "stage or competency worked on"
        verbose_name_plural = "stages and competencies worked on"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "competency"],
                condition=models.Q(competency__isnull=False),
                name="meeting_works_on_a_competency_once",
            ),
            models.UniqueConstraint(
                fields=["meeting", "stage"],
                condition=models.Q(competency__isnull=True),
                name="meeting_works_on_a_whole_stage_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.competency or self.get_stage_display())

    def clean(self) -> None:
        competency = self.competency
        if competency is None:
            return
        if competency.area.stage != self.stage:
            raise ValidationError({"competency": "The competency is not in that stage."})
        if not competency.area.version.is_published:
            raise ValidationError(
                {"competency": "Circles work on the competencies of a published framework."}
            )


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


class MeetingApology(models.Model):
    """A member's apologies, sent before the meeting: the register opens with them marked."""

    meeting = models.ForeignKey(CircleMeeting, on_delete=models.CASCADE, related_name="apologies")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="circle_apologies")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "meeting apologies"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="apologies_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: apologies for {self.meeting}"


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(CircleMeeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="circle_attendance")
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "meeting attendance"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="attendance_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()} at {self.meeting}"
