"""purge_leavers: people who left long ago become "A former member"; their own data goes."""

from __future__ import annotations

import datetime
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role, grant_roles
from calendars.models import CalendarFeed
from circles.models import CircleMembership, MeetingAttendance
from operations.selectors import FORMER_MEMBER_NAME, former_member_email
from operations.services import LINE_MANAGER_PURGED_REASON, PURGED_REASON
from tests.factories import (
    attend,
    make_circle,
    make_cohort,
    make_person,
    make_session,
    rate_all,
)
from tests.operations.test_production_settings import production_settings
from training.models import CourseAttendance, Person, PersonStatus

pytestmark = pytest.mark.django_db


def leaver(years_ago: float | None, **fields) -> Person:
    person = make_person(status=PersonStatus.LEFT, with_account=True, **fields)
    if years_ago is not None:
        person.left_on = timezone.localdate() - datetime.timedelta(days=round(365.25 * years_ago))
        person.save(update_fields=["left_on"])
    return person


def left_long_ago(person: Person) -> None:
    person.status = PersonStatus.LEFT
    person.left_on = timezone.localdate() - datetime.timedelta(days=365 * 8)
    person.save(update_fields=["status", "left_on"])


def is_purged(person: Person) -> bool:
    person.refresh_from_db()
    return person.full_name == FORMER_MEMBER_NAME and person.email == former_member_email(person.pk)


@pytest.fixture
def people(cast):
    """Two long-gone leavers with training and a circle, a recent one, one with no date."""
    long_gone = [leaver(7), leaver(6.5)]
    cohort = make_cohort()
    for person in long_gone:
        attend(person, cohort)
    make_circle(leaders=[cast.practice_leader], members=long_gone)
    return {
        "long_gone": long_gone,
        "recent": leaver(2),
        "undated": leaver(None),
        "active": cast.practitioner,
    }


def purge(*arguments: str) -> str:
    out = io.StringIO()
    call_command("purge_leavers", *arguments, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Person.objects.filter(full_name=FORMER_MEMBER_NAME).count(),
        User.objects.filter(is_active=True).count(),
        CourseAttendance.objects.count(),
        CircleMembership.objects.count(),
        Person.history.count(),
    )


def test_a_dry_run_lists_what_would_go_and_changes_nothing(people):
    before = counts()

    output = purge("--dry-run")

    assert counts() == before
    cutoff = timezone.localdate() - relativedelta(years=6)
    assert f"would have purged 2 people who left before {cutoff:%d/%m/%Y}" in output
    assert "Would have emptied 2 accounts" in output
    assert "Kept 1 marked as left with no leaving date" in output


def test_people_who_left_more_than_six_years_ago_become_a_former_member(people):
    gone = people["long_gone"]
    team, left_on = gone[0].team_id, gone[0].left_on
    emails = [person.email for person in gone]

    output = purge()

    assert output.startswith("Purged 2 people who left before")
    for person in gone:
        assert is_purged(person)
        assert person.job_title == "" and person.line_manager is None and person.user is None
    # What the figures are made of stays: team, role group, status and leaving date.
    assert (gone[0].team_id, gone[0].left_on, gone[0].status) == (team, left_on, "left")
    assert not Person.objects.filter(email__in=emails).exists()
    assert not User.objects.filter(email__in=emails).exists()
    # Their course and circle records stay, anonymous, for the registers and the figures.
    assert CourseAttendance.objects.filter(person__in=gone).count() == 4
    assert CircleMembership.objects.filter(person__in=gone).count() == 2
    for name in ("recent", "undated", "active"):
        assert not is_purged(people[name])
    assert User.objects.get(pk=people["recent"].user_id).email == people["recent"].email


def test_a_purged_person_is_not_purged_again(people):
    purge()
    before = counts()

    output = purge()

    assert output.startswith("Purged 0 people")
    assert counts() == before


def test_older_than_sets_how_many_years_back(people):
    purge("--older-than", "1")

    assert is_purged(people["recent"])
    assert not is_purged(people["undated"])


def test_the_number_of_years_must_be_at_least_one():
    with pytest.raises(CommandError, match="at least 1 year"):
        purge("--older-than", "0")


# The retention period: a setting, honoured to the day.


@override_settings(LEAVER_RETENTION_YEARS=3)
@pytest.mark.any_day
def test_the_retention_setting_is_honoured_at_the_boundary_day(cast):
    today = timezone.localdate()
    anniversary = today - relativedelta(years=3)
    on_the_day = make_person(status=PersonStatus.LEFT)
    a_day_before = make_person(status=PersonStatus.LEFT)
    Person.objects.filter(pk=on_the_day.pk).update(left_on=anniversary)
    Person.objects.filter(pk=a_day_before.pk).update(
        left_on=anniversary - datetime.timedelta(days=1)
    )

    output = purge()

    assert f"left before {anniversary:%d/%m/%Y}" in output
    assert is_purged(a_day_before)
    assert not is_purged(on_the_day)


def test_the_retention_period_comes_from_the_environment_with_six_years_by_default():
    assert production_settings("LEAVER_RETENTION_YEARS") == {"LEAVER_RETENTION_YEARS": 6}
    assert production_settings("LEAVER_RETENTION_YEARS", LEAVER_RETENTION_YEARS="2") == {
        "LEAVER_RETENTION_YEARS": 2
    }


# Other people's records: they stay whole, with "A former member" in them.


def register(meeting) -> dict[str, int]:
    return dict(
        MeetingAttendance.objects.filter(meeting=meeting)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )


def test_a_leaver_who_shared_a_2_1_and_a_circle_is_purged_and_the_others_records_stay_whole(
    cast,
):
    from competencies.models import Rater, Review
    from competencies.services import review_sign_off, review_start, review_submit
    from dashboards.selectors import Filters, rollout_figures
    from training.selectors import rollout_summary

    today = timezone.localdate()
    colleague = cast.practitioner
    gone = leaver(7, team=colleague.team, line_manager=cast.supervisor)
    cohort = make_cohort()
    for person in (gone, colleague):
        attend(person, cohort)
    two_to_one = make_session(
        supervisor=cast.supervisor,
        practitioners=[gone, colleague],
        starts_at=timezone.now() - datetime.timedelta(days=10),
        status="held",
    )
    circle = make_circle(
        leaders=[cast.practice_leader, gone],
        members=[gone, colleague, cast.supervisor],
        starts_on=today - datetime.timedelta(days=100),
    )
    held = list(circle.meetings.filter(starts_at__lt=timezone.now()))
    for meeting in held:
        MeetingAttendance.objects.create(meeting=meeting, person=gone, status="present")
        MeetingAttendance.objects.create(meeting=meeting, person=colleague, status="present")
        MeetingAttendance.objects.create(meeting=meeting, person=cast.supervisor, status="absent")
    # The colleague's review, supervised by the leaver, and the leaver's own.
    theirs = review_start(practitioner=colleague)
    Review.objects.filter(pk=theirs.pk).update(supervisor=gone)
    rate_all(theirs, Rater.SELF)
    rate_all(theirs, Rater.SUPERVISOR)
    theirs.refresh_from_db()
    own = review_start(practitioner=gone)
    rate_all(own, Rater.SELF)
    review_submit(review=own)
    rate_all(own, Rater.SUPERVISOR)
    review_sign_off(review=own, supervisor=cast.supervisor)
    before = {
        "2:1": (
            two_to_one.supervisor_id,
            two_to_one.starts_at,
            two_to_one.status,
            sorted(two_to_one.practitioners.values_list("pk", flat=True)),
        ),
        "registers": [register(meeting) for meeting in held],
        "leaders": sorted(circle.facilitators.values_list("pk", flat=True)),
        "colleague's review": (theirs.supervisor_id, theirs.ratings.count()),
        "roll-out": rollout_summary(as_of=today),
        "dashboard": rollout_figures(Filters(as_of=today)),
    }
    assert len(held) >= 2 and before["registers"][0] == {"present": 2, "absent": 1}
    assert before["roll-out"].trained_total == 2

    output = purge()

    assert is_purged(gone)
    assert "Purged 1 people" in output and "Kept" not in output
    two_to_one.refresh_from_db()
    theirs.refresh_from_db()
    after_dashboard = rollout_figures(Filters(as_of=today))
    assert {
        "2:1": (
            two_to_one.supervisor_id,
            two_to_one.starts_at,
            two_to_one.status,
            sorted(two_to_one.practitioners.values_list("pk", flat=True)),
        ),
        "registers": [register(meeting) for meeting in held],
        "leaders": sorted(circle.facilitators.values_list("pk", flat=True)),
        "colleague's review": (theirs.supervisor_id, theirs.ratings.count()),
        "roll-out": rollout_summary(as_of=today),
    } == {key: value for key, value in before.items() if key != "dashboard"}
    for part in ("total", "timeline", "teams", "phases", "role_groups"):
        assert getattr(after_dashboard, part) == getattr(before["dashboard"], part), part
    assert str(two_to_one) == f"2:1 with {cast.supervisor.full_name} on " + (
        f"{timezone.localtime(two_to_one.starts_at):%d/%m/%Y}"
    )
    assert FORMER_MEMBER_NAME in {person.full_name for person in two_to_one.practitioners.all()}
    # What was theirs alone goes.
    assert not Review.objects.filter(practitioner=gone).exists()


def test_a_2_1_with_the_leaver_alone_and_a_2_1_they_supervised_keep_them_as_a_former_member(
    cast,
):
    alone = leaver(8)
    with_reason = make_session(
        supervisor=cast.supervisor, practitioners=[alone], reason="Only one on duty"
    )
    supervisor = leaver(8, role_group="manager")
    supervised = make_session(supervisor=supervisor, practitioners=[cast.practitioner])

    output = purge()

    assert "Purged 2 people" in output
    assert list(with_reason.practitioners.all()) == [alone]
    supervised.refresh_from_db()
    assert supervised.supervisor == supervisor
    assert str(supervised).startswith(f"2:1 with {FORMER_MEMBER_NAME} on ")
    assert is_purged(alone) and is_purged(supervisor)


def test_a_purged_line_manager_is_cleared_with_a_history_row_on_the_report(cast):
    manager = leaver(8, role_group="manager")
    report = make_person(line_manager=manager)
    rows_before = report.history.count()

    output = purge()

    report.refresh_from_db()
    assert report.line_manager is None
    assert report.history.count() == rows_before + 1
    latest = report.history.first()
    assert latest.line_manager_id is None
    assert latest.history_change_reason == LINE_MANAGER_PURGED_REASON
    assert "Cleared the line manager of 1 people" in output


def test_every_link_to_a_person_is_decided_on():
    """A new model that names a person must be added to one of the purge's lists."""
    from operations.services import (
        CLEARED_LINKS,
        LINKS_IN_OTHERS_RECORDS,
        PERSONAL_RECORDS,
        RECORDS_ABOUT_THEM,
    )

    # Hidden relations too (related_name="+"), but not history rows or many-to-many tables.
    links = {
        (relation.related_model, relation.field.name)
        for relation in Person._meta.get_fields(include_hidden=True)
        if relation.is_relation
        and relation.auto_created
        and not relation.concrete
        and not relation.related_model._meta.auto_created
        and not relation.related_model.__name__.startswith("Historical")
    }
    decided = [*PERSONAL_RECORDS, *RECORDS_ABOUT_THEM, *LINKS_IN_OTHERS_RECORDS, *CLEARED_LINKS]
    assert links == set(decided)
    assert len(decided) == len(set(decided))


# Nothing that names them is left anywhere.

NAME = "Zebedée Quartermaine"
EMAIL = "zebedee.quartermaine@council.example"
TRACES = ("quartermaine", "zebedée", "Tewkesbury edge-of-care", "Went well with the family")


def rows_naming_the_leaver() -> list[tuple[str, str]]:
    """Every (table, column) of the database whose text holds a trace of the leaver."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode(errors="replace")
                    text = str(value).lower()
                    # JSON writes letters beyond ASCII as \u escapes.
                    text += text.encode().decode("unicode_escape", errors="replace")
                    if any(trace.lower() in text for trace in TRACES):
                        found.append((table, column))
    return sorted(set(found))


def test_no_trace_of_a_purged_leaver_remains_in_any_table(cast):
    from django.contrib.admin.models import ADDITION, CHANGE, LogEntry

    from competencies.models import Rater
    from competencies.services import RatingChange, ratings_save, review_start

    gone = make_person(email=EMAIL, with_account=True, line_manager=cast.supervisor)
    gone.full_name, gone.job_title = NAME, "Tewkesbury edge-of-care lead"
    gone.save()
    left_long_ago(gone)
    cohort = make_cohort()
    attend(gone, cohort)
    attend(cast.practitioner, cohort)
    review = review_start(practitioner=gone, case_reference="CR-0042", case_type="cin")
    competency = review.version.areas.first().competencies.first()
    ratings_save(
        review=review,
        rater=Rater.SELF,
        changes=[RatingChange(competency.pk, 2, "Went well with the family", 0)],
    )
    circle = make_circle(
        leaders=[cast.practice_leader, gone],
        members=[gone, cast.practitioner],
        starts_on=timezone.localdate() - datetime.timedelta(days=60),
    )
    meeting = circle.meetings.first()
    MeetingAttendance.objects.create(meeting=meeting, person=gone, status="present")
    CalendarFeed.objects.create(person=gone)
    session = make_session(supervisor=gone, practitioners=[cast.practitioner])
    attendance = CourseAttendance.objects.filter(person=gone).first()
    admin = cast.administrator.user_id
    LogEntry.objects.log_actions(admin, [gone], CHANGE, change_message="Changed job title.")
    LogEntry.objects.log_actions(admin, [session], CHANGE, change_message="Changed place.")
    LogEntry.objects.log_actions(
        admin,
        [cohort],
        CHANGE,
        change_message=[{"added": {"name": "course attendance", "object": str(attendance)}}],
    )
    LogEntry.objects.log_actions(admin, [attendance], ADDITION, change_message="Added.")
    # The search finds them before the purge, so that it can fail.
    before = rows_naming_the_leaver()
    assert {"training_person", "training_historicalperson", "accounts_user"} <= {
        table for table, _ in before
    }
    assert ("django_admin_log", "change_message") in before

    output = purge()

    assert rows_naming_the_leaver() == []
    assert "Rewrote 2 entries of the admin site's log" in output
    assert is_purged(gone)
    # The admin site's log of others' records names "A former member" instead.
    session_log = LogEntry.objects.get(content_type__model="supervisionsession")
    assert session_log.object_repr.startswith(f"2:1 with {FORMER_MEMBER_NAME} on ")
    assert FORMER_MEMBER_NAME in LogEntry.objects.get(content_type__model="cohort").change_message


# The accounts of purged people: emptied in place, so the audit trail keeps pointing at them.


def test_a_purged_persons_account_is_emptied_in_place_not_deleted(people):
    gone = people["long_gone"][0]
    account = gone.user
    account.is_staff = True
    account.save()
    grant_roles(account, Role.PRACTITIONER, Role.PRACTICE_LEADER)

    output = purge()

    account.refresh_from_db()
    assert account.email == f"removed-{account.pk}@removed.invalid"
    assert not account.is_active and not account.is_staff and not account.is_superuser
    assert not account.has_usable_password()
    assert account.last_login is None
    assert not account.groups.exists() and not account.user_permissions.exists()
    assert not Person.objects.filter(user=account).exists()
    assert "Emptied 2 accounts" in output


def test_the_history_a_purged_person_wrote_about_others_still_points_at_their_account(
    cast, as_user
):
    leader = make_person(roles=(Role.PRACTITIONER, Role.PRACTICE_LEADER))
    circle = make_circle(
        leaders=[leader],
        members=[cast.practitioner],
        starts_on=timezone.localdate() - datetime.timedelta(days=100),
    )
    meeting = circle.meetings.filter(starts_at__lt=timezone.now()).last()
    as_user(leader).post(
        reverse("meeting_attendance_mark", args=[meeting.pk]),
        {
            "person": cast.practitioner.pk,
            f"status-{cast.practitioner.pk}": "present",
        },
        HTTP_HX_REQUEST="true",
    )
    marks = MeetingAttendance.history.filter(person=cast.practitioner)
    assert set(marks.values_list("history_user", flat=True)) == {leader.user_id}
    left_long_ago(leader)
    account = leader.user_id

    purge()

    assert is_purged(leader)
    assert marks.count() == 1
    assert set(marks.values_list("history_user", flat=True)) == {account}
    assert User.objects.get(pk=account).email == f"removed-{account}@removed.invalid"


def test_a_purged_accounts_addresses_authenticators_sign_on_links_and_sessions_go(
    people, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.models import Session

    gone, recent = people["long_gone"][0].user, people["recent"].user
    session_keys = {}
    for account in (gone, recent):
        EmailAddress.objects.create(user=account, email=account.email, verified=True, primary=True)
        Authenticator.objects.create(user=account, type="totp", data={"secret": "x"})
        SocialAccount.objects.create(user=account, provider="organisation", uid=f"u{account.pk}")
        store = SessionStore()
        store["_auth_user_id"] = str(account.pk)
        store.create()
        UserSession.objects.create(
            user=account, session_key=store.session_key, ip="192.0.2.1", user_agent="Firefox"
        )
        session_keys[account] = store.session_key

    with django_capture_on_commit_callbacks(execute=True):
        output = purge()

    for model in (EmailAddress, Authenticator, SocialAccount, UserSession):
        assert not model.objects.filter(user=gone).exists(), model
        assert model.objects.filter(user=recent).exists(), model
    assert not Session.objects.filter(session_key=session_keys[gone]).exists()
    assert Session.objects.filter(session_key=session_keys[recent]).exists()
    assert "1 email addresses" in output and "1 user sessions" in output


def test_every_model_that_points_at_an_account_is_dealt_with():
    """A new table holding an account's personal rows must be added to ACCOUNT_SATELLITES."""
    from django.contrib.admin.models import LogEntry
    from django.db.models import CASCADE

    from operations.services import ACCOUNT_SATELLITES

    cascading = {
        relation.related_model
        for relation in User._meta.related_objects
        if relation.on_delete is CASCADE and not relation.related_model._meta.auto_created
    }
    # The admin site's log of what the account did to other records is part of the audit.
    assert cascading - {LogEntry} == set(ACCOUNT_SATELLITES)


def test_a_dry_run_empties_no_account_and_ends_no_session(
    people, django_capture_on_commit_callbacks
):
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.models import Session

    account = people["long_gone"][0].user
    store = SessionStore()
    store.create()
    UserSession.objects.create(
        user=account, session_key=store.session_key, ip="192.0.2.1", user_agent="Firefox"
    )

    with django_capture_on_commit_callbacks(execute=True):
        output = purge("--dry-run")

    account.refresh_from_db()
    assert account.is_active and account.email == people["long_gone"][0].email
    assert Session.objects.filter(session_key=store.session_key).exists()
    assert UserSession.objects.filter(user=account).exists()
    assert not is_purged(people["long_gone"][0])
    assert "Would have emptied 2 accounts" in output


# The history of purged people and of their records.


def test_the_history_of_a_purged_person_and_of_their_records_goes(people, cast):
    from competencies.models import Rating, Review
    from competencies.services import RatingChange, ratings_save, review_start

    gone = people["long_gone"][0]
    gone.line_manager = cast.supervisor
    gone.full_name = "Jane Leaver"
    gone.save()
    review = review_start(practitioner=gone, case_reference="CR-0042", case_type="cin")
    competency = review.version.areas.first().competencies.first()
    ratings_save(
        review=review,
        rater="self",
        changes=[RatingChange(competency.pk, 2, "Went well with the family", 0)],
    )
    # A circle they left earlier: its membership is deleted, its history is still theirs.
    earlier = make_circle(leaders=[cast.practice_leader], members=[gone, cast.practitioner])
    CircleMembership.objects.filter(circle=earlier, person=gone).delete()
    meeting = earlier.meetings.first()
    MeetingAttendance.objects.create(meeting=meeting, person=gone, status="present")
    MeetingAttendance.objects.create(meeting=meeting, person=cast.practitioner, status="absent")
    others = {
        "person": Person.history.filter(id=cast.practitioner.pk).count(),
        "membership": CircleMembership.history.filter(person=cast.practitioner).count(),
        "attendance": MeetingAttendance.history.filter(person=cast.practitioner).count(),
    }
    assert Person.history.filter(id=gone.pk).count() > 1

    output = purge()

    # One history row of the roster entry is left: the purge's own, naming nobody.
    (row,) = Person.history.filter(id=gone.pk)
    assert row.full_name == FORMER_MEMBER_NAME and row.history_change_reason == PURGED_REASON
    assert not Person.history.filter(email=gone.email).exists()
    assert not Person.history.filter(full_name="Jane Leaver").exists()
    for person in people["long_gone"]:
        assert not CourseAttendance.history.filter(person_id=person.pk).exists()
        assert not CircleMembership.history.filter(person_id=person.pk).exists()
        assert not MeetingAttendance.history.filter(person_id=person.pk).exists()
    assert not Review.history.filter(id=review.pk).exists()
    assert not Review.history.filter(case_reference="CR-0042").exists()
    assert not Rating.history.filter(review_id=review.pk).exists()
    assert not Rating.history.filter(comment__contains="family").exists()
    # Other people's history stays.
    assert Person.history.filter(id=cast.practitioner.pk).count() == others["person"]
    assert CircleMembership.history.filter(person=cast.practitioner).count() == others["membership"]
    assert (
        MeetingAttendance.history.filter(person=cast.practitioner).count() == others["attendance"]
    )
    assert Person.history.filter(id=people["recent"].pk).exists()
    assert "history rows of them and their records" in output


def test_a_dry_run_counts_the_history_rows_and_deletes_none(people):
    before = Person.history.count(), CourseAttendance.history.count()

    output = purge("--dry-run")

    assert (Person.history.count(), CourseAttendance.history.count()) == before
    assert "history rows of them and their records" in output


def test_other_peoples_history_that_names_a_purged_person_by_id_stays(people, cast):
    """A report's roster history names their old line manager by ID: now "A former member"."""
    gone = people["long_gone"][0]
    report = make_person(line_manager=gone)

    purge()

    assert Person.history.filter(id=report.pk, line_manager_id=gone.pk).exists()
    assert not Person.history.filter(id=gone.pk).exclude(full_name=FORMER_MEMBER_NAME).exists()


def test_the_admin_sites_log_of_a_purged_person_goes_and_names_their_account_no_more(people, cast):
    from django.contrib.admin.models import CHANGE, LogEntry

    gone = people["long_gone"][0]
    admin = cast.administrator.user
    LogEntry.objects.log_actions(admin.pk, [gone], CHANGE, change_message="Changed job title.")
    LogEntry.objects.log_actions(admin.pk, [gone.user], CHANGE, change_message="Changed groups.")
    LogEntry.objects.log_actions(gone.user_id, [cast.practitioner], CHANGE, change_message="Moved")

    output = purge()

    assert not LogEntry.objects.filter(object_repr=gone.full_name).exists()
    assert not LogEntry.objects.filter(object_repr=gone.email).exists()
    about_the_account = LogEntry.objects.get(
        content_type__model="user", object_id=str(gone.user_id)
    )
    assert about_the_account.object_repr == f"removed-{gone.user_id}@removed.invalid"
    by_them = LogEntry.objects.get(content_type__model="person")
    assert by_them.user_id == gone.user_id
    assert "history rows" in output


def test_each_purge_is_in_the_security_log_by_id(people, caplog):
    caplog.set_level("INFO", logger="operations.security")

    purge()

    logged = [record.getMessage() for record in caplog.records]
    assert logged == [
        f"purged person={person.pk} account={person.user_id}" for person in people["long_gone"]
    ]


def test_a_practitioner_with_a_corrected_review_goes_with_every_revision(cast):
    from competencies.models import Rater, Review
    from competencies.services import (
        review_correct,
        review_sign_off,
        review_start,
        review_submit,
    )

    person = leaver(7, line_manager=cast.supervisor)
    review = review_start(practitioner=person)
    rate_all(review, Rater.SELF)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR)
    review_sign_off(review=review, supervisor=cast.supervisor)
    review_correct(review=review, reason="A rating was entered against the wrong competency.")

    output = purge()

    assert is_purged(person)
    assert not Review.objects.filter(practitioner_id=person.pk).exists()
    assert "2 reviews" in output


def test_a_practitioners_development_goals_go_with_them_and_their_history(cast):
    from competencies.models import Competency, DevelopmentGoal, Rater
    from competencies.services import goal_agree, review_sign_off, review_start, review_submit
    from tests.factories import rate_all

    person = leaver(7, line_manager=cast.supervisor)
    review = review_start(practitioner=person)
    rate_all(review, Rater.SELF)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR)
    review_sign_off(review=review, supervisor=cast.supervisor)
    goal = goal_agree(
        review=review,
        competency=Competency.objects.filter(area__version=review.version_id).first(),
        description="Weigh each hazard with the family",
        review_on=timezone.localdate() + datetime.timedelta(days=30),
    )

    purge()

    assert not DevelopmentGoal.objects.filter(pk=goal.pk).exists()
    assert not DevelopmentGoal.history.filter(id=goal.pk).exists()


def test_a_leavers_own_items_of_a_shared_2_1_record_go_and_the_shared_ones_stay(cast):
    from supervision.models import AgreedAction, CaseDiscussed, SessionNote
    from supervision.services import action_agree, case_discussed_add, session_note_add
    from tests.factories import make_session

    person = leaver(7, line_manager=cast.supervisor)
    session = make_session(
        supervisor=cast.supervisor,
        practitioners=[person, cast.practitioner],
        starts_at=timezone.now() - datetime.timedelta(days=3),
        status="held",
    )
    theirs = case_discussed_add(
        session=session, practitioner=person, case_reference="CR-2041", case_type="cin",
        risk_level="high",
    )  # fmt: skip
    others = case_discussed_add(
        session=session, practitioner=cast.practitioner, case_reference="CR-2042",
        case_type="cin", risk_level="low",
    )  # fmt: skip
    session_note_add(session=session, practitioner=person, text="Own reflection")
    shared = session_note_add(session=session, practitioner=None, text="Agreed together")
    owned = action_agree(
        session=session, owner=person, practitioner=None, description="Book the formulation",
        due_on=timezone.localdate() + datetime.timedelta(days=14),
    )  # fmt: skip

    purge()

    assert not CaseDiscussed.objects.filter(pk=theirs.pk).exists()
    assert CaseDiscussed.objects.filter(pk=others.pk).exists()
    assert list(SessionNote.objects.filter(session=session)) == [shared]
    assert AgreedAction.objects.get(pk=owned.pk).owner_id == person.pk  # the placeholder now
    assert is_purged(person)
