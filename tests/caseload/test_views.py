"""My cases (a practitioner's own figures) and confirming them in a 2:1."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from caseload.models import MonthlyCaseload, Source
from caseload.services import monthly_caseload_record
from supervision.models import SessionStatus
from tests.factories import make_person, make_session

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
D = datetime.date


def started_session(cast, **kwargs):
    return make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner],
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        reason="The only supervisee this month.",
        **kwargs,
    )


# My cases -----------------------------------------------------------------------------------


def test_a_practitioner_records_their_own_month(cast, as_user):
    client = as_user(cast.practitioner)

    response = client.post(
        reverse("my_cases"), {"month": "2026-11", "caseload": "18", "cases_with_model": "4"}
    )

    assert response.status_code == 302
    row = MonthlyCaseload.objects.get()
    assert (row.person, row.month, row.caseload, row.cases_with_model) == (
        cast.practitioner,
        D(2026, 11, 1),
        18,
        4,
    )
    assert (row.source, row.recorded_by) == (Source.PRACTITIONER, cast.practitioner.user)


def test_recording_a_month_again_replaces_it_and_keeps_the_history(cast, as_user):
    client = as_user(cast.practitioner)
    for with_model in ("4", "6"):
        client.post(
            reverse("my_cases"),
            {"month": "2026-11", "caseload": "18", "cases_with_model": with_model},
        )

    assert MonthlyCaseload.objects.get().cases_with_model == 6
    assert MonthlyCaseload.history.count() == 2


def test_a_person_cannot_record_another_persons_figures(cast, as_user):
    client = as_user(cast.practitioner)

    client.post(
        reverse("my_cases"),
        {
            "month": "2026-11",
            "caseload": "18",
            "cases_with_model": "4",
            "person": cast.outsider.pk,
            "email": cast.outsider.email,
        },
    )

    assert list(MonthlyCaseload.objects.values_list("person", flat=True)) == [cast.practitioner.pk]
    with pytest.raises(ValidationError, match="only their own"):
        monthly_caseload_record(
            person=cast.outsider,
            month=D(2026, 11, 1),
            caseload=10,
            cases_with_model=2,
            by=cast.practitioner.user,
        )
    assert not MonthlyCaseload.objects.filter(person=cast.outsider).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"month": "2026-11", "caseload": "3", "cases_with_model": "4"},
            "cases_with_model",
            "cannot be more than the caseload",
        ),
        (
            {"month": "2026-11", "caseload": "-1", "cases_with_model": "0"},
            "caseload",
            "greater than or equal to 0",
        ),
        (
            {"month": "November", "caseload": "3", "cases_with_model": "1"},
            "month",
            "Enter a month as YYYY-MM",
        ),
    ],
)
def test_bad_figures_are_refused_with_a_message_and_nothing_saved(
    cast, as_user, data, field, message
):
    response = as_user(cast.practitioner).post(reverse("my_cases"), data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not MonthlyCaseload.objects.exists()


def test_a_month_to_come_is_refused(cast, as_user):
    response = as_user(cast.practitioner).post(
        reverse("my_cases"), {"month": "2027-01", "caseload": "3", "cases_with_model": "1"}
    )

    assert "not a month to come" in str(response.context["form"].errors)
    assert not MonthlyCaseload.objects.exists()


def test_an_htmx_post_gets_the_figures_partial(cast, as_user):
    response = as_user(cast.practitioner).post(
        reverse("my_cases"),
        {"month": "2026-10", "caseload": "18", "cases_with_model": "4"},
        **HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="figures">')
    assert "<html" not in body
    assert "Figures for October 2026 saved." in body
    assert MonthlyCaseload.objects.get().cases_with_model == 4


def test_my_cases_refuses_other_roles_and_other_methods(cast, as_user, client):
    assert client.get(reverse("my_cases")).status_code == 302  # to sign in
    assert as_user(cast.supervisor).get(reverse("my_cases")).status_code == 403
    assert as_user(cast.programme_lead).post(reverse("my_cases"), {}).status_code == 403
    assert as_user(cast.practitioner).put(reverse("my_cases")).status_code == 405


@pytest.mark.parametrize("months", [1, 30])
def test_my_cases_runs_a_fixed_number_of_queries(cast, as_user, months, django_assert_num_queries):
    MonthlyCaseload.objects.bulk_create(
        MonthlyCaseload(
            person=cast.practitioner,
            month=D(2024, 1, 1) + datetime.timedelta(days=31 * index),
            caseload=10,
            cases_with_model=2,
            source=Source.PRACTITIONER,
        )
        for index in range(months)
    )
    client = as_user(cast.practitioner)

    # session, user, roles, person, the latest twelve months
    with django_assert_num_queries(5):
        response = client.get(reverse("my_cases"))
    assert len(response.context["figures"]) == min(months, 12)


# Confirming in a 2:1 ----------------------------------------------------------------------------


def test_the_supervisor_confirms_a_practitioners_figures_for_the_month_of_the_2_1(cast, as_user):
    session = started_session(cast)
    as_user(cast.practitioner).post(
        reverse("my_cases"), {"month": "2026-12", "caseload": "18", "cases_with_model": "4"}
    )

    response = as_user(cast.supervisor).post(
        reverse("session_cases", args=[session.pk]),
        {"practitioner": cast.practitioner.pk, "caseload": "19", "cases_with_model": "5"},
    )

    assert response.status_code == 302
    row = MonthlyCaseload.objects.get()
    assert (row.month, row.caseload, row.cases_with_model) == (D(2026, 12, 1), 19, 5)
    assert (row.source, row.session, row.recorded_by) == (
        Source.SUPERVISION,
        session,
        cast.supervisor.user,
    )
    assert [h.history_user for h in row.history.order_by("history_date")] == [
        cast.practitioner.user,
        cast.supervisor.user,
    ]


def test_the_supervisor_cannot_confirm_for_someone_outside_the_2_1(cast, as_user):
    session = started_session(cast)

    response = as_user(cast.supervisor).post(
        reverse("session_cases", args=[session.pk]),
        {"practitioner": cast.outsider.pk, "caseload": "19", "cases_with_model": "5"},
    )

    assert response.status_code == 200
    assert "not a practitioner of this 2:1" in response.content.decode()
    assert not MonthlyCaseload.objects.exists()


@pytest.mark.parametrize(
    ("status", "starts_in", "message"),
    [
        (SessionStatus.PLANNED, datetime.timedelta(days=2), "once it has started"),
        (SessionStatus.CANCELLED, -datetime.timedelta(days=2), "was cancelled"),
    ],
)
def test_figures_are_not_confirmed_in_a_2_1_not_started_or_cancelled(
    cast, as_user, status, starts_in, message
):
    session = make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner],
        starts_at=timezone.now() + starts_in,
        status=status,
        reason="Alone",
    )

    response = as_user(cast.supervisor).post(
        reverse("session_cases", args=[session.pk]),
        {"practitioner": cast.practitioner.pk, "caseload": "19", "cases_with_model": "5"},
    )

    assert message in response.content.decode()
    assert not MonthlyCaseload.objects.exists()


def test_only_the_2_1s_supervisor_may_confirm(cast, as_user):
    session = started_session(cast)
    data = {"practitioner": cast.practitioner.pk, "caseload": "19", "cases_with_model": "5"}
    url = reverse("session_cases", args=[session.pk])

    assert as_user(cast.practitioner).post(url, data).status_code == 403
    assert as_user(cast.programme_lead).post(url, data).status_code == 403
    assert as_user(cast.supervisor).put(url).status_code == 405
    assert not MonthlyCaseload.objects.exists()


def test_another_supervisor_gets_a_404(cast, as_user):
    session = started_session(cast)
    other = make_person(team=cast.supervisor.team, roles=(Role.SUPERVISOR,))
    url = reverse("session_cases", args=[session.pk])
    data = {"practitioner": cast.practitioner.pk, "caseload": "19", "cases_with_model": "5"}

    assert as_user(other).get(url).status_code == 404
    assert as_user(other).post(url, data).status_code == 404
    assert not MonthlyCaseload.objects.exists()


def test_an_htmx_confirmation_gets_the_figures_partial(cast, as_user):
    session = started_session(cast)

    response = as_user(cast.supervisor).post(
        reverse("session_cases", args=[session.pk]),
        {"practitioner": cast.practitioner.pk, "caseload": "19", "cases_with_model": "5"},
        **HTMX,
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="figures">')
    assert "5 of a caseload of 19: confirmed in a 2:1." in body
    assert f"Figures for {cast.practitioner.full_name} confirmed." in body
    assert MonthlyCaseload.objects.get().cases_with_model == 5


def test_the_2_1_figures_page_runs_a_fixed_number_of_queries(
    cast, as_user, django_assert_num_queries
):
    session = started_session(cast)
    MonthlyCaseload.objects.create(
        person=cast.practitioner,
        month=D(2026, 12, 1),
        caseload=10,
        cases_with_model=2,
        source=Source.PRACTITIONER,
    )
    client = as_user(cast.supervisor)

    # session, user, roles, person, the 2:1, its practitioners, their figures
    with django_assert_num_queries(7):
        response = client.get(reverse("session_cases", args=[session.pk]))
    assert "2 of a caseload of 10" in response.content.decode()
