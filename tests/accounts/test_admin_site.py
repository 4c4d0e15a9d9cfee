"""The Administrator role in the admin site, as a staff account that is not a superuser.

An administrator looks after the roll-out's set-up there (phases, the target, cohorts, teams, the
dashboard definitions), framework drafts, people's roster entries and accounts, and circles. They
have no rights over 2:1s, role groups, authenticators or sessions, and cannot make anyone a
superuser.
"""

from __future__ import annotations

import datetime

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from dashboards.models import Definitions
from tests.admin_site import post_changed
from tests.factories import make_cohort, make_phase, make_session
from training.models import ProgrammeSettings

pytestmark = pytest.mark.django_db


def test_the_admin_site_lists_what_an_administrator_looks_after(administrator):
    page = administrator.get(reverse("admin:index")).content.decode()

    assert "have permission to view or edit anything" not in page
    for model in [
        "training_phase",
        "training_programmesettings",
        "training_cohort",
        "training_team",
        "training_person",
        "dashboards_definitions",
        "accounts_user",
        "competencies_frameworkversion",
        "circles_learningcircle",
    ]:
        assert reverse(f"admin:{model}_changelist") in page, model


def test_an_administrator_adds_and_changes_a_phase(administrator):
    added = administrator.post(
        reverse("admin:training_phase_add"),
        {"name": "Implementation phase 3", "order": "4", "start_date": "2017-01-09"},
    )
    phase = make_phase(name="Pilot", order=1)

    changed = post_changed(
        administrator,
        reverse("admin:training_phase_change", args=[phase.pk]),
        end_date="2016-02-29",
    )

    assert (added.status_code, changed.status_code) == (302, 302)
    phase.refresh_from_db()
    assert phase.end_date == datetime.date(2016, 2, 29)
    assert phase.__class__.objects.filter(name="Implementation phase 3").exists()


def test_an_administrator_changes_the_target(administrator):
    target = ProgrammeSettings.load()

    response = post_changed(
        administrator,
        reverse("admin:training_programmesettings_change", args=[target.pk]),
        workforce_target="436",
    )

    assert response.status_code == 302
    assert ProgrammeSettings.load().workforce_target == 436


def test_an_administrator_changes_a_cohorts_dates(administrator):
    cohort = make_cohort(name="Cohort A")

    response = post_changed(
        administrator,
        reverse("admin:training_cohort_change", args=[cohort.pk]),
        day2_date="2016-03-15",
    )

    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.day2_date == datetime.date(2016, 3, 15)


def test_an_administrator_changes_the_dashboard_definitions(administrator):
    definitions = Definitions.load()

    response = post_changed(
        administrator,
        reverse("admin:dashboards_definitions_change", args=[definitions.pk]),
        fidelity_percent="75",
    )

    assert response.status_code == 302
    assert Definitions.load().fidelity_percent == 75


def test_an_administrator_grants_a_role_and_admin_access_to_another_account(cast, administrator):
    practice_leader = Group.objects.get(name="Practice leader")
    account = cast.practitioner.user

    response = post_changed(
        administrator,
        reverse("admin:accounts_user_change", args=[account.pk]),
        groups=[str(group.pk) for group in account.groups.all()] + [str(practice_leader.pk)],
        is_staff="on",
    )

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.is_staff
    assert account.groups.filter(name="Practice leader").exists()


def test_an_administrator_cannot_make_anyone_a_superuser(cast, administrator):
    for account in (cast.practitioner.user, cast.administrator.user):
        post_changed(
            administrator,
            reverse("admin:accounts_user_change", args=[account.pk]),
            is_superuser="on",
        )

        account.refresh_from_db()
        assert not account.is_superuser


def test_an_administrator_cannot_change_a_superusers_account(administrator):
    root = User.objects.create_superuser("root@council.example", "a-long-test-password")
    url = reverse("admin:accounts_user_change", args=[root.pk])

    response = administrator.post(url, {"email": "attacker@elsewhere.example", "is_active": "on"})
    password = administrator.get(reverse("admin:auth_user_password_change", args=[root.pk]))

    assert response.status_code == 403
    assert password.status_code in (403, 404)
    root.refresh_from_db()
    assert root.email == "root@council.example"


@pytest.mark.parametrize(
    "page",
    [
        "admin:supervision_supervisionsession_changelist",
        "admin:auth_group_changelist",
        "admin:mfa_authenticator_changelist",
        "admin:usersessions_usersession_changelist",
        "admin:socialaccount_socialapp_changelist",
        "admin:account_emailaddress_changelist",
    ],
)
def test_an_administrator_has_no_rights_over_2_1s_roles_authenticators_or_sessions(
    administrator, page
):
    assert administrator.get(reverse(page)).status_code == 403


def test_an_administrator_cannot_remove_someone_elses_authenticator(cast, administrator):
    authenticator = TOTP.activate(cast.programme_lead.user, generate_totp_secret()).instance

    administrator.post(
        reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"}
    )

    assert Authenticator.objects.filter(pk=authenticator.pk).exists()


def test_an_administrator_cannot_open_a_2_1_in_the_admin(cast, administrator):
    session = make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner])

    response = administrator.get(
        reverse("admin:supervision_supervisionsession_change", args=[session.pk])
    )

    assert response.status_code == 403


def test_the_administrator_role_holds_exactly_these_admin_permissions():
    """The list the migration grants, read back from the database: a change to it is a choice."""
    granted = set(
        Group.objects.get(name="Administrator").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )

    assert granted == {("accounts", f"{action}_user") for action in ("view", "change")} | {
        (app, f"{action}_{model}")
        for app, model, actions in [
            ("training", "team", ("view", "add", "change")),
            ("training", "organisation", ("view", "add", "change")),
            ("training", "person", ("view", "change")),
            ("training", "phase", ("view", "add", "change", "delete")),
            ("training", "cohort", ("view", "add", "change", "delete")),
            ("training", "courseattendance", ("view", "add", "change", "delete")),
            ("training", "programmesettings", ("view", "change")),
            ("dashboards", "definitions", ("view", "change")),
            ("competencies", "framework", ("view", "add", "change")),
            ("competencies", "frameworkversion", ("view", "add", "change", "delete")),
            ("competencies", "area", ("view", "add", "change", "delete")),
            ("competencies", "competency", ("view", "add", "change", "delete")),
            ("circles", "learningcircle", ("view", "change")),
            ("circles", "circlemembership", ("view",)),
            ("circles", "circlemeeting", ("view",)),
        ]
        for action in actions
    }


@pytest.mark.parametrize(
    "role", [Role.PRACTITIONER, Role.SUPERVISOR, Role.PRACTICE_LEADER, Role.PROGRAMME_LEAD]
)
def test_no_other_role_holds_any_admin_permission(role):
    assert not Group.objects.get(name=role.label).permissions.exists()
