"""The plain emails the product sends (the review workflow, the monthly summary), who may turn
which of them off, and the record that a month's summary went out.

Calendar invitations have their own outbox in calendars (`Notice`): they carry an event and its
.ics. Both outboxes are sent by the same loop (notifications.outbox) and retried by the same
daily job (`send_reminders`): one mail path.
"""

from __future__ import annotations

from django.db import models

from training.models import Person


class EmailKind(models.TextChoices):
    """Each email a person may get from the workflow. `ESSENTIAL` ones cannot be turned off."""

    REVIEW_SUBMITTED = "review_submitted", "A review is waiting for your rating and sign-off"
    REVIEW_RETURNED = "review_returned", "Your review was sent back to you, with the reason"
    REVIEW_SIGNED_OFF = "review_signed_off", "A review was signed off"
    REVIEW_CORRECTED = "review_corrected", "A signed-off review was corrected"
    MONTHLY_SUMMARY = "monthly_summary", "The monthly summary of the roll-out"


# What asks the person to do something, without which work stalls: always sent. The rest tell of
# something done (a confirmation, a correction the supervisor made, a summary) and may be
# turned off on the "Email preferences" page.
ESSENTIAL: frozenset[str] = frozenset({EmailKind.REVIEW_SUBMITTED, EmailKind.REVIEW_RETURNED})


class Email(models.Model):
    """A plain email waiting to be sent to one person: an outbox, as `calendars.Notice` is.

    Written in the same transaction as the change it tells of, so a change that commits always
    has its emails and one that rolls back has none; sent once the change has committed and
    deleted when sent. One that fails stays here with the reason, and the daily job tries again.
    It holds the subject and the text as they were written at the change.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails_waiting")
    kind = models.CharField(max_length=30, choices=EmailKind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "email waiting to be sent"
        verbose_name_plural = "emails waiting to be sent"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.person}"


class EmailOptOut(models.Model):
    """A person has turned one kind of email off. No row: they get it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="email_opt_outs")
    kind = models.CharField(max_length=30, choices=EmailKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "email turned off"
        verbose_name_plural = "emails turned off"
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="one_opt_out_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.person} gets no “{self.get_kind_display()}”"


class MonthlySummary(models.Model):
    """A month's summary to programme leads went out: the unique month stops a second one,
    whichever of two runs at the same moment gets there first."""

    month = models.DateField(unique=True, help_text="The first day of the month it was sent in.")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "monthly summary sent"
        verbose_name_plural = "monthly summaries sent"
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"Summary of {self.month:%B %Y}"
