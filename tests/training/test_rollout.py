from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import attend, make_cohort, make_person, make_phase, make_team
from training.models import CourseDay, PersonStatus, ProgrammeSettings, RoleGroup
from training.selectors import people_with_training, rollout_summary

pytestmark = pytest.mark.django_db

D = datetime.date
FAR_FUTURE = D(2030, 1, 1)


def training_of(person, as_of=FAR_FUTURE):
    return people_with_training(as_of).get(pk=person.pk)


def test_a_person_is_trained_on_the_later_of_their_first_day_1_and_first_day_2():
    person = make_person()
    attend(person, make_cohort(day1=D(2016, 3, 1), day2=D(2016, 3, 8)), CourseDay.RESTORATIVE)
    attend(person, make_cohort(day1=D(2016, 1, 1), day2=D(2016, 2, 1)), CourseDay.BASE)
    attend(person, make_cohort(day1=D(2016, 5, 1), day2=D(2016, 6, 1)))

    trained = training_of(person)

    assert (trained.restorative_on, trained.base_on, trained.trained_on) == (
        D(2016, 3, 1),
        D(2016, 2, 1),
        D(2016, 3, 1),
    )


def test_day_1_completing_the_course_credits_day_1s_phase():
    person = make_person()
    early, late = make_phase("Early"), make_phase("Late")
    attend(person, make_cohort(phase=early, day2=D(2016, 2, 1)), CourseDay.BASE)
    attend(person, make_cohort(phase=late, day1=D(2016, 4, 1)), CourseDay.RESTORATIVE)

    assert training_of(person).credited_phase_id == late.pk


def test_only_one_day_attended_is_part_trained():
    person = make_person()
    attend(person, make_cohort(), CourseDay.RESTORATIVE)

    trained = training_of(person)
    assert trained.trained_on is None
    assert trained.restorative_on is not None


def test_days_marked_as_not_attended_do_not_count():
    person = make_person()
    cohort = make_cohort()
    attend(person, cohort, CourseDay.RESTORATIVE)
    attend(person, cohort, CourseDay.BASE, attended=False)

    assert training_of(person).trained_on is None


def test_training_after_the_as_of_date_is_not_counted():
    person = make_person()
    attend(person, make_cohort(day1=D(2016, 12, 20), day2=D(2017, 1, 3)))

    assert training_of(person, as_of=D(2016, 12, 31)).trained_on is None
    assert training_of(person, as_of=D(2017, 1, 3)).trained_on == D(2017, 1, 3)


def test_summary_counts_phases_whatever_the_status_but_teams_only_active_people():
    pilot, phase1 = make_phase("Pilot", 1), make_phase("Phase 1", 2)
    pod, health = make_team("Pod"), make_team("Health")
    pilot_cohort = make_cohort(phase=pilot, day1=D(2015, 11, 3), day2=D(2015, 11, 10))
    phase1_cohort = make_cohort(phase=phase1, day1=D(2016, 3, 1), day2=D(2016, 3, 8))
    attend(make_person(team=pod), pilot_cohort)
    attend(make_person(team=pod, status=PersonStatus.EXTENDED_LEAVE), pilot_cohort)
    attend(make_person(team=health, role_group=RoleGroup.MANAGER), phase1_cohort)
    attend(make_person(team=health, status=PersonStatus.LEFT), phase1_cohort)
    attend(make_person(team=health), phase1_cohort, CourseDay.RESTORATIVE)
    make_person(team=health)

    summary = rollout_summary(as_of=D(2016, 12, 31)).as_dict()

    assert summary["trained_total"] == 4
    assert [(p["name"], p["trained"], p["cumulative"]) for p in summary["phases"]] == [
        ("Pilot", 2, 2),
        ("Phase 1", 2, 4),
    ]
    assert summary["phases"][1]["by_role_group"] == {
        "senior_manager": 0,
        "manager": 1,
        "practitioner": 1,
        "partner": 0,
        "admin": 0,
    }
    assert summary["teams"] == [
        {
            "name": "Health",
            "service_area": "Integrated districts",
            "active_staff": 3,
            "trained_active": 1,
            "part_trained_active": 1,
            "share_trained": 0.3333,
        },
        {
            "name": "Pod",
            "service_area": "Integrated districts",
            "active_staff": 1,
            "trained_active": 1,
            "part_trained_active": 0,
            "share_trained": 1.0,
        },
    ]
    assert summary["role_groups"]["practitioner"] == {"active_staff": 3, "trained_active": 1}
    assert summary["role_groups"]["manager"] == {"active_staff": 1, "trained_active": 1}


def test_the_target_comes_from_the_programme_settings():
    settings_row = ProgrammeSettings.load()
    settings_row.workforce_target = 120
    settings_row.save()

    assert rollout_summary(as_of=D(2016, 1, 1)).target == 120


def test_the_critical_mass_of_trained_people_is_a_share_of_the_target_and_its_first_day():
    settings_row = ProgrammeSettings.load()
    settings_row.workforce_target = 10
    settings_row.critical_mass_trained_percent = 25  # 2.5 people: 3
    settings_row.save()
    early = make_cohort(day1=D(2016, 1, 5), day2=D(2016, 1, 12))
    late = make_cohort(day1=D(2016, 3, 1), day2=D(2016, 3, 8))
    for cohort in (early, early, late):
        attend(make_person(), cohort)

    before = rollout_summary(as_of=D(2016, 3, 7))
    after = rollout_summary(as_of=D(2016, 12, 31))

    assert (before.critical_mass_people, before.has_critical_mass) == (3, False)
    assert (after.has_critical_mass, after.critical_mass_reached_on) == (True, D(2016, 3, 8))
    assert after.as_dict()["critical_mass_of_trained_people"] == {
        "percent_of_target": 25,
        "people": 3,
        "reached": True,
        "first_reached": "2016-03-08",
    }


def test_timeline_is_cumulative_by_month_up_to_the_as_of_date():
    cohort_a = make_cohort(day1=D(2016, 1, 5), day2=D(2016, 1, 12))
    cohort_b = make_cohort(day1=D(2016, 3, 1), day2=D(2016, 3, 8))
    for cohort, count in ((cohort_a, 2), (cohort_b, 3)):
        for _ in range(count):
            attend(make_person(), cohort)

    timeline = rollout_summary(as_of=D(2016, 4, 15)).timeline

    assert [(point.month, point.cumulative) for point in timeline] == [
        (D(2016, 1, 1), 2),
        (D(2016, 2, 1), 2),
        (D(2016, 3, 1), 5),
        (D(2016, 4, 1), 5),
    ]


def test_teams_furthest_behind_come_lowest_share_first_and_skip_empty_teams():
    cohort = make_cohort()
    ahead, behind, empty = make_team("Ahead"), make_team("Behind"), make_team("Empty")
    attend(make_person(team=ahead), cohort)
    make_person(team=behind)
    make_person(team=empty, status=PersonStatus.LEFT)

    names = [team.name for team in rollout_summary(as_of=D(2030, 1, 1)).teams_furthest_behind()]

    assert names == ["Behind", "Ahead"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    marks=st.lists(
        st.tuples(
            st.integers(0, 2),  # person
            st.integers(0, 3),  # cohort
            st.sampled_from([CourseDay.RESTORATIVE, CourseDay.BASE]),
            st.booleans(),  # attended
        ),
        max_size=12,
    ),
    as_of_day=st.integers(0, 120),
)
def test_the_training_records_counted_outside_sql_match_the_annotations(marks, as_of_day):
    """training_records (for figures counted in Python) and people_with_training (for
    querysets) are the same rule: the same dates and phase for anyone, on any day."""
    from django.db import transaction

    from training.models import CourseAttendance
    from training.selectors import training_records

    start = D(2016, 1, 1)
    with transaction.atomic():
        people = [make_person() for _ in range(3)]
        phases = [make_phase() for _ in range(2)]
        cohorts = [
            make_cohort(
                phase=phases[[0, 1, 1, 0][n]],
                # Some cohorts' day 1 falls on another's day 2: the tie decides the phase.
                day1=start + datetime.timedelta(days=[0, 5, 35, 65][n]),
                day2=start + datetime.timedelta(days=[95, 65, 35, 5][n]),
            )
            for n in range(4)
        ]
        for person, cohort, day, attended in marks:
            CourseAttendance.objects.update_or_create(
                person=people[person],
                cohort=cohorts[cohort],
                day=day,
                defaults={"attended": attended},
            )
        as_of = start + datetime.timedelta(days=as_of_day)
        records = training_records(as_of)
        for person in people_with_training(as_of).filter(pk__in=[p.pk for p in people]):
            record = records.get(person.pk)
            got = (
                (record.restorative_on, record.base_on, record.trained_on, record.credited_phase_id)
                if record
                else (None, None, None, None)
            )
            assert got == (
                person.restorative_on,
                person.base_on,
                person.trained_on,
                person.credited_phase_id,
            )
        transaction.set_rollback(True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(
        st.tuples(
            st.integers(0, 2),  # team
            st.sampled_from(list(PersonStatus)),
            st.lists(
                st.tuples(
                    st.integers(0, 3),  # cohort
                    st.sampled_from([CourseDay.RESTORATIVE, CourseDay.BASE]),
                ),
                max_size=3,
            ),
        ),
        max_size=8,
    ),
    as_of_day=st.integers(0, 400),
)
# Trained on 31 March 2016, counted by the end of March from June.
@example(
    people=[(0, PersonStatus.ACTIVE, [(1, CourseDay.RESTORATIVE), (1, CourseDay.BASE)])],
    as_of_day=160,
)
def test_the_home_pages_glance_of_the_roll_out_equals_the_roll_out_summary(people, as_of_day):
    """rollout_glance (the programme lead's home page) counts the same people trained, trained
    by the end of an earlier month, and teams furthest behind as rollout_summary (the roll-out
    page) on any day."""
    from dateutil.relativedelta import relativedelta
    from django.db import transaction

    from training.selectors import rollout_glance

    start = D(2016, 1, 1)
    with transaction.atomic():
        teams = [make_team(f"Team {n}") for n in range(3)]
        cohorts = [
            make_cohort(
                # 2016-03-31, a month's end, is a day 2: the earlier day is counted through it.
                day1=start + datetime.timedelta(days=[0, 40, 100, 250][n]),
                day2=start + datetime.timedelta(days=[7, 90, 101, 300][n]),
            )
            for n in range(4)
        ]
        for team, status, days in people:
            person = make_person(team=teams[team], status=status)
            for cohort, day in days:
                attend(person, cohorts[cohort], day)
        as_of = start + datetime.timedelta(days=as_of_day)
        then = as_of.replace(day=1) - relativedelta(months=3) + relativedelta(day=31)

        glance = rollout_glance(as_of=as_of, then=then)
        summary = rollout_summary(as_of=as_of)

        by_then = [point.cumulative for point in summary.timeline if point.month <= then]
        assert glance.trained_total == summary.trained_total
        assert glance.trained_by_then == (by_then[-1] if by_then else 0)
        assert glance.target == summary.target
        assert glance.teams_furthest_behind == summary.teams_furthest_behind()
        transaction.set_rollback(True)
