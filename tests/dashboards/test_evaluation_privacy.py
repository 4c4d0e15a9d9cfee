"""The evaluation dataset keeps its promise: nothing in two exports joins them, and no small
group of people is described precisely enough to name them."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from circles.models import CircleMeeting, LearningCircle, MeetingAttendance
from competencies.models import Competency, Review
from dashboards.evaluation import (
    DATES,
    DESCRIPTIVE,
    SUPPRESSED,
    K,
    PhaseDates,
    evaluation_export,
    generalise,
)
from supervision.models import SupervisionSession
from tests.dashboards.history import at, months_before, signed_off_review
from tests.factories import attend, make_circle, make_cohort, make_person, make_phase, make_team
from training.models import Person

pytestmark = pytest.mark.django_db


def read(archive: bytes, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        return list(csv.DictReader(io.StringIO(files.read(name).decode())))


def export() -> bytes:
    return evaluation_export()[0]


# Identifiers of records --------------------------------------------------------------------------


def circle(members: list[Person], *, meetings: int, leader: Person) -> LearningCircle:
    """A circle whose `meetings` monthly meetings in 2026 all its members attended."""
    made = make_circle(leaders=[leader], members=members, starts_on=datetime.date(2026, 1, 1))
    CircleMeeting.objects.filter(circle=made).delete()
    for month in range(1, meetings + 1):
        day = datetime.date(2026, month, 10)
        meeting = CircleMeeting.objects.create(
            circle=made, month=day.replace(day=1), starts_at=at(day), ends_at=at(day, 12)
        )
        for person in members:
            MeetingAttendance.objects.create(meeting=meeting, person=person, status="present")
    return made


def session(supervisor: Person, practitioners: list[Person], hour: int) -> SupervisionSession:
    made = SupervisionSession.objects.create(
        supervisor=supervisor,
        starts_at=at(datetime.date(2026, 3, 3), hour),
        ends_at=at(datetime.date(2026, 3, 3), hour + 1),
        place="Room 4",
        status="held",
    )
    made.practitioners.set(practitioners)
    return made


@pytest.fixture
def activity(cast):
    """Two circles (three members meeting twice, two meeting three times), two 2:1s on one
    day by one supervisor, and signed-off reviews of the first 2:1's two practitioners."""
    team = make_team("Stroud")
    p1, p2, p3, p4, p5 = (make_person(team=team) for _ in range(5))
    circle([p1, p2, p3], meetings=2, leader=cast.practice_leader)
    circle([p4, p5], meetings=3, leader=cast.practice_leader)
    session(cast.supervisor, [p1, p2], hour=10)
    session(cast.supervisor, [p3, p4], hour=14)
    for person in (p1, p2):
        signed_off_review(person, on=months_before(1), good=10, basic=9)


RECORDS = [
    ("circle_attendance.csv", "circle", LearningCircle),
    ("supervision.csv", "session", SupervisionSession),
    ("ratings.csv", "review", Review),
]


@pytest.mark.parametrize(("file", "column", "model"), RECORDS)
def test_two_exports_share_no_circle_session_or_review_identifier(
    activity, cast, as_user, tmp_path, file, column, model
):
    downloaded = as_user(cast.programme_lead).get(reverse("evaluation_export")).content
    call_command("evaluation_export", tmp_path / "dataset.zip", stdout=io.StringIO())
    written = (tmp_path / "dataset.zip").read_bytes()

    first = {row[column] for row in read(downloaded, file)}
    second = {row[column] for row in read(written, file)}
    assert len(first) == len(second) == model.objects.count() == 2
    assert not first & second
    database_ids = {str(pk) for pk in model.objects.values_list("pk", flat=True)}
    assert not (first | second) & database_ids


def test_rows_still_join_within_one_export(activity, cast):
    archive = export()
    people = {row["person"] for row in read(archive, "people.csv")}

    circles = defaultdict(list)
    for row in read(archive, "circle_attendance.csv"):
        circles[row["circle"]].append(row)
    shapes = sorted(
        (len({row["meeting_date"] for row in rows}), len({row["person"] for row in rows}))
        for rows in circles.values()
    )
    assert shapes == [(2, 3), (3, 2)]

    sessions = defaultdict(list)
    for row in read(archive, "supervision.csv"):
        sessions[row["session"]].append(row)
    assert sorted(len(rows) for rows in sessions.values()) == [2, 2]
    supervisors = {row["supervisor"] for rows in sessions.values() for row in rows}
    assert len(supervisors) == 1 and supervisors <= people

    reviews = defaultdict(list)
    for row in read(archive, "ratings.csv"):
        reviews[row["review"]].append(row)
    competencies = Competency.objects.filter(area__version=Review.objects.first().version_id)
    assert [len(rows) for rows in reviews.values()] == [competencies.count()] * 2
    reviewed = set()
    for rows in reviews.values():
        (practitioner,) = {row["practitioner"] for row in rows}
        reviewed.add(practitioner)
    assert reviewed <= people
    # The two reviewed people are the practitioners of one 2:1 and members of the same circle.
    assert reviewed in [{row["practitioner"] for row in rows} for rows in sessions.values()]
    three = next(rows for rows in circles.values() if len({r["person"] for r in rows}) == 3)
    assert reviewed <= {row["person"] for row in three}


def test_rows_that_share_a_date_are_in_the_order_of_their_fresh_identifiers(activity):
    """Database order would let two exports be matched row by row."""
    archive = export()

    attendance = read(archive, "circle_attendance.csv")
    assert attendance == sorted(
        attendance, key=lambda row: (row["meeting_date"], row["circle"], row["person"])
    )
    sessions = read(archive, "supervision.csv")
    assert sessions == sorted(
        sessions, key=lambda row: (row["date"], row["session"], row["practitioner"])
    )
    ratings = read(archive, "ratings.csv")
    assert ratings == sorted(ratings, key=lambda row: (row["signed_off_on"], row["review"]))


# Small groups ------------------------------------------------------------------------------------


def whole_rows(people: list[dict[str, str]]) -> Counter:
    """How many people each released row describes: every column of people.csv as written,
    but the random identifier."""
    return Counter(
        tuple(value for column, value in row.items() if column != "person") for row in people
    )


EXACT_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture
def organisation(cast):
    """Teams with groups of every size: the cast's team (one of each role but two), a health
    team with one manager, a youth justice team with a pilot pair, one person on leave and
    two managers, and the outsider alone in their team; and a district team where five
    practitioners trained together and one on a day of their own."""
    pilot, phase1 = make_phase("Pilot", 1), make_phase("Phase 1", 2)
    health = make_team("Health Team", service_area="Health")
    make_person(team=health, role_group="manager")
    for _ in range(6):
        make_person(team=health)
    youth = make_team("Youth Justice", service_area="Youth justice")
    trained = make_cohort(phase=phase1)
    for _ in range(5):
        attend(make_person(team=youth), trained)
    for _ in range(2):
        attend(make_person(team=youth), make_cohort(phase=pilot))
    attend(make_person(team=youth, status="extended_leave"), trained)
    for _ in range(2):
        make_person(team=youth, role_group="manager")
    district = make_team("Stroud District", service_area="Youth justice")
    together = make_cohort(
        phase=phase1, day1=datetime.date(2016, 5, 3), day2=datetime.date(2016, 5, 10)
    )
    for _ in range(5):
        attend(make_person(team=district), together)
    alone = make_cohort(
        phase=phase1, day1=datetime.date(2016, 6, 7), day2=datetime.date(2016, 6, 14)
    )
    attend(make_person(team=district), alone)


def test_every_whole_row_of_people_describes_at_least_k_people(organisation):
    people = read(export(), "people.csv")

    assert len(people) == Person.objects.count()
    assert min(whole_rows(people).values()) >= K
    assert not any(
        row["team"] == "Health Team" and row["role_group"] == "manager" for row in people
    )
    assert not any(row["trained_phase"] == "Pilot" for row in people)
    assert not any(row["status"] == "extended_leave" for row in people)
    assert not any(row["base_on"] == "2016-06" for row in people)
    # Groups large enough are left as they are, their dates by month.
    kept = whole_rows(people)
    assert kept["Health Team", "Health", "practitioner", "active", "", "", "", ""] == 6
    assert (
        kept[
            ("Youth Justice", "Youth justice", "practitioner", "active")
            + ("2016-03",) * 3
            + ("Phase 1",)
        ]
        == 5
    )
    assert (
        kept[
            ("Stroud District", "Youth justice", "practitioner", "active")
            + ("2016-05",) * 3
            + ("Phase 1",)
        ]
        == 5
    )


def test_no_exact_date_of_a_person_is_released(organisation):
    people = read(export(), "people.csv")

    dates = {row[column] for row in people for column in DATES}
    assert dates and not {date for date in dates if EXACT_DATE.fullmatch(date)}
    assert "2016-03" in dates


def test_the_data_dictionary_states_both_rules_and_what_was_generalised(organisation):
    dictionary = read(export(), "data_dictionary.csv")

    meanings = {(row["file"], row["column"]): row["meaning"] for row in dictionary}
    assert f"K = {K}" in meanings["people.csv", "(small groups)"]
    assert "every combination of its columns but person" in meanings["people.csv", "(small groups)"]
    assert "No exact date" in meanings["people.csv", "(small groups)"]
    for level in ("by month", "by quarter", "by phase"):
        assert level in meanings["people.csv", "(dates)"]
        assert f"dates {level}" in meanings["people.csv", "(small groups)"]
    for column in DATES:
        assert meanings["people.csv", column].startswith("Month of")
    assert SUPPRESSED in meanings["people.csv", "team"]
    for file, column, _ in RECORDS:
        assert "new in every export" in meanings[file, column]
    assert "Number of" not in " ".join(meanings.values())


def group(
    count: int,
    team: str,
    service: str,
    role: str,
    status: str = "active",
    phase: str = "P1",
    trained: datetime.date | None = None,
) -> list[dict[str, str | datetime.date | None]]:
    return [
        {"team": team, "service_area": service, "role_group": role, "status": status}
        | {"restorative_on": trained, "base_on": trained, "trained_on": trained}
        | {"trained_phase": phase, "person": f"{team}{n}"}
        for n in range(count)
    ]


def described(people: list[dict[str, object]], phases=()) -> Counter:
    return Counter(
        tuple(row[column] for column in DESCRIPTIVE) for row in generalise(people, phases)
    )


NO_DATES = ("", "", "")


def test_k_is_five():
    assert K == 5
    assert SUPPRESSED == "Other (fewer than 5 people)"


def test_dates_are_given_by_month_when_the_month_keeps_k_people():
    people = group(5, "A", "S", "practitioner", trained=datetime.date(2016, 3, 8))

    assert described(people) == {("A", "S", "practitioner", "active", *("2016-03",) * 3, "P1"): 5}


def test_a_month_that_singles_people_out_becomes_the_quarter_first():
    people = group(3, "A", "S", "practitioner", trained=datetime.date(2016, 1, 12))
    people += group(2, "A", "S", "practitioner", trained=datetime.date(2016, 3, 8))
    people += group(5, "A", "S", "practitioner", trained=datetime.date(2016, 9, 6))

    assert described(people) == {
        ("A", "S", "practitioner", "active", *("2016-Q1",) * 3, "P1"): 5,
        ("A", "S", "practitioner", "active", *("2016-09",) * 3, "P1"): 5,
    }


def test_then_the_team_then_the_phase_of_the_dates():
    phases = [
        PhaseDates("Pilot", datetime.date(2015, 11, 1), datetime.date(2016, 2, 10)),
        PhaseDates("Phase 1", datetime.date(2016, 2, 11), datetime.date(2016, 9, 30)),
    ]
    quarter = group(3, "A", "S", "practitioner", trained=datetime.date(2016, 3, 8))
    quarter += group(2, "B", "S", "practitioner", trained=datetime.date(2016, 2, 16))
    phase = group(3, "A", "S", "manager", trained=datetime.date(2016, 5, 3))
    phase += group(2, "B", "S", "manager", trained=datetime.date(2016, 7, 5))

    assert described(quarter + phase, phases) == {
        (SUPPRESSED, "S", "practitioner", "active", *("2016-Q1",) * 3, "P1"): 5,
        (SUPPRESSED, "S", "manager", "active", *("Phase 1",) * 3, "P1"): 5,
    }


def test_small_teams_lose_their_team_once_their_dates_are_by_quarter():
    people = group(5, "A", "S", "practitioner") + group(3, "B", "S", "practitioner")
    people += group(2, "C", "S", "practitioner")

    assert described(people) == {
        ("A", "S", "practitioner", "active", *NO_DATES, "P1"): 5,
        (SUPPRESSED, "S", "practitioner", "active", *NO_DATES, "P1"): 5,
    }


def test_then_their_role_group():
    people = group(6, "A", "S", "practitioner") + group(3, "B", "S", "manager")
    people += group(2, "C", "S", "practitioner")

    assert described(people) == {
        ("A", "S", "practitioner", "active", *NO_DATES, "P1"): 6,
        (SUPPRESSED, "S", SUPPRESSED, "active", *NO_DATES, "P1"): 5,
    }


def test_then_everything_and_the_smallest_group_joins_a_remainder_smaller_than_k():
    people = group(6, "A", "S", "practitioner") + group(5, "B", "S", "manager")
    people += group(1, "C", "T", "partner", status="left", phase="")

    assert described(people) == {
        ("A", "S", "practitioner", "active", *NO_DATES, "P1"): 6,
        (SUPPRESSED,) * len(DESCRIPTIVE): 6,
    }


def test_generalising_keeps_every_person_and_their_other_columns():
    people = group(6, "A", "S", "practitioner") + group(1, "C", "T", "partner")

    result = generalise(people)

    assert [row["person"] for row in result] == [row["person"] for row in people]
    assert described(people) == {(SUPPRESSED,) * len(DESCRIPTIVE): 7}


PHASES = [
    PhaseDates("Pilot", datetime.date(2015, 11, 1), datetime.date(2016, 2, 29)),
    PhaseDates("Phase 1", datetime.date(2016, 2, 1), datetime.date(2016, 9, 30)),
    PhaseDates("Phase 2", datetime.date(2016, 9, 1), None),
]
DAYS = st.dates(datetime.date(2015, 11, 1), datetime.date(2017, 6, 30))


@st.composite
def a_person(draw: st.DrawFn, number: int) -> dict[str, object]:
    day1 = draw(st.one_of(st.none(), DAYS))
    day2 = draw(st.one_of(st.none(), DAYS)) if day1 else None
    trained = max(day1, day2) if day1 and day2 else None
    return {
        "person": str(number),
        "team": draw(st.sampled_from(["A", "B", "C", "D", "E", "F"])),
        "service_area": draw(st.sampled_from(["Health", "Youth justice", ""])),
        "role_group": draw(st.sampled_from(["manager", "practitioner", "partner"])),
        "status": draw(st.sampled_from(["active", "active", "active", "left"])),
        "restorative_on": day1,
        "base_on": day2,
        "trained_on": trained,
        "trained_phase": draw(st.sampled_from(["Pilot", "Phase 1", "Phase 2"])) if trained else "",
    }


def shown_as(value: object, shown: str) -> bool:
    """Whether `shown` is `value` itself or one of the generalisations the ladder allows."""
    if shown == SUPPRESSED:
        return True
    if value is None:
        return shown == ""
    if not isinstance(value, datetime.date):
        return shown == value
    return shown in {
        f"{value:%Y-%m}",
        f"{value.year}-Q{(value.month - 1) // 3 + 1}",
        next((phase.name for phase in PHASES if phase.includes(value)), "Outside the phases"),
    }


@settings(max_examples=60, deadline=None, database=None, print_blob=True)
@given(data=st.data(), size=st.integers(0, 60))
def test_any_workforce_is_released_in_rows_of_at_least_k_people_each_true_to_its_person(data, size):
    people = [data.draw(a_person(number)) for number in range(size)]

    released = generalise(people, PHASES)

    assert [row["person"] for row in released] == [row["person"] for row in people]
    if size >= K:
        assert min(whole_rows(released).values()) >= K
    for before, after in zip(people, released, strict=True):
        assert all(shown_as(before[column], after[column]) for column in DESCRIPTIVE)
        steps = {after[column] for column in DATES if before[column] is not None}
        assert len({_level(value) for value in steps}) <= 1


def _level(shown: str) -> str:
    """The step a shown date is at: the three dates of a person move together."""
    if shown == SUPPRESSED:
        return "suppressed"
    if re.fullmatch(r"\d{4}-\d{2}", shown):
        return "month"
    if re.fullmatch(r"\d{4}-Q\d", shown):
        return "quarter"
    return "phase"


def test_the_demo_export_describes_no_group_smaller_than_k_over_the_whole_row(db):
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    before = Counter(Person.objects.values_list("team__name", "role_group"))
    assert before["Health Team", "manager"] < K  # the demo has small groups to protect

    people = read(export(), "people.csv")

    assert len(people) == Person.objects.count()
    assert min(whole_rows(people).values()) >= K
    assert not {
        row[column] for row in people for column in DATES if EXACT_DATE.fullmatch(row[column])
    }
    assert ("Health Team", "manager") not in {(row["team"], row["role_group"]) for row in people}
    # Still of use: many keep their team with the quarter they were trained in.
    kept = [row for row in people if row["team"] != SUPPRESSED]
    assert sum(1 for row in kept if re.fullmatch(r"\d{4}-Q\d", row["trained_on"])) >= K
