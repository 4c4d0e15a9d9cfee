# DRAFT, NOT COLLECTED BY PYTEST (its name does not start with test_): property-based tests
# written in the first session, kept for the next one to finish and move to tests/. It ran
# green on SQLite as written, but takes about ten minutes, and five of its strict xfails
# (odd digits in four places, null characters, non-numeric member IDs, emails checked before
# lower-casing) now pass since commit ad458a3 fixed those bugs: remove those xfails and the
# matching `_known_*` exclusions, speed it up, run it on PostgreSQL, then move it.
"""Property-based tests: no input makes a form, an upload or an import fail with a 500, and
input that is refused changes nothing.

Hypothesis sends arbitrary text (empty, huge, any Unicode, null characters), random bytes and
near-valid values to every form, the filters of the two figure pages and both CSV imports.
Fixtures are built once per test; each example runs in a savepoint that is rolled back, so the
examples of a test never see each other's writes.

The bugs these properties found are kept at the end of the file as strict xfail properties, each
with its minimal input as an explicit example. The general properties leave out exactly those
inputs (the `_known_*` predicates and the filters next to them), so that they go on guarding
everything else; remove the exclusion when a bug is fixed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from accounts.models import User
from circles.forms import CircleForm, MoveMeetingForm
from circles.models import (
    AttendanceStatus,
    CircleMeeting,
    CircleMembership,
    LearningCircle,
    MeetingAttendance,
    Topic,
)
from competencies.models import CaseType, Competency, Rater, Rating, Review, RiskLevel
from competencies.services import review_start
from dashboards.forms import DashboardFilterForm
from supervision.models import SupervisionSession
from tests.factories import attend, make_circle, make_cohort, make_person, make_phase, make_session
from training.csv_files import CSVFileError, decode_upload, parse_csv
from training.forms import AsOfForm
from training.imports import (
    ROSTER_OPTIONAL,
    ROSTER_REQUIRED,
    TRAINING_COLUMNS,
    roster_import,
    training_import,
)
from training.models import (
    Cohort,
    CourseAttendance,
    Person,
    PersonStatus,
    Phase,
    RoleGroup,
    Team,
)

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=30,
    deadline=None,
    database=None,  # no .hypothesis/examples folder in the project; failures print a blob
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The fidelity dashboard takes one to two seconds a request, so it gets fewer examples.
SLOW_PROPERTY = settings(PROPERTY, max_examples=10)

HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = datetime.date.today()
ZONE = ZoneInfo(django_settings.TIME_ZONE)


# Strategies ------------------------------------------------------------------------------------

EDGE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t",
    "\r\n",
    "\u00a0",
    "\ufeff",
    "\u202etxt.exe",
    "١٢",  # Arabic-Indic digits: int() reads them
    "-1",
    "0",
    "1.5",
    "1e9",
    "99999999999999999999",
    "NaN",
    "None",
    "null",
    "[]",
    '"',
    "<script>alert(1)</script>",
    "'; DROP TABLE training_person; --",
    "%s%n{0}",
    "🙂",
    "İ",
    "ß",
    "ǅ",
]
HUGE_TEXT = st.tuples(st.text(min_size=1, max_size=4), st.integers(1_000, 20_000)).map(
    lambda chunk_times: chunk_times[0] * chunk_times[1]
)
# Any text: edge cases, arbitrary Unicode (null characters included) and huge values.
ANY_TEXT = st.one_of(st.sampled_from(EDGE_TEXT), st.text(max_size=60), HUGE_TEXT)
SHORT_TEXT = st.one_of(st.sampled_from(EDGE_TEXT), st.text(max_size=12))
NUMBERS = st.integers(-(2**70), 2**70).map(str)


def _last_sunday_of_march(year: int) -> datetime.date:
    end = datetime.date(year, 3, 31)
    return end - datetime.timedelta(days=(end.weekday() - 6) % 7)


# The clocks go forward at 01:00 on the last Sunday of March: 01:00 to 02:00 never happens.
CLOCKS_GO_FORWARD = _last_sunday_of_march(TODAY.year + 1)
EDGE_DATES = [
    "0001-01-01",
    "9999-12-30",
    "2024-02-29",
    "2023-02-29",
    "2026-13-01",
    "31/12/2026",
    "1/1/1",
    CLOCKS_GO_FORWARD.isoformat(),
]


def date_text(dates: st.SearchStrategy[datetime.date]) -> st.SearchStrategy[str]:
    """Dates as a person types them: 2026-03-01 or 01/03/2026."""
    return dates.flatmap(
        lambda day: st.sampled_from([day.isoformat(), f"{day:%d/%m}/{day.year:04d}"])
    )


def any_date(dates: st.SearchStrategy[datetime.date] | None = None) -> st.SearchStrategy[str]:
    return st.one_of(date_text(dates or st.dates()), st.sampled_from(EDGE_DATES), ANY_TEXT)


NEAR_DATES = st.dates(TODAY - datetime.timedelta(days=730), TODAY + datetime.timedelta(days=730))
TIMES = st.one_of(
    st.times().flatmap(lambda t: st.sampled_from([f"{t:%H:%M}", f"{t:%H:%M:%S}"])),
    st.sampled_from(["00:00", "01:00", "01:30", "02:00", "02:10", "10:00", "12:00", "23:59"]),
    st.sampled_from(["24:00", "9:5", "10:00:00.5", "noon", "-01:00"]),
    ANY_TEXT,
)


def emails_of(people: list[Person]) -> st.SearchStrategy[str]:
    """Addresses on the roster (in any case, with spaces), made-up ones, and any text."""
    known = st.sampled_from([person.email for person in people])
    return st.one_of(
        known,
        known.map(str.upper),
        known.map(lambda address: f"  {address} "),
        st.sampled_from(["nobody@council.example", "not-an-email", "a@b", "@", "İ@example.com"]),
        st.emails(),
        ANY_TEXT,
    )


def key_suffixes(ids: list[int]) -> st.SearchStrategy[str]:
    """The `<id>` of a field named `status-<id>`: real IDs, numbers and short printable text.

    Quotes and control characters are left out: the test client writes field names into the
    multipart body unescaped.
    """
    printable = st.characters(exclude_categories=["Cs", "Cc"], exclude_characters='"\\')
    return st.one_of(
        st.sampled_from([str(pk) for pk in ids]), NUMBERS, st.text(printable, max_size=6)
    )


# Helpers ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """One example's writes, undone when it ends, whether it passes or fails."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def rows(*tables: type[models.Model]) -> dict[str, list[tuple]]:
    """Every row of the tables, to compare before and after."""
    return {table._meta.label: list(table.objects.order_by("pk").values_list()) for table in tables}


def send(client: Client, method: str, url: str, data: object = None, **extra: object):
    """The response; a view that raises (a 500 in production) fails the example."""
    try:
        return getattr(client, method)(url, data if data is not None else {}, **extra)
    except Exception as error:
        raise AssertionError(
            f"{method.upper()} {url} raised {type(error).__name__}: {error}"
        ) from error


def assert_refused(response, form_name: str) -> None:
    """A 200 re-render that says what is wrong, every message on the page."""
    form = response.context[form_name]
    assert form.errors, "the form was shown again without saying what is wrong"
    html = response.content.decode()
    for messages in form.errors.values():
        for message in messages:
            assert escape(message) in html, f"error not shown on the page: {message!r}"


def cleaned(field: forms.Field, value: str) -> object:
    """The value as the form field would clean it, or None when it refuses it."""
    try:
        return field.clean(value)
    except ValidationError:
        return None


def _breaks_int(value: str) -> bool:
    """str.isdigit() says yes but int() says no: superscripts and the like ("²")."""
    if not value.isdigit():
        return False
    try:
        int(value)
    except ValueError:
        return True
    return False


def _clock_goes_backwards(day: datetime.date, start: datetime.time, end: datetime.time) -> bool:
    """`end` is after `start` on the clock but not in real time: the hour the clocks skip."""
    starts = datetime.datetime.combine(day, start, ZONE).astimezone(datetime.UTC)
    ends = datetime.datetime.combine(day, end, ZONE).astimezone(datetime.UTC)
    return end > start and ends <= starts


# Fixtures --------------------------------------------------------------------------------------


@pytest.fixture
def leaver(cast):
    return make_person(team=cast.practitioner.team, status=PersonStatus.LEFT)


@pytest.fixture
def cohort(cast):
    """Phase One's Cohort A (1 and 8 March 2016), with two people on its register."""
    cohort = make_cohort(phase=make_phase("Phase One", order=1), name="Cohort A")
    attend(cast.practitioner, cohort)
    attend(cast.supervisor, cohort, attended=False)
    return cohort


@pytest.fixture
def circle(cast):
    return make_circle(leaders=[cast.practice_leader], members=[cast.practitioner])


@pytest.fixture
def second_supervisee(cast):
    return make_person(team=cast.practitioner.team, line_manager=cast.supervisor)


@pytest.fixture
def review(cast):
    """A draft review of the practitioner's, three competencies already rated once."""
    review = review_start(practitioner=cast.practitioner)
    for competency_id in competency_ids(review)[:3]:
        Rating.objects.create(
            review=review, competency_id=competency_id, rater=Rater.SELF, level=2, comment="Seen"
        )
    return review


def competency_ids(review: Review) -> list[int]:
    return list(
        Competency.objects.filter(area__version=review.version_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# CSV imports -----------------------------------------------------------------------------------

IMPORT_TABLES = (
    Person,
    Team,
    User,
    User.groups.through,
    Group,
    Phase,
    Cohort,
    CourseAttendance,
)


@st.composite
def csv_files(
    draw: st.DrawFn,
    *,
    cells: dict[str, st.SearchStrategy[str]],
    required: list[str],
    optional: list[str],
    good_rows: st.SearchStrategy[dict[str, str]],
) -> str:
    """CSV text with the right header (any order and case) or a damaged one, then 0 to 6 rows.

    "good" files take every row from `good_rows`, so that many of them import; "mixed" ones mix
    good cells with any text; "wild" ones are any text in a CSV shape. Rows may have the wrong
    number of values; the csv writer quotes cells with quotes, commas and newlines in them.
    """
    mode = draw(st.sampled_from(["good", "mixed", "wild"]))
    extra = draw(st.lists(st.sampled_from(optional))) if optional else []
    columns = draw(st.permutations([*required, *extra]))
    header = list(dict.fromkeys(columns))
    if mode != "good":
        header = draw(
            st.one_of(
                st.just(header),
                st.just([name.upper() for name in header]),
                st.just([f" {name} " for name in header]),
                st.just(columns),  # repeated columns
                st.lists(st.one_of(st.sampled_from([*required, *optional]), SHORT_TEXT)),
            )
        )
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        if mode == "good":
            row = draw(good_rows)
            values = [row.get(name, "") for name in header]
        else:
            values = []
            for name in header:
                cell = cells.get(name.strip().lower(), ANY_TEXT)
                values.append(draw(st.one_of(cell, ANY_TEXT) if mode == "mixed" else ANY_TEXT))
            if draw(st.integers(0, 5)) == 0:
                values = values[: draw(st.integers(0, len(values)))] + draw(
                    st.lists(SHORT_TEXT, max_size=2)
                )
        lines.append(values)
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        lineterminator=draw(st.sampled_from(["\r\n", "\n"])),
    )
    writer.writerow(header)
    writer.writerows(lines)
    text = buffer.getvalue()
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


def _any_decoding(data: bytes) -> str:
    try:
        return decode_upload(data)
    except CSVFileError:
        return data.decode("latin-1")


def import_texts(header: str, files: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Generated CSV files, any text, random bytes decoded, and hand-made broken files."""
    broken = [
        "",
        "\ufeff",
        "\ufeff\ufeff" + header + "\n",
        header,
        header + "\n\n\n",
        header + '\n"an unterminated, quoted cell',
        header + '\na,"b"c,d,e,f,g\n',
        header + "\nx\ry,z\n",
        header + "\n" + "x" * 140_000 + "\n",  # longer than the csv module's field limit
        ",".join([header] * 2) + "\n",
        header.upper().replace(",", ";") + "\n",
    ]
    return st.one_of(
        files,
        st.text(),
        st.binary(max_size=300).map(_any_decoding),
        st.sampled_from(broken),
        st.tuples(st.just(header + "\n"), st.text(max_size=200)).map("".join),
    )


def assert_well_formed(result) -> None:
    for error in result.errors:
        assert error.line >= 1, error
        assert error.message.strip(), error


def assert_import_properties(run_import, text: str, counted: dict[str, type[models.Model]]):
    """Never raises; all or nothing; a dry run changes nothing and says what a real run does."""
    before = rows(*IMPORT_TABLES)
    dry = run_import(text=text, dry_run=True)
    assert_well_formed(dry)
    assert rows(*IMPORT_TABLES) == before, "a dry run saved something"

    real = run_import(text=text)
    assert_well_formed(real)
    assert real.errors == dry.errors
    summary = ("created", "updated", "unchanged", "new_teams", "new_phases", "new_cohorts")
    assert [getattr(real, name) for name in summary] == [getattr(dry, name) for name in summary]
    after = rows(*IMPORT_TABLES)
    if real.errors:
        assert after == before, "a refused file changed the database"
    else:
        for attribute, table in counted.items():
            added = len(after[table._meta.label]) - len(before[table._meta.label])
            value = getattr(real, attribute)
            assert (value if isinstance(value, int) else len(value)) == added, attribute


def roster_files(cast) -> st.SearchStrategy[str]:
    people = [cast.practitioner, cast.supervisor, cast.practice_leader, cast.outsider]
    known = st.sampled_from([person.email for person in people])
    new = st.sampled_from(["new.one@council.example", "New.Two@Council.Example"])
    address = st.one_of(known, known.map(str.upper), new)
    team = st.sampled_from(["Cheltenham District", "cheltenham district", "Stroud", "STROUD"])
    role_group = st.sampled_from(
        [*RoleGroup.values, *RoleGroup.labels, "Senior Manager", "SENIOR-MANAGER"]
    )
    status = st.sampled_from(["", *PersonStatus.values, *PersonStatus.labels, "Extended leave"])
    name = st.sampled_from(["Sam Jones", "Ali Khan", "Zoë Ó Briain"])
    good = st.fixed_dictionaries(
        {
            "email": address,
            "full_name": name,
            "team": team,
            "role_group": role_group,
            "job_title": st.sampled_from(["", "Social worker"]),
            "line_manager_email": st.one_of(st.just(""), address),
            "status": status,
        }
    )
    cells = {
        "email": st.one_of(address, st.emails()),
        "full_name": st.one_of(name, st.just("x" * 201)),
        "team": st.one_of(team, st.just("t" * 121)),
        "role_group": role_group,
        "job_title": st.just("j" * 201),
        "line_manager_email": st.one_of(address, st.emails()),
        "status": status,
    }
    files = csv_files(
        cells=cells, required=ROSTER_REQUIRED, optional=ROSTER_OPTIONAL, good_rows=good
    )
    return import_texts(",".join(ROSTER_REQUIRED), files)


def _address_breaks_when_saved(value: str) -> bool:
    """validate_email accepts it, but not once lower-cased, or it is too long for the field."""
    try:
        validate_email(value)
    except ValidationError:
        return False
    saved = value.strip().lower()
    try:
        validate_email(saved)
    except ValidationError:
        return True
    return len(saved) > Person._meta.get_field("email").max_length


def _known_roster_crash(text: str) -> bool:
    """The bug kept in test_known_bug_roster_import_raises_on_addresses_it_accepted."""
    parsed = parse_csv(text, required=ROSTER_REQUIRED, optional=ROSTER_OPTIONAL)
    return any(_address_breaks_when_saved(raw["email"]) for _, raw in parsed.rows)


@PROPERTY
@given(data=st.data())
def test_roster_import_never_raises_and_is_all_or_nothing(cast, data):
    text = data.draw(roster_files(cast), label="file")
    assume(not _known_roster_crash(text))
    with rolled_back():
        assert_import_properties(roster_import, text, {"created": Person, "new_teams": Team})


@st.composite
def training_rows(draw: st.DrawFn, emails: list[str]) -> dict[str, str]:
    """A row that is right on its own: Cohort A's real dates, or one date a day for new ones."""
    phase, cohort = draw(
        st.sampled_from(
            [("Phase One", "Cohort A"), ("PHASE ONE", "cohort a"), ("Phase Two", "Cohort B")]
        )
    )
    day = draw(st.sampled_from(["1", "2", "day 1", "Day 2", "restorative", "BASE"]))
    second = day.lower() in ("2", "day 2", "base")
    if cohort.lower() == "cohort a":
        date = datetime.date(2016, 3, 8 if second else 1)
    else:
        date = datetime.date(2017, 5, 9 if second else 2)
    return {
        "email": draw(st.sampled_from(emails)),
        "phase": phase,
        "cohort": cohort,
        "day": day,
        "date": draw(date_text(st.just(date))),
        "attended": draw(st.sampled_from(["yes", "Y", "true", "1", "no", "N", "False", "0"])),
    }


@PROPERTY
@given(data=st.data())
def test_training_import_never_raises_and_is_all_or_nothing(cast, cohort, data):
    emails = [cast.practitioner.email, cast.supervisor.email, cast.outsider.email.upper()]
    cells = {
        "email": st.one_of(st.sampled_from(emails), st.emails()),
        "phase": st.sampled_from(["Phase One", "Phase Two", "p" * 121]),
        "cohort": st.sampled_from(["Cohort A", "Cohort B", "c" * 121]),
        "day": st.sampled_from(["1", "2", "3", "day 3", "Base model"]),
        "date": any_date(),
        "attended": st.sampled_from(["yes", "no", "maybe", "YES"]),
    }
    files = csv_files(
        cells=cells, required=TRAINING_COLUMNS, optional=[], good_rows=training_rows(emails)
    )
    text = data.draw(import_texts(",".join(TRAINING_COLUMNS), files), label="file")
    with rolled_back():
        assert_import_properties(
            training_import,
            text,
            {"created": CourseAttendance, "new_phases": Phase, "new_cohorts": Cohort},
        )


UPLOAD_EDGES = [
    b"",
    b"\x00",
    b"email\x00,full_name\n",
    b"\xef\xbb\xbf",
    b"\x81\x8d\x8f\x90\x9d",  # bytes that are neither UTF-8 nor Windows-1252
    b"\xff\xfe" + "email".encode("utf-16-le"),
    b"a," * 1_100_000,  # over the 2 MB limit
]


@pytest.mark.parametrize("url_name", ["roster_import", "training_import"])
@PROPERTY
@given(data=st.data())
def test_an_upload_of_any_bytes_is_refused_with_a_message_or_imported(
    cast, cohort, as_user, url_name, data
):
    header = ",".join(ROSTER_REQUIRED if url_name == "roster_import" else TRAINING_COLUMNS)
    texts = roster_files(cast) if url_name == "roster_import" else import_texts(header, st.text())
    content = data.draw(
        st.one_of(
            st.binary(max_size=600),
            st.tuples(texts, st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])).map(
                lambda text_codec: text_codec[0].encode(text_codec[1], errors="replace")
            ),
            st.sampled_from(UPLOAD_EDGES),
        ),
        label="content",
    )
    name = data.draw(st.sampled_from(["people.csv", "PEOPLE.CSV", "people.txt", "people", ".csv"]))
    dry_run = data.draw(st.booleans(), label="dry_run")
    if url_name == "roster_import":
        with contextlib.suppress(CSVFileError):
            assume(not _known_roster_crash(decode_upload(content)))
    client = as_user(cast.administrator)
    post = {"file": SimpleUploadedFile(name, content), **({"dry_run": "on"} if dry_run else {})}
    with rolled_back():
        before = rows(*IMPORT_TABLES)
        response = send(client, "post", reverse(url_name), post)
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            return
        assert rows(*IMPORT_TABLES) == before, "the page was shown again but something changed"
        result = response.context["result"]
        html = response.content.decode()
        if result is None:
            assert_refused(response, "form")
        elif result.errors:
            for error in result.errors:
                assert escape(f"Line {error.line}: {error.message}") in html
        else:
            assert dry_run
            assert escape(result.summary("x")[0].split(":")[0]) in html


# Learning circles ------------------------------------------------------------------------------


def _known_circle_dst_crash(start: str, end: str) -> bool:
    """The bug kept in test_known_bug_a_circle_meeting_in_the_hour_the_clocks_skip_crashes."""
    start_time = cleaned(CircleForm.base_fields["start_time"], start)
    end_time = cleaned(CircleForm.base_fields["end_time"], end)
    return bool(
        start_time and end_time and _clock_goes_backwards(CLOCKS_GO_FORWARD, start_time, end_time)
    )


@PROPERTY
@given(data=st.data())
def test_circle_create_never_fails_and_a_refused_circle_writes_nothing(cast, as_user, data):
    leader, practitioner = str(cast.practice_leader.pk), str(cast.practitioner.pk)
    post = {
        "name": data.draw(st.one_of(st.just("Stroud circle"), ANY_TEXT), label="name"),
        "kind": data.draw(st.one_of(st.just("learning_circle"), SHORT_TEXT), label="kind"),
        "facilitators": data.draw(
            st.lists(st.one_of(st.sampled_from([leader, practitioner]), NUMBERS, SHORT_TEXT)),
            label="facilitators",
        ),
        "ordinal": data.draw(
            st.one_of(st.sampled_from(["1", "2", "3", "4", "-1"]), SHORT_TEXT), label="ordinal"
        ),
        "weekday": data.draw(
            st.one_of(st.sampled_from([str(day) for day in range(7)]), SHORT_TEXT),
            label="weekday",
        ),
        "start_time": data.draw(TIMES, label="start_time"),
        "end_time": data.draw(TIMES, label="end_time"),
        # Dates near today only: a circle starting in 1900 makes 1,600 meetings (see the report).
        "starts_on": data.draw(
            st.one_of(date_text(NEAR_DATES), st.just("9999-12-31"), ANY_TEXT), label="starts_on"
        ),
        "ends_on": data.draw(st.one_of(st.just(""), any_date()), label="ends_on"),
        "venue": data.draw(st.one_of(st.just("Shire Hall"), ANY_TEXT), label="venue"),
        "online_link": data.draw(
            st.one_of(
                st.sampled_from(
                    ["", "https://meet.example/abc", "meet.example", "javascript:alert(1)"]
                ),
                st.sampled_from(["http://[::1", "https://" + "a" * 300 + ".example"]),
                ANY_TEXT,
            ),
            label="online_link",
        ),
    }
    assume(not _known_circle_dst_crash(post["start_time"], post["end_time"]))
    client = as_user(cast.practice_leader)
    tables = (LearningCircle, LearningCircle.facilitators.through, CircleMeeting)
    with rolled_back():
        before = rows(*tables)
        response = send(client, "post", reverse("circle_create"), post)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_refused(response, "form")
            assert rows(*tables) == before
        else:
            assert LearningCircle.objects.count() == len(before["circles.LearningCircle"]) + 1


@PROPERTY
@given(data=st.data())
def test_adding_a_member_never_fails_and_a_refused_address_adds_nobody(
    cast, as_user, circle, leaver, data
):
    people = [cast.practitioner, cast.supervisor, cast.outsider, leaver]
    post = {
        "email": data.draw(emails_of(people), label="email"),
        "action": data.draw(
            st.one_of(st.just("add"), SHORT_TEXT.filter(lambda action: action != "remove")),
            label="action",
        ),
    }
    client = as_user(cast.practice_leader)
    with rolled_back():
        before = rows(CircleMembership)
        response = send(client, "post", reverse("circle_detail", args=[circle.pk]), post)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_refused(response, "add_form")
            assert rows(CircleMembership) == before


@PROPERTY
@given(data=st.data())
def test_a_meeting_record_never_fails_and_a_refused_one_saves_nothing(cast, as_user, circle, data):
    meeting = circle.meetings.order_by("starts_at").first()
    people = [cast.practitioner.pk, cast.outsider.pk]
    post: dict[str, object] = {
        "topics": data.draw(
            st.lists(st.one_of(st.sampled_from(Topic.values), SHORT_TEXT), max_size=7),
            label="topics",
        ),
        "cases_brought": data.draw(
            st.one_of(st.integers(-5, 40_000).map(str), ANY_TEXT), label="cases_brought"
        ),
        "notes": data.draw(st.one_of(st.just("Worked on analysis."), ANY_TEXT), label="notes"),
    }
    statuses = data.draw(
        st.dictionaries(
            key_suffixes(people).filter(lambda suffix: not _breaks_int(suffix)),
            st.one_of(st.sampled_from(AttendanceStatus.values), SHORT_TEXT),
            max_size=4,
        ),
        label="statuses",
    )
    post.update({f"status-{suffix}": value for suffix, value in statuses.items()})
    client = as_user(cast.practice_leader)
    tables = (CircleMeeting, MeetingAttendance)
    with rolled_back():
        before = rows(*tables)
        response = send(client, "post", reverse("meeting_detail", args=[meeting.pk]), post)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_refused(response, "record_form")
            assert rows(*tables) == before


def _known_move_dst_crash(post: dict[str, str]) -> bool:
    """The bug kept in test_known_bug_moving_a_meeting_into_the_hour_the_clocks_skip_crashes."""
    fields = MoveMeetingForm.base_fields
    day = cleaned(fields["date"], post["date"])
    start = cleaned(fields["start_time"], post["start_time"])
    end = cleaned(fields["end_time"], post["end_time"])
    return bool(day and start and end and _clock_goes_backwards(day, start, end))


@PROPERTY
@given(data=st.data())
def test_moving_a_meeting_never_fails_and_a_refused_move_changes_nothing(
    cast, as_user, circle, data
):
    meeting = circle.meetings.order_by("starts_at").first()
    post = {
        "action": "move",
        "date": data.draw(any_date(), label="date"),
        "start_time": data.draw(TIMES, label="start_time"),
        "end_time": data.draw(TIMES, label="end_time"),
        "venue": data.draw(st.one_of(st.just(""), ANY_TEXT), label="venue"),
    }
    assume(not _known_move_dst_crash(post))
    client = as_user(cast.practice_leader)
    with rolled_back():
        before = rows(CircleMeeting)
        response = send(client, "post", reverse("meeting_change", args=[meeting.pk]), post)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_refused(response, "form")
            assert rows(CircleMeeting) == before
        else:
            moved = CircleMeeting.objects.get(pk=meeting.pk)
            assert moved.sequence == meeting.sequence + 1
            assert moved.ends_at > moved.starts_at


# 2:1 supervision and reviews -------------------------------------------------------------------


@PROPERTY
@given(data=st.data())
def test_scheduling_a_2_1_never_fails_and_a_refused_one_is_not_saved(
    cast, as_user, second_supervisee, data
):
    choices = [cast.practitioner, second_supervisee, cast.outsider, cast.supervisor]
    post = {
        "practitioners": data.draw(
            st.lists(
                st.one_of(st.sampled_from([str(person.pk) for person in choices]), SHORT_TEXT),
                max_size=4,
            ),
            label="practitioners",
        ),
        "date": data.draw(any_date(), label="date"),
        "start_time": data.draw(TIMES, label="start_time"),
        "end_time": data.draw(TIMES, label="end_time"),
        "place": data.draw(st.one_of(st.just("Room 4"), ANY_TEXT), label="place"),
        "reason": data.draw(st.one_of(st.just(""), st.just("Only one trained"), ANY_TEXT)),
    }
    client = as_user(cast.supervisor)
    tables = (SupervisionSession, SupervisionSession.practitioners.through)
    with rolled_back():
        before = rows(*tables)
        response = send(client, "post", reverse("session_create"), post)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_refused(response, "form")
            assert rows(*tables) == before
        else:
            session = SupervisionSession.objects.latest("pk")
            assert len(before["supervision.SupervisionSession"]) + 1 == (
                SupervisionSession.objects.count()
            )
            assert session.ends_at > session.starts_at
            assert 1 <= session.practitioners.count() <= 2


@PROPERTY
@given(data=st.data())
def test_starting_a_review_never_fails_and_a_refused_one_is_not_saved(
    cast, as_user, second_supervisee, data
):
    own = make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner])
    other = make_session(supervisor=cast.supervisor, practitioners=[second_supervisee])
    post = {
        "case_reference": data.draw(
            st.one_of(st.sampled_from(["", "CR-1042", "Jamie Smith", "x" * 41]), ANY_TEXT),
            label="case_reference",
        ),
        "case_type": data.draw(st.one_of(st.sampled_from(CaseType.values), SHORT_TEXT)),
        "risk_level": data.draw(st.one_of(st.sampled_from(RiskLevel.values), SHORT_TEXT)),
        "session": data.draw(
            st.one_of(st.sampled_from(["", str(own.pk), str(other.pk)]), NUMBERS, SHORT_TEXT),
            label="session",
        ),
    }
    client = as_user(cast.practitioner)
    with rolled_back():
        before = rows(Review)
        response = send(client, "post", reverse("review_start"), post)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_refused(response, "form")
            assert rows(Review) == before
        else:
            assert Review.objects.count() == len(before["competencies.Review"]) + 1


def _expected_ratings(
    post: dict[str, str], considered: list[int], before: dict[int, tuple]
) -> tuple[dict[int, tuple], set[int]]:
    """What the grid should save, worked out independently of the product's parsing.

    A row counts only with a level of 1, 2, 3 or not_seen; it is refused (a conflict) unless
    its based_on (a number, else 0) is the revision of the rating as it stands (0 for none).
    """
    expected, conflicts = dict(before), set()
    for competency_id in considered:
        level_text = post.get(f"level-{competency_id}", "")
        if level_text not in ("1", "2", "3", "not_seen"):
            continue
        based_on_text = post.get(f"based_on-{competency_id}", "0")
        based_on = int(based_on_text) if based_on_text.isdigit() else 0
        seen = before[competency_id][2] if competency_id in before else 0
        if based_on != seen:
            conflicts.add(competency_id)
            continue
        level = None if level_text == "not_seen" else int(level_text)
        comment = post.get(f"comment-{competency_id}", "").strip()[:2000]
        expected[competency_id] = (level, comment, seen + 1)
    return expected, conflicts


@PROPERTY
@given(data=st.data())
def test_the_rating_grid_saves_exactly_the_valid_unconflicted_rows(cast, as_user, review, data):
    ids = competency_ids(review)
    post: dict[str, str] = {}
    for competency_id in data.draw(st.lists(st.sampled_from(ids), unique=True, max_size=6)):
        post[f"level-{competency_id}"] = data.draw(
            st.one_of(st.sampled_from(["1", "2", "3", "not_seen"]), SHORT_TEXT)
        )
        if data.draw(st.booleans()):
            post[f"based_on-{competency_id}"] = data.draw(
                st.one_of(st.sampled_from(["0", "1", "2"]), NUMBERS, SHORT_TEXT)
            )
        if data.draw(st.booleans()):
            post[f"comment-{competency_id}"] = data.draw(
                st.one_of(st.just("Seen in supervision"), ANY_TEXT)
            )
    htmx = data.draw(st.booleans(), label="htmx")
    if htmx:
        post["competency"] = data.draw(
            st.one_of(st.sampled_from([str(pk) for pk in ids]), NUMBERS, SHORT_TEXT)
        )
    # Known bugs, kept at the end of the file: "²" as a number, and null characters.
    assume(not any(_breaks_int(value) for value in post.values()))
    assume(not any("\x00" in value for key, value in post.items() if key.startswith("comment")))

    considered, statuses = ids, {302, 409}
    competency = post.get("competency", "")
    if htmx and competency.isdigit():
        considered = [int(competency)] if int(competency) in ids else []
        statuses = {200} if considered else {404}
    client = as_user(cast.practitioner)
    with rolled_back():
        before = {
            rating.competency_id: (rating.level, rating.comment, rating.revision)
            for rating in Rating.objects.filter(review=review, rater=Rater.SELF)
        }
        expected, conflicts = _expected_ratings(post, considered, before)
        if statuses == {302, 409}:
            statuses = {409} if conflicts else {302}
        response = send(
            client,
            "post",
            reverse("review_detail", args=[review.pk]),
            post,
            **(HTMX if htmx else {}),
        )
        assert response.status_code in statuses
        after = {
            rating.competency_id: (rating.level, rating.comment, rating.revision)
            for rating in Rating.objects.filter(review=review, rater=Rater.SELF)
        }
        assert after == expected
        assert not Rating.objects.filter(review=review, rater=Rater.SUPERVISOR).exists()


# Cohort registers ------------------------------------------------------------------------------


@PROPERTY
@given(data=st.data())
def test_adding_to_a_register_never_fails_and_a_refused_address_adds_nobody(
    cast, as_user, cohort, leaver, data
):
    people = [cast.practitioner, cast.practice_leader, cast.outsider, leaver]
    post = {"action": "add", "email": data.draw(emails_of(people), label="email")}
    client = as_user(cast.administrator)
    with rolled_back():
        before = rows(CourseAttendance)
        response = send(client, "post", reverse("cohort_detail", args=[cohort.pk]), post)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_refused(response, "add_form")
            assert rows(CourseAttendance) == before
        else:
            email = post["email"].strip().lower()
            assert CourseAttendance.objects.filter(cohort=cohort, person__email=email).count() == 2


def register(cohort: Cohort) -> dict[tuple[int, int], bool]:
    """{(person_id, day): attended} for the cohort's register."""
    marks = CourseAttendance.objects.filter(cohort=cohort).values_list(
        "person_id", "day", "attended"
    )
    return {(person, day): attended for person, day, attended in marks}


def _marks(values: list[str], registered: set[int]) -> set[tuple[int, int]]:
    marks = set()
    for value in values:
        person, _, day = value.partition(":")
        if person.isdigit() and day in ("1", "2") and int(person) in registered:
            marks.add((int(person), int(day)))
    return marks


@PROPERTY
@given(data=st.data())
def test_saving_a_register_records_exactly_the_ticked_boxes_of_people_on_it(
    cast, as_user, cohort, data
):
    registered = {cast.practitioner.pk, cast.supervisor.pk}
    boxes = st.one_of(
        st.tuples(
            st.sampled_from([*registered, cast.outsider.pk]), st.sampled_from(["1", "2", "3"])
        ).map(lambda person_day: f"{person_day[0]}:{person_day[1]}"),
        SHORT_TEXT.filter(lambda value: not _breaks_int(value.partition(":")[0])),
    )
    post: dict[str, object] = {"attended": data.draw(st.lists(boxes, max_size=5), label="ticked")}
    if data.draw(st.booleans()):
        post["toggle"] = data.draw(boxes, label="toggle")
    htmx = data.draw(st.booleans(), label="htmx")

    checked = _marks(post["attended"], registered)
    toggled = _marks([post.get("toggle", "")], registered)
    client = as_user(cast.administrator)
    with rolled_back():
        before = register(cohort)
        if htmx and toggled:
            expected = {**before, **{key: key in checked for key in toggled}}
        else:
            expected = {key: key in checked for key in before}
        response = send(
            client,
            "post",
            reverse("cohort_detail", args=[cohort.pk]),
            post,
            **(HTMX if htmx else {}),
        )
        assert response.status_code == (200 if htmx and toggled else 302)
        after = register(cohort)
        assert after == expected


# The figure pages ------------------------------------------------------------------------------

FIGURE_TABLES = (Person, Team, Phase, Cohort, CourseAttendance, Review, Rating)


@PROPERTY
@given(data=st.data())
def test_the_rollout_page_answers_any_as_of_and_changes_nothing(cast, as_user, cohort, data):
    # Dates from 1900 to 2100: the page draws a point a month from the first training to
    # as_of, so a date in the year 9000 takes half a minute (see the report).
    params = {
        "as_of": data.draw(
            st.one_of(
                date_text(st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31))),
                st.sampled_from(["0001-01-01", "2016-02-29", "31/12/2016"]),
                ANY_TEXT,
            ),
            label="as_of",
        )
    }
    if data.draw(st.booleans()):
        params["table"] = data.draw(st.one_of(st.sampled_from(["phases", "teams"]), SHORT_TEXT))
        params["_export"] = data.draw(st.one_of(st.sampled_from(["csv", "xlsx"]), SHORT_TEXT))
    if data.draw(st.booleans()):
        params["teams-sort"] = data.draw(st.one_of(st.sampled_from(["name", "-name"]), SHORT_TEXT))
    client = as_user(cast.administrator)
    with rolled_back():
        before = rows(*FIGURE_TABLES)
        response = send(client, "get", reverse("rollout"), params)
        assert response.status_code == 200
        assert rows(*FIGURE_TABLES) == before
        as_of = AsOfForm(params).as_of_date()
        if response.get("Content-Disposition") is None:
            assert response.context["summary"].as_of == as_of


def _known_dashboard_crash(as_of: str) -> bool:
    """The bug kept in test_known_bug_the_dashboard_crashes_at_the_ends_of_the_calendar."""
    day = cleaned(DashboardFilterForm.base_fields["as_of"], as_of)
    return bool(day and (day.year < 3 or day > datetime.date(9999, 12, 1)))


@SLOW_PROPERTY
@given(data=st.data())
def test_the_dashboard_answers_any_filters_and_changes_nothing(cast, as_user, cohort, data):
    team, phase = cast.practitioner.team, cohort.phase
    params = {
        "as_of": data.draw(any_date(), label="as_of"),
        "phase": data.draw(st.one_of(st.sampled_from(["", str(phase.pk)]), NUMBERS, SHORT_TEXT)),
        "team": data.draw(st.one_of(st.sampled_from(["", str(team.pk)]), NUMBERS, SHORT_TEXT)),
        "service_area": data.draw(st.one_of(st.sampled_from(["", team.service_area]), SHORT_TEXT)),
        "role_group": data.draw(st.one_of(st.sampled_from(["all", *RoleGroup.values]), SHORT_TEXT)),
        "case_context": data.draw(st.one_of(st.sampled_from(["", "statutory"]), SHORT_TEXT)),
    }
    if data.draw(st.booleans()):
        params["table"] = data.draw(st.one_of(st.sampled_from(["teams", "cohorts"]), SHORT_TEXT))
        params["_export"] = data.draw(st.one_of(st.sampled_from(["csv", "xlsx"]), SHORT_TEXT))
    assume(not _known_dashboard_crash(params["as_of"]))
    client = as_user(cast.administrator)
    with rolled_back():
        before = rows(*FIGURE_TABLES)
        response = send(client, "get", reverse("fidelity"), params)
        assert response.status_code == 200
        assert rows(*FIGURE_TABLES) == before


# Known bugs ------------------------------------------------------------------------------------
# Each is a property that fails today, with its minimal input as an explicit example.

LONG_ADDRESS = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 60 + ".com"  # 257


@pytest.mark.xfail(
    strict=True,
    reason="training/imports.py:81-86 `_email` validates an address and then lower-cases it, "
    "with no length limit: 'İ@example.com' lower-cases to 'i̇@example.com' (invalid), and a "
    "255 to 320 character address passes validate_email but not Person.email's 254 limit. "
    "person.full_clean() at training/imports.py:227 then raises ValidationError out of "
    "roster_import, and the roster upload page answers 500.",
)
@PROPERTY
@given(address=st.one_of(st.emails(), st.sampled_from(["K@example.com", "İ@example.com"])))
@example(address="İ@example.com")
@example(address=LONG_ADDRESS)
def test_known_bug_roster_import_raises_on_addresses_it_accepted(cast, as_user, address):
    text = f"email,full_name,team,role_group\n{address},Sam Jones,Stroud,practitioner\n"
    client = as_user(cast.administrator)
    with rolled_back():
        before = rows(*IMPORT_TABLES)
        upload = SimpleUploadedFile("people.csv", text.encode())
        response = send(client, "post", reverse("roster_import"), {"file": upload})
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert rows(*IMPORT_TABLES) == before


SUPERSCRIPTS = st.sampled_from(["²", "³", "¹", "①", "⁴2", "1²"])


@pytest.mark.xfail(
    strict=True,
    reason="circles/forms.py:115-116 parse_attendance checks person_id.isdigit() and then "
    "calls int(person_id); '²'.isdigit() is True but int('²') raises ValueError, so a POST "
    "to meeting_detail with a field named 'status-²' answers 500.",
)
@PROPERTY
@given(suffix=SUPERSCRIPTS)
@example(suffix="²")
def test_known_bug_an_attendance_field_named_with_a_superscript_crashes(
    cast, as_user, circle, suffix
):
    meeting = circle.meetings.order_by("starts_at").first()
    client = as_user(cast.practice_leader)
    with rolled_back():
        response = send(
            client,
            "post",
            reverse("meeting_detail", args=[meeting.pk]),
            {f"status-{suffix}": "present"},
        )
        assert response.status_code in (200, 302)


@pytest.mark.xfail(
    strict=True,
    reason="training/views.py:129 _parse_marks checks person_id.isdigit() and then calls "
    "int(person_id); a POST to cohort_detail with attended='²:1' (or toggle='²:1') raises "
    "ValueError and answers 500.",
)
@PROPERTY
@given(person=SUPERSCRIPTS)
@example(person="²")
def test_known_bug_a_register_box_with_a_superscript_crashes(cast, as_user, cohort, person):
    client = as_user(cast.administrator)
    with rolled_back():
        response = send(
            client, "post", reverse("cohort_detail", args=[cohort.pk]), {"attended": f"{person}:1"}
        )
        assert response.status_code == 302


@pytest.mark.xfail(
    strict=True,
    reason="competencies/forms.py:71 rating_changes reads based_on with "
    "`int(based_on) if based_on.isdigit() else 0`; based_on-<id>='²' passes isdigit() and "
    "int('²') raises ValueError, so the review_detail POST answers 500.",
)
@PROPERTY
@given(based_on=SUPERSCRIPTS)
@example(based_on="²")
def test_known_bug_a_rating_based_on_a_superscript_crashes(cast, as_user, review, based_on):
    competency = competency_ids(review)[-1]
    client = as_user(cast.practitioner)
    post = {f"level-{competency}": "2", f"based_on-{competency}": based_on}
    with rolled_back():
        response = send(client, "post", reverse("review_detail", args=[review.pk]), post)
        assert response.status_code in (302, 409)


@pytest.mark.xfail(
    strict=True,
    reason="competencies/views.py:89-90 review_detail checks "
    "request.POST['competency'].isdigit() and then calls int() on it; an htmx POST with "
    "competency='²' raises ValueError and answers 500.",
)
@PROPERTY
@given(competency=SUPERSCRIPTS)
@example(competency="²")
def test_known_bug_an_htmx_rating_of_a_superscript_competency_crashes(
    cast, as_user, review, competency
):
    client = as_user(cast.practitioner)
    with rolled_back():
        response = send(
            client,
            "post",
            reverse("review_detail", args=[review.pk]),
            {"competency": competency},
            **HTMX,
        )
        assert response.status_code in (302, 404, 409)


@pytest.mark.xfail(
    strict=True,
    reason="competencies/forms.py:70 rating_changes takes comment-<id> straight from "
    "request.POST (no form, so no ProhibitNullCharactersValidator) and "
    "competencies/services.py ratings_save stores it: a comment with a null character is "
    "saved as is on SQLite, and on PostgreSQL (production) the save raises and the page "
    "answers 500.",
)
@PROPERTY
@given(comment=st.text(min_size=1, max_size=5).map(lambda text: text + "\x00"))
@example(comment="\x00")
def test_known_bug_a_rating_comment_with_a_null_character_is_not_refused(
    cast, as_user, review, comment
):
    competency = competency_ids(review)[-1]
    client = as_user(cast.practitioner)
    post = {f"level-{competency}": "2", f"comment-{competency}": comment}
    with rolled_back():
        response = send(client, "post", reverse("review_detail", args=[review.pk]), post)
        assert response.status_code in (200, 302, 409)
        assert not Rating.objects.filter(comment__contains="\x00").exists()


@pytest.mark.xfail(
    strict=True,
    reason="circles/views.py:87 get_object_or_404(circle.members, pk=request.POST.get("
    "'person')) with action=remove and a person that is not a number (person='a') raises "
    "ValueError (\"Field 'id' expected a number\"), which get_object_or_404 does not turn into "
    "a 404: the circle page answers 500.",
)
@PROPERTY
@given(person=st.text(min_size=1, max_size=10).filter(lambda text: not text.strip().isdigit()))
@example(person="a")
def test_known_bug_removing_a_member_who_is_not_a_number_crashes(cast, as_user, circle, person):
    client = as_user(cast.practice_leader)
    with rolled_back():
        response = send(
            client,
            "post",
            reverse("circle_detail", args=[circle.pk]),
            {"action": "remove", "person": person},
        )
        assert response.status_code in (302, 404)


SKIPPED_HOUR = st.tuples(
    st.times(datetime.time(1, 0), datetime.time(1, 59)).map(lambda t: f"{t:%H:%M}"),
    st.times(datetime.time(2, 0), datetime.time(2, 59)).map(lambda t: f"{t:%H:%M}"),
).filter(
    lambda times: _clock_goes_backwards(
        CLOCKS_GO_FORWARD,
        datetime.time.fromisoformat(times[0]),
        datetime.time.fromisoformat(times[1]),
    )
)


@pytest.mark.xfail(
    strict=True,
    reason="circles/services.py:179-184 meeting_move combines the date with start and end "
    "times in Europe/London and calls meeting.full_clean() outside any try: on the day the "
    "clocks go forward, 01:00 to 02:00 (MoveMeetingForm accepts it, end after start) becomes "
    "01:00 UTC to 01:00 UTC, the meeting_ends_after_it_starts constraint fails, and "
    "meeting_change answers 500 with ValidationError.",
)
@PROPERTY
@given(times=SKIPPED_HOUR)
@example(times=("01:00", "02:00"))
def test_known_bug_moving_a_meeting_into_the_hour_the_clocks_skip_crashes(
    cast, as_user, circle, times
):
    meeting = circle.meetings.order_by("starts_at").first()
    post = {
        "action": "move",
        "date": CLOCKS_GO_FORWARD.isoformat(),
        "start_time": times[0],
        "end_time": times[1],
        "venue": "",
    }
    client = as_user(cast.practice_leader)
    with rolled_back():
        response = send(client, "post", reverse("meeting_change", args=[meeting.pk]), post)
        assert response.status_code in (200, 302)


@pytest.mark.xfail(
    strict=True,
    reason="circles/services.py:84 circle_schedule creates each meeting with times combined in "
    "Europe/London; a circle on the last Sunday of the month from 01:00 to 02:00 (CircleForm "
    "and LearningCircle.clean accept it) gets a March meeting from 01:00 UTC to 01:00 UTC, "
    "the meeting_ends_after_it_starts CHECK constraint fails with IntegrityError and "
    "circle_create answers 500 (circle_edit and the daily circles_extend job too).",
)
@PROPERTY
@given(times=SKIPPED_HOUR)
@example(times=("01:00", "02:00"))
def test_known_bug_a_circle_meeting_in_the_hour_the_clocks_skip_crashes(cast, as_user, times):
    post = {
        "name": "Night owls",
        "kind": "learning_circle",
        "facilitators": [str(cast.practice_leader.pk)],
        "ordinal": "-1",
        "weekday": "6",
        "start_time": times[0],
        "end_time": times[1],
        "starts_on": TODAY.isoformat(),
        "venue": "Shire Hall",
    }
    client = as_user(cast.practice_leader)
    with rolled_back():
        response = send(client, "post", reverse("circle_create"), post)
        assert response.status_code in (200, 302)


@pytest.mark.xfail(
    strict=True,
    reason="dashboards/selectors.py:126 _day_end adds a day to as_of and :162 people_status "
    "subtracts the embedded-supervision weeks from it: as_of=9999-12-31 or 0001-01-01 (both "
    "accepted by DashboardFilterForm) raises OverflowError, so /fidelity/ (and the home page "
    "of programme leads and administrators) answers 500.",
)
@PROPERTY
@given(as_of=st.dates(max_value=datetime.date(1, 3, 1)).map(datetime.date.isoformat))
@example(as_of="9999-12-31")
@example(as_of="0001-01-01")
def test_known_bug_the_dashboard_crashes_at_the_ends_of_the_calendar(cast, as_user, as_of):
    client = as_user(cast.administrator)
    with rolled_back():
        response = send(client, "get", reverse("fidelity"), {"as_of": as_of})
        assert response.status_code == 200


@pytest.mark.xfail(
    strict=True,
    reason="training/selectors.py:199 _next_month steps past 9999-12 when _timeline "
    "(line 214) reaches as_of's month: with any training recorded, /rollout/?as_of=9999-12-31 "
    "raises OverflowError and answers 500.",
)
@PROPERTY
@given(as_of=st.dates(datetime.date(9999, 12, 1)).map(datetime.date.isoformat))
@example(as_of="9999-12-31")
def test_known_bug_the_rollout_page_crashes_in_the_last_month_of_the_calendar(
    cast, as_user, cohort, as_of
):
    client = as_user(cast.administrator)
    with rolled_back():
        response = send(client, "get", reverse("rollout"), {"as_of": as_of})
        assert response.status_code == 200
