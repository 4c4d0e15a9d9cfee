import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

STARTER = Path(__file__).resolve().parent.parent / "starter_framework.json"


def load_starter(apps, schema_editor):
    Framework = apps.get_model("competencies", "Framework")
    FrameworkVersion = apps.get_model("competencies", "FrameworkVersion")
    Area = apps.get_model("competencies", "Area")
    Competency = apps.get_model("competencies", "Competency")
    data = json.loads(STARTER.read_text())
    framework, created = Framework.objects.get_or_create(
        name=data["framework"], defaults={"description": data["description"]}
    )
    if not created:
        return
    version = FrameworkVersion.objects.create(
        framework=framework,
        number=1,
        status="published",
        published_at=timezone.now(),
        notes=data["notes"],
    )
    for order, area_data in enumerate(data["areas"]):
        area = Area.objects.create(
            version=version, stage=area_data["stage"], title=area_data["title"], order=order
        )
        for index, competency in enumerate(area_data["competencies"]):
            Competency.objects.create(area=area, order=index, **competency)


class Migration(migrations.Migration):
    dependencies = [("competencies", "0002_initial")]

    operations = [migrations.RunPython(load_starter, migrations.RunPython.noop)]
