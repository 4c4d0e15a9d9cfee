from __future__ import annotations

import datetime

from django.db.models import QuerySet

from training.models import Person, PersonStatus


def leavers_left_before(day: datetime.date) -> QuerySet[Person]:
    """People who have left, on a known date before `day`."""
    return Person.objects.filter(status=PersonStatus.LEFT, left_on__lt=day).order_by("pk")


def leavers_without_a_leaving_date() -> QuerySet[Person]:
    return Person.objects.filter(status=PersonStatus.LEFT, left_on__isnull=True)
