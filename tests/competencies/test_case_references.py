"""Case references keep children's names and birth dates out, however they are written, and an
organisation's own format replaces the built-in rule."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from competencies.case_references import case_reference_problem, validate_case_reference
from competencies.models import Review
from competencies.services import review_start

NAME = "It has letters that could be a name"
DATE = "It holds what reads as a date"
SHAPE = "It is not in the shape of a case reference"

REFUSED = [
    # A child's name and birth date written without spaces.
    ("JaydenSmith2015", NAME),
    ("Jayden.Smith.01-02-2015", NAME),
    ("J.Smith-12/03/2014", NAME),
    # A name alone, or initials and a name.
    ("Jayden", NAME),
    ("JSmith", NAME),
    ("smith_jayden", NAME),
    # Letters after the digits, and a short prefix written like a name.
    ("2015Smith", NAME),
    ("104522A", NAME),
    ("Jo-2015", NAME),
    ("Amy2015", NAME),
    # A date of birth with the usual separators, in any order, with or without a prefix.
    ("12/03/2014", DATE),
    ("CR-12/03/2014", DATE),
    ("01-02-15", DATE),
    ("CR-2014-03-12", DATE),
    ("CR.1.2.2015", DATE),
    ("12_31_2014", DATE),
    # A date of birth packed into eight digits.
    ("12032014", DATE),
    ("CR-20140312", DATE),
    ("CR-1042/12032014", DATE),
    # Anything else out of shape.
    ("CR 1042", SHAPE),
    ("CR--1042", SHAPE),
    ("CR-1042-", SHAPE),
    ("CR-", SHAPE),
    ("CR#1042", SHAPE),
    ("١٠٤٢", SHAPE),
]

ACCEPTED = [
    "CR-104522",
    "104522",
    "CR-1042",
    "2016/00417",
    "cin_77",
    "A1",
    "EH.2041.3",
    "CIN-2016-00417",
    # Six digits are not read as a date: most case numbers are six digits.
    "CR-120314",
    # Two groups are not a whole date, and neither are groups that make no calendar date.
    "CR-12/2014",
    "CR-31/02/2014",
    "CR-13/13/2014",
    # Eight digits that make no date with a year from 1900 to 2099.
    "CR-10452233",
    # Three capitals are a prefix, even when they spell a short name.
    "AMY-2015",
]


@pytest.mark.parametrize(("reference", "reason"), REFUSED)
def test_a_reference_that_could_hold_a_name_or_a_birth_date_is_refused_and_says_why(
    reference, reason
):
    assert case_reference_problem(reference).startswith(reason)
    with pytest.raises(ValidationError, match=reason):
        validate_case_reference(reference)


@pytest.mark.parametrize("reference", ACCEPTED)
def test_a_reference_in_the_shape_of_a_case_number_is_accepted(reference):
    assert case_reference_problem(reference) is None
    validate_case_reference(reference)


def test_the_service_refuses_a_name_and_saves_nothing(cast):
    with pytest.raises(ValidationError) as refused:
        review_start(practitioner=cast.practitioner, case_reference="JaydenSmith2015")

    assert "case_reference" in refused.value.message_dict
    assert not Review.objects.exists()


def test_an_organisations_own_format_alone_decides(settings):
    settings.CASE_REFERENCE_PATTERN = r"LA[0-9]{8}"
    settings.CASE_REFERENCE_MESSAGE = "Use the LA number, such as LA00104522."

    validate_case_reference("LA20140312")  # the built-in rule would read a date in it
    with pytest.raises(ValidationError, match="^.*Use the LA number") as refused:
        validate_case_reference("CR-104522")
    assert refused.value.messages == ["Use the LA number, such as LA00104522."]
