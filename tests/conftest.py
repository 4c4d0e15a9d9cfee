"""The people every test module can use: one per role, and an outsider in another team."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.roles import Role
from tests.factories import make_person, make_team
from training.models import Person, RoleGroup


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
        client.force_login(person.user)
        return client

    return sign_in
