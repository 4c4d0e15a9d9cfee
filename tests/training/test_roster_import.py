from __future__ import annotations

import pytest

from accounts.models import User
from accounts.roles import Role, roles_of
from tests.factories import make_person, make_team
from training.imports import roster_import
from training.models import Person, PersonStatus, RoleGroup, Team

pytestmark = pytest.mark.django_db

HEADER = "email,full_name,team,role_group,job_title,line_manager_email,status\n"


def snapshot() -> list[tuple]:
    return list(
        Person.objects.order_by("email").values_list(
            "email", "full_name", "team__name", "role_group", "status", "line_manager__email"
        )
    )


def test_new_people_and_teams_are_created_with_line_managers():
    result = roster_import(
        text=HEADER
        + "Ann.Lee@Council.example,Ann Lee,Health Team,Manager,Team manager,,\n"
        + "bo@council.example,Bo Ray,Health Team,practitioner,,ANN.LEE@council.example,\n"
    )

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert result.new_teams == ["Health Team"]
    bo = Person.objects.get(email="bo@council.example")
    assert bo.line_manager.email == "ann.lee@council.example"
    assert bo.status == PersonStatus.ACTIVE
    assert bo.team.name == "Health Team"


def test_columns_may_come_in_any_order_and_any_case_and_optional_ones_may_be_left_out():
    result = roster_import(text="Team,ROLE_GROUP,Email,Full_Name\nYJ,partner,p@x.example,Pat\n")

    assert result.ok, result.errors
    person = Person.objects.get()
    assert (person.team.name, person.role_group, person.job_title) == ("YJ", "partner", "")


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("senior_manager", RoleGroup.SENIOR_MANAGER),
        ("Senior manager", RoleGroup.SENIOR_MANAGER),
        ("SENIOR MANAGER", RoleGroup.SENIOR_MANAGER),
        ("Administrative staff", RoleGroup.ADMIN),
        ("admin", RoleGroup.ADMIN),
        ("Partner", RoleGroup.PARTNER),
    ],
)
def test_role_group_accepts_values_and_labels_in_any_case(written, stored):
    result = roster_import(text=HEADER + f"a@x.example,A,T,{written},,,\n")

    assert result.ok, result.errors
    assert Person.objects.get().role_group == stored


@pytest.mark.parametrize(
    ("written", "stored"),
    [("", "active"), ("active", "active"), ("extended_leave", "extended_leave"), ("left", "left")],
)
def test_status_is_active_when_blank(written, stored):
    roster_import(text=HEADER + f"a@x.example,A,T,practitioner,,,{written}\n")

    assert Person.objects.get().status == stored


def test_existing_people_are_updated_by_email_case_insensitively():
    person = make_person(email="kim@council.example", team=make_team("Old team"))

    result = roster_import(text=HEADER + "KIM@Council.Example,Kim Shah,New team,manager,,,left\n")

    assert (result.created, result.updated) == (0, 1)
    person.refresh_from_db()
    assert (person.full_name, person.team.name, person.role_group, person.status) == (
        "Kim Shah",
        "New team",
        "manager",
        "left",
    )
    assert Person.objects.count() == 1


def test_a_line_manager_already_on_the_roster_is_accepted():
    make_person(email="boss@council.example")

    result = roster_import(text=HEADER + "a@x.example,A,T,practitioner,,Boss@council.example,\n")

    assert result.ok, result.errors
    assert Person.objects.get(email="a@x.example").line_manager.email == "boss@council.example"


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    text = HEADER + "a@x.example,A,T,manager,,,\nb@x.example,B,T,practitioner,,a@x.example,\n"
    roster_import(text=text)
    before = snapshot()

    result = roster_import(text=text)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert snapshot() == before


def test_a_changed_line_manager_alone_counts_as_an_update():
    roster_import(text=HEADER + "a@x.example,A,T,manager,,,\nc@x.example,C,T,manager,,,\n")
    roster_import(text=HEADER + "b@x.example,B,T,practitioner,,a@x.example,\n")

    result = roster_import(text=HEADER + "b@x.example,B,T,practitioner,,c@x.example,\n")

    assert (result.updated, result.unchanged) == (1, 0)


def test_people_get_an_account_without_a_password_and_leavers_cannot_sign_in():
    roster_import(text=HEADER + "a@x.example,A,T,practitioner,,,\nb@x.example,B,T,manager,,,left\n")

    practitioner = User.objects.get(email="a@x.example")
    assert not practitioner.has_usable_password()
    assert practitioner.person.email == "a@x.example"
    assert roles_of(practitioner) == {Role.PRACTITIONER}
    assert User.objects.get(email="b@x.example").is_active is False


def test_a_dry_run_reports_what_would_happen_and_saves_nothing():
    result = roster_import(text=HEADER + "a@x.example,A,New team,practitioner,,,\n", dry_run=True)

    assert result.ok
    assert (result.created, result.new_teams) == (1, ["New team"])
    assert "Dry run" in result.summary("people")[0]
    assert not Person.objects.exists()
    assert not Team.objects.exists()
    assert not User.objects.exists()


BAD_ROWS = [
    (",A,T,practitioner,,,", "email is required"),
    ("not-an-email,A,T,practitioner,,,", "'not-an-email' is not a valid email address"),
    ("a@x.example,,T,practitioner,,,", "full_name is required"),
    ("a@x.example,A,,practitioner,,,", "team is required"),
    ("a@x.example,A,T,,,,", "role_group is required"),
    ("a@x.example,A,T,wizard,,,", "role_group 'wizard' is not one of"),
    ("a@x.example,A,T,practitioner,,,retired", "status 'retired' is not one of"),
    ("a@x.example,A,T,practitioner,,nobody@x.example,", "line manager nobody@x.example is not"),
    ("a@x.example,A,T,practitioner,,bad manager,", "line_manager_email 'bad manager' is not"),
    ("a@x.example,A,T,practitioner,,a@x.example,", "cannot be their own line manager"),
    ("a@x.example,A,T,practitioner", "has 4 values but the header has 7"),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_each_kind_of_bad_row_is_named_with_its_line_and_nothing_is_imported(row, message):
    make_person(email="existing@x.example")
    before = snapshot()

    result = roster_import(text=HEADER + "good@x.example,Good,T,practitioner,,,\n" + row + "\n")

    assert [error.line for error in result.errors] == [3]
    assert message in result.errors[0].message
    assert snapshot() == before


def test_every_bad_line_is_listed_not_just_the_first():
    result = roster_import(
        text=HEADER
        + "a@x.example,A,T,wizard,,,\n"
        + "b@x.example,B,T,practitioner,,,\n"
        + ",C,T,practitioner,,,\n"
        + "A@X.example,A again,T,practitioner,,,\n"
    )

    assert [(error.line, error.message) for error in result.errors] == [
        (
            2,
            "role_group 'wizard' is not one of "
            "senior_manager, manager, practitioner, partner, admin",
        ),
        (4, "email is required"),
        (5, "a@x.example is already on line 2"),
    ]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("email,full_name,team\n", "missing required column(s): role_group"),
        (HEADER.strip() + ",shoe_size\n", "unknown column(s): 'shoe_size'"),
        ("email,email,full_name,team,role_group\n", "repeated column(s): email"),
    ],
)
def test_header_problems_are_reported_on_line_1(header, message):
    result = roster_import(text=header + "a@x.example,A,T,practitioner,,,\n")

    assert result.errors[0].line == 1
    assert message in result.errors[0].message
    assert not Person.objects.exists()


def test_an_empty_file_is_refused_with_a_message():
    assert roster_import(text="").errors[0].message == "The file is empty: it needs a header row."
    assert roster_import(text=HEADER).errors[0].message == "The file has a header but no rows."


def test_blank_lines_are_skipped_and_line_numbers_still_count_them():
    result = roster_import(text=HEADER + "\n" + "a@x.example,A,T,wizard,,,\n")

    assert result.errors[0].line == 3


def test_rows_repeated_word_for_word_are_imported_once_and_counted():
    row = "a@x.example,A,T,practitioner,,,\n"

    result = roster_import(text=HEADER + row + "b@x.example,B,T,manager,,,\n" + row)

    assert result.ok, result.errors
    assert (result.created, result.repeated) == (2, 1)
    assert "1 repeated row ignored." in result.summary("people")
    assert Person.objects.count() == 2


def test_two_rows_for_one_person_that_disagree_are_refused_naming_the_first():
    result = roster_import(
        text=HEADER + "a@x.example,A,T,practitioner,,,\n" + "A@x.example,A,T,manager,,,\n"
    )

    assert [(error.line, error.message) for error in result.errors] == [
        (3, "a@x.example is already on line 2")
    ]
    assert not Person.objects.exists()
