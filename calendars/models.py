from __future__ import annotations

import secrets

from django.db import models

from training.models import Person


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private calendar subscription; regenerating the token revokes the old address."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)
    # What the feed last served, and since when: its ETag and Last-Modified.
    content_etag = models.CharField(max_length=80, blank=True)
    content_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table the feed had when it was part of circles: moving the model kept every row,
        # so every address already given out goes on working.
        db_table = "circles_calendarfeed"

    def __str__(self) -> str:
        return f"Calendar feed of {self.person}"


class Method(models.TextChoices):
    """The iTIP method of an emailed calendar object (RFC 5546)."""

    REQUEST = "REQUEST", "Invitation or update"
    CANCEL = "CANCEL", "Cancellation"


class Notice(models.Model):
    """An invitation, update or cancellation waiting to be emailed to one person: an outbox.

    It is written in the same transaction as the change it tells of, so a change that commits
    always has its notices; they are sent once it has committed and deleted when sent. One that
    fails (the mail server down, say) stays here with the reason, and the daily job tries again.
    It holds what the email needs as plain values, so it can still be sent when the meeting it
    tells of has been deleted.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="calendar_notices")
    method = models.CharField(max_length=10, choices=Method.choices)
    uid = models.CharField(max_length=255)
    sequence = models.PositiveIntegerField()
    # The event and the email's words, as at the change: see calendars.services.
    event = models.JSONField()
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} for {self.person} ({self.uid})"


class Reminder(models.Model):
    """A reminder emailed to one person about one meeting or 2:1 at one time. The unique row
    stops a second reminder; a meeting moved after its reminder has a new time, so it is
    reminded again."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reminders")
    uid = models.CharField(max_length=255)
    starts_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["uid", "person", "starts_at"], name="one_reminder_per_event_time_person"
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder to {self.person} about {self.uid}"
