"""purge_leavers: people who left more than N years ago go, with their records and accounts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role, grant_roles
from circles.models import CircleMembership, MeetingAttendance
from tests.factories import attend, make_circle, make_cohort, make_person, make_session
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


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        User.objects.count(),
        CourseAttendance.objects.count(),
        CircleMembership.objects.count(),
    )


def test_a_dry_run_lists_what_would_go_and_changes_nothing(people):
    before = counts()

    output = purge("--dry-run")

    assert counts() == before
    cutoff = timezone.localdate().replace(year=timezone.localdate().year - 6)
    assert f"would have deleted 2 people who left before {cutoff:%d/%m/%Y}" in output
    assert "2 accounts" in output
    assert "4 course attendance" in output
    assert "2 circle memberships" in output
    assert "Kept 1 marked as left with no leaving date" in output


def test_people_who_left_more_than_six_years_ago_go_with_their_records_and_accounts(people):
    gone = people["long_gone"]

    output = purge()

    assert output.startswith("Deleted 2 people who left before")
    assert not Person.objects.filter(pk__in=[person.pk for person in gone]).exists()
    # The accounts stay, emptied, for the audit trail (see the tests of accounts below).
    assert not User.objects.filter(email__in=[person.email for person in gone]).exists()
    assert not CourseAttendance.objects.filter(person__in=gone).exists()
    assert not CircleMembership.objects.filter(person__in=gone).exists()
    kept = {people[name].pk for name in ("recent", "undated", "active")}
    assert kept <= set(Person.objects.values_list("pk", flat=True))
    assert User.objects.filter(pk=people["recent"].user_id).exists()


def test_older_than_sets_how_many_years_back(people):
    purge("--older-than", "1")

    assert not Person.objects.filter(pk=people["recent"].pk).exists()
    assert Person.objects.filter(pk=people["undated"].pk).exists()


def test_a_leaver_whom_other_peoples_records_name_is_kept_and_reported(people, cast):
    supervisor = leaver(8)
    make_session(supervisor=supervisor, practitioners=[cast.practitioner])

    output = purge()

    assert Person.objects.filter(pk=supervisor.pk).exists()
    assert f"person IDs {supervisor.pk}" in output
    assert "Deleted 2 people" in output


def test_the_number_of_years_must_be_at_least_one():
    with pytest.raises(CommandError, match="at least 1 year"):
        purge("--older-than", "0")


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
        reverse("meeting_detail", args=[meeting.pk]),
        {
            "action": "mark",
            "person": cast.practitioner.pk,
            f"status-{cast.practitioner.pk}": "present",
        },
        HTTP_HX_REQUEST="true",
    )
    marks = MeetingAttendance.history.filter(person=cast.practitioner)
    assert set(marks.values_list("history_user", flat=True)) == {leader.user_id}
    # Another practice leader takes the circle over; the leader leaves.
    circle.facilitators.set([cast.practice_leader])
    left_long_ago(leader)

    purge()

    assert not Person.objects.filter(pk=leader.pk).exists()
    assert marks.count() == 1
    assert set(marks.values_list("history_user", flat=True)) == {leader.user_id}
    assert User.objects.get(pk=leader.user_id).email == f"removed-{leader.user_id}@removed.invalid"


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
    assert "Would have emptied 2 accounts" in output


# Links in other people's records that a cascade would delete with no history.


def test_a_practitioner_of_someone_elses_2_1_is_kept_and_reported(people, cast):
    practitioner = leaver(8)
    session = make_session(
        supervisor=cast.supervisor, practitioners=[practitioner, cast.practitioner]
    )
    alone = leaver(8)
    make_session(supervisor=cast.supervisor, practitioners=[alone], reason="Only one on duty")

    output = purge()

    assert Person.objects.filter(pk__in=[practitioner.pk, alone.pk]).count() == 2
    assert set(session.practitioners.all()) == {practitioner, cast.practitioner}
    assert f"person IDs {practitioner.pk}, {alone.pk}" in output
    assert "Deleted 2 people" in output


def test_a_practice_leader_of_a_circle_is_kept_and_reported(people, cast):
    leader = leaver(8)
    circle = make_circle(leaders=[leader, cast.practice_leader], members=[cast.practitioner])
    sole = leaver(8)
    make_circle(leaders=[sole])

    output = purge()

    assert Person.objects.filter(pk__in=[leader.pk, sole.pk]).count() == 2
    assert set(circle.facilitators.all()) == {leader, cast.practice_leader}
    assert f"person IDs {leader.pk}, {sole.pk}" in output
    assert "Deleted 2 people" in output


def test_a_dry_run_reports_the_same_people_kept(people, cast):
    practitioner = leaver(8)
    make_session(supervisor=cast.supervisor, practitioners=[practitioner, cast.practitioner])

    assert f"person IDs {practitioner.pk}" in purge("--dry-run")
    assert Person.objects.filter(pk=practitioner.pk).exists()


# The history of purged people and of their records.


def test_the_history_of_a_purged_person_and_of_their_records_goes(people, cast):
    from circles.models import CircleMembership
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
        "attendance": CourseAttendance.history.filter(person=people["long_gone"][1]).count(),
    }
    assert Person.history.filter(id=gone.pk).exists()

    output = purge()

    assert not Person.history.filter(id=gone.pk).exists()
    assert not Person.history.filter(email=gone.email).exists()
    assert not Person.history.filter(full_name="Jane Leaver").exists()
    for person in people["long_gone"]:
        assert not Person.history.filter(id=person.pk).exists()
        assert not CourseAttendance.history.filter(person_id=person.pk).exists()
        assert not CircleMembership.history.filter(person_id=person.pk).exists()
        assert not MeetingAttendance.history.filter(person_id=person.pk).exists()
    assert not Review.history.filter(id=review.pk).exists()
    assert not Review.history.filter(case_reference="CR-0042").exists()
    assert not Rating.history.filter(review_id=review.pk).exists()
    assert not Rating.history.filter(comment__contains="family").exists()
    # Other people's history stays.
    assert Person.history.filter(id=cast.practitioner.pk).count() == others["person"]
    assert (
        CircleMembership.history.filter(person=cast.practitioner).count() == (others["membership"])
    )
    assert MeetingAttendance.history.filter(person=cast.practitioner).exists()
    assert Person.history.filter(id=people["recent"].pk).exists()
    assert "history rows of them and their records" in output


def test_a_dry_run_counts_the_history_rows_and_deletes_none(people):
    before = Person.history.count(), CourseAttendance.history.count()

    output = purge("--dry-run")

    assert (Person.history.count(), CourseAttendance.history.count()) == before
    assert "history rows of them and their records" in output


def test_other_peoples_history_that_names_a_purged_person_by_id_stays(people, cast):
    """A report's roster history names their old line manager by ID, which then names nobody."""
    gone = people["long_gone"][0]
    report = make_person(line_manager=gone)

    purge()

    assert Person.history.filter(id=report.pk, line_manager_id=gone.pk).exists()
    assert not Person.history.filter(id=gone.pk).exists()


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
    from tests.factories import rate_all

    person = leaver(7, line_manager=cast.supervisor)
    review = review_start(practitioner=person)
    rate_all(review, Rater.SELF)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR)
    review_sign_off(review=review, supervisor=cast.supervisor)
    review_correct(review=review, reason="A rating was entered against the wrong competency.")

    output = purge()

    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Review.objects.filter(practitioner_id=person.pk).exists()
    assert "Kept" not in output
