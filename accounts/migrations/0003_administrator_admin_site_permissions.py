"""The Administrator role's permissions in the admin site.

What an administrator does there: the roll-out's set-up data (phases, the target, cohorts and their
registers, teams, the dashboard definitions), framework drafts, the roster entries and accounts of
people (roles, "can open the admin site", disabling an account), circles, and a view of their
meetings and members.
Nothing about 2:1 supervision or reviews (seen only by the practitioner and their supervisor), the
role groups themselves, authenticators, sessions or single sign-on.

Adding or deleting people, accounts, circles and meetings is left out on purpose: people and
accounts come from the roster and are removed by purge_leavers, and circles and meetings are made,
moved and cancelled on their own pages, which tell their members.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    ("accounts", "user"): ("view", "change"),
    ("training", "team"): ("view", "add", "change"),
    ("training", "person"): ("view", "change"),
    ("training", "phase"): ("view", "add", "change", "delete"),
    ("training", "cohort"): ("view", "add", "change", "delete"),
    ("training", "courseattendance"): ("view", "add", "change", "delete"),
    ("training", "programmesettings"): ("view", "change"),
    ("dashboards", "definitions"): ("view", "change"),
    ("competencies", "framework"): ("view", "add", "change"),
    ("competencies", "frameworkversion"): ("view", "add", "change", "delete"),
    ("competencies", "area"): ("view", "add", "change", "delete"),
    ("competencies", "competency"): ("view", "add", "change", "delete"),
    ("circles", "learningcircle"): ("view", "change"),
    ("circles", "circlemembership"): ("view",),
    ("circles", "circlemeeting"): ("view",),
}


def _permissions(apps):
    # Django makes permissions after all migrations have run; a new database has none yet.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    wanted = {
        (app_label, f"{action}_{model}")
        for (app_label, model), actions in GRANTS.items()
        for action in actions
    }
    found = [
        permission
        for permission in Permission.objects.select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    assert len(found) == len(wanted), "a permission of the Administrator role is missing"
    return found


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name="Administrator")
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="Administrator").first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_product_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("training", "0004_historicalcohort_historicalcourseattendance_and_more"),
        ("circles", "0002_historicalcirclemeeting_historicalcirclemembership_and_more"),
        ("competencies", "0005_revisions_go_with_their_practitioner"),
        ("dashboards", "0002_definitions_row"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
