"""Writes for calendars: private feed addresses, and the invitations, updates and cancellations
people are emailed (through the outbox, `Notice`)."""

from __future__ import annotations

import datetime
import logging

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from calendars import selectors
from calendars.ics import invitation_message
from calendars.models import CalendarFeed, Method, Notice, Reminder, new_feed_token
from calendars.selectors import EventDetails
from notifications.outbox import Sent, send_waiting
from training.dates import local_datetime
from training.models import Person

logger = logging.getLogger(__name__)


def feed_for(person: Person) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(person=person)
    return feed


@transaction.atomic
def feed_token_regenerate(*, person: Person) -> CalendarFeed:
    """A new private address for a person's calendar; the old one stops working at once."""
    feed = feed_for(person)
    feed.token = new_feed_token()
    feed.save()
    return feed


def feed_content_seen(*, feed: CalendarFeed, etag: str) -> datetime.datetime:
    """When the feed's content last changed: now, if it differs from what was last served."""
    if feed.content_etag != etag or feed.content_changed_at is None:
        feed.content_etag, feed.content_changed_at = etag, timezone.now().replace(microsecond=0)
        CalendarFeed.objects.filter(pk=feed.pk).update(
            content_etag=feed.content_etag, content_changed_at=feed.content_changed_at
        )
    return feed.content_changed_at


def event_email(
    *,
    details: EventDetails,
    person: Person,
    method: str,
    reason: str,
    template: str = "calendars/email/notice.txt",
    kind: str | None = None,
) -> EmailMultiAlternatives:
    """The email telling one person of an event, its .ics attached."""
    entry = details.entry
    cancel = method == Method.CANCEL
    start = timezone.localtime(entry.starts_at)
    if kind is None:
        kind = "Cancelled" if cancel else ("Updated" if entry.sequence else "Invitation")
    body = render_to_string(
        template,
        {
            "person": person,
            "details": details,
            "reason": reason,
            "cancelled": cancel,
            "starts_at": start,
            "ends_at": timezone.localtime(entry.ends_at),
        },
    )
    return invitation_message(
        entry=entry,
        name=details.title,
        to_email=person.email,
        cancel=cancel,
        subject=f"{kind}: {details.title}, {start:%A %d %B %Y %H:%M}",
        body=body,
        as_invitation=template == "calendars/email/notice.txt",
    )


# The outbox -------------------------------------------------------------------------------------


def notices_record(
    *, details: EventDetails, people: list[Person], cancel: bool, reason: str
) -> list[int]:
    """Queue an invitation (or a cancellation) of one event for each person, in the caller's
    transaction, and send them once it commits. Nothing that can fail is done here: the email
    is built and sent only after the change has committed, by `notices_send`."""
    method = Method.CANCEL if cancel or details.entry.cancelled else Method.REQUEST
    unique = {person.pk: person for person in people if person.email}
    notices = Notice.objects.bulk_create(
        Notice(
            person=person,
            method=method,
            uid=details.entry.uid,
            sequence=details.entry.sequence,
            event=details.to_json(),
            reason=reason,
        )
        for person in unique.values()
    )
    ids = [notice.pk for notice in notices]
    if ids:
        transaction.on_commit(lambda: notices_send(ids=ids))
    return ids


def _deliver(notice: Notice) -> bool:
    details = EventDetails.from_json(notice.event)
    if details.entry.ends_at <= timezone.now():
        return False  # its event is over: a late invitation can no longer help
    event_email(
        details=details, person=notice.person, method=notice.method, reason=notice.reason
    ).send()
    return True


def notices_send(*, ids: list[int] | None = None) -> Sent:
    """Email waiting notices (those named, or all), each on its own, through the product's one
    mail path (notifications.outbox): a failure is logged, kept with its reason and tried again
    by the daily job, and never stops the others or the page that made the change. A notice of
    an event already over is dropped: it can no longer help.
    """
    return send_waiting(Notice, ids=ids, deliver=_deliver, logger=logger, what="Calendar notice")


# Reminders --------------------------------------------------------------------------------------


def reminders_send(*, today: datetime.date | None = None, days_before: int = 3) -> int:
    """Email everyone in a meeting or 2:1 in the next `days_before` days a reminder with its
    .ics and a link to it, once for each time it is set for (moved meetings are reminded again).

    A circle's members and its practice leaders are reminded; a 2:1's supervisor and
    practitioners. The reminder is recorded before it is sent, under a unique constraint, so two
    runs at the same time cannot both send it; if sending fails the record is removed and the
    next run tries again.
    """
    today = today or timezone.localdate()
    window_end = local_datetime(today + datetime.timedelta(days=days_before), datetime.time.max)
    sent = 0
    for details, people in selectors.events_to_remind(now=timezone.now(), until=window_end):
        for person in people:
            try:
                with transaction.atomic():
                    claim = Reminder.objects.create(
                        person=person, uid=details.entry.uid, starts_at=details.entry.starts_at
                    )
            except IntegrityError:
                continue
            try:
                event_email(
                    details=details,
                    person=person,
                    method=Method.REQUEST,
                    reason="",
                    template="calendars/email/reminder.txt",
                    kind="Reminder",
                ).send()
            except Exception:
                claim.delete()
                logger.exception(
                    "Reminder to person %s about %s failed; the next run tries again",
                    person.pk,
                    details.entry.uid,
                )
                continue
            sent += 1
    return sent
