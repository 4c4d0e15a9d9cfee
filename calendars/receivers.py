"""Invitations for the changes circles and 2:1s announce (circles/signals.py,
supervision/signals.py), sent once the change has committed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from calendars.services import meeting_invitations_send, session_invitations_send
from circles.models import CircleMeeting
from circles.signals import meeting_notice
from supervision.models import SupervisionSession
from supervision.signals import session_notice
from training.models import Person


@receiver(meeting_notice, dispatch_uid="calendars_meeting_notice")
def meeting_notice_received(
    sender: Any,
    *,
    meeting: CircleMeeting,
    people: list[Person],
    reason: str,
    cancel: bool = False,
    **kwargs: Any,
) -> None:
    transaction.on_commit(
        lambda: meeting_invitations_send(
            meeting=meeting, people=people, reason=reason, cancel=cancel
        )
    )


@receiver(session_notice, dispatch_uid="calendars_session_notice")
def session_notice_received(
    sender: Any,
    *,
    session: SupervisionSession,
    people: list[Person],
    reason: str,
    cancel: bool = False,
    **kwargs: Any,
) -> None:
    transaction.on_commit(
        lambda: session_invitations_send(
            session=session, people=people, reason=reason, cancel=cancel
        )
    )
