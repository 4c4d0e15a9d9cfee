"""Writes that touch the roster and training records."""

from __future__ import annotations

from django.db import transaction
from simple_history.utils import bulk_update_with_history

from accounts.models import User
from accounts.roles import Role, grant_roles
from training.models import Cohort, CourseAttendance, CourseDay, Person, PersonStatus, RoleGroup
from training.signals import records_changed

# New accounts start with the role their role group usually needs; administrators add more.
DEFAULT_ROLES: dict[str, tuple[Role, ...]] = {
    RoleGroup.PRACTITIONER: (Role.PRACTITIONER,),
    RoleGroup.PARTNER: (Role.PRACTITIONER,),
    RoleGroup.MANAGER: (Role.SUPERVISOR,),
}


@transaction.atomic
def person_account_sync(*, person: Person, account: User | None = None) -> User:
    """Give a roster person a sign-in account, or bring theirs in line with the roster.

    A new account has no password: the person sets one through "Forgot your password?".
    An account is active only while its person has not left.
    """
    account = account or person.user or User.objects.filter(email__iexact=person.email).first()
    should_be_active = person.status != PersonStatus.LEFT
    if account is None:
        account = User.objects.create_user(person.email, password=None, is_active=should_be_active)
        grant_roles(account, *DEFAULT_ROLES.get(person.role_group, ()))
    elif account.is_active != should_be_active:
        account.is_active = should_be_active
        account.save(update_fields=["is_active"])
    if person.user_id != account.pk:
        person.user = account
        person.save(update_fields=["user"])
    return account


@transaction.atomic
def cohort_register_add(*, cohort: Cohort, person: Person) -> None:
    """Put a person on a cohort's register for both days, not yet marked as attended."""
    for day in CourseDay:
        CourseAttendance.objects.get_or_create(person=person, cohort=cohort, day=day)


@transaction.atomic
def cohort_register_save(*, cohort: Cohort, marks: dict[tuple[int, CourseDay], bool]) -> int:
    """Record attendance on a cohort's days, {(person_id, day): attended}; returns rows changed.

    Only people already on the register are recorded; the rest of `marks` is ignored.
    """
    existing = {
        (row.person_id, row.day): row
        for row in CourseAttendance.objects.select_for_update().filter(
            cohort=cohort, person_id__in={person_id for person_id, _ in marks}
        )
    }
    changed = [
        row
        for key, attended in marks.items()
        if (row := existing.get(key)) is not None and row.attended != attended
    ]
    for row in changed:
        row.attended = not row.attended
    # Through simple-history, so the audit trail records each change and who made it.
    bulk_update_with_history(changed, CourseAttendance, ["attended"])
    days = [cohort.date_of(day) for day in CourseDay if cohort.date_of(day)]
    records_changed.send(
        sender=CourseAttendance,
        person_ids=[row.person_id for row in changed],
        since=min(days) if days else None,
    )
    return len(changed)
