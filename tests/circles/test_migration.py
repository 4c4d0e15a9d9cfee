"""A meeting's old topics (stage names) become the stages it worked on, as a whole."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from circles.models import CircleMeeting

BEFORE = [("circles", "0007_single_line_text_of_new_fields")]


def migrate(targets: list[tuple[str, str]] | None = None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor.loader.project_state(targets).apps if targets else None


@pytest.mark.django_db(transaction=True)
def test_each_topic_becomes_its_stage_as_a_whole_and_unknown_ones_are_left_out():
    try:
        old = migrate(BEFORE)
        Circle = old.get_model("circles", "LearningCircle")
        Meeting = old.get_model("circles", "CircleMeeting")
        circle = Circle.objects.create(name="Stroud circle", starts_on=datetime.date(2026, 1, 1))
        moment = datetime.datetime(2026, 1, 13, 10, tzinfo=datetime.UTC)
        recorded, empty = (
            Meeting.objects.create(
                circle=circle,
                month=datetime.date(2026, month, 1),
                starts_at=moment.replace(month=month),
                ends_at=moment.replace(month=month, hour=12),
                topics=topics,
            )
            for month, topics in ((1, ["risk", "restorative", "juggling", "risk"]), (2, []))
        )
    finally:
        migrate()

    worked_on = CircleMeeting.objects.get(pk=recorded.pk).focus.values_list("stage", "competency")
    assert sorted(worked_on) == [("restorative", None), ("risk", None)]
    assert not CircleMeeting.objects.get(pk=empty.pk).focus.exists()
