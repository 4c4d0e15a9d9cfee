"""Writes for plain emails: queueing them in the outbox with the change they tell of, sending
them, and each person's choice of which to receive."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

from notifications.models import Email, EmailKind, EmailOptOut
from notifications.outbox import Sent, send_waiting
from notifications.selectors import is_essential, recipients
from training.models import Person

logger = logging.getLogger(__name__)


def _one_line(text: str) -> str:
    """A subject is one header line: names written past the forms must not break it."""
    return " ".join(text.split())[:200]


def emails_record(
    *,
    kind: EmailKind,
    people: Iterable[Person | None],
    subject: str,
    template: str,
    context: dict[str, object],
) -> list[int]:
    """Queue one plain email of `kind` for each person who is to get it (see
    `selectors.recipients`), in the caller's transaction, and send them once it commits.

    The text is written now, from `template` with `person` and `site_url` added to `context`,
    so it says what was true at the change; sending, which can fail, waits for the commit.
    """
    emails = Email.objects.bulk_create(
        Email(
            person=person,
            kind=kind,
            subject=_one_line(subject),
            body=render_to_string(
                template, {**context, "person": person, "site_url": settings.SITE_URL}
            ),
        )
        for person in recipients(kind, people)
    )
    ids = [email.pk for email in emails]
    if ids:
        transaction.on_commit(lambda: emails_send(ids=ids))
    return ids


def _deliver(email: Email) -> bool:
    EmailMessage(subject=email.subject, body=email.body, to=[email.person.email]).send()
    return True


def emails_send(*, ids: list[int] | None = None) -> Sent:
    """Send waiting plain emails (those named, or all) through the one mail path
    (notifications.outbox); a failure stays in the outbox for the daily job."""
    return send_waiting(Email, ids=ids, deliver=_deliver, logger=logger, what="Email")


@transaction.atomic
def email_preferences_save(*, person: Person, turned_on: dict[str, bool]) -> None:
    """Turn each kind of email in `turned_on` on or off for the person. Essential emails are
    always sent, so they are never turned off."""
    for kind, on in turned_on.items():
        kind = EmailKind(kind)
        if on or is_essential(kind):
            EmailOptOut.objects.filter(person=person, kind=kind).delete()
        else:
            EmailOptOut.objects.get_or_create(person=person, kind=kind)
