"""Administrators keep the list of employing organisations in the admin site (its names, and
whether a partner's staff need a council 2:1 to count as embedded), as they keep the teams.
Organisations are not deleted there: people belong to them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = ("view", "add", "change")


def _permissions(apps):
    # Django makes permissions after all migrations have run; a new database has none yet.
    app_config = apps.get_app_config("training")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return list(
        Permission.objects.filter(
            content_type__app_label="training",
            codename__in=[f"{action}_organisation" for action in ACTIONS],
        )
    )


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
        ("training", "0008_organisations"),
        ("accounts", "0003_administrator_admin_site_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
