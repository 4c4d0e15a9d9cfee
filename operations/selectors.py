from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from accounts.models import User
from circles.models import LearningCircle
from supervision.models import SupervisionSession
from training.models import Person, PersonStatus

# A purged person's account is kept, emptied, so that the audit trail still points at the
# account that made each change; its email address becomes this placeholder.
REMOVED_ACCOUNT_DOMAIN = "removed.invalid"


def removed_account_email(account_id: int) -> str:
    return f"removed-{account_id}@{REMOVED_ACCOUNT_DOMAIN}"


def is_removed_account(account: User | None) -> bool:
    """Whether an account is one that `leavers_purge` emptied when it deleted its person."""
    return account is not None and account.email == removed_account_email(account.pk)


def leavers_left_before(day: datetime.date) -> QuerySet[Person]:
    """People who have left, on a known date before `day`."""
    return Person.objects.filter(status=PersonStatus.LEFT, left_on__lt=day).order_by("pk")


def leavers_without_a_leaving_date() -> QuerySet[Person]:
    return Person.objects.filter(status=PersonStatus.LEFT, left_on__isnull=True)


def people_in_shared_links(person_ids: Iterable[int]) -> set[int]:
    """Those of `person_ids` whom a link in other people's records names.

    A practitioner of a 2:1 that names someone else too (its supervisor, another practitioner),
    and a practice leader of a circle. Deleting such a person would delete the link row by
    cascade, with no history, so that someone else's 2:1 or circle silently loses them.
    """
    person_ids = list(person_ids)
    practitioners = SupervisionSession.practitioners.through.objects
    another_practitioner = practitioners.filter(
        supervisionsession=OuterRef("supervisionsession")
    ).exclude(person=OuterRef("person"))
    in_sessions = practitioners.filter(person__in=person_ids).filter(
        ~Q(supervisionsession__supervisor=F("person")) | Exists(another_practitioner)
    )
    leading_circles = LearningCircle.facilitators.through.objects.filter(person__in=person_ids)
    return {
        *in_sessions.values_list("person", flat=True),
        *leading_circles.values_list("person", flat=True),
    }
