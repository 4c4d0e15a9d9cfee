"""A supervisor records a 2:1 that has already taken place in one step: held at once, with no
invitations, and straight on to its record."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from calendars.models import Notice
from supervision.models import SessionStatus, SupervisionSession
from supervision.selectors import supervisees
from supervision.services import session_record_held
from tests.factories import make_person, make_session

pytestmark = pytest.mark.django_db

URL = reverse("session_took_place")


def form(day: datetime.date, **changes: object) -> dict[str, object]:
    return {"date": day.isoformat(), "start_time": "10:00", "end_time": "11:00", **changes}


def test_a_supervisor_records_yesterdays_2_to_1_as_held_in_one_step(
    cast, as_user, django_capture_on_commit_callbacks
):
    second = make_person(line_manager=cast.supervisor)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(cast.supervisor).post(
            URL, form(yesterday, practitioners=[cast.practitioner.pk, second.pk], place="Room 2")
        )

    session = SupervisionSession.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("session_record", args=[session.pk])
    assert session.status == SessionStatus.HELD and session.supervisor == cast.supervisor
    assert set(session.practitioners.all()) == {cast.practitioner, second}
    assert timezone.localtime(session.starts_at).date() == yesterday
    assert mail.outbox == [] and not Notice.objects.exists()
    overdue = {person.pk: person.overdue for person in supervisees(cast.supervisor)}
    assert overdue[cast.practitioner.pk] is False and overdue[second.pk] is False
    assert as_user(cast.supervisor).get(response.url).status_code == 200


def test_a_2_to_1_that_has_not_started_is_refused_and_nothing_is_saved(cast, as_user):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = as_user(cast.supervisor).post(
        URL, form(tomorrow, practitioners=[cast.practitioner.pk], reason="Only one this month.")
    )

    assert response.status_code == 200
    assert "This 2:1 has not started yet: schedule it instead" in response.content.decode()
    assert not SupervisionSession.objects.exists()


def test_one_practitioner_needs_a_reason_and_another_supervisors_team_is_not_offered(cast, as_user):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    client = as_user(cast.supervisor)

    alone = client.post(URL, form(yesterday, practitioners=[cast.practitioner.pk]))
    outsider = client.post(
        URL, form(yesterday, practitioners=[cast.outsider.pk], reason="Covering.")
    )

    assert "Say why this 2:1 has only one practitioner." in alone.content.decode()
    assert "Select a valid choice" in outsider.content.decode()
    assert not SupervisionSession.objects.exists()


def test_the_page_offers_the_supervisees_and_says_nobody_is_invited(cast, as_user):
    response = as_user(cast.supervisor).get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["form"].fields["practitioners"].queryset) == [cast.practitioner]
    assert '<h1 class="h2">Record a 2:1 that took place</h1>' in html
    assert "nobody is sent an invitation" in html and "Record as held" in html


@pytest.mark.parametrize("role", ["practitioner", "practice_leader", "programme_lead"])
def test_only_supervisors_record_2_to_1s(cast, as_user, role):
    client = as_user(getattr(cast, role))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    assert client.get(URL).status_code == 403
    assert (
        client.post(URL, form(yesterday, practitioners=[cast.practitioner.pk])).status_code == 403
    )
    assert not SupervisionSession.objects.exists()


def test_the_page_answers_only_get_and_post(cast, as_user):
    assert as_user(cast.supervisor).put(URL).status_code == 405


def test_the_service_refuses_a_start_still_to_come(cast):
    starts = timezone.now() + datetime.timedelta(minutes=5)

    with pytest.raises(ValidationError, match="schedule a future one"):
        session_record_held(
            supervisor=cast.supervisor,
            practitioners=[cast.practitioner],
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            reason="Only one this month.",
        )


def test_earlier_2_to_1s_show_who_was_there(cast, as_user):
    second = make_person(line_manager=cast.supervisor)
    make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner, second],
        starts_at=timezone.now() - datetime.timedelta(days=3),
        status=SessionStatus.HELD,
    )

    html = as_user(cast.practitioner).get(reverse("supervision")).content.decode()

    earlier = html[html.index("Earlier 2:1s") :]
    assert f"Held, with {cast.supervisor.full_name}: " in earlier
    assert cast.practitioner.full_name in earlier and second.full_name in earlier


def test_the_supervision_page_offers_it_to_supervisors_only(cast, as_user):
    link = f'href="{URL}">Record a 2:1 that took place</a>'

    assert link in as_user(cast.supervisor).get(reverse("supervision")).content.decode()
    assert link not in as_user(cast.practitioner).get(reverse("supervision")).content.decode()
