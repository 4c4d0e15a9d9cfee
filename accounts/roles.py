"""Who may do what: the product's roles and the rules that use them, written down once.

Roles are held as Django groups, one per role, so an administrator can grant them in the admin
site. A person can hold several. Views ask `can(user, Permission.X)`; nothing else decides.
"""

from __future__ import annotations

import enum

from django.contrib.auth.models import AnonymousUser
from django.db import models

from accounts.models import User


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    SUPERVISOR = "supervisor", "Supervisor"
    PRACTICE_LEADER = "practice_leader", "Practice leader"
    PROGRAMME_LEAD = "programme_lead", "Programme lead"
    ADMINISTRATOR = "administrator", "Administrator"
    # Team managers and heads of service. The role opens the team view; which teams it shows
    # comes from the roster (training.selectors.teams_managed_by).
    TEAM_MANAGER = "team_manager", "Team manager"


class Permission(enum.Enum):
    VIEW_ROLLOUT = "view_rollout"
    VIEW_ROSTER = "view_roster"
    IMPORT_ROSTER = "import_roster"
    VIEW_COHORTS = "view_cohorts"
    RECORD_TRAINING = "record_training"
    RUN_COURSES = "run_courses"
    NOMINATE = "nominate"
    CONFIRM_PLACES = "confirm_places"
    LEAD_CIRCLES = "lead_circles"
    VIEW_ALL_CIRCLES = "view_all_circles"
    VIEW_UNPLACED = "view_unplaced"
    REVIEW_OWN_PRACTICE = "review_own_practice"
    RECORD_OWN_CASES = "record_own_cases"
    SUPERVISE = "supervise"
    MANAGE_FRAMEWORK = "manage_framework"
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_MANAGED_TEAMS = "view_managed_teams"
    READ_AUDIT = "read_audit"


RULES: dict[Permission, frozenset[Role]] = {
    Permission.VIEW_ROLLOUT: frozenset({Role.PROGRAMME_LEAD, Role.ADMINISTRATOR}),
    Permission.VIEW_ROSTER: frozenset({Role.PROGRAMME_LEAD, Role.ADMINISTRATOR}),
    Permission.IMPORT_ROSTER: frozenset({Role.ADMINISTRATOR}),
    Permission.VIEW_COHORTS: frozenset(
        {Role.PRACTICE_LEADER, Role.PROGRAMME_LEAD, Role.ADMINISTRATOR}
    ),
    Permission.RECORD_TRAINING: frozenset({Role.PRACTICE_LEADER, Role.ADMINISTRATOR}),
    # Those who run training create courses and change their days, places and trainers.
    Permission.RUN_COURSES: frozenset(
        {Role.PRACTICE_LEADER, Role.PROGRAMME_LEAD, Role.ADMINISTRATOR}
    ),
    # Supervisors nominate their own staff (the people they line-manage); programme leads and
    # administrators nominate anyone, confirm places and decide on requests to move.
    Permission.NOMINATE: frozenset({Role.SUPERVISOR, Role.PROGRAMME_LEAD, Role.ADMINISTRATOR}),
    Permission.CONFIRM_PLACES: frozenset({Role.PROGRAMME_LEAD, Role.ADMINISTRATOR}),
    # Practice leaders create circles and run the ones they lead; an administrator runs any.
    Permission.LEAD_CIRCLES: frozenset({Role.PRACTICE_LEADER, Role.ADMINISTRATOR}),
    Permission.VIEW_ALL_CIRCLES: frozenset({Role.PROGRAMME_LEAD, Role.ADMINISTRATOR}),
    Permission.VIEW_UNPLACED: frozenset(
        {Role.PRACTICE_LEADER, Role.PROGRAMME_LEAD, Role.ADMINISTRATOR}
    ),
    # Reviews are seen only by their practitioner and that practitioner's supervisor: the
    # object-level rules are in competencies/selectors.py and supervision/selectors.py.
    Permission.REVIEW_OWN_PRACTICE: frozenset({Role.PRACTITIONER}),
    # Each practitioner records their own caseload; supervisors confirm it in a 2:1.
    Permission.RECORD_OWN_CASES: frozenset({Role.PRACTITIONER}),
    Permission.SUPERVISE: frozenset({Role.SUPERVISOR}),
    Permission.MANAGE_FRAMEWORK: frozenset({Role.ADMINISTRATOR}),
    Permission.VIEW_DASHBOARD: frozenset({Role.PROGRAMME_LEAD, Role.ADMINISTRATOR}),
    Permission.READ_AUDIT: frozenset({Role.ADMINISTRATOR}),
    # Only the teams of the people one line-manages: the object-level rule is in
    # dashboards/selectors/teams.py.
    Permission.VIEW_MANAGED_TEAMS: frozenset({Role.TEAM_MANAGER}),
}

_CACHE_ATTRIBUTE = "_product_roles"


def roles_of(user: User | AnonymousUser) -> frozenset[Role]:
    """The roles a signed-in, active account holds (superusers hold every role)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(Role)
        else:
            names = set(user.groups.values_list("name", flat=True))
            cached = frozenset(role for role in Role if role.label in names)
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    return role in roles_of(user)


def can(user: User | AnonymousUser, permission: Permission) -> bool:
    return bool(roles_of(user) & RULES[permission])


def grant_roles(user: User, *roles: Role) -> None:
    """Give an account roles (used by imports, the demo and tests)."""
    from django.contrib.auth.models import Group

    for role in roles:
        group, _ = Group.objects.get_or_create(name=role.label)
        user.groups.add(group)
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def remember_roles(user: User, group_names: set[str]) -> None:
    """Cache the roles of an account whose group names another query has already fetched.

    operations.middleware reads them with the person's roster status in one query per request.
    """
    if user.is_superuser:
        roles = frozenset(Role)
    else:
        roles = frozenset(role for role in Role if role.label in group_names)
    setattr(user, _CACHE_ATTRIBUTE, roles)
