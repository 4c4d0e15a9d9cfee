"""A draft framework version is read only by administrators, who edit it; everyone else sees the
published versions and gets a 404 for a draft, as for a version that does not exist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from competencies.frameworks import current_version, version_new_draft
from competencies.models import VersionStatus

pytestmark = pytest.mark.django_db

OTHER_ROLES = ["practitioner", "supervisor", "practice_leader", "programme_lead", "outsider"]


@pytest.fixture
def draft():
    return version_new_draft(version=current_version())


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("export", [None, "json", "csv"])
def test_a_draft_is_not_found_for_anyone_but_administrators(cast, as_user, draft, role, export):
    query = {"format": export} if export else {}

    response = as_user(getattr(cast, role)).get(
        reverse("framework_version", args=[draft.pk]), query
    )

    assert response.status_code == 404


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_the_framework_list_shows_others_the_published_versions_only(cast, as_user, draft, role):
    page = as_user(getattr(cast, role)).get(reverse("framework_list"))

    shown = list(page.context["versions"])
    assert shown == [current_version()]
    assert reverse("framework_version", args=[draft.pk]) not in page.content.decode()


def test_an_administrator_reads_and_lists_drafts(cast, as_user, draft):
    client = as_user(cast.administrator)

    listed = client.get(reverse("framework_list")).context["versions"]
    page = client.get(reverse("framework_version", args=[draft.pk]))

    assert draft in listed
    assert page.status_code == 200
    assert draft.status == VersionStatus.DRAFT


def test_everyone_still_reads_the_published_version(cast, as_user, draft):
    for role in OTHER_ROLES:
        response = as_user(getattr(cast, role)).get(
            reverse("framework_version", args=[current_version().pk])
        )
        assert response.status_code == 200, role


def test_the_framework_list_costs_the_same_queries_for_any_role(
    cast, as_user, draft, django_assert_num_queries
):
    for role in ("practitioner", "administrator"):
        client = as_user(getattr(cast, role))
        # session, user, roles and roster status, versions with their frameworks
        with django_assert_num_queries(4):
            client.get(reverse("framework_list"))
