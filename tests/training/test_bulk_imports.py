"""Imports write in bulk: a fixed number of queries, an audit trail that names the importer,
each row through the models' own validation, and the people whose training changed."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import attend, make_cohort, make_person, make_phase
from training.imports import acting_as, roster_import, training_import
from training.models import Cohort, CourseAttendance, Person, Phase, Team

pytestmark = pytest.mark.django_db

ROSTER = "email,full_name,team,role_group,job_title,line_manager_email,status\n"
TRAINING = "email,phase,cohort,day,date,attended\n"


def roster_of(size: int, teams: int = 5) -> str:
    """People in `teams` teams, each team managed by its first person."""
    lines = []
    for number in range(size):
        manager = "" if number < teams else f"p{number % teams}@x.example"
        lines.append(
            f"p{number}@x.example,P {number},Team {number % teams},practitioner,,{manager},"
        )
    return ROSTER + "\n".join(lines) + "\n"


def register_of(emails: list[str]) -> str:
    lines = [
        f"{email},Phase {index % 3},Cohort {index % 6},{day},2016-0{1 + index % 6}-0{day},yes"
        for index, email in enumerate(emails)
        for day in (1, 2)
    ]
    return TRAINING + "\n".join(lines) + "\n"


def queries_of(run) -> int:
    """The queries of an import, which is then undone."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        result = run()
        transaction.set_rollback(True)
    assert result.ok, result.errors
    return len(queries)


# The sizes fit in one batch of each bulk statement on every database: what is pinned is that
# nothing is written or read a row at a time.
def test_a_roster_takes_the_same_number_of_queries_for_10_or_50_people():
    small = queries_of(lambda: roster_import(text=roster_of(10)))
    large = queries_of(lambda: roster_import(text=roster_of(50)))

    assert small == large


def test_a_register_takes_the_same_number_of_queries_for_10_or_40_people():
    roster_import(text=roster_of(40))
    emails = [f"p{number}@x.example" for number in range(40)]

    small = queries_of(lambda: training_import(text=register_of(emails[:10])))
    large = queries_of(lambda: training_import(text=register_of(emails)))

    assert small == large


def test_the_audit_trail_names_the_importer_once_for_each_record(cast):
    with acting_as(cast.administrator.user):
        roster_import(
            text=ROSTER
            # The manager comes after the person they manage, and is new too.
            + "report@x.example,Report,New team,practitioner,,boss@x.example,\n"
            + "boss@x.example,Boss,New team,manager,,,\n"
        )
        training_import(text=TRAINING + "report@x.example,Pilot,Cohort 1,1,2016-01-05,yes\n")

    report = Person.objects.get(email="report@x.example")
    assert report.line_manager.email == "boss@x.example"
    for history in (
        Person.history.filter(email__in=["report@x.example", "boss@x.example"]),
        Team.history.filter(name="New team"),
        Phase.history.all(),
        Cohort.history.all(),
        CourseAttendance.history.all(),
    ):
        assert history.exists()
        assert {row.history_user for row in history} == {cast.administrator.user}
    assert Person.history.filter(id=report.pk).count() == 1


def test_changes_to_existing_records_are_in_the_trail_with_the_importer(cast):
    person = make_person(email="kim@x.example")
    cohort = make_cohort(phase=make_phase("Pilot"), name="Cohort 1")
    attend(person, cohort, 1, attended=False)

    with acting_as(cast.administrator.user):
        roster_import(text=ROSTER + "kim@x.example,Kim Renamed,Other team,manager,,,\n")
        training_import(text=TRAINING + "kim@x.example,Pilot,Cohort 1,1,2016-03-01,yes\n")

    latest = Person.history.filter(id=person.pk).latest("history_id")
    assert (latest.full_name, latest.history_type, latest.history_user) == (
        "Kim Renamed",
        "~",
        cast.administrator.user,
    )
    mark = CourseAttendance.history.filter(person_id=person.pk).latest("history_id")
    assert (mark.attended, mark.history_type, mark.history_user) == (
        True,
        "~",
        cast.administrator.user,
    )


def test_new_people_who_manage_each_other_are_both_created():
    result = roster_import(
        text=ROSTER
        + "a@x.example,A,T,manager,,b@x.example,\n"
        + "b@x.example,B,T,manager,,a@x.example,\n"
    )

    assert result.ok, result.errors
    a, b = Person.objects.get(email="a@x.example"), Person.objects.get(email="b@x.example")
    assert (a.line_manager, b.line_manager) == (b, a)


def refuse_name(name: str):
    def clean(self) -> None:
        if getattr(self, "full_name", getattr(self, "name", "")) == name:
            raise ValidationError({"name" if hasattr(self, "name") else "full_name": "refused"})

    return clean


@pytest.mark.parametrize(
    ("model", "row", "message"),
    [
        (Person, "a@x.example,Refused,T,practitioner,,,", "full_name: refused"),
        (Team, "a@x.example,A,Refused,practitioner,,,", "team: refused"),
    ],
)
def test_each_roster_row_goes_through_the_models_own_validation(monkeypatch, model, row, message):
    monkeypatch.setattr(model, "clean", refuse_name("Refused"))

    result = roster_import(text=ROSTER + "good@x.example,Good,T,practitioner,,,\n" + row + "\n")

    assert [(error.line, error.message) for error in result.errors] == [(3, message)]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("model", "row", "message"),
    [
        (Phase, "ann@x.example,Refused,C,1,2016-01-01,yes", "phase: refused"),
        (Cohort, "ann@x.example,P,Refused,1,2016-01-01,yes", "cohort: refused"),
    ],
)
def test_each_register_row_goes_through_the_models_own_validation(monkeypatch, model, row, message):
    make_person(email="ann@x.example")
    make_person(email="bo@x.example")
    monkeypatch.setattr(model, "clean", refuse_name("Refused"))

    result = training_import(
        text=TRAINING
        + "ann@x.example,P,C,2,2016-01-08,yes\n"
        + row
        + "\n"
        + row.replace("ann@", "bo@")
        + "\n"
    )

    assert [(error.line, error.message) for error in result.errors] == [
        (3, message),
        (4, message),
    ]
    assert not CourseAttendance.objects.exists()


def test_a_register_row_goes_through_the_attendance_models_validation(monkeypatch):
    make_person(email="ann@x.example")

    def clean(self) -> None:
        if self.attended is False:
            raise ValidationError("not attending is refused here")

    monkeypatch.setattr(CourseAttendance, "clean", clean)

    result = training_import(text=TRAINING + "ann@x.example,P,C,1,2016-01-01,no\n")

    assert [(error.line, error.message) for error in result.errors] == [
        (2, "not attending is refused here")
    ]


def test_a_roster_import_names_the_people_it_created_or_changed():
    kept = make_person(email="kept@x.example")
    changed = make_person(email="changed@x.example")
    text = (
        ROSTER
        + f"kept@x.example,{kept.full_name},{kept.team.name},practitioner,,,\n"
        + "changed@x.example,Changed,T,practitioner,,,\n"
        + "new@x.example,New,T,practitioner,,,\n"
    )

    assert roster_import(text=text, dry_run=True).changed_person_ids == set()
    result = roster_import(text=text)

    new = Person.objects.get(email="new@x.example")
    assert result.changed_person_ids == {changed.pk, new.pk}


def test_a_training_import_names_everyone_whose_training_changed():
    ann, bo, cy = (make_person(email=f"{name}@x.example") for name in ("ann", "bo", "cy"))
    phase = make_phase("P")
    undated = Cohort.objects.create(
        phase=phase, name="C", day1_date=None, day2_date=datetime.date(2016, 1, 11)
    )
    attend(cy, undated, 2)  # trained on day 2; day 1's date is not yet known
    attend(bo, make_cohort(phase=phase, name="D"), 1, attended=False)
    text = (
        TRAINING
        + "ann@x.example,P,C,1,2016-01-04,yes\n"  # new, and gives day 1 its date
        + "bo@x.example,P,D,1,2016-03-01,no\n"  # as on file already
    )

    assert training_import(text=text, dry_run=True).changed_person_ids == set()
    result = training_import(text=text)

    assert result.changed_person_ids == {ann.pk, cy.pk}
    assert Cohort.objects.get(name="C").day1_date == datetime.date(2016, 1, 4)
    assert training_import(text=text).changed_person_ids == set()
