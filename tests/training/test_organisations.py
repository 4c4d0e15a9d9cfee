"""A person's employer: the council unless the roster names a partner agency, kept in the admin
site, and a change of the rule for embedded or of a person's employer recounts their figures."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from dashboards.models import StaleFigures
from tests.admin_site import post_changed
from tests.factories import make_person
from training.imports import roster_import
from training.models import Organisation, OrganisationKind, Person, council_id
from training.services import organisation_save

pytestmark = pytest.mark.django_db

HEADER = "email,full_name,team,role_group,organisation\n"


def employer(email: str) -> tuple[str, str]:
    person = Person.objects.select_related("organisation").get(email=email)
    return person.organisation.name, person.organisation.kind


def stale() -> set[int]:
    return set(StaleFigures.objects.values_list("person_id", flat=True))


@pytest.fixture
def police() -> Organisation:
    return Organisation.objects.create(name="Constabulary", kind=OrganisationKind.PARTNER)


def test_a_new_person_works_for_the_council_unless_told_otherwise():
    person = make_person()

    assert person.organisation.kind == OrganisationKind.COUNCIL
    assert person.organisation_id == council_id()
    assert Organisation.objects.filter(kind=OrganisationKind.COUNCIL).count() == 1


def test_there_is_only_one_council():
    council_id()

    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Another council", kind=OrganisationKind.COUNCIL)


def test_the_roster_names_partners_and_creates_the_ones_not_known_yet(police):
    result = roster_import(
        text=HEADER
        + "pc@police.example,Pat Constable,Partners,partner,CONSTABULARY\n"
        + "nurse@nhs.example,Nia Nurse,Partners,partner,County Health Trust\n"
        + "sw@council.example,Sam Worker,District,practitioner,\n"
    )

    assert result.ok, result.errors
    assert result.new_organisations == ["County Health Trust"]
    assert "New partner organisations: County Health Trust." in result.summary("people")
    assert employer("pc@police.example") == ("Constabulary", OrganisationKind.PARTNER)
    assert employer("nurse@nhs.example") == ("County Health Trust", OrganisationKind.PARTNER)
    assert employer("sw@council.example")[1] == OrganisationKind.COUNCIL
    assert Organisation.objects.get(name="County Health Trust").embedded_needs_council_21


def test_a_roster_without_the_column_keeps_everyones_employer(police):
    partner = make_person(email="pc@police.example", organisation=police)

    result = roster_import(
        text="email,full_name,team,role_group\n"
        "pc@police.example,Pat Constable,Partners,partner\n"
        "new@council.example,New Person,District,practitioner\n"
    )

    assert result.ok, result.errors
    partner.refresh_from_db()
    assert partner.organisation == police
    assert employer("new@council.example")[1] == OrganisationKind.COUNCIL


def test_moving_someone_to_another_employer_in_the_roster_recounts_their_figures(police):
    mover = make_person(email="mover@council.example")
    stayer = make_person(email="stayer@council.example")
    StaleFigures.objects.all().delete()

    result = roster_import(
        text=HEADER
        + f"{mover.email},Mover,Team,practitioner,Constabulary\n"
        + f"{stayer.email},Stayer,Team,practitioner,\n"
    )

    assert result.ok, result.errors
    mover.refresh_from_db()
    assert mover.organisation == police
    assert stale() == {mover.pk}


def test_a_bad_organisation_name_refuses_the_whole_file_and_lists_the_line():
    result = roster_import(
        text=HEADER
        + "a@council.example,Ann,Team,practitioner,\n"
        + f"b@council.example,Bo,Team,practitioner,{'x' * 121}\n"
    )

    assert [(error.line, error.message) for error in result.errors] == [
        (3, "organisation is longer than 120 characters")
    ]
    assert not Person.objects.exists()
    assert not Organisation.objects.filter(kind=OrganisationKind.PARTNER).exists()


def test_a_dry_run_creates_no_organisation():
    result = roster_import(text=HEADER + "a@nhs.example,Ann,Team,partner,Health\n", dry_run=True)

    assert result.ok and result.new_organisations == ["Health"]
    assert not Organisation.objects.filter(name="Health").exists()


def test_changing_whether_a_partner_needs_a_council_2_1_recounts_its_people_only(police):
    partner = make_person(organisation=police)
    make_person()
    StaleFigures.objects.all().delete()

    police.name = "County Constabulary"
    organisation_save(organisation=police)
    assert stale() == set()

    police.embedded_needs_council_21 = False
    organisation_save(organisation=police)
    assert stale() == {partner.pk}


def test_the_administrator_changes_the_rule_in_the_admin_site_and_figures_follow(
    cast, administrator, police
):
    partner = make_person(organisation=police)
    StaleFigures.objects.all().delete()

    response = post_changed(
        administrator,
        reverse("admin:training_organisation_change", args=[police.pk]),
        embedded_needs_council_21=False,
    )

    assert response.status_code == 302
    police.refresh_from_db()
    assert not police.embedded_needs_council_21
    assert stale() == {partner.pk}


def test_moving_a_person_to_a_partner_in_the_admin_site_recounts_their_figures(
    cast, administrator, police
):
    person = cast.practitioner
    StaleFigures.objects.all().delete()

    response = post_changed(
        administrator,
        reverse("admin:training_person_change", args=[person.pk]),
        organisation=str(police.pk),
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.organisation == police
    assert stale() == {person.pk}
