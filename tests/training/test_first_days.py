"""Each person's stored first attended days (`FirstCourseDays`) stay equal to what their attendance
says (`first_days_attended`), however the attendance or the cohort changes, and the migration
that first stores them for a site already running writes the same."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from dashboards.services import figures_refresh
from tests.factories import make_cohort, make_person, make_phase, stored_first_days
from training import services
from training.imports import training_import
from training.models import CourseAttendance, CourseDay, FirstCourseDays
from training.selectors import TrainingRecord, first_days_attended, training_records
from training.services import cohort_register_add, cohort_register_save, cohort_save

pytestmark = pytest.mark.django_db

DAY1 = datetime.date(2026, 3, 2)
DAY2 = datetime.date(2026, 3, 9)


def attend(person, cohort, *days: CourseDay) -> None:
    for day in days:
        CourseAttendance.objects.create(person=person, cohort=cohort, day=day, attended=True)


def test_attendance_saved_or_deleted_anywhere_is_stored_at_once():
    person = make_person()
    cohort = make_cohort(day1=DAY1, day2=DAY2)

    attend(person, cohort, CourseDay.RESTORATIVE, CourseDay.BASE)
    assert stored_first_days() == {
        person.pk: TrainingRecord(DAY1, DAY2, cohort.phase_id, cohort.phase_id)
    }

    # An earlier cohort's day 1 comes first, and is credited to that cohort's phase.
    earlier = make_cohort(day1=DAY1 - datetime.timedelta(days=30), day2=None)
    attend(person, earlier, CourseDay.RESTORATIVE)
    assert stored_first_days()[person.pk].restorative_on == earlier.day1_date
    assert stored_first_days()[person.pk].restorative_phase_id == earlier.phase_id

    # Not attended after all (as the admin site would change it), then gone altogether.
    CourseAttendance.objects.get(person=person, cohort=cohort, day=CourseDay.BASE).delete()
    row = CourseAttendance.objects.get(person=person, cohort=earlier)
    row.attended = False
    row.save()
    assert stored_first_days() == {person.pk: TrainingRecord(DAY1, None, cohort.phase_id, None)}
    CourseAttendance.objects.filter(person=person).delete()
    assert stored_first_days() == {} == first_days_attended()


def test_moving_a_course_or_its_phase_moves_the_first_days_of_everyone_on_its_register():
    people = [make_person() for _ in range(3)]
    cohort = make_cohort(day1=DAY1, day2=DAY2)
    for person in people:
        attend(person, cohort, CourseDay.RESTORATIVE, CourseDay.BASE)
    other_phase = make_phase()

    cohort.day1_date += datetime.timedelta(days=7)
    cohort.day2_date += datetime.timedelta(days=7)
    cohort.phase = other_phase
    cohort_save(cohort=cohort)

    expected = TrainingRecord(
        DAY1 + datetime.timedelta(days=7),
        DAY2 + datetime.timedelta(days=7),
        other_phase.pk,
        other_phase.pk,
    )
    assert (
        stored_first_days() == {person.pk: expected for person in people} == first_days_attended()
    )
    # Trained as of the new day 2, not the old one.
    assert training_records(DAY2 + datetime.timedelta(days=6)) == {
        person.pk: TrainingRecord(expected.restorative_on, None, other_phase.pk, None)
        for person in people
    }


def test_the_register_and_the_training_import_store_what_they_write_in_bulk():
    person, other = make_person(), make_person()
    cohort = make_cohort(day1=DAY1, day2=DAY2)
    cohort_register_add(cohort=cohort, person=person)
    assert stored_first_days() == {}

    cohort_register_save(cohort=cohort, marks={(person.pk, day): True for day in CourseDay})
    result = training_import(
        text="email,phase,cohort,day,date,attended\n"
        f"{other.email},{cohort.phase.name},{cohort.name},1,{DAY1:%Y-%m-%d},yes\n"
    )

    assert not result.errors
    assert (
        stored_first_days()
        == first_days_attended()
        == {
            person.pk: TrainingRecord(DAY1, DAY2, cohort.phase_id, cohort.phase_id),
            other.pk: TrainingRecord(DAY1, None, cohort.phase_id, None),
        }
    )


def test_refresh_figures_puts_right_what_was_written_past_the_services():
    person = make_person()
    cohort = make_cohort(day1=DAY1, day2=DAY2)
    attend(person, cohort, CourseDay.RESTORATIVE)
    # Written directly, as a database fix or a restore would: no signal is sent.
    CourseAttendance.objects.filter(person=person).update(day=CourseDay.BASE)
    assert stored_first_days() != first_days_attended()

    figures_refresh()

    assert (
        stored_first_days()
        == first_days_attended()
        == {person.pk: TrainingRecord(None, DAY2, None, cohort.phase_id)}
    )


def test_the_migration_stores_the_first_days_of_a_site_already_running():
    people = [make_person() for _ in range(4)]
    first, second = make_cohort(day1=DAY1, day2=DAY2), make_cohort(day1=DAY1, day2=None)
    attend(people[0], first, CourseDay.RESTORATIVE, CourseDay.BASE)
    attend(people[1], second, CourseDay.RESTORATIVE)
    attend(people[1], first, CourseDay.RESTORATIVE)  # the same day: the first cohort counts
    attend(people[2], second, CourseDay.BASE)  # a day with no date has not happened
    expected = first_days_attended()
    FirstCourseDays.objects.all().delete()

    migration = importlib.import_module("training.migrations.0012_first_course_days")
    migration.store_first_days(apps, None)

    assert stored_first_days() == expected
    assert set(expected) == {people[0].pk, people[1].pk}
    assert (
        expected[people[1].pk].restorative_phase_id
        == min((first.pk, first.phase_id), (second.pk, second.phase_id))[1]
    )


def test_many_people_at_once_are_read_in_one_pass_and_only_they_are_stored_again(monkeypatch):
    people = [make_person() for _ in range(3)]
    cohort = make_cohort(day1=DAY1, day2=DAY2)
    for person in people:
        attend(person, cohort, CourseDay.RESTORATIVE)
    # Written past the receivers for all three; the first two are stored again, in "chunks" of
    # one person, as thousands would be.
    CourseAttendance.objects.update(day=CourseDay.BASE)
    monkeypatch.setattr(
        services,
        "_chunks",
        lambda values: [values[start : start + 1] for start in range(len(values))],
    )

    assert services.first_days_record(person_ids=[people[0].pk, people[1].pk]) == 2

    assert stored_first_days() == {
        people[0].pk: TrainingRecord(None, DAY2, None, cohort.phase_id),
        people[1].pk: TrainingRecord(None, DAY2, None, cohort.phase_id),
        people[2].pk: TrainingRecord(DAY1, None, cohort.phase_id, None),
    }
