"""The one way the product sends email: from an outbox, each email on its own.

Every email is first written to an outbox table in the transaction of the change it tells of
(`calendars.Notice` for calendar invitations, `notifications.Email` for plain emails), and sent
by `send_waiting` once that transaction has committed. A failure is logged, kept on the row with
its reason and tried again by the daily job (`send_reminders`); it never stops the other emails
or turns the page that made the change into an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import models, transaction
from django.db.models import F

Row = TypeVar("Row", bound=models.Model)


@dataclass(frozen=True)
class Sent:
    sent: int = 0
    failed: int = 0
    dropped: int = 0


def send_waiting(
    model: type[Row],
    *,
    ids: list[int] | None,
    deliver: Callable[[Row], bool],
    logger: logging.Logger,
    what: str,
) -> Sent:
    """Send the rows of an outbox (those named, or all), oldest first, and delete each one sent.

    `deliver` sends one row's email and returns True, or returns False to drop a row that can no
    longer help (a notice of a meeting already over). The row is locked while it is sent, and
    skipped if another run holds it, so two runs at once never send it twice. The model has a
    `person`, `created_at`, `attempts` and `last_error`.
    """
    pending = model._default_manager.order_by("created_at", "pk").values_list("pk", flat=True)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    sent = failed = dropped = 0
    for pk in list(pending):
        try:
            with transaction.atomic():
                row = (
                    model._default_manager.select_for_update(skip_locked=True)
                    .select_related("person")
                    .filter(pk=pk)
                    .first()
                )
                if row is None:  # sent meanwhile by another run
                    continue
                if deliver(row):
                    sent += 1
                else:
                    logger.warning("%s %s dropped: it can no longer help", what, pk)
                    dropped += 1
                row.delete()
        except Exception as error:
            failed += 1
            logger.exception("%s %s could not be sent; the daily job tries again", what, pk)
            model._default_manager.filter(pk=pk).update(
                attempts=F("attempts") + 1, last_error=type(error).__name__[:200]
            )
    return Sent(sent=sent, failed=failed, dropped=dropped)
