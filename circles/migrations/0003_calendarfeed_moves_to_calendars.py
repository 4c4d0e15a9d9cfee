from django.db import migrations


class Migration(migrations.Migration):
    """The calendar feed now belongs to the calendars app; its table and rows stay as they are
    (calendars/migrations/0001_initial.py takes the model over with the same table)."""

    dependencies = [
        ("circles", "0002_historicalcirclemeeting_historicalcirclemembership_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CalendarFeed")],
            database_operations=[],
        ),
    ]
