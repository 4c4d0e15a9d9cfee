from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from common.validators import validate_single_line
from competencies.case_references import validate_case_reference
from training.models import Person


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Framework(models.Model):
    """A competency framework, such as Restorative Practice and BASE; it has versions."""

    name = models.CharField(max_length=200, unique=True, validators=[validate_single_line])
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FrameworkVersion(models.Model):
    """One version of a framework. Once published it never changes: ratings point to it."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="What changed in this version.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework__name", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.framework} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class Stage(models.TextChoices):
    """The five BASE stages and Restorative Practice: the framework's areas."""

    ENGAGEMENT = "engagement", "Engagement"
    RESILIENCE = "resilience", "Resilience assessment"
    RISK = "risk", "Risk assessment"
    ANALYSIS = "analysis", "Analysis"
    PLANNING = "planning", "Planning"
    RESTORATIVE = "restorative", "Restorative Practice"


BASE_STAGES = [
    Stage.ENGAGEMENT,
    Stage.RESILIENCE,
    Stage.RISK,
    Stage.ANALYSIS,
    Stage.PLANNING,
]


class Area(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="areas")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    title = models.CharField(max_length=200, validators=[validate_single_line])
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "stage"], name="one_area_per_stage"),
        ]

    def __str__(self) -> str:
        return self.title


class Competency(models.Model):
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="competencies")
    code = models.SlugField(max_length=40, help_text="A short stable key, kept across versions.")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    basic = models.TextField("what Basic looks like")
    competent = models.TextField("what Competent looks like")
    advanced = models.TextField("what Advanced looks like")
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "competencies"
        ordering = ["area__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["area", "code"], name="competency_code_unique_in_area"),
        ]

    def __str__(self) -> str:
        return self.title


class Level(models.IntegerChoices):
    """Ordered: Basic < Competent < Advanced. "Not yet seen" is no level (a rating with none)."""

    BASIC = 1, "Basic"
    COMPETENT = 2, "Competent"
    ADVANCED = 3, "Advanced"


class CaseType(models.TextChoices):
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "cin", "Child in need"
    CHILD_PROTECTION = "cp", "Child protection"
    CHILD_IN_CARE = "cic", "Child in care"
    YOUTH_JUSTICE = "youth_justice", "Youth justice order"
    OTHER = "other", "Other"


STATUTORY_CASE_TYPES = [CaseType.CHILD_IN_NEED, CaseType.CHILD_PROTECTION, CaseType.YOUTH_JUSTICE]


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


CASE_REFERENCE_HELP = (
    "Only your organisation's pseudonymous reference. Never a name, date of birth, address or "
    "any detail that identifies a child or young person."
)


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft: the practitioner is rating"
    SUBMITTED = "submitted", "Submitted: with the supervisor"
    SIGNED_OFF = "signed_off", "Signed off"


class Review(models.Model):
    """A practitioner's competency review against one framework version, perhaps about one case.

    A case is known only by a pseudonymous reference chosen by the organisation, its type and
    its risk level: never a name or any detail that identifies a child or young person.
    """

    practitioner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reviews")
    supervisor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="reviews_supervised", null=True, blank=True
    )
    version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="reviews")
    case_reference = models.CharField(
        max_length=40,
        blank=True,
        validators=[validate_case_reference, validate_single_line],
        help_text="Your organisation's pseudonymous case reference, never a name.",
    )
    case_type = models.CharField(max_length=20, choices=CaseType.choices, blank=True)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    session = models.ForeignKey(
        "supervision.SupervisionSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name="2:1 session",
    )
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    revision = models.PositiveSmallIntegerField(default=1)
    # RESTRICT, not PROTECT: a revision is never deleted alone, but a practitioner's revisions
    # all go together when the retention purge deletes the practitioner's reviews.
    replaces = models.OneToOneField(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="replaced_by"
    )
    original = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The first revision, for every later correction of it.",
    )
    correction_reason = models.TextField(blank=True)
    return_reason = models.TextField(
        "why it was sent back",
        max_length=1000,
        blank=True,
        help_text="The supervisor's reason, the last time the review was sent back.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        # A person's latest signed-off review is looked up for every person on the dashboard.
        indexes = [models.Index(fields=["practitioner", "status", "signed_off_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(replaces__isnull=True) | ~models.Q(correction_reason=""),
                name="correction_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.pk} of {self.practitioner}"

    @property
    def is_locked(self) -> bool:
        return self.status == ReviewStatus.SIGNED_OFF

    def clean(self) -> None:
        if self.supervisor_id and self.supervisor_id == self.practitioner_id:
            raise ValidationError(
                {"supervisor": "A practitioner cannot supervise their own review."}
            )


class Rater(models.TextChoices):
    SELF = "self", "Self"
    SUPERVISOR = "supervisor", "Supervisor"


class Rating(models.Model):
    """One view of one competency in a review: the practitioner's own, or their supervisor's.

    The two views are separate rows and never merged. `level` is empty for "not yet seen".
    `revision` rises on every save, so a save based on an older view is refused.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="ratings")
    rater = models.CharField(max_length=20, choices=Rater.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    comment = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "competency", "rater"], name="one_rating_per_rater"
            ),
        ]

    def __str__(self) -> str:
        level = self.get_level_display() if self.level else "not yet seen"
        return f"{self.get_rater_display()}: {self.competency} {level}"


class ReviewVerdict(models.Model):
    """What a signed-off review says, counted once when it is signed off (and again only by
    `refresh_figures`), so that figures over thousands of reviews never count ratings again.

    The supervisor's ratings decide fidelity (`is_faithful`); the practitioner's own ratings of
    the same competencies, beside them, give the gap between the two views.
    """

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, primary_key=True, related_name="verdict"
    )
    signed_off_on = models.DateField(help_text="The day it was signed off.")
    month = models.DateField(help_text="The first day of the month it was signed off in.")
    rated = models.PositiveSmallIntegerField(help_text="Competencies the supervisor gave a level.")
    good = models.PositiveSmallIntegerField(help_text="Of those, rated Competent or Advanced.")
    basic = models.PositiveSmallIntegerField(help_text="Of those, rated Basic.")
    base_stages_rated = models.PositiveSmallIntegerField(
        help_text="BASE stages with at least one competency the supervisor gave a level."
    )
    compared = models.PositiveSmallIntegerField(
        help_text="Competencies both the practitioner and the supervisor gave a level."
    )
    self_higher = models.PositiveSmallIntegerField(
        help_text="Of those, the practitioner's own level is a level or more above the "
        "supervisor's."
    )
    gap_total = models.SmallIntegerField(
        help_text="Over the compared competencies, the sum of own level minus supervisor's."
    )
    # Read by the figures by competency and stage, which would otherwise read every rating.
    levels = models.JSONField(
        default=dict,
        help_text="The supervisor's level of each competency they rated, by competency id.",
    )

    class Meta:
        indexes = [models.Index(fields=["signed_off_on"])]

    def __str__(self) -> str:
        return f"Verdict of {self.review}"

    def is_faithful(self, percent: int) -> bool:
        """Practising with fidelity: at least `percent` of the competencies the supervisor rated
        are Competent or Advanced, with every BASE stage rated."""
        return (
            self.rated > 0
            and self.base_stages_rated == len(BASE_STAGES)
            and self.good * 100 >= self.rated * percent
        )


class DevelopmentGoal(models.Model):
    """A goal the practitioner and their supervisor agree from a signed-off review.

    It is tied to one competency of the review's framework version and looked at again by its
    review date; the next review shows whether the supervisor's level of it moved.
    """

    review = models.ForeignKey(
        Review,
        on_delete=models.CASCADE,
        related_name="goals",
        help_text="The signed-off review the goal was agreed from.",
    )
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="goals")
    description = models.TextField("goal", max_length=1000)
    review_on = models.DateField("review date")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "development goal"
        ordering = ["review_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "competency"],
                name="one_goal_per_competency_a_review",
                violation_error_message="This review already has a goal for that competency.",
            ),
        ]

    def __str__(self) -> str:
        return f"Goal on {self.competency} from review {self.review_id}"
