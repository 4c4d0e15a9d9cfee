"""The audit trail of one person: every recorded change to their records, newest first.

django-simple-history keeps a historical row for each save of the audited models, with who
made it and when. One query a model, whatever the length of the trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from accounts.models import User
from circles.models import CircleMembership, LearningCircle, MeetingAttendance
from competencies.models import DevelopmentGoal, Rating, Review
from operations.selectors import is_removed_account
from supervision.models import (
    AgreedAction,
    CaseDiscussed,
    SessionFocus,
    SessionNote,
    SupervisionSession,
)
from training.models import CourseAttendance, Person

LIMIT = 200


@dataclass(frozen=True)
class TrailEntry:
    when: datetime
    what: str
    record: str
    change: str
    by: str
    details: str


CHANGES = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _entries(history, what: str, describe) -> list[TrailEntry]:
    return [
        TrailEntry(
            when=row.history_date,
            what=what,
            record=describe(row),
            change=CHANGES.get(row.history_type, row.history_type),
            by=_author(row.history_user),
            details="",
        )
        for row in history.select_related("history_user").order_by("-history_date")[:LIMIT]
    ]


def _people(snapshot) -> str:
    """The people of a many-to-many field as it was at one historical row, by person ID."""
    ids = sorted(link.person_id for link in snapshot.all())
    return ", ".join(f"#{pk}" for pk in ids) or "nobody"


def _author(account: User | None) -> str:
    if account is None:
        return "the system"
    if is_removed_account(account):
        # The account of a person purged as a leaver: emptied, kept so the trail points at it.
        return f"a removed account (#{account.pk})"
    return account.email


def _record_items_of(person: Person) -> Q:
    """Items of 2:1 records that are the person's own, or shared in a 2:1 they were in."""
    their_sessions = SupervisionSession.practitioners.through.objects.filter(
        person_id=person.pk
    ).values("supervisionsession_id")
    return Q(practitioner_id=person.pk) | Q(
        practitioner_id__isnull=True, session_id__in=their_sessions
    )


def person_trail(person: Person) -> list[TrailEntry]:
    entries = [
        *_entries(
            Person.history.filter(id=person.pk),
            "Roster entry",
            lambda row: (
                f"{row.full_name}: {row.get_role_group_display()}, {row.get_status_display()}"
            ),
        ),
        *_entries(
            CourseAttendance.history.filter(person_id=person.pk),
            "Course attendance",
            lambda row: (
                f"cohort {row.cohort_id}, day {row.day}: "
                f"{'attended' if row.attended else 'did not attend'}"
            ),
        ),
        *_entries(
            CircleMembership.history.filter(person_id=person.pk),
            "Circle membership",
            lambda row: f"circle {row.circle_id}",
        ),
        *_entries(
            MeetingAttendance.history.filter(person_id=person.pk),
            "Circle attendance",
            lambda row: f"meeting {row.meeting_id}: {row.get_status_display()}",
        ),
        *_entries(
            SupervisionSession.history.filter(supervisor_id=person.pk),
            "2:1 they supervise",
            lambda row: f"2:1 {row.id}: {row.get_status_display()}",
        ),
        # Every change to a 2:1 or circle they were ever in, so that being taken off one shows.
        *_entries(
            SupervisionSession.history.filter(
                id__in=SupervisionSession.history.filter(
                    historicalsupervisionsession_practitioners__person=person.pk
                ).values("id")
            ).prefetch_related("historicalsupervisionsession_practitioners_set"),
            "2:1 they are in",
            lambda row: (
                f"2:1 {row.id}: {row.get_status_display()}, practitioners "
                f"{_people(row.historicalsupervisionsession_practitioners_set)}"
            ),
        ),
        *_entries(
            CaseDiscussed.history.filter(practitioner_id=person.pk),
            "2:1 case discussed",
            lambda row: (
                f"2:1 {row.session_id}: case {row.case_reference}, {row.get_case_type_display()}, "
                f"{row.get_risk_level_display().lower()} risk"
            ),
        ),
        *_entries(
            SessionFocus.history.filter(_record_items_of(person)),
            "2:1 worked on",
            lambda row: (
                f"2:1 {row.session_id}: {row.get_stage_display()}"
                + (f", competency {row.competency_id}" if row.competency_id else "")
            ),
        ),
        *_entries(
            SessionNote.history.filter(_record_items_of(person)),
            "2:1 note",
            lambda row: f"2:1 {row.session_id}: note {row.id}",
        ),
        *_entries(
            AgreedAction.history.filter(_record_items_of(person) | Q(owner_id=person.pk)),
            "2:1 action",
            lambda row: (
                f"2:1 {row.session_id}: action {row.id}, owner #{row.owner_id}, due "
                f"{row.due_on:%d/%m/%Y}, {'closed' if row.closed_at else 'open'}"
            ),
        ),
        *_entries(
            LearningCircle.history.filter(
                id__in=LearningCircle.history.filter(
                    historicallearningcircle_facilitators__person=person.pk
                ).values("id")
            ).prefetch_related("historicallearningcircle_facilitators_set"),
            "Circle they lead",
            lambda row: (
                f"circle {row.id} ({row.name}): practice leaders "
                f"{_people(row.historicallearningcircle_facilitators_set)}"
            ),
        ),
        *_entries(
            Review.history.filter(practitioner_id=person.pk),
            "Review",
            lambda row: f"review {row.id} revision {row.revision}: {row.get_status_display()}",
        ),
        *_entries(
            Rating.history.filter(review__practitioner_id=person.pk),
            "Rating",
            lambda row: (
                f"review {row.review_id}, competency {row.competency_id}, "
                f"{row.get_rater_display().lower()}: "
                f"{row.get_level_display() if row.level else 'not yet seen'}"
            ),
        ),
        *_entries(
            DevelopmentGoal.history.filter(review__practitioner_id=person.pk),
            "Development goal",
            lambda row: (
                f"review {row.review_id}, competency {row.competency_id}: "
                f"review date {row.review_on:%d/%m/%Y}"
            ),
        ),
    ]
    return sorted(entries, key=lambda entry: entry.when, reverse=True)
