"""Writes that touch the roster and training records."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from accounts.roles import Role
from training.models import Cohort, CourseAttendance, CourseDay, Person, PersonStatus, RoleGroup
from training.signals import records_changed

# New accounts start with the role their role group usually needs; administrators add more.
DEFAULT_ROLES: dict[str, tuple[Role, ...]] = {
    RoleGroup.PRACTITIONER: (Role.PRACTITIONER,),
    RoleGroup.PARTNER: (Role.PRACTITIONER,),
    RoleGroup.MANAGER: (Role.SUPERVISOR,),
}


@transaction.atomic
def person_account_sync(*, person: Person) -> User:
    """Give a roster person a sign-in account, or bring theirs in line with the roster."""
    before = person.user_id
    people_accounts_sync(people=[person])
    if person.user_id != before:
        person.save(update_fields=["user"])
    return person.user


@transaction.atomic
def people_accounts_sync(*, people: Sequence[Person]) -> None:
    """Give roster people sign-in accounts, or bring theirs in line with the roster.

    A new account has no password: the person sets one through "Forgot your password?", and
    starts with the roles of its role group. An account is active only while its person has not
    left. Runs in a fixed number of queries, whatever the number of people.

    Sets `person.user` on each (saved or not yet saved) person without saving the person, so
    that the caller saves each person once, with one entry in the audit trail.
    """
    linked = User.objects.in_bulk([person.user_id for person in people if person.user_id])
    unlinked = {person.email.lower() for person in people if person.user_id not in linked}
    by_email: dict[str, User] = {}
    for chunk in _chunks(sorted(unlinked)):
        for account in User.objects.annotate(lower_email=Lower("email")).filter(
            lower_email__in=chunk
        ):
            by_email[account.lower_email] = account

    new: list[tuple[Person, User]] = []
    toggled: list[User] = []
    for person in people:
        account = linked.get(person.user_id) or by_email.get(person.email.lower())
        should_be_active = person.status != PersonStatus.LEFT
        if account is None:
            # As set_unusable_password() makes it, with a faster source of the same randomness.
            account = User(
                email=person.email.lower(),
                is_active=should_be_active,
                password=UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20),
            )
            by_email[account.email] = account
            new.append((person, account))
        elif account.is_active != should_be_active:
            account.is_active = should_be_active
            toggled.append(account)
        person.user = account

    User.objects.bulk_create([account for _, account in new])
    User.objects.bulk_update(toggled, ["is_active"])
    wanted = {role for person, _ in new for role in DEFAULT_ROLES.get(person.role_group, ())}
    groups = {role: Group.objects.get_or_create(name=role.label)[0] for role in wanted}
    membership = User.groups.through
    membership.objects.bulk_create(
        membership(user_id=account.pk, group_id=groups[role].pk)
        for person, account in new
        for role in DEFAULT_ROLES.get(person.role_group, ())
    )
    for person, account in new:
        person.user = account  # now saved, so the person's user_id is set


def _chunks(values: Sequence[str], size: int = 2000) -> list[Sequence[str]]:
    """Slices short enough for an IN list on every database."""
    return [values[start : start + size] for start in range(0, len(values), size)]


@transaction.atomic
def cohort_save(*, cohort: Cohort) -> Cohort:
    """Create a cohort, or change one (its phase, name, dates, venue or trainer).

    Changing the dates or the phase of a cohort with attendance on file changes when, and in
    which phase, the people on its register were trained.
    """
    before = Cohort.objects.filter(pk=cohort.pk).first() if cohort.pk else None
    cohort.full_clean()
    cohort.save()
    if before is not None and (before.day1_date, before.day2_date, before.phase_id) != (
        cohort.day1_date,
        cohort.day2_date,
        cohort.phase_id,
    ):
        days = [
            day
            for day in (before.day1_date, before.day2_date, cohort.day1_date, cohort.day2_date)
            if day
        ]
        records_changed.send(
            sender=Cohort,
            person_ids=list(cohort.attendances.values_list("person_id", flat=True)),
            since=min(days, default=None),
        )
    return cohort


@transaction.atomic
def cohort_register_add(*, cohort: Cohort, person: Person) -> None:
    """Put a person on a cohort's register for both days, not yet marked as attended."""
    for day in CourseDay:
        CourseAttendance.objects.get_or_create(person=person, cohort=cohort, day=day)


@transaction.atomic
def cohort_register_save(*, cohort: Cohort, marks: dict[tuple[int, CourseDay], bool]) -> int:
    """Record attendance on a cohort's days, {(person_id, day): attended}; returns marks changed.

    Only people already on the register (with a record of either day) are recorded; the rest of
    `marks` is ignored. A day ticked for someone with no record of that day is added.
    """
    existing = {
        (row.person_id, row.day): row
        for row in CourseAttendance.objects.select_for_update().filter(
            cohort=cohort, person_id__in={person_id for person_id, _ in marks}
        )
    }
    registered = {person_id for person_id, _ in existing}
    changed = [
        row
        for key, attended in marks.items()
        if (row := existing.get(key)) is not None and row.attended != attended
    ]
    for row in changed:
        row.attended = not row.attended
    added = [
        CourseAttendance(person_id=person_id, cohort=cohort, day=day, attended=True)
        for (person_id, day), attended in marks.items()
        if attended and person_id in registered and (person_id, day) not in existing
    ]
    for row in added:
        row.full_clean(exclude=["person", "cohort"], validate_unique=False)
    # Through simple-history, so the audit trail records each change and who made it.
    bulk_update_with_history(changed, CourseAttendance, ["attended"])
    bulk_create_with_history(added, CourseAttendance)
    days = [cohort.date_of(day) for day in CourseDay if cohort.date_of(day)]
    records_changed.send(
        sender=CourseAttendance,
        person_ids=[row.person_id for row in [*changed, *added]],
        since=min(days) if days else None,
    )
    return len(changed) + len(added)
