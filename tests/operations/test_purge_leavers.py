"""purge_leavers: people who left more than N years ago go, with their records and accounts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from circles.models import CircleMembership
from tests.factories import attend, make_circle, make_cohort, make_person, make_session
from training.models import CourseAttendance, Person, PersonStatus

pytestmark = pytest.mark.django_db


def leaver(years_ago: float | None, **fields) -> Person:
    person = make_person(status=PersonStatus.LEFT, with_account=True, **fields)
    if years_ago is not None:
        person.left_on = timezone.localdate() - datetime.timedelta(days=round(365.25 * years_ago))
        person.save(update_fields=["left_on"])
    return person


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
    assert not User.objects.filter(pk__in=[person.user_id for person in gone]).exists()
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
