from django.db import migrations


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="Team manager")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_administrator_admin_site_permissions")]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
