"""An import row with a line break in a name is refused, naming the line, and nothing of the
file is saved."""

from __future__ import annotations

import pytest

from tests.factories import make_person
from training.imports import roster_import, training_import
from training.models import Cohort, Person, Phase, Team

pytestmark = pytest.mark.django_db


def message(found: str) -> str:
    return (
        f"Write this on one line: it contains {found} at character 4. Remove line breaks, "
        "tabs and other control characters."
    )


@pytest.mark.parametrize(
    ("row", "column", "found"),
    [
        ('bo@x.example,"Bo \r\nRay",Health Team,practitioner,,,\n', "full_name", "a line break"),
        ('bo@x.example,Bo Ray,"Hea\nlth Team",practitioner,,,\n', "team", "a line break"),
        (
            "bo@x.example,Bo Ray,Health Team,practitioner,Nur\u2028se,,\n",
            "job_title",
            "a line break (U+2028)",
        ),
    ],
)
def test_a_roster_row_with_a_line_break_is_refused_naming_its_line(row, column, found):
    result = roster_import(
        text="email,full_name,team,role_group,job_title,line_manager_email,status\n"
        "ann@x.example,Ann Lee,Health Team,manager,,,\n" + row
    )

    assert [str(error) for error in result.errors] == [f"line 3: {column}: {message(found)}"]
    assert not Person.objects.exists()
    assert not Team.objects.exists()


@pytest.mark.parametrize(
    ("values", "column", "found"),
    [
        ('"Pil\r\not",Cohort A', "phase", "a line break"),
        ("Pilot,Coh\x00ort A", "cohort", "a null character"),
    ],
)
def test_a_training_row_with_a_control_character_is_refused_naming_its_line(values, column, found):
    make_person(email="ann@x.example")

    result = training_import(
        text="email,phase,cohort,day,date,attended\n"
        "ann@x.example,Pilot,Cohort A,1,2016-01-05,yes\n"
        f"ann@x.example,{values},2,2016-01-12,yes\n"
    )

    assert [str(error) for error in result.errors] == [f"line 3: {column}: {message(found)}"]
    assert not Phase.objects.exists()
    assert not Cohort.objects.exists()
