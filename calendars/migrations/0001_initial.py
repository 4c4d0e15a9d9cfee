import django.db.models.deletion
from django.db import migrations, models

import calendars.models


def content_type_follows(apps, schema_editor):
    """Keep the feed's content type (and any permission on it) under its new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="calendars", model="calendarfeed").exists():
        ContentType.objects.filter(app_label="circles", model="calendarfeed").update(
            app_label="calendars"
        )


def content_type_goes_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="circles", model="calendarfeed").exists():
        ContentType.objects.filter(app_label="calendars", model="calendarfeed").update(
            app_label="circles"
        )


class Migration(migrations.Migration):
    """The calendar feed moves here from circles. Its table already exists (made by
    circles/migrations/0001_initial.py), so only Django's picture of the models changes: the
    rows, and so every feed address people have subscribed to, stay exactly as they were."""

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("circles", "0003_calendarfeed_moves_to_calendars"),
        ("training", "0004_historicalcohort_historicalcourseattendance_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CalendarFeed",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "token",
                            models.CharField(
                                default=calendars.models.new_feed_token,
                                max_length=64,
                                unique=True,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now=True)),
                        (
                            "person",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="calendar_feed",
                                to="training.person",
                            ),
                        ),
                    ],
                    options={"db_table": "circles_calendarfeed"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_goes_back),
    ]
