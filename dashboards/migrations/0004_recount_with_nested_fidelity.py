from django.db import migrations


def recount(apps, schema_editor):
    """Practising with fidelity now needs the person to be embedded: the stored figures were
    counted under the old rule, so the next page that reads them counts them all again
    (dashboards.services.figures_catch_up does so when they were never counted)."""
    apps.get_model("dashboards", "FiguresRefresh").objects.update(refreshed_at=None)


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0003_stored_status_spans")]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
