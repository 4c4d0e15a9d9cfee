"""Writes that keep the site's data within its retention rules."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from accounts.models import User
from operations.middleware import security_log
from operations.selectors import leavers_left_before, leavers_without_a_leaving_date
from training.models import Person


@dataclass
class PurgeResult:
    dry_run: bool
    left_before: datetime.date
    # Rows deleted, by model label ("training.Person"), including everything that cascaded.
    deleted: Counter[str] = field(default_factory=Counter)
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
            # Many-to-many link rows (an account's groups, a circle's leaders) go unmentioned.
            if model is not Person and count and not model._meta.auto_created
        ]
        if with_them:
            lines.append(f"With them: {', '.join(with_them)}.")
        if self.kept:
            lines.append(
                f"Kept {len(self.kept)} whom other people's records name (person IDs "
                f"{', '.join(map(str, self.kept))}); reassign those records to delete them."
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
    """Delete people who left more than `older_than_years` ago, with their records and accounts.

    A dry run deletes inside a transaction and rolls it back, so its counts are exactly what a
    real run would delete.
    """
    today = today or timezone.localdate()
    result = PurgeResult(dry_run=dry_run, left_before=today - relativedelta(years=older_than_years))
    with transaction.atomic():
        result.without_a_date = leavers_without_a_leaving_date().count()
        for person in leavers_left_before(result.left_before):
            try:
                with transaction.atomic():
                    _, deleted = Person.objects.filter(pk=person.pk).delete()
                    if person.user_id is not None:
                        _, deleted_with_account = User.objects.filter(pk=person.user_id).delete()
                        deleted = Counter(deleted) + Counter(deleted_with_account)
            except (ProtectedError, RestrictedError):
                result.kept.append(person.pk)
                continue
            result.deleted.update(deleted)
            if not dry_run:
                security_log.info("purged person=%s account=%s", person.pk, person.user_id)
        if dry_run:
            transaction.set_rollback(True)
    return result
