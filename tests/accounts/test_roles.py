from __future__ import annotations

import pytest

from accounts.models import User
from accounts.roles import RULES, Permission, Role, can, grant_roles, roles_of

pytestmark = pytest.mark.django_db

EXPECTED = {
    Permission.VIEW_ROLLOUT: {Role.PROGRAMME_LEAD, Role.ADMINISTRATOR},
    Permission.VIEW_ROSTER: {Role.PROGRAMME_LEAD, Role.ADMINISTRATOR},
    Permission.IMPORT_ROSTER: {Role.ADMINISTRATOR},
    Permission.VIEW_COHORTS: {Role.PRACTICE_LEADER, Role.PROGRAMME_LEAD, Role.ADMINISTRATOR},
    Permission.RECORD_TRAINING: {Role.PRACTICE_LEADER, Role.ADMINISTRATOR},
    Permission.RUN_COURSES: {Role.PRACTICE_LEADER, Role.PROGRAMME_LEAD, Role.ADMINISTRATOR},
    Permission.NOMINATE: {Role.SUPERVISOR, Role.PROGRAMME_LEAD, Role.ADMINISTRATOR},
    Permission.CONFIRM_PLACES: {Role.PROGRAMME_LEAD, Role.ADMINISTRATOR},
    Permission.LEAD_CIRCLES: {Role.PRACTICE_LEADER, Role.ADMINISTRATOR},
    Permission.VIEW_ALL_CIRCLES: {Role.PROGRAMME_LEAD, Role.ADMINISTRATOR},
    Permission.VIEW_UNPLACED: {Role.PRACTICE_LEADER, Role.PROGRAMME_LEAD, Role.ADMINISTRATOR},
    Permission.REVIEW_OWN_PRACTICE: {Role.PRACTITIONER},
    Permission.RECORD_OWN_CASES: {Role.PRACTITIONER},
    Permission.SUPERVISE: {Role.SUPERVISOR},
    Permission.MANAGE_FRAMEWORK: {Role.ADMINISTRATOR},
    Permission.VIEW_DASHBOARD: {Role.PROGRAMME_LEAD, Role.ADMINISTRATOR},
    Permission.READ_AUDIT: {Role.ADMINISTRATOR},
    Permission.VIEW_MANAGED_TEAMS: {Role.TEAM_MANAGER},
}


def test_the_rules_table_says_who_may_do_what():
    assert {permission: set(roles) for permission, roles in RULES.items()} == EXPECTED


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_an_account_holding_one_role_gets_exactly_what_the_table_grants(role, permission):
    user = User.objects.create_user("one@x.example")
    grant_roles(user, role)

    assert can(user, permission) is (role in EXPECTED[permission])


def test_roles_add_up_when_a_person_holds_several():
    user = User.objects.create_user("two@x.example")
    grant_roles(user, Role.PRACTITIONER, Role.PRACTICE_LEADER)

    assert roles_of(user) == {Role.PRACTITIONER, Role.PRACTICE_LEADER}
    assert can(user, Permission.RECORD_TRAINING)
    assert not can(user, Permission.VIEW_ROLLOUT)


def test_an_inactive_account_holds_no_roles():
    user = User.objects.create_user("gone@x.example", is_active=False)
    grant_roles(user, Role.ADMINISTRATOR)

    assert roles_of(user) == frozenset()


def test_a_superuser_holds_every_role():
    user = User.objects.create_superuser("root@x.example", "pw")

    assert roles_of(user) == frozenset(Role)


def test_anonymous_visitors_hold_no_roles():
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), Permission.VIEW_COHORTS)


def test_a_migration_creates_one_group_per_role():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {role.label for role in Role}
