from __future__ import annotations

import datetime

from django.db.models import QuerySet

from accounts.models import User
from training.models import Person, PersonStatus

# A purged person's account is kept, emptied, so that the audit trail still points at the
# account that made each change; its email address becomes this placeholder.
REMOVED_ACCOUNT_DOMAIN = "removed.invalid"


def removed_account_email(account_id: int) -> str:
    return f"removed-{account_id}@{REMOVED_ACCOUNT_DOMAIN}"


def is_removed_account(account: User | None) -> bool:
    """Whether an account is one that `leavers_purge` emptied when it purged its person."""
    return account is not None and account.email == removed_account_email(account.pk)


# A purged leaver's roster entry stays as an anonymous placeholder, so that the 2:1s, circles and
# figures they were part of stay whole; it is shown under this name, with this email address.
FORMER_MEMBER_NAME = "A former member"


def former_member_email(person_id: int) -> str:
    return f"former-member-{person_id}@{REMOVED_ACCOUNT_DOMAIN}"


def is_former_member(person: Person) -> bool:
    """Whether a roster entry is the placeholder `leavers_purge` left of a purged leaver."""
    return person.email == former_member_email(person.pk)


def former_members() -> QuerySet[Person]:
    return Person.objects.filter(
        email__startswith="former-member-", email__endswith=f"@{REMOVED_ACCOUNT_DOMAIN}"
    )


def leavers_left_before(day: datetime.date) -> QuerySet[Person]:
    """People who have left, on a known date before `day`, and are not yet purged."""
    return (
        Person.objects.filter(status=PersonStatus.LEFT, left_on__lt=day)
        .exclude(pk__in=former_members().values("pk"))
        .order_by("pk")
    )


def leavers_without_a_leaving_date() -> QuerySet[Person]:
    return Person.objects.filter(status=PersonStatus.LEFT, left_on__isnull=True)
