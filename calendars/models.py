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

    class Meta:
        # The table the feed had when it was part of circles: moving the model kept every row,
        # so every address already given out goes on working.
        db_table = "circles_calendarfeed"

    def __str__(self) -> str:
        return f"Calendar feed of {self.person}"
