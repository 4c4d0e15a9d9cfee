from django.db import migrations


def create_settings_row(apps, schema_editor):
    apps.get_model("training", "ProgrammeSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(create_settings_row, migrations.RunPython.noop)]
