"""Who gets which email, and what a person sees on their "Email preferences" page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import Role, roles_of
from notifications.models import ESSENTIAL, EmailKind, EmailOptOut
from training.models import Person, PersonStatus

# Who each kind of email goes to, by role: a person sees on their page only the emails that
# can come to them.
RECEIVED_BY: dict[str, frozenset[Role]] = {
    EmailKind.REVIEW_SUBMITTED: frozenset({Role.SUPERVISOR}),
    EmailKind.REVIEW_RETURNED: frozenset({Role.PRACTITIONER}),
    EmailKind.REVIEW_SIGNED_OFF: frozenset({Role.PRACTITIONER, Role.SUPERVISOR}),
    EmailKind.REVIEW_CORRECTED: frozenset({Role.PRACTITIONER, Role.SUPERVISOR}),
    EmailKind.MONTHLY_SUMMARY: frozenset({Role.PROGRAMME_LEAD}),
}

# What each email is, in a line, for the preferences page.
EXPLAINED: dict[str, str] = {
    EmailKind.REVIEW_SUBMITTED: "When a practitioner submits a review to you for your rating "
    "and sign-off.",
    EmailKind.REVIEW_RETURNED: "When your supervisor sends your review back to you to change "
    "your ratings, with their reason.",
    EmailKind.REVIEW_SIGNED_OFF: "A confirmation when a review you are in is signed off.",
    EmailKind.REVIEW_CORRECTED: "When a signed-off review you are in is corrected, with the "
    "reason.",
    EmailKind.MONTHLY_SUMMARY: "On the first working day of each month: the roll-out's headline "
    "figures with their change, the teams furthest behind and the projection to the critical "
    "mass of practice.",
}


def people_with_role(role: Role) -> QuerySet[Person]:
    """The people on the roster whose active account holds `role` (granted as a group)."""
    return Person.objects.filter(user__is_active=True, user__groups__name=role.label).distinct()


def is_essential(kind: str) -> bool:
    return kind in ESSENTIAL


def recipients(kind: str, people: Iterable[Person | None]) -> list[Person]:
    """The people among `people` an email of `kind` goes to: once each, with an email address,
    not left, and (unless the email is essential) not having turned it off."""
    unique = {
        person.pk: person
        for person in people
        if person is not None and person.email and person.status != PersonStatus.LEFT
    }
    if unique and not is_essential(kind):
        turned_off = set(
            EmailOptOut.objects.filter(person__in=unique, kind=kind).values_list(
                "person_id", flat=True
            )
        )
        unique = {pk: person for pk, person in unique.items() if pk not in turned_off}
    return list(unique.values())


@dataclass(frozen=True)
class Preference:
    kind: str
    label: str
    explained: str
    essential: bool
    on: bool


def preferences_of(person: Person, user: User) -> list[Preference]:
    """The emails that can come to the person (from their roles), each on or off."""
    roles = roles_of(user)
    turned_off = set(person.email_opt_outs.values_list("kind", flat=True))
    return [
        Preference(
            kind=kind.value,
            label=kind.label,
            explained=EXPLAINED[kind],
            essential=is_essential(kind),
            on=is_essential(kind) or kind not in turned_off,
        )
        for kind in EmailKind
        if RECEIVED_BY[kind] & roles
    ]
