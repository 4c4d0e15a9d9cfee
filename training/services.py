"""Writes that touch the roster and training records: people, courses, places and registers."""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Iterable, Sequence
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from accounts.roles import Role
from training.models import (
    LIVE_PLACES,
    PENDING_PLACES,
    TAKEN_PLACES,
    Cohort,
    CourseAttendance,
    CourseDay,
    CoursePlace,
    FirstCourseDays,
    Organisation,
    Person,
    PersonStatus,
    PlaceStatus,
    RoleGroup,
)
from training.selectors import (
    TRAINED,
    first_days_attended,
    people_with_training,
    unfinished_course,
)
from training.signals import course_day_notice, records_changed

logger = logging.getLogger(__name__)

T = TypeVar("T")

# New accounts start with the role their role group usually needs; administrators add more.
DEFAULT_ROLES: dict[str, tuple[Role, ...]] = {
    RoleGroup.PRACTITIONER: (Role.PRACTITIONER,),
    RoleGroup.PARTNER: (Role.PRACTITIONER,),
    RoleGroup.MANAGER: (Role.SUPERVISOR,),
}


def organisation_save(*, organisation: Organisation) -> Organisation:
    """Add or change an employing organisation. Whether a person counts as embedded depends on
    their organisation's rule, so when that rule changes its people's figures are counted
    again (from the start: the rule applies to every day)."""
    with transaction.atomic():
        before = (
            Organisation.objects.filter(pk=organisation.pk)
            .values_list("embedded_needs_council_21", flat=True)
            .first()
        )
        organisation.full_clean()
        organisation.save()
        if before is not None and before != organisation.embedded_needs_council_21:
            records_changed.send(
                sender=Organisation,
                person_ids=list(organisation.people.values_list("pk", flat=True)),
                since=None,
            )
    return organisation


def person_organisation_changed(*, person: Person) -> None:
    """A person's employer was changed (in the admin site): their figures are counted again,
    as the rule for embedded may differ between the two organisations."""
    records_changed.send(sender=Person, person_ids=[person.pk], since=None)


@transaction.atomic
def person_account_sync(*, person: Person) -> User:
    """Give a roster person a sign-in account, or bring theirs in line with the roster."""
    before = person.user_id
    people_accounts_sync(people=[person])
    if person.user_id != before:
        person.save(update_fields=["user"])
    if person.user is None:  # people_accounts_sync gives every person an account
        raise ValueError(f"{person} has no account")
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
        for found in User.objects.annotate(lower_email=Lower("email")).filter(
            lower_email__in=chunk
        ):
            by_email[found.lower_email] = found

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


def _chunks(values: Sequence[T], size: int = 2000) -> list[Sequence[T]]:
    """Slices short enough for an IN list on every database."""
    return [values[start : start + size] for start in range(0, len(values), size)]


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
    days = [on for day in CourseDay if (on := cohort.date_of(day))]
    records_changed.send(
        sender=CourseAttendance,
        person_ids=[row.person_id for row in [*changed, *added]],
        since=min(days) if days else None,
    )
    return len(changed) + len(added)


def first_days_record(*, person_ids: Iterable[int] | None = None) -> int:
    """Store again the first attended days of `person_ids` (everyone, when None) from their
    attendance (`first_days_attended`); returns how many people have any. Called whenever
    attendance or a cohort changes (training.receivers), and for everyone by `refresh_figures`."""
    stored = FirstCourseDays.objects.all()
    ids = None if person_ids is None else sorted(set(person_ids))
    if ids == []:
        return 0
    chunks = [] if ids is None else _chunks(ids)
    if ids is not None and len(chunks) == 1:
        records = first_days_attended(person_ids=ids)
    else:
        # Everyone's at once: one read of the attended days is cheaper than a statement for
        # each few thousand people (an import's thousands took a second each on PostgreSQL).
        records = first_days_attended()
        if ids is not None:
            wanted = set(ids)
            records = {pk: record for pk, record in records.items() if pk in wanted}
    with transaction.atomic():
        if person_ids is None:
            stored.delete()
        for chunk in chunks:
            stored.filter(person_id__in=chunk).delete()
        FirstCourseDays.objects.bulk_create(
            (
                FirstCourseDays(
                    person_id=person_id,
                    restorative_on=record.restorative_on,
                    base_on=record.base_on,
                    restorative_phase_id=record.restorative_phase_id,
                    base_phase_id=record.base_phase_id,
                )
                for person_id, record in records.items()
            ),
            batch_size=2000,
        )
    return len(records)


# Courses ------------------------------------------------------------------------------------------


def _day_as_invited(cohort: Cohort, day: CourseDay) -> tuple[object, ...]:
    """What a confirmed person's calendar holds of one day of a course."""
    return (cohort.name, cohort.date_of(day), *cohort.times_of(day), cohort.venue_of(day))


@transaction.atomic
def cohort_save(*, cohort: Cohort) -> Cohort:
    """Create a course, or change one (its phase, name, days, venues, places or trainers).

    Changing the dates or the phase of a cohort with attendance on file changes when, and in
    which phase, the people on its register were trained. A change to what a day is in people's
    calendars (its name, date, times or venue) raises the course's SEQUENCE and sends everyone
    confirmed on it an update of each day that changed and is still to come. More places are
    offered at once to the first on its waiting list.
    """
    before = Cohort.objects.select_for_update().filter(pk=cohort.pk).first() if cohort.pk else None
    cohort.full_clean()
    changed = [
        day
        for day in CourseDay
        if before is not None and _day_as_invited(before, day) != _day_as_invited(cohort, day)
    ]
    if changed and before is not None:  # only a course saved before can change its days
        cohort.sequence = before.sequence + 1
    cohort.save()
    if before is not None and (before.day1_date, before.day2_date, before.phase_id) != (
        cohort.day1_date,
        cohort.day2_date,
        cohort.phase_id,
    ):
        dates = [
            date
            for date in (before.day1_date, before.day2_date, cohort.day1_date, cohort.day2_date)
            if date
        ]
        records_changed.send(
            sender=Cohort,
            person_ids=list(cohort.attendances.values_list("person_id", flat=True)),
            since=min(dates, default=None),
        )
    if changed:
        people = [
            place.person
            for place in cohort.places.filter(status=PlaceStatus.CONFIRMED).select_related("person")
        ]
        _tell(
            cohort,
            people,
            days=changed,
            reason=f"{cohort.name} has changed: this is the day as it now is.",
        )
    _offer_free_places(cohort)
    return cohort


def _tell(
    cohort: Cohort,
    people: list[Person],
    *,
    reason: str,
    cancel: bool = False,
    days: Sequence[CourseDay] = tuple(CourseDay),
) -> None:
    """Ask for an invitation (or a cancellation) of each of `days` still to come, for people."""
    now = timezone.now()
    for day in days:
        span = cohort.span_of(day)
        if people and span is not None and span[1] > now:
            course_day_notice.send(
                sender=Cohort, cohort=cohort, day=day, people=people, cancel=cancel, reason=reason
            )


# Places on a course -------------------------------------------------------------------------------


def _locked_cohort(pk: int) -> Cohort:
    return Cohort.objects.select_for_update().select_related("phase").get(pk=pk)


def _locked_place(pk: int) -> CoursePlace:
    return CoursePlace.objects.select_for_update().get(pk=pk)


def _taken(cohort: Cohort) -> int:
    return cohort.places.filter(status__in=TAKEN_PLACES).count()


def _has_room(cohort: Cohort) -> bool:
    return cohort.capacity is None or _taken(cohort) < cohort.capacity


@transaction.atomic
def places_nominate(
    *,
    cohort: Cohort,
    people: Sequence[Person],
    by: Person | None,
    today: datetime.date | None = None,
) -> list[CoursePlace]:
    """Nominate people for a course; the programme lead confirms their places.

    All or none: someone who is not at work, is trained already, holds a place on a course still
    to finish, or waits for a decision on another place is named with the reason, and nobody is
    nominated.
    """
    today = today or timezone.localdate()
    cohort = _locked_cohort(cohort.pk)
    if cohort.has_started(today):
        raise ValidationError(
            f"{cohort.name} has started: nominate people for a course still to come."
        )
    ids = [person.pk for person in people]
    trained = set(
        people_with_training(today).filter(TRAINED, pk__in=ids).values_list("pk", flat=True)
    )
    current = {
        place.person_id: place
        for place in CoursePlace.objects.filter(person__in=ids)
        .filter(
            Q(status__in=PENDING_PLACES)
            | (Q(status=PlaceStatus.CONFIRMED) & unfinished_course(today))
        )
        .select_related("cohort")
    }
    problems = []
    for person in people:
        place = current.get(person.pk)
        if person.status != PersonStatus.ACTIVE:
            problems.append(f"{person.full_name} is not at work ({person.get_status_display()}).")
        elif person.pk in trained:
            problems.append(f"{person.full_name} is trained already.")
        elif place is not None:
            state = place.get_status_display().lower()
            problems.append(f"{person.full_name}: {state} on {place.cohort.name} already.")
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    places = [
        CoursePlace(cohort=cohort, person=person, nominated_by=by, nominated_at=now)
        for person in people
    ]
    for place in places:
        place.full_clean(exclude=["cohort", "person", "nominated_by"], validate_constraints=False)
    return bulk_create_with_history(places, CoursePlace)


def _confirm(place: CoursePlace, cohort: Cohort, *, reason: str) -> None:
    """Give a person their place: on the register for both days, invited to each."""
    place.status = PlaceStatus.CONFIRMED
    place.confirmed_at = timezone.now()
    place.full_clean(exclude=["cohort", "person", "nominated_by", "move_to"])
    place.save()
    cohort_register_add(cohort=cohort, person=place.person)
    _tell(cohort, [place.person], reason=reason)


@transaction.atomic
def place_confirm(*, place: CoursePlace, today: datetime.date | None = None) -> CoursePlace:
    """Confirm a nomination: a place while the course has one free, else a place on its waiting
    list, in the order people were confirmed. An offered place is accepted on the person's
    behalf."""
    today = today or timezone.localdate()
    cohort = _locked_cohort(place.cohort_id)
    place = _locked_place(place.pk)
    if place.status not in (PlaceStatus.NOMINATED, PlaceStatus.OFFERED):
        raise ValidationError(
            f"{place.person.full_name} is {place.get_status_display().lower()} on this course: "
            "only a nomination or an offered place can be confirmed."
        )
    if cohort.has_started(today):
        raise ValidationError(f"{cohort.name} has started: its places can no longer change.")
    waiting = cohort.places.filter(status=PlaceStatus.WAITING).exists()
    if place.status == PlaceStatus.OFFERED or (_has_room(cohort) and not waiting):
        _confirm(place, cohort, reason=f"Your place on {cohort.name} is confirmed.")
    else:
        place.status = PlaceStatus.WAITING
        place.waiting_since = timezone.now()
        place.save()
    return place


@transaction.atomic
def place_accept(*, place: CoursePlace, today: datetime.date | None = None) -> CoursePlace:
    """Take up a place offered from the waiting list."""
    today = today or timezone.localdate()
    cohort = _locked_cohort(place.cohort_id)
    place = _locked_place(place.pk)
    if place.status != PlaceStatus.OFFERED:
        raise ValidationError("This place is not waiting for an answer.")
    if cohort.has_started(today):
        raise ValidationError(f"{cohort.name} has started: its places can no longer change.")
    _confirm(place, cohort, reason=f"You accepted a place on {cohort.name}.")
    return place


def _leave(place: CoursePlace, cohort: Cohort, *, reason: str) -> None:
    """Take a person who held a confirmed place off the register's days not yet marked, and
    cancel the days still to come in their calendar."""
    CourseAttendance.objects.filter(person=place.person, cohort=cohort, attended=False).delete()
    _tell(cohort, [place.person], reason=reason, cancel=True)


@transaction.atomic
def place_withdraw(
    *, place: CoursePlace, reason: str = "", today: datetime.date | None = None
) -> CoursePlace:
    """Withdraw a nomination, a place on the waiting list, or a place offered or confirmed
    (declining an offer is withdrawing it). A place freed on a course still to start is offered
    to the first on its waiting list."""
    cohort = _locked_cohort(place.cohort_id)
    place = _locked_place(place.pk)
    if not place.is_live:
        raise ValidationError("This place has been withdrawn or moved already.")
    was = place.status
    place.status = PlaceStatus.WITHDRAWN
    place.closed_at = timezone.now()
    place.closed_reason = " ".join(reason.split())[:200]
    place.move_to, place.move_reason, place.move_requested_at = None, "", None
    place.full_clean(exclude=["cohort", "person", "nominated_by", "move_to"])
    place.save()
    if was == PlaceStatus.CONFIRMED:
        _leave(place, cohort, reason=f"Your place on {cohort.name} has been withdrawn.")
    if was in TAKEN_PLACES:
        _offer_free_places(cohort, today=today)
    return place


def _offer_free_places(cohort: Cohort, *, today: datetime.date | None = None) -> list[int]:
    """Offer each free place of a course still to start to the next on its waiting list, in
    order; the offers are emailed once the change has committed."""
    today = today or timezone.localdate()
    if cohort.pk is None or cohort.has_started(today):
        return []
    waiting = (
        cohort.places.select_for_update()
        .filter(status=PlaceStatus.WAITING)
        .order_by("waiting_since", "pk")
    )
    if cohort.capacity is not None:
        free = cohort.capacity - _taken(cohort)
        if free <= 0:
            return []
        waiting = waiting[:free]
    offered = list(waiting)
    now = timezone.now()
    for place in offered:
        place.status = PlaceStatus.OFFERED
        place.offered_at = now
        place.save()
    ids = [place.pk for place in offered]
    if ids:
        transaction.on_commit(lambda: place_offers_send(ids=ids))
    return ids


def place_offers_send(*, ids: list[int] | None = None) -> int:
    """Email each place offered from a waiting list (those named, or every one not yet emailed)
    to its person, once: the email is claimed before it is sent, so two runs cannot both send
    it, and a failed send is released for the daily job to try again. Returns emails sent."""
    pending = CoursePlace.objects.filter(
        status=PlaceStatus.OFFERED, offer_emailed_at__isnull=True
    ).order_by("offered_at", "pk")
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    sent = 0
    for pk in list(pending.values_list("pk", flat=True)):
        claimed = CoursePlace.objects.filter(
            pk=pk, status=PlaceStatus.OFFERED, offer_emailed_at__isnull=True
        ).update(offer_emailed_at=timezone.now())
        if not claimed:  # sent meanwhile by another run, or answered already
            continue
        place = CoursePlace.objects.select_related("person", "cohort").get(pk=pk)
        try:
            _offer_email(place).send()
        except Exception:
            logger.exception("Offer of place %s not emailed; the daily job tries again", pk)
            CoursePlace.objects.filter(pk=pk).update(offer_emailed_at=None)
            continue
        sent += 1
    return sent


def _offer_email(place: CoursePlace) -> EmailMessage:
    cohort = place.cohort
    days = [
        (day, cohort.date_of(day), *cohort.times_of(day), cohort.venue_of(day)) for day in CourseDay
    ]
    body = render_to_string(
        "training/email/place_offered.txt",
        {
            "person": place.person,
            "cohort": cohort,
            "days": days,
            "link": f"{settings.SITE_URL}{reverse('home')}",
        },
    )
    # One line, whatever was typed into the course's name: a header cannot hold a line break.
    subject = " ".join(f"A place on {cohort.name} is offered to you".split())
    return EmailMessage(subject=subject, body=body, to=[place.person.email])


@transaction.atomic
def place_move_request(
    *, place: CoursePlace, to: Cohort, reason: str, today: datetime.date | None = None
) -> CoursePlace:
    """Ask to move a confirmed place to another course still to start; the programme lead
    decides."""
    today = today or timezone.localdate()
    place = _locked_place(place.pk)
    if place.status != PlaceStatus.CONFIRMED:
        raise ValidationError("Only a confirmed place can be moved.")
    if to.pk == place.cohort_id:
        raise ValidationError({"cohort": "Choose another course than the one you are on."})
    if to.has_started(today):
        raise ValidationError({"cohort": f"{to.name} has started: choose a course to come."})
    place.move_to = to
    place.move_reason = reason
    place.move_requested_at = timezone.now()
    place.full_clean(exclude=["cohort", "person", "nominated_by", "move_to"])
    place.save()
    return place


@transaction.atomic
def place_move_approve(*, place: CoursePlace, today: datetime.date | None = None) -> CoursePlace:
    """Move a confirmed place to the course asked for, if it has a place free: the person leaves
    the first course (its place offered to its waiting list) and is confirmed and invited on the
    second. Returns the new place."""
    today = today or timezone.localdate()
    if place.move_to_id is None:
        raise ValidationError("Nobody has asked to move this place.")
    # Both courses locked, always in the same order, so two moves cannot wait on each other.
    locked = {
        cohort.pk: cohort
        for cohort in Cohort.objects.select_for_update()
        .filter(pk__in=[place.cohort_id, place.move_to_id])
        .order_by("pk")
    }
    place = _locked_place(place.pk)
    if place.status != PlaceStatus.CONFIRMED or place.move_to_id not in locked:
        raise ValidationError("This place can no longer be moved.")
    source, target = locked[place.cohort_id], locked[place.move_to_id]
    if target.has_started(today):
        raise ValidationError(f"{target.name} has started: the place cannot move to it.")
    if not _has_room(target) or target.places.filter(status=PlaceStatus.WAITING).exists():
        raise ValidationError(
            f"{target.name} is full. The request stays until a place there is free."
        )
    if target.places.filter(person=place.person_id, status__in=LIVE_PLACES).exists():
        raise ValidationError(f"{place.person.full_name} already has a place on {target.name}.")
    place.status = PlaceStatus.MOVED
    place.closed_at = timezone.now()
    place.closed_reason = f"Moved to {target.name}"[:200]
    place.save()
    _leave(place, source, reason=f"You have moved to {target.name}, so this day is cancelled.")
    moved = CoursePlace(
        cohort=target,
        person=place.person,
        nominated_by=place.nominated_by,
        nominated_at=place.nominated_at,
    )
    _confirm(moved, target, reason=f"You have moved from {source.name} to {target.name}.")
    _offer_free_places(source, today=today)
    return moved


@transaction.atomic
def place_move_refuse(*, place: CoursePlace) -> CoursePlace:
    """Turn down a request to move: the place stays where it is."""
    place = _locked_place(place.pk)
    place.move_to, place.move_reason, place.move_requested_at = None, "", None
    place.save()
    return place
