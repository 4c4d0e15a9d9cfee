from __future__ import annotations

import datetime
import random

import pytest
from django.db import transaction

from demo.organisation import build_demo
from tests.factories import make_cohort, make_person, make_phase
from training.imports import roster_import, training_import
from training.models import Cohort, CourseAttendance, Phase
from training.selectors import people_with_training, rollout_summary

pytestmark = pytest.mark.django_db

HEADER = "email,phase,cohort,day,date,attended\n"


def snapshot() -> list[tuple]:
    return (
        list(
            CourseAttendance.objects.order_by("pk").values_list(
                "person__email", "cohort__name", "day", "attended"
            )
        )
        + list(Cohort.objects.values_list("name", "day1_date", "day2_date"))
        + list(Phase.objects.values_list("name"))
    )


@pytest.fixture
def ann():
    return make_person(email="ann@council.example")


def test_unknown_phases_and_cohorts_are_created_and_reported(ann):
    result = training_import(
        text=HEADER
        + "ann@council.example,Pilot,Cohort 1,1,2015-11-03,yes\n"
        + "ann@council.example,Pilot,Cohort 1,2,10/11/2015,yes\n"
    )

    assert result.ok, result.errors
    assert (result.created, result.new_phases, result.new_cohorts) == (
        2,
        ["Pilot"],
        ["Cohort 1 (Pilot)"],
    )
    cohort = Cohort.objects.get()
    assert (cohort.day1_date, cohort.day2_date) == (
        datetime.date(2015, 11, 3),
        datetime.date(2015, 11, 10),
    )


def test_new_phases_are_ordered_after_existing_ones(ann):
    make_phase("Pilot", order=4)

    training_import(text=HEADER + "ann@council.example,Later,C,1,2016-01-01,yes\n")

    assert Phase.objects.get(name="Later").order == 5


@pytest.mark.parametrize("day", ["1", "restorative", "Restorative", "day 1"])
def test_day_1_can_be_written_as_a_number_or_a_word(ann, day):
    training_import(text=HEADER + f"ann@council.example,P,C,{day},2016-01-01,yes\n")

    assert CourseAttendance.objects.get().day == 1


@pytest.mark.parametrize("day", ["2", "base", "BASE"])
def test_day_2_can_be_written_as_a_number_or_a_word(ann, day):
    training_import(text=HEADER + f"ann@council.example,P,C,{day},2016-01-01,yes\n")

    assert CourseAttendance.objects.get().day == 2


@pytest.mark.parametrize(
    ("written", "attended"),
    [
        ("yes", True),
        ("Y", True),
        ("true", True),
        ("1", True),
        ("no", False),
        ("n", False),
        ("FALSE", False),
        ("0", False),
    ],
)
def test_attended_accepts_yes_no_forms(ann, written, attended):
    training_import(text=HEADER + f"ann@council.example,P,C,1,2016-01-01,{written}\n")

    assert CourseAttendance.objects.get().attended is attended


@pytest.mark.parametrize("date", ["2016-03-01", "01/03/2016"])
def test_both_date_formats_mean_the_same_day(ann, date):
    training_import(text=HEADER + f"ann@council.example,P,C,1,{date},yes\n")

    assert Cohort.objects.get().day1_date == datetime.date(2016, 3, 1)


def test_emails_match_the_roster_case_insensitively(ann):
    result = training_import(text=HEADER + "ANN@Council.Example,P,C,1,2016-01-01,yes\n")

    assert result.ok
    assert CourseAttendance.objects.get().person == ann


def test_importing_the_same_file_twice_changes_nothing(ann):
    text = (
        HEADER
        + "ann@council.example,P,C,1,2016-01-01,yes\nann@council.example,P,C,2,2016-01-08,no\n"
    )
    training_import(text=text)
    before = snapshot()

    result = training_import(text=text)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert (result.new_phases, result.new_cohorts) == ([], [])
    assert snapshot() == before


def test_a_changed_answer_updates_the_existing_record(ann):
    training_import(text=HEADER + "ann@council.example,P,C,2,2016-01-08,no\n")

    result = training_import(text=HEADER + "ann@council.example,p,c,2,2016-01-08,yes\n")

    assert (result.created, result.updated) == (0, 1)
    assert CourseAttendance.objects.get().attended is True


def test_the_phase_credited_is_that_of_the_cohort_where_the_completing_day_took_place(ann):
    training_import(
        text=HEADER
        + "ann@council.example,Phase 1,Cohort D,1,2016-09-06,yes\n"
        + "ann@council.example,Phase 1,Cohort D,2,2016-09-13,no\n"
        + "ann@council.example,Phase 2,Cohort A,2,2016-09-27,yes\n"
    )

    person = people_with_training(datetime.date(2016, 12, 31)).get(pk=ann.pk)
    assert person.trained_on == datetime.date(2016, 9, 27)
    assert person.credited_phase_id == Phase.objects.get(name="Phase 2").pk


def test_a_dry_run_saves_nothing(ann):
    result = training_import(
        text=HEADER + "ann@council.example,P,C,1,2016-01-01,yes\n", dry_run=True
    )

    assert (result.ok, result.created, result.new_phases) == (True, 1, ["P"])
    assert snapshot() == []


BAD_ROWS = [
    ("nobody@council.example,P,C,1,2016-01-01,yes", "nobody@council.example is not on the roster"),
    (",P,C,1,2016-01-01,yes", "email is required"),
    ("ann@council.example,,C,1,2016-01-01,yes", "phase is required"),
    ("ann@council.example,P,,1,2016-01-01,yes", "cohort is required"),
    ("ann@council.example,P,C,3,2016-01-01,yes", "day '3' is not 1, 2, restorative or base"),
    ("ann@council.example,P,C,1,2016-13-01,yes", "date '2016-13-01' is not a date"),
    ("ann@council.example,P,C,1,1 March 2016,yes", "date '1 March 2016' is not a date"),
    ("ann@council.example,P,C,1,,yes", "date is required"),
    (
        "ann@council.example,P,C,1,01/01/1900,yes",
        "date '01/01/1900': Enter a date between 1 January 2000 and 31 December",
    ),
    ("ann@council.example,P,C,1,9999-12-31,yes", "date '9999-12-31': Enter a date between"),
    ("ann@council.example,P,C,1,2016-01-01,maybe", "attended 'maybe' is not yes or no"),
    (
        "bo@council.example,P,C,2,2016-01-08,no",
        "bo@council.example's day 2 of C is on line 2 on 08/01/2016, attended, and on line 3 "
        "on 08/01/2016, not attended: keep one of them",
    ),
    (
        "ann@council.example,P,C,2,2016-01-09,yes",
        "day 2 of C is dated 08/01/2016 on line 2, not 09/01/2016",
    ),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_each_kind_of_bad_row_is_named_with_its_line_and_nothing_is_imported(ann, row, message):
    make_person(email="bo@council.example")

    result = training_import(text=HEADER + "bo@council.example,P,C,2,2016-01-08,yes\n" + row + "\n")

    assert [error.line for error in result.errors] == [3]
    assert message in result.errors[0].message
    assert snapshot() == []


def test_a_date_that_disagrees_with_a_known_cohort_is_refused(ann):
    make_cohort(phase=make_phase("P"), name="C", day1=datetime.date(2016, 1, 1))

    result = training_import(text=HEADER + "ann@council.example,P,C,1,2016-01-05,yes\n")

    assert result.errors[0].message == "day 1 of C took place on 01/01/2016, not 05/01/2016"
    assert not CourseAttendance.objects.exists()


def test_every_bad_line_is_listed(ann):
    result = training_import(
        text=HEADER
        + "ann@council.example,P,C,9,2016-01-01,yes\n"
        + "ann@council.example,P,C,2,2016-01-08,yes\n"
        + "x@council.example,P,C,1,2016-01-01,perhaps\n"
    )

    assert [(error.line, error.message) for error in result.errors] == [
        (2, "day '9' is not 1, 2, restorative or base"),
        (4, "x@council.example is not on the roster"),
        (4, "attended 'perhaps' is not yes or no"),
    ]
    assert snapshot() == []


def test_unknown_columns_are_an_error(ann):
    result = training_import(
        text=HEADER.strip() + ",room\nann@council.example,P,C,1,2016-01-01,yes,4\n"
    )

    assert result.errors[0].line == 1
    assert "unknown column(s): 'room'" in result.errors[0].message


def test_rows_repeated_word_for_word_are_imported_once_and_counted(ann):
    row = "ann@council.example,P,C,1,2016-01-01,yes\n"
    text = HEADER + row + "ann@council.example,P,C,2,2016-01-08,no\n" + row + row

    result = training_import(text=text)

    assert result.ok, result.errors
    assert (result.created, result.repeated) == (2, 2)
    assert "2 repeated rows ignored." in result.summary("attendance records")
    assert CourseAttendance.objects.count() == 2


def test_a_repeat_written_differently_but_meaning_the_same_is_still_a_repeat(ann):
    result = training_import(
        text=HEADER
        + "ann@council.example,P,C,1,2016-03-01,yes\n"
        + "ANN@council.example,p,c,Restorative,01/03/2016,Y\n"
    )

    assert (result.ok, result.created, result.repeated) == (True, 1, 1)
    assert result.summary("x")[1] == "1 repeated row ignored."


def test_two_rows_for_one_day_that_disagree_on_the_date_name_both_lines(ann):
    result = training_import(
        text=HEADER
        + "ann@council.example,P,C,1,2016-03-01,yes\n"
        + "ann@council.example,P,C,2,2016-03-08,yes\n"
        + "ann@council.example,P,C,1,2016-03-02,yes\n"
    )

    assert [(error.line, error.message) for error in result.errors] == [
        (
            4,
            "ann@council.example's day 1 of C is on line 2 on 01/03/2016, attended, and on "
            "line 4 on 02/03/2016, attended: keep one of them",
        )
    ]
    assert snapshot() == []


def test_new_phases_are_ordered_by_their_earliest_date_not_by_the_file(ann):
    result = training_import(
        text=HEADER
        + "ann@council.example,Phase 2,C3,1,2016-09-06,yes\n"
        + "ann@council.example,Pilot,C1,1,2015-11-03,yes\n"
        + "ann@council.example,Phase 1,C2,1,2016-02-02,yes\n"
        + "ann@council.example,Pilot,C0,2,2015-10-01,yes\n"
    )

    assert result.new_phases == ["Pilot", "Phase 1", "Phase 2"]
    assert list(Phase.objects.values_list("name", "order")) == [
        ("Pilot", 1),
        ("Phase 1", 2),
        ("Phase 2", 3),
    ]


def phase_figures() -> list[tuple]:
    summary = rollout_summary(as_of=datetime.date(2016, 12, 31))
    return [(phase.name, phase.trained, phase.cumulative) for phase in summary.phases]


def test_a_shuffled_register_gives_the_same_figures_by_phase_as_a_sorted_one():
    demo = build_demo()
    assert roster_import(text=demo.roster_csv()).ok
    header, *rows = demo.training_csv().splitlines(keepends=True)
    last_phase = max(rows, key=lambda row: row.split(",")[4]).split(",")[1]
    shuffled = random.Random(7).sample(rows, len(rows))
    first = next(row for row in shuffled if row.split(",")[1] == last_phase)
    shuffled.remove(first)

    with transaction.atomic():
        assert training_import(text=header + "".join(rows)).ok
        in_order = phase_figures()
        transaction.set_rollback(True)
    assert training_import(text=header + first + "".join(shuffled)).ok

    assert phase_figures() == in_order
    assert [name for name, _, _ in in_order][-1] == last_phase
    assert in_order[-1][2] == 168, "the published cumulative figure for 2016"
