"""Writes that keep the site's data within its retention rules.

Purging a leaver (`leavers_purge`) anonymises them rather than deleting them. Their roster entry
stays as a placeholder, "A former member", with no email address, job title, line manager or
account, keeping only what the figures are made of: team, role group, status and leaving date.
Every row that is part of someone else's record or of a figure (a 2:1 they were in, a circle they
led, a meeting's register, a cohort's register) keeps pointing at the placeholder, so those records
and the counts made from them stay exactly as they were; what was theirs alone (their reviews
with every rating and comment, their calendar feed and reminders) is deleted, and so is the
history of them and of their records, and the admin site's log of changes to those records.
"""

from __future__ import annotations

import datetime
import json
import re
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
from django.db.models.deletion import Collector
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_app_model_primary_key_name, get_history_model_for_model

from accounts.models import User
from calendars.models import CalendarFeed, Notice, Reminder
from caseload.models import MonthlyCaseload
from circles.models import CircleMembership, LearningCircle, MeetingApology, MeetingAttendance
from competencies.models import Review
from dashboards.models import StaleFigures, StatusSpan
from notifications.models import Email, EmailOptOut
from operations.middleware import security_log
from operations.selectors import (
    FORMER_MEMBER_NAME,
    former_member_email,
    leavers_left_before,
    leavers_without_a_leaving_date,
    removed_account_email,
)
from supervision.models import (
    AgreedAction,
    CaseDiscussed,
    SessionFocus,
    SessionNote,
    SupervisionSession,
)
from training.models import CourseAttendance, CoursePlace, FirstCourseDays, Person

# The personal rows of an account that go when its person is purged; the account stays.
ACCOUNT_SATELLITES: tuple[type[models.Model], ...] = (
    EmailAddress,
    Authenticator,
    SocialAccount,
    UserSession,
)

# Every field that names a person, and what purging the person does with it. A test fails when a
# new one appears, so that each new kind of record is decided on here.
#
# Theirs alone, and counted in no figure that includes them (the dashboard counts only current
# staff): deleted, with their history.
PERSONAL_RECORDS: tuple[tuple[type[models.Model], str], ...] = (
    (Review, "practitioner"),  # with its ratings, comments and goals, every revision
    # What a 2:1's record holds about them alone; what it holds as shared stays with the 2:1.
    (CaseDiscussed, "practitioner"),
    (SessionFocus, "practitioner"),
    (SessionNote, "practitioner"),
    (AgreedAction, "practitioner"),
    (CalendarFeed, "person"),
    (Notice, "person"),  # calendar emails waiting to be sent to them
    (MeetingApology, "person"),  # sent before a meeting; the register keeps what was marked
    (Reminder, "person"),
    # Their nominations and places; a course's figures come from its register.
    (CoursePlace, "person"),
    # The dashboard's stored figures about them: past months no longer count a purged leaver.
    (StatusSpan, "person"),
    (StaleFigures, "person"),
    (Email, "person"),  # plain emails waiting to be sent to them
    (EmailOptOut, "person"),
)
# About them, and counted in others' figures: kept, pointing at the placeholder, so that a
# cohort's register, the roll-out's trained figures and a meeting's counts of present, apologies
# and absent stay the same; their history is deleted, since it is the trail of the leaver.
RECORDS_ABOUT_THEM: tuple[tuple[type[models.Model], str], ...] = (
    (CourseAttendance, "person"),
    (FirstCourseDays, "person"),  # stored from the register above
    (CircleMembership, "person"),
    (MeetingAttendance, "person"),
    # Numbers only, and counted in the cases worked with the model as of any past date.
    (MonthlyCaseload, "person"),
)
# Links in other people's records: kept with those records' history, which then names the
# placeholder's ID only. A 2:1 keeps its supervisor and both practitioners, a circle its practice
# leaders, another practitioner's review its supervisor (and the supervisor's ratings in it).
LINKS_IN_OTHERS_RECORDS: tuple[tuple[type[models.Model], str], ...] = (
    (SupervisionSession, "supervisor"),
    (SupervisionSession, "practitioners"),
    (LearningCircle, "facilitators"),
    (LearningCircle, "members"),  # through CircleMembership, above
    (Review, "supervisor"),
    (AgreedAction, "owner"),  # an action they owned in a shared 2:1 or another's record
    (CoursePlace, "nominated_by"),  # the line manager who nominated someone else
)
# A link that speaks of now: a purged leaver is nobody's line manager. Cleared, with a history row
# on the report's roster entry that says why.
CLEARED_LINKS: tuple[tuple[type[models.Model], str], ...] = ((Person, "line_manager"),)

# Written on the history rows the purge itself leaves (at most 100 characters).
PURGED_REASON = "Purged as a leaver: name, email address and history removed"
LINE_MANAGER_PURGED_REASON = "Line manager purged as a leaver"


@dataclass
class PurgeResult:
    dry_run: bool
    left_before: datetime.date
    people: int = 0
    # Rows deleted, by model label ("competencies.Review"), including everything that cascaded.
    deleted: Counter[str] = field(default_factory=Counter)
    # History rows deleted, by model label ("training.HistoricalPerson", "admin.LogEntry").
    history_deleted: Counter[str] = field(default_factory=Counter)
    # Accounts of the purged people, emptied in place and kept for the audit trail.
    accounts_emptied: int = 0
    # Entries of the admin site's log about other people's records that named them.
    admin_log_rewritten: int = 0
    # People whose line manager was purged, and who now have none.
    line_managers_cleared: int = 0
    without_a_date: int = 0

    def summary(self) -> list[str]:
        verb = "Dry run, nothing changed: would have purged" if self.dry_run else "Purged"
        lines = [f"{verb} {self.people} people who left before {self.left_before:%d/%m/%Y}."]
        if self.people:
            lines.append(
                f'Each is now "{FORMER_MEMBER_NAME}", with no email address, job title, line '
                "manager or history. The 2:1s, circles and course and meeting registers they "
                "were part of keep them under that name, so other people's records and the "
                "figures do not change."
            )
        models = [(apps.get_model(label), count) for label, count in sorted(self.deleted.items())]
        with_them = [
            f"{count} {model._meta.verbose_name_plural}"
            for model, count in models
            # Many-to-many link rows go unmentioned.
            if count and not model._meta.auto_created
        ]
        if history_rows := self.history_deleted.total():
            with_them.append(f"{history_rows} history rows of them and their records")
        if with_them:
            verb = "Would have deleted" if self.dry_run else "Deleted"
            lines.append(f"{verb} with them: {', '.join(with_them)}.")
        if self.accounts_emptied:
            verb = "Would have emptied" if self.dry_run else "Emptied"
            lines.append(
                f"{verb} {self.accounts_emptied} accounts (no email address, password or "
                "roles), kept so that the audit trail still shows which account made each "
                "change."
            )
        if self.admin_log_rewritten:
            verb = "Would have rewritten" if self.dry_run else "Rewrote"
            lines.append(
                f"{verb} {self.admin_log_rewritten} entries of the admin site's log about other "
                f'people\'s records to say "{FORMER_MEMBER_NAME}" instead of their name.'
            )
        if self.line_managers_cleared:
            verb = "Would have cleared" if self.dry_run else "Cleared"
            lines.append(
                f"{verb} the line manager of {self.line_managers_cleared} people whose line "
                "manager was purged (their roster history records it)."
            )
        if self.without_a_date:
            lines.append(
                f"Kept {self.without_a_date} marked as left with no leaving date; set their "
                '"left on" date in the admin site to include them.'
            )
        return lines


def leavers_purge(
    *,
    older_than_years: int | None = None,
    today: datetime.date | None = None,
    dry_run: bool = False,
) -> PurgeResult:
    """Anonymise the people who left more than `older_than_years` ago (by default the
    `LEAVER_RETENTION_YEARS` setting): see the module's docstring for what goes and what stays.

    A person who left exactly that many years ago today is kept; the next day they are purged.
    Their accounts are emptied, not deleted (see `_account_empty`). Everything happens in one
    transaction; a dry run purges inside it and rolls it back, so its counts are exactly what a
    real run would do.
    """
    today = today or timezone.localdate()
    years = settings.LEAVER_RETENTION_YEARS if older_than_years is None else older_than_years
    result = PurgeResult(dry_run=dry_run, left_before=today - relativedelta(years=years))
    with transaction.atomic():
        result.without_a_date = leavers_without_a_leaving_date().count()
        for person in leavers_left_before(result.left_before).select_for_update():
            account_id = person.user_id
            result.line_managers_cleared += _person_purge(person, result)
            if account_id is not None:
                result.deleted.update(_account_empty(account_id))
                result.accounts_emptied += 1
            result.people += 1
            if not dry_run:
                security_log.info("purged person=%s account=%s", person.pk, account_id)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _person_purge(person: Person, result: PurgeResult) -> int:
    """Anonymise one leaver in place; returns how many people's line manager was cleared."""
    names = {person.full_name, person.email}
    if person.user is not None:
        names.add(person.user.email)
    records = _records_of(person)

    collector = Collector(using=router.db_for_write(Person), origin=person)
    for model, field_name in PERSONAL_RECORDS:
        # Django's Collector takes a queryset; django-stubs asks for a sequence of instances.
        collector.collect(
            model._base_manager.filter(**{field_name: person})  # type: ignore[arg-type]
        )
    result.deleted.update(collector.delete()[1])

    reports = list(Person.objects.filter(line_manager=person).select_for_update())
    for report in reports:
        report.line_manager = None
        report.full_clean(exclude=_fields_except(Person, "line_manager"))
        # simple_history's documented way to give a change its reason (it ships no types).
        report._change_reason = LINE_MANAGER_PURGED_REASON  # type: ignore[attr-defined]
        report.save(update_fields=["line_manager"])

    # After the deletions, so that the history rows they wrote go too; before the placeholder
    # is saved, so that its one history row, which records the purge, stays.
    result.history_deleted.update(_history_delete(records))

    person.full_name = FORMER_MEMBER_NAME
    person.email = former_member_email(person.pk)
    person.job_title = ""
    person.line_manager = None
    person.user = None
    person.full_clean(
        exclude=_fields_except(Person, "full_name", "email", "job_title", "line_manager", "user")
    )
    person._change_reason = PURGED_REASON  # type: ignore[attr-defined]
    person.save()

    result.admin_log_rewritten += _admin_log_scrub(names)
    return len(reports)


def _fields_except(model: type[models.Model], *names: str) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if field.name not in names]


def _records_of(person: Person) -> dict[type[models.Model], set[object]]:
    """The records whose history goes with a person's.

    Their roster entry, the rows of PERSONAL_RECORDS and RECORDS_ABOUT_THEM that name them, and
    what cascades from those (a review's ratings). Each kind includes rows deleted before (a
    circle they left, a rating cleared), found in the history tables by the same foreign keys;
    a row that still exists but now names someone else is theirs, and its history stays.
    """
    records: defaultdict[type[models.Model], set[object]] = defaultdict(set)
    records[Person].add(person.pk)
    for model, field_name in (*PERSONAL_RECORDS, *RECORDS_ABOUT_THEM):
        field = model._meta.get_field(field_name)
        if not isinstance(field, models.ForeignKey):
            raise TypeError(f"{model.__name__}.{field_name} is not a foreign key")
        attname = field.attname
        records[model] |= _rows_naming(model, attname, {person.pk})
    changed = True
    while changed:
        changed = False
        for parent, parent_pks in list(records.items()):
            if parent is Person or not parent_pks:
                continue
            for relation in parent._meta.related_objects:
                if relation.many_to_many or relation.on_delete is not models.CASCADE:
                    continue
                child = relation.related_model
                if isinstance(child, str):  # only before the app registry is ready
                    raise TypeError(f"{relation} is not resolved")
                found = _rows_naming(child, relation.field.attname, parent_pks)
                if not found <= records[child]:
                    records[child] |= found
                    changed = True
    return records


def _rows_naming(model: type[models.Model], attname: str, values: set[object]) -> set[object]:
    """The primary keys of `model`'s rows whose `attname` is one of `values` now, or was once
    in a row deleted since."""
    found: set[object] = set()
    for chunk in _chunks(values):
        found.update(
            model._base_manager.filter(**{f"{attname}__in": chunk}).values_list("pk", flat=True)
        )
    if (history := _history_model(model)) is None:
        return found
    past: set[object] = set()
    for chunk in _chunks(values):
        past.update(
            history._default_manager.filter(**{f"{attname}__in": chunk})
            .values_list(get_app_model_primary_key_name(model), flat=True)
            .distinct()
        )
    past -= found
    for chunk in _chunks(past):
        past -= set(model._base_manager.filter(pk__in=chunk).values_list("pk", flat=True))
    return found | past


def _history_delete(records: dict[type[models.Model], set[object]]) -> Counter[str]:
    """Delete every history row of `records`, and the admin site's log of changes to them.

    History rows of other people's records that name the person by ID (another person's roster
    entry naming them as line manager, a 2:1 as it was when they were in it) stay: the ID is
    that of the placeholder, which identifies nobody.
    """
    deleted: Counter[str] = Counter()
    for model, pks in records.items():
        if model._meta.auto_created:
            continue
        history = _history_model(model)
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        for chunk in _chunks(pks):
            if history is not None:
                rows = history._default_manager.filter(
                    **{f"{get_app_model_primary_key_name(model)}__in": chunk}
                )
                deleted.update(rows.delete()[1])
            # The admin site's own log of changes to them ("history" there), which names them.
            admin_log = LogEntry.objects.filter(
                content_type=content_type, object_id__in=[str(pk) for pk in chunk]
            )
            deleted.update(admin_log.delete()[1])
    return deleted


def _admin_log_scrub(names: set[str]) -> int:
    """Write "A former member" for a purged person's name and email addresses wherever the
    admin site's log still names them: in the description of another person's record ("2:1 with
    …") or of an inline row in a change message; returns how many entries changed."""
    names = {name for name in names if name.strip()}
    # Change messages are JSON, where letters beyond ASCII are written as \u escapes.
    forms = names | {json.dumps(name)[1:-1] for name in names}
    pattern = re.compile(
        "|".join(
            rf"(?<!\w){re.escape(form)}(?!\w)" for form in sorted(forms, key=len, reverse=True)
        ),
        re.IGNORECASE,
    )
    query = models.Q()
    for form in forms:
        query |= models.Q(object_repr__icontains=form) | models.Q(change_message__icontains=form)
    changed = 0
    for entry in LogEntry.objects.filter(query) if forms else ():
        entry.object_repr = pattern.sub(FORMER_MEMBER_NAME, entry.object_repr)
        entry.change_message = pattern.sub(FORMER_MEMBER_NAME, entry.change_message)
        entry.save(update_fields=["object_repr", "change_message"])
        changed += 1
    return changed


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
        deleted.update(model._default_manager.filter(user=account).delete()[1])
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
