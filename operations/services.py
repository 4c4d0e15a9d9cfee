"""Writes that keep the site's data within its retention rules."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, router, transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_app_model_primary_key_name, get_history_model_for_model

from accounts.models import User
from operations.middleware import security_log
from operations.selectors import (
    leavers_left_before,
    leavers_without_a_leaving_date,
    people_in_shared_links,
    removed_account_email,
)
from training.models import Person

# The personal rows of an account that go when its person is purged; the account stays.
ACCOUNT_SATELLITES: tuple[type[models.Model], ...] = (
    EmailAddress,
    Authenticator,
    SocialAccount,
    UserSession,
)


@dataclass
class PurgeResult:
    dry_run: bool
    left_before: datetime.date
    # Rows deleted, by model label ("training.Person"), including everything that cascaded.
    deleted: Counter[str] = field(default_factory=Counter)
    # History rows deleted, by model label ("training.HistoricalPerson", "admin.LogEntry").
    history_deleted: Counter[str] = field(default_factory=Counter)
    # Accounts of the deleted people, emptied in place and kept for the audit trail.
    accounts_emptied: int = 0
    # People who could not be deleted because other people's records name them.
    kept: list[int] = field(default_factory=list)
    without_a_date: int = 0

    @property
    def people(self) -> int:
        return self.deleted[Person._meta.label]

    def summary(self) -> list[str]:
        verb = "Dry run, nothing deleted: would have deleted" if self.dry_run else "Deleted"
        lines = [f"{verb} {self.people} people who left before {self.left_before:%d/%m/%Y}."]
        models = [(apps.get_model(label), count) for label, count in sorted(self.deleted.items())]
        with_them = [
            f"{count} {model._meta.verbose_name_plural}"
            for model, count in models
            # Many-to-many link rows go unmentioned.
            if model is not Person and count and not model._meta.auto_created
        ]
        if history_rows := self.history_deleted.total():
            with_them.append(f"{history_rows} history rows of them and their records")
        if with_them:
            lines.append(f"With them: {', '.join(with_them)}.")
        if self.accounts_emptied:
            verb = "Would have emptied" if self.dry_run else "Emptied"
            lines.append(
                f"{verb} {self.accounts_emptied} accounts (no email address, password or "
                "roles), kept so that the audit trail still shows which account made each "
                "change."
            )
        if self.kept:
            lines.append(
                f"Kept {len(self.kept)} whom other people's records name (person IDs "
                f"{', '.join(map(str, self.kept))}); change those records (reassign them, or "
                "take the person off a 2:1 or circle) to delete them."
            )
        if self.without_a_date:
            lines.append(
                f"Kept {self.without_a_date} marked as left with no leaving date; set their "
                '"left on" date in the admin site to include them.'
            )
        return lines


def leavers_purge(
    *, older_than_years: int, today: datetime.date | None = None, dry_run: bool = False
) -> PurgeResult:
    """Delete people who left more than `older_than_years` ago, with their records and history.

    Their accounts are emptied, not deleted (see `_account_empty`). A person whom other people's
    records name is kept: deleting them would change those records (or be refused).

    A dry run deletes inside a transaction and rolls it back, so its counts are exactly what a
    real run would delete.
    """
    today = today or timezone.localdate()
    result = PurgeResult(dry_run=dry_run, left_before=today - relativedelta(years=older_than_years))
    with transaction.atomic():
        result.without_a_date = leavers_without_a_leaving_date().count()
        leavers = list(leavers_left_before(result.left_before))
        named = people_in_shared_links(person.pk for person in leavers)
        for person in leavers:
            if person.pk in named:
                result.kept.append(person.pk)
                continue
            try:
                with transaction.atomic():
                    deleted, history_deleted = _person_delete(person)
                    if person.user_id is not None:
                        deleted.update(_account_empty(person.user_id))
            except (ProtectedError, RestrictedError):
                result.kept.append(person.pk)
                continue
            result.deleted.update(deleted)
            result.history_deleted.update(history_deleted)
            if person.user_id is not None:
                result.accounts_emptied += 1
            if not dry_run:
                security_log.info("purged person=%s account=%s", person.pk, person.user_id)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _person_delete(person: Person) -> tuple[Counter[str], Counter[str]]:
    """Delete a person with what cascades from them, then the history of all of it.

    Raises ProtectedError or RestrictedError, deleting nothing, when other records name them.
    """
    collector = Collector(using=router.db_for_write(Person), origin=person)
    # A queryset, not the instance: deleting sets the primary keys of what it collected to None.
    collector.collect(Person.objects.filter(pk=person.pk))
    doomed = {model: {row.pk for row in rows} for model, rows in collector.data.items()}
    _, deleted = collector.delete()
    return Counter(deleted), _history_delete(doomed)


def _history_delete(doomed: dict[type[models.Model], set[object]]) -> Counter[str]:
    """Delete every history row of the records just deleted and of the person's earlier ones.

    History rows are django-simple-history's, and the admin site's log entries.

    The records are those of `doomed` (the deletion's cascade, the person among them) and, found
    in the history tables by following the same cascading foreign keys, records of theirs
    deleted before (a circle they left) and so no longer in the cascade. All history rows of
    those records go, including the deletion rows just written.

    History rows of other people's records that name the person by ID (another person's roster
    entry naming them as line manager, a 2:1 as it was when they were in it) stay: once the
    person's own history is gone the ID identifies nobody.
    """
    records: defaultdict[type[models.Model], set[object]] = defaultdict(set)
    for model, pks in doomed.items():
        records[model] |= pks
    changed = True
    while changed:
        changed = False
        for parent, parent_pks in list(records.items()):
            for relation in parent._meta.related_objects:
                if relation.many_to_many or relation.on_delete is not models.CASCADE:
                    continue
                child = relation.related_model
                if (history := _history_model(child)) is None or not parent_pks:
                    continue
                found: set[object] = set()
                for chunk in _chunks(parent_pks):
                    found.update(
                        history.objects.filter(**{f"{relation.field.attname}__in": chunk})
                        .values_list(get_app_model_primary_key_name(child), flat=True)
                        .distinct()
                    )
                # Records that still exist are someone else's now; their history stays.
                for chunk in _chunks(found - records[child]):
                    found -= set(
                        child._base_manager.filter(pk__in=chunk).values_list("pk", flat=True)
                    )
                if not found <= records[child]:
                    records[child] |= found
                    changed = True
    deleted: Counter[str] = Counter()
    for model, pks in records.items():
        if model._meta.auto_created:
            continue
        history = _history_model(model)
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        for chunk in _chunks(pks):
            if history is not None:
                rows = history.objects.filter(
                    **{f"{get_app_model_primary_key_name(model)}__in": chunk}
                )
                deleted.update(rows.delete()[1])
            # The admin site's own log of changes to them ("history" there), which names them.
            admin_log = LogEntry.objects.filter(
                content_type=content_type, object_id__in=[str(pk) for pk in chunk]
            )
            deleted.update(admin_log.delete()[1])
    return deleted


def _history_model(model: type[models.Model]) -> type[models.Model] | None:
    try:
        return get_history_model_for_model(model)
    except NotHistoricalModelError:
        return None


def _chunks(values: Iterable[object], size: int = 500) -> Iterator[list[object]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _account_empty(account_id: int) -> Counter[str]:
    """Empty a purged person's account in place, and delete its personal rows.

    The account row stays, so that the history rows it wrote about other people's records (a
    practice leader's attendance marks, a supervisor's ratings) still point at it rather than
    at nobody (deleting it would set them to NULL: "the system"). It keeps its ID and dates, and
    loses everything else: a placeholder email address, no password, inactive, no roles. Its
    email addresses, authenticators, single sign-on links and sessions are deleted. The admin
    site's log of what the account did stays, like the history rows it wrote.
    """
    account = User.objects.select_for_update().get(pk=account_id)
    deleted: Counter[str] = Counter()
    session_keys = list(
        UserSession.objects.filter(user=account).values_list("session_key", flat=True)
    )
    for model in ACCOUNT_SATELLITES:
        deleted.update(model.objects.filter(user=account).delete()[1])
    # After the commit: a cache-based session store is not rolled back with a dry run.
    transaction.on_commit(lambda: _sessions_end(session_keys))
    account.groups.clear()
    account.user_permissions.clear()
    account.email = removed_account_email(account.pk)
    account.is_active = account.is_staff = account.is_superuser = False
    account.last_login = None
    account.set_unusable_password()
    account.save()
    # The admin site's log of changes to the account names it as it was: by its email address.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(account.pk)
    ).update(object_repr=str(account))
    return deleted


def _sessions_end(session_keys: list[str]) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    for key in session_keys:
        store.delete(key)
