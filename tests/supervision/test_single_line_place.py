"""A 2:1's place and reason are single-line text: they go into calendar invitations."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from supervision.forms import SessionForm
from training.models import Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["place", "reason"])
def test_the_2_to_1_form_refuses_a_place_or_reason_with_a_line_break(cast, field):
    data = {
        "practitioners": [cast.practitioner.pk],
        "date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
        "place": "Room 4",
        "reason": "Colleague on leave",
    }
    data[field] = "Room 4\r\nSUMMARY:Cancelled"

    form = SessionForm(data, supervisees=Person.objects.filter(pk=cast.practitioner.pk))

    assert not form.is_valid()
    assert (
        "Write this on one line: it contains a line break at character 7. Remove line breaks, "
        "tabs and other control characters."
    ) in form.errors[field]
