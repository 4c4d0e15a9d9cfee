"""Each person turns off the emails that are not essential, on their own "Email preferences"
page; what asks them to act is always sent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from notifications.models import EmailKind, EmailOptOut
from notifications.selectors import recipients
from tests.factories import make_person
from training.models import PersonStatus

pytestmark = pytest.mark.django_db

URL = reverse("email_preferences")
HTMX = {"HTTP_HX_REQUEST": "true"}


def turned_off(person) -> set[str]:
    return set(EmailOptOut.objects.filter(person=person).values_list("kind", flat=True))


def test_a_practitioner_sees_what_is_always_sent_and_what_they_may_turn_off(cast, as_user):
    response = as_user(cast.practitioner).get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Always sent" in html and EmailKind.REVIEW_RETURNED.label in html
    form = response.context["form"]
    assert set(form.fields) == {EmailKind.REVIEW_SIGNED_OFF, EmailKind.REVIEW_CORRECTED}
    assert all(form[name].value() for name in form.fields)  # on until turned off
    assert EmailKind.MONTHLY_SUMMARY.label not in html
    assert EmailKind.REVIEW_SUBMITTED.label not in html  # a supervisor's email


def test_a_programme_lead_may_turn_the_monthly_summary_off(cast, as_user):
    client = as_user(cast.programme_lead)

    assert set(client.get(URL).context["form"].fields) == {EmailKind.MONTHLY_SUMMARY}
    response = client.post(URL, {})

    assert response.status_code == 302 and response.url == URL
    assert turned_off(cast.programme_lead) == {EmailKind.MONTHLY_SUMMARY}
    assert "Email preferences saved." in client.get(URL).content.decode()
    assert recipients(EmailKind.MONTHLY_SUMMARY, [cast.programme_lead]) == []


def test_turning_an_email_back_on_removes_the_choice(cast, as_user):
    EmailOptOut.objects.create(person=cast.practitioner, kind=EmailKind.REVIEW_SIGNED_OFF)
    client = as_user(cast.practitioner)
    assert client.get(URL).context["form"][EmailKind.REVIEW_SIGNED_OFF].value() is False

    client.post(URL, {EmailKind.REVIEW_SIGNED_OFF: "on", EmailKind.REVIEW_CORRECTED: "on"})

    assert turned_off(cast.practitioner) == set()


def test_an_essential_email_cannot_be_turned_off_by_posting_its_name(cast, as_user):
    as_user(cast.supervisor).post(
        URL, {EmailKind.REVIEW_SIGNED_OFF: "on", EmailKind.REVIEW_CORRECTED: "on"}
    )
    as_user(cast.supervisor).post(URL, {EmailKind.REVIEW_SUBMITTED: ""})

    assert EmailKind.REVIEW_SUBMITTED not in turned_off(cast.supervisor)
    assert recipients(EmailKind.REVIEW_SUBMITTED, [cast.supervisor]) == [cast.supervisor]


def test_an_htmx_save_returns_only_the_section_with_its_status(cast, as_user):
    response = as_user(cast.practitioner).post(URL, {EmailKind.REVIEW_CORRECTED: "on"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="preferences"') and "<html" not in html
    assert "Saved." in html
    assert turned_off(cast.practitioner) == {EmailKind.REVIEW_SIGNED_OFF}


def test_someone_with_no_workflow_email_is_told_so(cast, as_user):
    html = as_user(cast.administrator).get(URL).content.decode()

    assert "No email from the review workflow or the roll-out comes to you." in html


def test_the_page_answers_only_get_and_post(cast, as_user):
    assert as_user(cast.practitioner).put(URL).status_code == 405


def test_an_account_not_on_the_roster_gets_a_404(client):
    client.force_login(User.objects.create_user("nobody@council.example", password="x" * 20))

    assert client.get(URL).status_code == 404


def test_each_person_changes_only_their_own_choices(cast, as_user):
    as_user(cast.practitioner).post(URL, {})

    assert turned_off(cast.practitioner) == {
        EmailKind.REVIEW_SIGNED_OFF,
        EmailKind.REVIEW_CORRECTED,
    }
    assert not EmailOptOut.objects.exclude(person=cast.practitioner).exists()


def test_nobody_who_has_left_or_twice_named_gets_an_email(cast):
    leaver = make_person(status=PersonStatus.LEFT)

    people = recipients(
        EmailKind.REVIEW_SIGNED_OFF, [cast.practitioner, cast.practitioner, leaver, None]
    )

    assert people == [cast.practitioner]


def test_the_page_runs_a_fixed_number_of_queries(cast, as_user, django_assert_num_queries):
    person = make_person(roles=(Role.PRACTITIONER, Role.SUPERVISOR, Role.PROGRAMME_LEAD))
    EmailOptOut.objects.create(person=person, kind=EmailKind.MONTHLY_SUMMARY)
    client = as_user(person)

    # session, account, roles and roster status, person, their choices
    with django_assert_num_queries(5):
        response = client.get(URL)

    assert set(response.context["form"].fields) == {
        EmailKind.REVIEW_SIGNED_OFF,
        EmailKind.REVIEW_CORRECTED,
        EmailKind.MONTHLY_SUMMARY,
    }
