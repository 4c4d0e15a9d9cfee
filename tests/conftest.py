"""The people every test module can use: one per role, and an outsider in another team."""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import settings as hypothesis_settings
from pytest_django import DjangoDbBlocker

from accounts.models import User
from accounts.roles import Role
from circles.models import LearningCircle
from competencies.models import Review
from competencies.services import review_start
from tests.factories import analyse_after_bulk_load, make_circle, make_person, make_team
from training.models import Person, RoleGroup

LONDON = ZoneInfo("Europe/London")

# Property tests draw the same examples on every run, so that a change that passes here passes
# in CI too. `HYPOTHESIS_PROFILE=explore make test` draws new ones each run, to look for inputs
# nobody has tried yet (a failure prints the blob that reproduces it).
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# The days a test marked `any_day` runs as of: the first, the middle and the last of a month, a
# short month's end, and the days the clocks go forward and back (London, 2027).
ANY_DAY = {
    "1st": datetime.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON),
    "15th": datetime.datetime(2026, 12, 15, 9, 0, tzinfo=LONDON),
    "31st": datetime.datetime(2026, 12, 31, 23, 30, tzinfo=LONDON),
    "28-february": datetime.datetime(2027, 2, 28, 9, 0, tzinfo=LONDON),
    "clocks-forward": datetime.datetime(2027, 3, 28, 3, 30, tzinfo=LONDON),
    "clocks-back": datetime.datetime(2027, 10, 31, 1, 30, tzinfo=LONDON),
}


# Every test runs as of this moment unless it travels elsewhere (an `any_day` test does), so
# that no test passes on some days and fails on others: the clock still ticks from here.
PINNED_NOW = datetime.datetime(2026, 12, 15, 10, 0, tzinfo=LONDON)


def pytest_configure(config: pytest.Config) -> None:
    """Pin the clock before any test module is imported, so that module-level constants such
    as `NOW = timezone.now()` agree with the clock the tests run under."""
    traveller = time_machine.travel(PINNED_NOW, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked `any_day` runs once as of each of `ANY_DAY`, so that a test that holds
    only on some days of the month fails on every checkout, not one day in three."""
    if metafunc.definition.get_closest_marker("any_day"):
        metafunc.parametrize("today", list(ANY_DAY.values()), ids=list(ANY_DAY), indirect=True)


@pytest.fixture(autouse=True)
def today(request: pytest.FixtureRequest):
    """Travels to the day of an `any_day` test before any other fixture runs; otherwise the
    clock stays pinned at PINNED_NOW."""
    moment = getattr(request, "param", None)
    if moment is None:
        yield None
        return
    with time_machine.travel(moment, tick=True):
        yield moment


@dataclass
class Cast:
    practitioner: Person
    supervisor: Person
    practice_leader: Person
    programme_lead: Person
    administrator: Person
    outsider: Person


@pytest.fixture
def cast(db: None) -> Cast:
    team = make_team("Cheltenham District")
    supervisor = make_person(team=team, role_group=RoleGroup.MANAGER, roles=(Role.SUPERVISOR,))
    return Cast(
        practitioner=make_person(team=team, line_manager=supervisor, roles=(Role.PRACTITIONER,)),
        supervisor=supervisor,
        practice_leader=make_person(team=team, roles=(Role.PRACTITIONER, Role.PRACTICE_LEADER)),
        programme_lead=make_person(
            team=team, role_group=RoleGroup.SENIOR_MANAGER, roles=(Role.PROGRAMME_LEAD,)
        ),
        administrator=make_person(
            team=team, role_group=RoleGroup.ADMIN, roles=(Role.ADMINISTRATOR,)
        ),
        outsider=make_person(team=make_team("Forest of Dean District"), roles=(Role.PRACTITIONER,)),
    )


@pytest.fixture
def as_user(client: Client):
    """Sign the test client in as a person: `as_user(cast.practitioner)`."""

    def sign_in(person: Person) -> Client:
        assert person.user is not None, f"{person} has no account"
        client.force_login(person.user)
        return client

    return sign_in


@pytest.fixture
def administrator(cast: Cast) -> Client:
    """The cast's administrator, signed in, given "can open the admin site" and nothing more
    (not a superuser): what the admin site's tests use."""
    assert cast.administrator.user_id is not None
    User.objects.filter(pk=cast.administrator.user_id).update(is_staff=True)
    account = User.objects.get(pk=cast.administrator.user_id)
    assert not account.is_superuser
    client = Client()
    client.force_login(account)
    return client


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """The demo organisation, loaded once for the module that asks for it and rolled back after
    it; its value is what `seed_demo` printed."""
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=out, stderr=io.StringIO())
        analyse_after_bulk_load()
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def circle(cast: Cast) -> LearningCircle:
    """A circle led by the cast's practice leader with the practitioner as a member, meeting
    since 200 days ago (so it has past meetings and future ones)."""
    return make_circle(
        leaders=[cast.practice_leader],
        members=[cast.practitioner],
        name="Cheltenham circle",
        starts_on=timezone.localdate() - datetime.timedelta(days=200),
    )


@pytest.fixture
def review(cast: Cast) -> Review:
    """A draft review of the cast's practitioner's, nothing rated yet."""
    return review_start(practitioner=cast.practitioner)
