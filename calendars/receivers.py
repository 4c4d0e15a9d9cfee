"""Invitations for the changes circles, 2:1s and training courses announce (circles/signals.py,
supervision/signals.py, training/signals.py): queued in the change's own transaction, sent once
it commits."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from calendars.selectors import course_day_details, meeting_details, session_details
from calendars.services import notices_record
from circles.models import CircleMeeting
from circles.signals import meeting_notice
from supervision.models import SupervisionSession
from supervision.signals import session_notice
from training.models import Cohort, CourseDay, Person
from training.signals import course_day_notice


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
    notices_record(details=meeting_details(meeting), people=people, cancel=cancel, reason=reason)


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
    notices_record(details=session_details(session), people=people, cancel=cancel, reason=reason)


@receiver(course_day_notice, dispatch_uid="calendars_course_day_notice")
def course_day_notice_received(
    sender: Any,
    *,
    cohort: Cohort,
    day: CourseDay,
    people: list[Person],
    reason: str,
    cancel: bool = False,
    **kwargs: Any,
) -> None:
    details = course_day_details(cohort, day)
    if details is not None:  # a day without its date and times is in nobody's calendar
        notices_record(details=details, people=people, cancel=cancel, reason=reason)
