"""The feed model moved from circles to calendars: addresses given out before still work."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from calendars.models import CalendarFeed

# Going back to here also takes the calendars app's migrations off, as they follow it; the roster
# goes back to before people had an employing organisation, as the old state knows no such column.
BEFORE_THE_MOVE = [
    ("circles", "0002_historicalcirclemeeting_historicalcirclemembership_and_more"),
    ("training", "0007_course_times_capacity_and_places"),
]


def migrate(targets: list[tuple[str, str]] | None = None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor.loader.project_state(targets).apps if targets else None


@pytest.mark.django_db(transaction=True)
def test_a_feed_address_given_out_before_the_move_still_works_after_it(client):
    try:
        old = migrate(BEFORE_THE_MOVE)
        Team = old.get_model("training", "Team")
        Person = old.get_model("training", "Person")
        OldFeed = old.get_model("circles", "CalendarFeed")
        person = Person.objects.create(
            email="someone@council.example",
            full_name="Someone",
            team=Team.objects.create(name="Stroud"),
            role_group="practitioner",
            status="active",
        )
        token = OldFeed.objects.create(person=person, token="a-token-given-out-last-year").token
    finally:
        migrate()

    feed = CalendarFeed.objects.get()
    assert (feed.person_id, feed.token) == (person.pk, token)
    response = client.get(reverse("calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response.content.startswith(b"BEGIN:VCALENDAR")
