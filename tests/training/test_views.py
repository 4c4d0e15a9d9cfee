from __future__ import annotations

import csv
import datetime
import io
from html import unescape
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape

from tests.factories import attend, make_cohort, make_person, make_phase, make_team
from training.models import (
    Cohort,
    CourseAttendance,
    CourseDay,
    Person,
    council_id,
)
from training.selectors import roster_people
from training.services import first_days_record

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def build_workforce(size: int) -> None:
    """`size` people in 10 teams over two phases, most of them trained."""
    phases = [make_phase("Pilot", 1), make_phase("Phase 1", 2)]
    cohorts = [make_cohort(phase=phase) for phase in phases]
    teams = [make_team(f"Workforce team {number}") for number in range(10)]
    council = council_id()
    people = Person.objects.bulk_create(
        Person(
            organisation_id=council,
            email=f"w{number}@council.example",
            full_name=f"Worker {number}",
            team=teams[number % 10],
            role_group="practitioner",
        )
        for number in range(size)
    )
    CourseAttendance.objects.bulk_create(
        CourseAttendance(person=person, cohort=cohorts[number % 2], day=day, attended=True)
        for number, person in enumerate(people[: size * 3 // 4])
        for day in CourseDay
    )
    first_days_record()  # written in bulk, past the receivers


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("rollout"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


class DownloadLinks(HTMLParser):
    """The accessible name (the text, hidden text included) and address of every download link."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") or ""
        if tag == "a" and "_export=" in href:
            self._href, self._text = href, []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None


def download_links(html: str) -> list[tuple[str, str]]:
    parser = DownloadLinks()
    parser.feed(html)
    return parser.links


def test_the_roster_download_links_say_they_download_the_roster_as_filtered(cast, as_user):
    client = as_user(cast.administrator)

    response = client.get(reverse("roster"), {"team": cast.outsider.team_id})

    links = download_links(response.content.decode())
    assert [name for name, _ in links] == [
        "Download CSV of the roster as filtered",
        "Download Excel of the roster as filtered",
    ]
    csv_link = unescape(links[0][1]).removeprefix("?")
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("roster"), QueryDict(csv_link)).content.decode("utf-8-sig")
            )
        )
    )
    assert [row["Email"] for row in rows] == [cast.outsider.email]


def test_roster_lists_and_filters_people(cast, as_user):
    response = as_user(cast.programme_lead).get(reverse("roster"), {"team": cast.outsider.team_id})

    assert list(response.context["table"].data) == [cast.outsider]


@pytest.mark.parametrize("per_page", ["-1", "0", "1e8", "abc", "999999", "", "1"])
def test_any_page_size_in_the_address_gives_a_page(cast, as_user, per_page):
    response = as_user(cast.administrator).get(reverse("roster"), {"per_page": per_page})

    assert response.status_code == 200
    shown = len(response.context["table"].page.object_list)
    assert shown == (1 if per_page == "1" else 6)  # the cast: six people, one page of 50


def test_an_administrators_roster_links_each_persons_audit_trail_named_for_them(cast, as_user):
    page = as_user(cast.administrator).get(reverse("roster")).content.decode()
    lead_page = as_user(cast.programme_lead).get(reverse("roster")).content.decode()

    trail = reverse("person_audit", args=[cast.practitioner.pk])
    assert (
        f'<a href="{trail}">Audit trail<span class="visually-hidden"> of '
        f"{escape(cast.practitioner.full_name)}</span></a>"
    ) in page
    assert "Audit trail" not in lead_page


def test_roster_htmx_request_gets_only_the_results(cast, as_user):
    response = as_user(cast.administrator).get(reverse("roster"), **HTMX)

    assert response.content.decode().lstrip().startswith('<div id="results"')


@pytest.mark.parametrize("size", [20, 2000])
def test_roster_runs_a_constant_number_of_queries(cast, as_user, size, django_assert_num_queries):
    build_workforce(size)
    client = as_user(cast.administrator)

    # session, user, roles, count, page of people, teams for the filter's choices
    with django_assert_num_queries(6):
        client.get(reverse("roster"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's plan")
def test_the_rosters_first_page_is_read_in_name_order_from_an_index(cast):
    # Without it, every person's training is worked out before the first 50 are picked.
    first_page = roster_people(as_of=datetime.date(2026, 12, 1))[:50]

    assert "USING INDEX person_full_name" in first_page.explain()


# Imports ----------------------------------------------------------------------------------------

ROSTER = "email,full_name,team,role_group\n"


def upload(client, name: str, text: str | bytes, **extra):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse(name), {"file": SimpleUploadedFile("people.csv", data), **extra}, follow=True
    )


@pytest.mark.parametrize("role", ["practitioner", "programme_lead", "practice_leader"])
def test_only_administrators_may_import(cast, as_user, role):
    client = as_user(getattr(cast, role))

    assert client.get(reverse("roster_import")).status_code == 403
    assert upload(client, "roster_import", ROSTER + "n@x.example,N,T,partner\n").status_code == 403
    assert not Person.objects.filter(email="n@x.example").exists()


def test_an_administrator_imports_a_roster_and_sees_the_summary(cast, as_user):
    response = upload(
        as_user(cast.administrator), "roster_import", ROSTER + "n@x.example,N,T,partner\n"
    )

    assert "1 people created, 0 updated, 6 unchanged." not in response.content.decode()
    assert "1 people created, 0 updated, 0 unchanged." in response.content.decode()
    assert Person.objects.filter(email="n@x.example").exists()


def test_an_upload_with_bad_rows_lists_every_line_and_imports_nothing(cast, as_user):
    response = upload(
        as_user(cast.administrator),
        "roster_import",
        ROSTER + "n@x.example,N,T,wizard\nbad,M,T,partner\n",
    )

    html = response.content.decode()
    assert "Line 2: role_group &#x27;wizard&#x27; is not one of" in html
    assert "Line 3: &#x27;bad&#x27; is not a valid email address" in html
    assert Person.objects.count() == 6


def test_a_dry_run_upload_shows_the_summary_and_saves_nothing(cast, as_user):
    response = upload(
        as_user(cast.administrator),
        "roster_import",
        ROSTER + "n@x.example,N,T,partner\n",
        dry_run="on",
    )

    assert "Dry run, nothing saved: would have 1 people created" in response.content.decode()
    assert not Person.objects.filter(email="n@x.example").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("people.xls", b"\xd0\xcf\x11\xe0", "Choose a file that ends in .csv or .xlsx."),
        ("people.xlsx", b"PK\x03\x04", "This is not an Excel workbook (.xlsx)."),
        ("people.xlsx", b"email,full_name\n", "This is not an Excel workbook (.xlsx)."),
        ("people.csv", b"PK\x03\x04\x00\x00", "This is not a CSV file"),
    ],
)
def test_wrong_kinds_of_file_are_refused_with_a_message(cast, as_user, name, data, message):
    response = as_user(cast.administrator).post(
        reverse("roster_import"), {"file": SimpleUploadedFile(name, data)}
    )

    assert message in response.content.decode()
    assert Person.objects.count() == 6


def test_excel_csv_in_windows_1252_and_utf8_with_bom_are_both_read(cast, as_user):
    client = as_user(cast.administrator)
    upload(client, "roster_import", (ROSTER + "a@x.example,Zoë,T,partner\n").encode("cp1252"))
    upload(client, "roster_import", (ROSTER + "b@x.example,Siân,T,partner\n").encode("utf-8-sig"))

    assert Person.objects.get(email="a@x.example").full_name == "Zoë"
    assert Person.objects.get(email="b@x.example").full_name == "Siân"


def test_an_administrator_imports_training_attendance(cast, as_user):
    response = upload(
        as_user(cast.administrator),
        "training_import",
        "email,phase,cohort,day,date,attended\n"
        f"{cast.practitioner.email},Pilot,C1,1,2016-01-05,yes\n",
    )

    assert "New cohorts: C1 (Pilot)." in response.content.decode()
    assert CourseAttendance.objects.filter(person=cast.practitioner, attended=True).count() == 1


# Cohorts ----------------------------------------------------------------------------------------


@pytest.fixture
def cohort(cast):
    cohort = make_cohort(phase=make_phase("Pilot"))
    attend(cast.practitioner, cohort, attended=False)
    attend(cast.outsider, cohort, CourseDay.RESTORATIVE)
    return cohort


def test_programme_leads_see_cohorts_but_cannot_record_attendance(cast, as_user, cohort):
    client = as_user(cast.programme_lead)

    assert client.get(reverse("cohort_detail", args=[cohort.pk])).status_code == 200
    response = client.post(
        reverse("cohort_register_save_all", args=[cohort.pk]),
        {"attended": [f"{cast.practitioner.pk}:1"]},
    )
    assert response.status_code == 403
    assert not CourseAttendance.objects.get(person=cast.practitioner, day=1).attended


def test_an_unknown_cohort_is_not_found(cast, as_user):
    assert (
        as_user(cast.practice_leader).get(reverse("cohort_detail", args=[999])).status_code == 404
    )


def test_a_practice_leader_saves_the_whole_register_without_javascript(cast, as_user, cohort):
    response = as_user(cast.practice_leader).post(
        reverse("cohort_register_save_all", args=[cohort.pk]),
        {"attended": [f"{cast.practitioner.pk}:1", f"{cast.practitioner.pk}:2"]},
    )

    assert response.status_code == 302
    marks = dict(
        CourseAttendance.objects.filter(cohort=cohort)
        .values_list("person__email", "attended")
        .filter(day=1)
    )
    assert marks == {cast.practitioner.email: True, cast.outsider.email: False}
    assert CourseAttendance.objects.get(person=cast.practitioner, day=2).attended


def test_an_htmx_toggle_saves_one_mark_and_returns_only_that_row(cast, as_user, cohort):
    response = as_user(cast.practice_leader).post(
        reverse("cohort_register_mark", args=[cohort.pk]),
        {"toggle": f"{cast.practitioner.pk}:2", "attended": [f"{cast.practitioner.pk}:2"]},
        **HTMX,
    )

    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="person-{cast.practitioner.pk}"')
    assert "<html" not in html
    assert CourseAttendance.objects.get(person=cast.practitioner, day=2).attended
    assert not CourseAttendance.objects.get(person=cast.practitioner, day=1).attended
    assert CourseAttendance.objects.get(person=cast.outsider, day=1).attended


def test_ticking_a_day_someone_has_no_record_of_records_it_through_the_page(cast, as_user, cohort):
    client = as_user(cast.practice_leader)

    response = client.post(
        reverse("cohort_register_save_all", args=[cohort.pk]),
        {"attended": [f"{cast.outsider.pk}:1", f"{cast.outsider.pk}:2"]},
        follow=True,
    )

    assert "Attendance saved (1 changed)." in response.content.decode()
    added = CourseAttendance.objects.get(person=cast.outsider, cohort=cohort, day=2)
    assert added.attended
    assert added.history.get().history_user == cast.practice_leader.user
    assert CourseAttendance.objects.get(person=cast.outsider, day=1).attended


def test_leaving_such_a_day_unticked_adds_nothing(cast, as_user, cohort):
    as_user(cast.practice_leader).post(
        reverse("cohort_register_save_all", args=[cohort.pk]),
        {"attended": [f"{cast.outsider.pk}:1"]},
    )

    assert not CourseAttendance.objects.filter(person=cast.outsider, day=2).exists()


def test_ticking_a_day_someone_has_no_record_of_records_it_through_htmx(cast, as_user, cohort):
    mark = f"{cast.outsider.pk}:2"

    response = as_user(cast.practice_leader).post(
        reverse("cohort_register_mark", args=[cohort.pk]),
        {"toggle": mark, "attended": [mark]},
        **HTMX,
    )

    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="person-{cast.outsider.pk}"')
    assert f'value="{mark}" id="attended-{cast.outsider.pk}-2" checked' in html
    assert CourseAttendance.objects.get(person=cast.outsider, cohort=cohort, day=2).attended


def test_marks_for_people_not_on_the_register_are_ignored(cast, as_user, cohort):
    as_user(cast.practice_leader).post(
        reverse("cohort_register_save_all", args=[cohort.pk]),
        {"attended": [f"{cast.supervisor.pk}:1"]},
    )

    assert not CourseAttendance.objects.filter(person=cast.supervisor).exists()


def test_a_practice_leader_adds_someone_to_the_register(cast, as_user, cohort):
    response = as_user(cast.practice_leader).post(
        reverse("cohort_register_person_add", args=[cohort.pk]),
        {"email": cast.supervisor.email.upper()},
    )

    assert response.status_code == 302
    assert CourseAttendance.objects.filter(person=cast.supervisor, attended=False).count() == 2


def test_adding_someone_not_on_the_roster_shows_why(cast, as_user, cohort):
    response = as_user(cast.practice_leader).post(
        reverse("cohort_register_person_add", args=[cohort.pk]), {"email": "who@x.example"}
    )

    assert "who@x.example is not on the roster." in response.content.decode()


@pytest.mark.parametrize("size", [20, 200])
def test_cohort_pages_run_a_constant_number_of_queries(
    cast, as_user, size, django_assert_num_queries
):
    cohort = make_cohort()
    for _ in range(size):
        attend(make_person(), cohort)
    client = as_user(cast.practice_leader)

    with django_assert_num_queries(4):  # session, user, roles, cohorts with counts
        client.get(reverse("cohort_list"))
    # session, user, roles, cohort, its places, its mix, its register
    with django_assert_num_queries(7):
        client.get(reverse("cohort_detail", args=[cohort.pk]))


# Creating and editing cohorts -------------------------------------------------------------------


def cohort_data(phase_of, **changes) -> dict[str, object]:
    return {
        "phase": phase_of.pk,
        "name": "Phase 2 cohort C",
        "day1_date": "2016-09-06",
        "day2_date": "2016-09-13",
        "venue": "Shire Hall",
        "trainer": "A. Trainer",
    } | changes


@pytest.mark.parametrize("role", ["practice_leader", "programme_lead", "administrator"])
def test_those_who_run_training_create_a_cohort(cast, as_user, role):
    phase = make_phase("Phase 2")
    client = as_user(getattr(cast, role))

    assert client.get(reverse("cohort_create")).status_code == 200
    response = client.post(reverse("cohort_create"), cohort_data(phase))

    cohort = Cohort.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cohort_detail", args=[cohort.pk])
    assert (cohort.phase, cohort.name, cohort.day1_date, cohort.day2_date, cohort.venue) == (
        phase,
        "Phase 2 cohort C",
        datetime.date(2016, 9, 6),
        datetime.date(2016, 9, 13),
        "Shire Hall",
    )
    assert cohort.history.get().history_user == getattr(cast, role).user


@pytest.mark.parametrize("role", ["practitioner", "supervisor", "outsider"])
def test_others_may_neither_create_nor_edit_a_cohort(cast, as_user, cohort, role):
    client = as_user(getattr(cast, role))
    before = list(Cohort.objects.values())

    assert client.get(reverse("cohort_create")).status_code == 403
    assert client.post(reverse("cohort_create"), cohort_data(cohort.phase)).status_code == 403
    assert client.get(reverse("cohort_edit", args=[cohort.pk])).status_code == 403
    response = client.post(
        reverse("cohort_edit", args=[cohort.pk]), cohort_data(cohort.phase, name="Renamed")
    )
    assert response.status_code == 403
    assert list(Cohort.objects.values()) == before


def test_the_cohort_pages_refuse_other_methods_and_unknown_cohorts(cast, as_user):
    client = as_user(cast.practice_leader)

    assert client.delete(reverse("cohort_create")).status_code == 405
    assert client.get(reverse("cohort_edit", args=[999])).status_code == 404
    assert client.post(reverse("cohort_edit", args=[999]), {}).status_code == 404


def test_a_practice_leader_edits_a_cohorts_dates_and_keeps_its_name(cast, as_user, cohort):
    response = as_user(cast.practice_leader).post(
        reverse("cohort_edit", args=[cohort.pk]),
        cohort_data(cohort.phase, name=cohort.name, day1_date="2016-03-02"),
        follow=True,
    )

    assert f"{cohort.name} saved." in response.content.decode()
    cohort.refresh_from_db()
    assert (cohort.day1_date, cohort.venue) == (datetime.date(2016, 3, 2), "Shire Hall")
    latest = cohort.history.latest("history_id")
    assert (latest.history_type, latest.history_user) == ("~", cast.practice_leader.user)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "PILOT COHORT"}, "name", "Pilot already has a cohort called PILOT COHORT."),
        ({"day2_date": "2016-09-05"}, "day2_date", "Day 2 cannot come before day 1."),
        ({"day1_date": "1999-12-31"}, "day1_date", "Enter a date between 1 January 2000"),
        ({"phase": "999"}, "phase", "Select a valid choice."),
        ({"venue": "v" * 201}, "venue", "Ensure this value has at most 200 characters"),
    ],
)
def test_a_bad_cohort_is_refused_with_a_message_and_nothing_changes(
    cast, as_user, changes, field, message
):
    pilot = make_phase("Pilot")
    make_cohort(phase=pilot, name="Pilot cohort")
    before = list(Cohort.objects.values())

    response = as_user(cast.administrator).post(
        reverse("cohort_create"), cohort_data(pilot, **changes)
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert escape(message) in response.content.decode()
    assert list(Cohort.objects.values()) == before


def test_the_cohort_list_and_page_offer_creating_and_editing_only_to_those_who_may(
    cast, as_user, cohort
):
    leader = as_user(cast.practice_leader)
    assert reverse("cohort_create") in leader.get(reverse("cohort_list")).content.decode()
    page = leader.get(reverse("cohort_detail", args=[cohort.pk])).content.decode()
    assert reverse("cohort_edit", args=[cohort.pk]) in page

    # Programme leads run training too, but do not take its registers.
    lead = as_user(cast.programme_lead)
    assert reverse("cohort_create") in lead.get(reverse("cohort_list")).content.decode()
    page = lead.get(reverse("cohort_detail", args=[cohort.pk])).content.decode()
    assert reverse("cohort_edit", args=[cohort.pk]) in page
    assert 'name="attended"' not in page


def test_the_cohort_form_takes_a_fixed_number_of_queries(
    cast, as_user, cohort, django_assert_num_queries
):
    for number in range(20):
        make_phase(f"Extra phase {number}")
    client = as_user(cast.practice_leader)

    with django_assert_num_queries(5):  # session, user, roles, the cohort, the phases
        client.get(reverse("cohort_edit", args=[cohort.pk]))
