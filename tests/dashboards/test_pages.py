from __future__ import annotations

import csv
import datetime
import io
import json
import re
import zipfile
from urllib.parse import urlencode

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils.html import escape

from circles.models import CircleMeeting, CircleMembership, LearningCircle, MeetingAttendance
from competencies.frameworks import current_version
from competencies.models import Competency, Rater, Rating, Review
from dashboards.models import Definitions, StaleFigures
from dashboards.services import figures_refresh
from dashboards.views import SECTIONS
from supervision.models import SupervisionSession, SupervisionSettings
from tests.dashboards.history import (
    AS_OF,
    LONDON,
    at,
    embedded_person,
    months_before,
    signed_off_review,
    trained_person,
)
from tests.factories import analyse_after_bulk_load, make_person, make_team
from training.models import (
    Cohort,
    CourseAttendance,
    Organisation,
    OrganisationKind,
    Person,
    Phase,
    Team,
    council_id,
)
from training.services import first_days_record

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# Each section's page: session, user, roles, the form's service areas, phases, teams and
# organisations, whether figures are stale; then its own figures.
# Roll-out: definitions, people in scope, the stored figures by month, by team, and by role
# group, organisation and phase together (one statement), with teams, organisations, phases and
# the refresh time; the people trained by the date who are not in scope, by reason; 2 for the
# projection to critical mass (the teams' last months, the programme settings); 1 for the cases
# worked with the model.
# Practice: ratings by month and competency, the competencies, the gap by month, case
# contexts, three for cohorts, 7 for what circles worked on beside the ratings.
# Follow-up: the overdue setting, three for the flags, 3 for the lists of people waiting at a
# step.
SECTION_QUERIES = {"fidelity": 21, "fidelity_practice": 22, "fidelity_follow_up": 15}
PAGE = {"as_of": AS_OF.isoformat()}


@pytest.fixture
def history(cast):
    team = make_team("Stroud")
    for good in (19, 19, 10):
        person = embedded_person(team=team)
        signed_off_review(person, on=months_before(1), good=good, basic=19 - good)
    trained_person(team=team)
    return team


@pytest.mark.parametrize("role", ["practitioner", "supervisor", "practice_leader", "outsider"])
def test_the_dashboard_is_refused_to_everyone_but_programme_leads_and_administrators(
    cast, as_user, role
):
    client = as_user(getattr(cast, role))

    assert client.get(reverse("fidelity")).status_code == 403
    assert client.get(reverse("evaluation_export")).status_code == 403
    assert "dashboard" not in client.get(reverse("home")).templates[0].name


@pytest.mark.parametrize("role", ["programme_lead", "administrator"])
def test_programme_leads_land_on_a_home_page_one_click_from_the_dashboard(cast, as_user, role):
    response = as_user(getattr(cast, role)).get(reverse("home"))

    assert response.templates[0].name == "home/home.html"
    assert f'href="{reverse("fidelity")}"' in response.content.decode()


def test_the_page_the_report_and_the_exports_agree(cast, as_user, history):
    client = as_user(cast.programme_lead)

    page = client.get(reverse("fidelity"), PAGE).context["data"]
    out = io.StringIO()
    call_command("fidelity_report", "--as-of", AS_OF.isoformat(), "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    out = io.StringIO()
    call_command("rollout_report", "--as-of", AS_OF.isoformat(), "--format", "json", stdout=out)
    rollout = json.loads(out.getvalue())
    export = client.get(reverse("fidelity"), {**PAGE, "table": "teams", "_export": "csv"})
    exported = {
        row["Team"]: row for row in csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")))
    }

    assert (page.total.in_scope, page.total.trained, page.total.embedded, page.total.fidelity) == (
        7,
        4,
        3,
        2,
    )
    assert report["total"] == {
        "in_scope": 7,
        "trained": 4,
        "embedded": 3,
        "fidelity": 2,
        "trained_not_in_scope": rollout["trained_total"] - 4,
    }
    stroud = next(team for team in report["teams"] if team["name"] == "Stroud")
    assert (stroud["stage"], stroud["fidelity"]) == ("Full implementation", 2)
    assert exported["Stroud"]["Stage"] == "Full implementation"
    assert float(exported["Stroud"]["With fidelity"]) == 0.5
    assert report["stage"] == page.stage


def test_the_report_prints_a_table_and_csv(history):
    table, rows = io.StringIO(), io.StringIO()
    call_command("fidelity_report", "--as-of", AS_OF.isoformat(), stdout=table)
    call_command("fidelity_report", "--as-of", AS_OF.isoformat(), "--format", "csv", stdout=rows)

    assert "7 in scope, 4 trained, 3 embedded, 2 practising with fidelity" in table.getvalue()
    assert ["total", "everyone in scope", "Initial implementation", "7", "4", "3", "2"] in list(
        csv.reader(io.StringIO(rows.getvalue()))
    )


def test_every_table_exports_as_csv_and_xlsx(cast, as_user, history):
    client = as_user(cast.programme_lead)
    tables = client.get(reverse("fidelity"), PAGE).context["tables"]

    for name in tables:
        for fmt in ("csv", "xlsx"):
            response = client.get(reverse("fidelity"), {**PAGE, "table": name, "_export": fmt})
            assert response.status_code == 200, (name, fmt)
            assert response["Content-Disposition"].endswith(f'.{fmt}"'), (name, fmt)


def test_exported_cells_never_run_as_formulas(cast, as_user, history):
    Team.objects.filter(pk=history.pk).update(name="=HYPERLINK(evil)")

    response = as_user(cast.programme_lead).get(
        reverse("fidelity"), {**PAGE, "table": "teams", "_export": "csv"}
    )

    assert "'=HYPERLINK(evil)" in response.content.decode()


def test_filters_narrow_the_figures_and_stay_in_the_url(cast, as_user, history):
    client = as_user(cast.programme_lead)

    other = client.get(reverse("fidelity"), {**PAGE, "team": make_team("Empty").pk}).context["data"]
    statutory = client.get(reverse("fidelity"), {**PAGE, "case_context": "statutory"})

    assert other.total.in_scope == 0
    assert statutory.context["data"].filters.case_context == "statutory"
    assert "case_context=statutory" in statutory.context["query"]


def test_an_htmx_request_gets_only_the_figures_and_the_tabs_with_its_filters(
    cast, as_user, history
):
    query = {**PAGE, "team": history.pk}
    response = as_user(cast.programme_lead).get(reverse("fidelity"), query, **HTMX)

    html = response.content.decode().lstrip()
    tabs, figures = html.split('<div id="figures"')
    assert "<html" not in html
    # The tabs are outside the figures: sent again, out of band, so that they keep the filter.
    assert tabs.startswith('<nav aria-label="Dashboard sections"')
    assert 'hx-swap-oob="true"' in tabs
    assert f'href="{reverse("fidelity_practice")}?{escape(urlencode(query))}"' in tabs


@pytest.mark.parametrize(("section", "charts"), [("fidelity", 1), ("fidelity_practice", 1)])
def test_every_chart_has_a_text_alternative_and_a_table(cast, as_user, history, section, charts):
    html = as_user(cast.programme_lead).get(reverse(section), PAGE).content.decode()

    assert html.count('role="img"') == html.count("<desc id=") >= charts
    assert html.count("<table") >= html.count('role="img"')


def test_the_evaluation_export_is_pseudonymised_and_new_each_time(cast, as_user, history):
    client = as_user(cast.administrator)

    first = zipfile.ZipFile(io.BytesIO(client.get(reverse("evaluation_export")).content))
    second = zipfile.ZipFile(io.BytesIO(client.get(reverse("evaluation_export")).content))

    assert set(first.namelist()) == {
        "people.csv",
        "circle_attendance.csv",
        "supervision.csv",
        "ratings.csv",
        "data_dictionary.csv",
    }
    everything = "".join(first.read(name).decode() for name in first.namelist())
    for person in Person.objects.all():
        assert person.email not in everything
        assert person.full_name not in everything
    people = list(csv.DictReader(io.StringIO(first.read("people.csv").decode())))
    again = list(csv.DictReader(io.StringIO(second.read("people.csv").decode())))
    assert len(people) == Person.objects.count()
    assert not {row["person"] for row in people} & {row["person"] for row in again}
    ratings = list(csv.DictReader(io.StringIO(first.read("ratings.csv").decode())))
    assert {row["person"] for row in people} >= {row["practitioner"] for row in ratings}
    assert ratings[0]["case_type"] == "" and ratings[0]["rater"] == "supervisor"


def build_organisation(size: int) -> None:
    """`size` active practitioners in 10 teams, trained, in circles, supervised and reviewed."""
    phase = Phase.objects.create(name="Phase 1", order=1)
    cohort = Cohort.objects.create(
        phase=phase,
        name="C1",
        day1_date=datetime.date(2016, 3, 1),
        day2_date=datetime.date(2016, 3, 8),
    )
    teams = [
        Team.objects.create(name=f"Size team {n}", service_area=f"Area {n % 3}") for n in range(10)
    ]
    council = council_id()
    people = Person.objects.bulk_create(
        Person(
            organisation_id=council,
            email=f"p{n}@x.example",
            full_name=f"P {n}",
            team=teams[n % 10],
            role_group="practitioner",
        )
        for n in range(size)
    )
    CourseAttendance.objects.bulk_create(
        CourseAttendance(person=p, cohort=cohort, day=day, attended=True)
        for p in people
        for day in (1, 2)
    )
    first_days_record()  # written in bulk, past the receivers
    circle = LearningCircle.objects.create(
        name="Big", starts_on=datetime.date(2026, 1, 1), venue="Hall"
    )
    CircleMembership.objects.bulk_create(CircleMembership(circle=circle, person=p) for p in people)
    meeting = CircleMeeting.objects.create(
        circle=circle,
        month=datetime.date(2026, 6, 1),
        starts_at=at(datetime.date(2026, 6, 9)),
        ends_at=at(datetime.date(2026, 6, 9), 12),
    )
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(meeting=meeting, person=p, status="present") for p in people
    )
    session = SupervisionSession.objects.create(
        supervisor=people[0],
        starts_at=at(datetime.date(2026, 6, 1)),
        ends_at=at(datetime.date(2026, 6, 1), 11),
        status="held",
    )
    session.practitioners.set(people[1:])
    version = current_version()
    # One competency of each area is enough to judge fidelity and keeps the large case quick.
    competencies = list(Competency.objects.filter(area__version=version, order=0))
    reviews = Review.objects.bulk_create(
        Review(practitioner=p, version=version, status="signed_off", signed_off_at=months_before(1))
        for p in people
    )
    Rating.objects.bulk_create(
        Rating(review=r, competency=c, rater=rater, level=2)
        for r in reviews
        for c in competencies
        for rater in (Rater.SELF, Rater.SUPERVISOR)
    )
    analyse_after_bulk_load()


@pytest.mark.parametrize("size", [50, 5000])
def test_the_dashboard_runs_the_same_number_of_queries_for_50_or_5000_people(
    cast, as_user, size, django_assert_num_queries
):
    build_organisation(size)
    figures_refresh()
    # The one-row settings a migration writes: a transactional test earlier in the same run
    # flushes them (seen on PostgreSQL), and the first read then writes them again.
    Definitions.load()
    SupervisionSettings.load()
    client = as_user(cast.programme_lead)

    for section, queries in SECTION_QUERIES.items():
        with django_assert_num_queries(queries) as captured:
            response = client.get(reverse(section), PAGE)
        assert not [q for q in captured.captured_queries if "INSERT" in q["sql"]], section
        if section == "fidelity":
            # The first of them supervises the 2:1 and is in none: not embedded, so not
            # counted as practising with fidelity either (the steps nest).
            total = response.context["data"].total
            assert (total.trained, total.embedded, total.fidelity) == (size, size - 1, size - 1)


def test_a_change_is_counted_once_it_is_saved_and_a_view_counts_nothing_again(
    cast, as_user, history
):
    from competencies.services import review_correct

    client = as_user(cast.programme_lead)
    before = client.get(reverse("fidelity"), PAGE).context["data"]
    faithful = Review.objects.filter(practitioner__team=history).order_by("pk").first()
    faithful.supervisor = make_person()
    faithful.save()

    review_correct(review=faithful, reason="The wrong case.")  # marks the person's figures
    after = client.get(reverse("fidelity"), PAGE).context["data"]

    assert after.total.fidelity == before.total.fidelity - 1
    assert not StaleFigures.objects.exists()
    # The timeline's last month counts the change too (the month before had nobody embedded).
    assert after.timeline[-1].fidelity == before.timeline[-1].fidelity - 1


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_filter_that_cannot_be_used_is_named_and_only_it_is_ignored(cast, as_user, headers):
    client = as_user(cast.programme_lead)

    response = client.get(reverse("fidelity"), {**PAGE, "phase": "banana"}, **headers)

    assert response.status_code == 200
    assert response.context["data"].filters.as_of == AS_OF
    html = response.content.decode()
    assert "These figures leave out what could not be used" in html
    assert "Phase cohort: Select a valid choice." in html


def test_a_programme_leads_home_page_shows_the_dashboards_headline_with_its_change(
    cast, as_user, history
):
    client = as_user(cast.programme_lead)

    today = AS_OF  # the history's own day, when its people are embedded and faithful
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(12), LONDON)):
        response = client.get(reverse("home"))
    figures = response.context["home"].programme.figures
    now = client.get(reverse("fidelity"), {"as_of": today.isoformat()}).context["data"]
    then = client.get(
        reverse("fidelity"), {"as_of": (today - relativedelta(months=3)).isoformat()}
    ).context["data"]

    assert [figure.count for figure in figures] == [
        now.total.trained,
        now.total.embedded,
        now.total.fidelity,
    ]
    assert now.total.fidelity > 0
    for figure, name in zip(figures, ("trained", "embedded", "fidelity"), strict=True):
        change = now.total.share(getattr(now.total, name)) - then.total.share(
            getattr(then.total, name)
        )
        assert figure.change == pytest.approx(change)
    html = response.content.decode()
    assert f"Practising with fidelity: <strong>{now.total.fidelity}</strong>" in html


def test_the_dashboard_and_its_report_group_and_filter_by_organisation(cast, as_user, history):
    police = Organisation.objects.create(name="Constabulary", kind=OrganisationKind.PARTNER)
    embedded_person(team=history, organisation=police)
    make_person(team=history, organisation=police)  # in scope, not trained
    client = as_user(cast.programme_lead)

    page = client.get(reverse("fidelity"), PAGE)
    rows = {row.label: row for row in page.context["data"].organisations}
    partners = client.get(reverse("fidelity"), {**PAGE, "organisation": police.pk})
    export = client.get(reverse("fidelity"), {**PAGE, "table": "organisations", "_export": "csv"})
    exported = {
        row["Organisation"]: row
        for row in csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")))
    }
    out = io.StringIO()
    call_command("fidelity_report", "--as-of", AS_OF.isoformat(), "--format", "json", stdout=out)
    report = {row["name"]: row for row in json.loads(out.getvalue())["organisations"]}
    out = io.StringIO()
    call_command(
        "fidelity_report",
        "--as-of",
        AS_OF.isoformat(),
        "--format",
        "json",
        "--organisation",
        "constabulary",
        stdout=out,
    )
    narrowed = json.loads(out.getvalue())

    council = Organisation.objects.get(pk=council_id()).name
    police_row = rows["Constabulary"]
    assert (police_row.in_scope, police_row.trained, police_row.embedded) == (2, 1, 1)
    assert rows[council].in_scope == page.context["data"].total.in_scope - 2
    assert "By organisation" in page.content.decode()
    partner_total = partners.context["data"].total
    assert (partner_total.in_scope, partner_total.trained, partner_total.embedded) == (2, 1, 1)
    assert f"organisation={police.pk}" in partners.context["query"]
    assert exported["Constabulary"]["In scope"] == "2"
    assert report["Constabulary"] == {
        "name": "Constabulary",
        "in_scope": 2,
        "trained": 1,
        "embedded": 1,
        "fidelity": 0,
    }
    assert narrowed["total"] == {
        "in_scope": 2,
        "trained": 1,
        "embedded": 1,
        "fidelity": 0,
        "trained_not_in_scope": 0,
    }


def test_the_report_refuses_an_organisation_it_does_not_know(history):
    with pytest.raises(CommandError, match="No organisation is called 'Nobody'"):
        call_command("fidelity_report", "--organisation", "Nobody")


def test_each_section_is_a_tab_that_keeps_the_filters(cast, as_user, history):
    client = as_user(cast.programme_lead)

    html = client.get(reverse("fidelity_practice"), PAGE).content.decode()

    tabs = html.split('aria-label="Dashboard sections"')[1].split("</nav>")[0]
    query = urlencode(PAGE)
    for name in ("fidelity", "fidelity_practice", "fidelity_follow_up"):
        assert f'href="{reverse(name)}?{query}"' in tabs
    assert re.findall(r'href="([^"?]+)[^"]*" aria-current="page"', tabs) == [
        reverse("fidelity_practice")
    ]
    # Each section counts only its own figures.
    assert "Fidelity by BASE stage" in html
    assert "Roll-out month by month" not in html
    assert "Trained but in no circle" not in html


def test_a_download_asked_of_another_section_is_sent_there(cast, as_user, history):
    client = as_user(cast.programme_lead)

    response = client.get(reverse("fidelity"), {**PAGE, "table": "stages", "_export": "csv"})

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('fidelity_practice')}?")
    assert "table=stages" in response["Location"]
    assert client.get(response["Location"])["Content-Disposition"].endswith('.csv"')


def test_a_download_sent_to_another_section_carries_only_the_filters_it_accepts(
    cast, as_user, history
):
    # A refused date thousands of characters long made the address too long to redirect to.
    client = as_user(cast.programme_lead)
    query = {"as_of": "x" * 20_000, "role_group": "all", "table": "stages", "_export": "csv"}

    response = client.get(reverse("fidelity"), query)

    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('fidelity_practice')}?role_group=all&table=stages&_export=csv"
    )


def test_a_download_in_a_format_not_served_stays_on_the_section_asked(cast, as_user, history):
    client = as_user(cast.programme_lead)

    response = client.get(reverse("fidelity"), {"table": "stages", "_export": "pdf"})

    assert response.status_code == 200
    assert "Content-Disposition" not in response


@pytest.mark.parametrize("section", SECTIONS, ids=lambda section: section.name)
def test_each_section_names_the_tables_its_page_builds(cast, as_user, history, section):
    # A download asked of another section is sent to the one that names its table.
    response = as_user(cast.programme_lead).get(reverse(section.name), PAGE)

    assert set(response.context["tables"]) == set(section.tables)
