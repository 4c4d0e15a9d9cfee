"""A 2:1 is shown in the admin site but changed only by its supervisor, on its page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from supervision.models import SupervisionSession
from tests.factories import make_session

pytestmark = pytest.mark.django_db


def test_a_2_1_cannot_be_moved_or_cancelled_in_the_admin_even_by_a_superuser(cast):
    session = make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner])
    client = Client()
    client.force_login(User.objects.create_superuser("root@council.example", "a-long-pw-123"))
    url = reverse("admin:supervision_supervisionsession_change", args=[session.pk])

    page = client.get(url)
    response = client.post(
        url, {"supervisor": cast.supervisor.pk, "status": "cancelled", "place": "Elsewhere"}
    )

    assert page.status_code == 200
    assert response.status_code == 403
    session.refresh_from_db()
    assert (session.status, session.place) == ("planned", "Room 4")
    assert mail.outbox == []
    assert SupervisionSession.objects.count() == 1
