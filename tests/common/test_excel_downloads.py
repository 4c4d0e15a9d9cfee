"""Every table downloaded as Excel opens as people expect: a sheet named for its table, the
page's column headers, dates as date cells and shares as numbers shown as percentages.

Each workbook is read with openpyxl and held against the page the table is shown on: a column
the page shows as dates (31/12/2016) or months (Dec 2016) must be date cells, one it shows as
percentages must be numbers formatted as percentages, with the same values.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags
from django_tables2 import Table

from tests.common.test_every_download import DASHBOARD_TABLES, DOWNLOADS, ROLLOUT_TABLES
from tests.dashboards.history import AS_OF, embedded_person, months_before, signed_off_review
from tests.factories import attend, make_cohort, make_person, make_phase, make_team
from training.models import Person, PersonStatus, Phase, RoleGroup

D = datetime.date


@dataclass(frozen=True)
class Download:
    url: str
    table: str | None
    """The `table` the page is asked for; None for a page of one table."""
    query: dict[str, str]

    @property
    def id(self) -> str:
        return f"{self.url}-{self.table}" if self.table else self.url

    def page(self, client: Client) -> Table:
        query = {**self.query, **({"table": self.table} if self.table else {})}
        context = client.get(reverse(self.url), query).context
        return context["tables"][self.table] if self.table else context["table"]

    def workbook(self, client: Client) -> openpyxl.Workbook:
        query = {**self.query, "_export": "xlsx"}
        if self.table:
            query["table"] = self.table
        response = client.get(reverse(self.url), query)
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        return openpyxl.load_workbook(io.BytesIO(response.content))


ROLLOUT_QUERY = {"as_of": "2016-12-31"}
DASHBOARD_QUERY = {"as_of": AS_OF.isoformat(), "role_group": "all"}
XLSX_DOWNLOADS = [
    *(Download("rollout", table, ROLLOUT_QUERY) for table in ROLLOUT_TABLES),
    Download("roster", None, {}),
    *(
        Download(section, table, DASHBOARD_QUERY)
        for section, tables in DASHBOARD_TABLES.items()
        for table in tables
    ),
]

SHEETS = {
    "rollout-phases": (
        "Training by phase",
        [
            "Phase",
            "Starts",
            "Ends",
            "Trained in phase",
            "Cumulative",
            "Senior managers",
            "Managers",
            "Practitioners",
            "Partners",
            "Administrative staff",
            "Cases worked with the model",
            "Caseload",
        ],
    ),
    "rollout-teams": (
        "Training by team (active staff)",
        [
            "Team",
            "Service area",
            "Active staff",
            "Trained (active)",
            "Part-trained (active)",
            "Share trained",
            "Cases worked with the model",
            "Caseload",
        ],
    ),
    "rollout-role_groups": (
        "Training by role group",
        [
            "Role group",
            "Active staff",
            "Trained (active)",
            "Share trained",
            "Cases worked with the model",
            "Caseload",
        ],
    ),
    "roster": (
        "Workforce roster",
        [
            "Name",
            "Email",
            "Team",
            "Role group",
            "Job title",
            "Line manager",
            "Status",
            "Training",
            "Trained on",
        ],
    ),
}
"""The sheet title and headers of each training table, written out as people should read them."""


@pytest.fixture
def workforce(cast) -> Person:
    """Two phases with dates and one without, people trained in each, part-trained and
    untrained people with their line manager, and the dashboard's history of practice.
    Returns the line manager."""
    pilot = make_phase("Pilot", 1)
    phase1 = make_phase("Phase 1", 2)
    Phase.objects.filter(pk=pilot.pk).update(start_date=D(2015, 11, 1), end_date=D(2016, 2, 29))
    Phase.objects.filter(pk=phase1.pk).update(start_date=D(2016, 2, 1), end_date=D(2016, 9, 30))
    make_phase("Phase 2", 3)
    pod = make_team("Gloucester Pod 7", service_area="Integrated districts")
    north = make_team("Gloucester North")
    manager = make_person(team=pod, role_group=RoleGroup.MANAGER)
    attend(manager, make_cohort(phase=pilot, day1=D(2015, 11, 3), day2=D(2015, 11, 10)))
    spring = make_cohort(phase=phase1, day1=D(2016, 3, 1), day2=D(2016, 3, 8))
    for number in range(6):
        person = make_person(team=pod if number % 2 else north, line_manager=manager)
        attend(person, spring, *([1] if number == 5 else []))
    make_person(team=north, line_manager=manager)
    make_person(team=north, status=PersonStatus.LEFT)
    for _ in range(5):
        person = embedded_person(team=pod)
        signed_off_review(person, on=months_before(1), good=15, basic=4)
    return manager


def page_cells(table: Table) -> dict[str, list[str]]:
    """The text of each column's cells on the page, by header (empty cells left out)."""
    columns = [column for column in table.columns if not column.column.exclude_from_export]
    cells: dict[str, list[str]] = {str(column.header): [] for column in columns}
    for row in table.rows:
        for column in columns:
            text = strip_tags(str(row.get_cell(column.name))).strip()
            if text and text != str(column.default):
                cells[str(column.header)].append(text)
    return cells


SHOWN_AS = {
    "share": re.compile(r"\d+%"),
    "date": re.compile(r"\d\d/\d\d/\d{4}"),
    "month": re.compile(r"[A-Z][a-z]{2} \d{4}"),
}


def shown_as(texts: list[str]) -> str | None:
    for kind, pattern in SHOWN_AS.items():
        if texts and all(pattern.fullmatch(text) for text in texts):
            return kind
    return None


def sheet_columns(sheet) -> dict[str, list[openpyxl.cell.Cell]]:
    rows = list(sheet.iter_rows())
    return {
        header.value: [row[index] for row in rows[1:] if row[index].value is not None]
        for index, header in enumerate(rows[0])
    }


def assert_cells_as_the_page_shows(page: dict[str, list[str]], sheet) -> int:
    """Every column the page shows as shares, dates or months is percentages, date cells or
    months in the sheet, holding what the page shows. Returns how many cells were checked."""
    cells, checked = sheet_columns(sheet), 0
    for header, texts in page.items():
        kind = shown_as(texts)
        if kind is None:
            continue
        # The page may show one page of a longer table; its cells come first in the sheet.
        for text, cell in zip(texts, cells[header], strict=False):
            if kind == "share":
                assert cell.data_type == "n" and cell.number_format == "0%", (header, cell)
                assert f"{cell.value:.0%}" == text, (header, cell.value, text)
            else:
                wanted = "dd/mm/yyyy" if kind == "date" else "mmm yyyy"
                assert cell.is_date and cell.number_format == wanted, (header, cell)
                shown = "%d/%m/%Y" if kind == "date" else "%b %Y"
                assert f"{cell.value:{shown}}" == text, (header, cell.value, text)
            checked += 1
    return checked


def test_every_excel_download_is_checked_here(workforce, cast, as_user, tmp_path):
    client = as_user(cast.programme_lead)
    workbooks = {
        file.name
        for fetch, _ in DOWNLOADS.values()
        for file in fetch(client, tmp_path)
        if file.name.endswith(".xlsx")
    }

    checked = {
        f"{reverse(download.url)} {download.table}.xlsx"
        if download.table
        else f"{download.url}.xlsx"
        for download in XLSX_DOWNLOADS
    }
    assert workbooks == checked


@pytest.mark.parametrize(
    "download",
    [
        pytest.param(download, id=download.id)
        for download in XLSX_DOWNLOADS
        if download.url not in DASHBOARD_TABLES
    ],
)
def test_a_training_table_opens_in_excel_named_headed_and_typed_as_on_its_page(
    workforce, cast, as_user, download
):
    client = as_user(cast.programme_lead)
    title, headers = SHEETS[download.id]

    page = page_cells(download.page(client))
    workbook = download.workbook(client)

    sheet = workbook.active
    assert [sheet.title for sheet in workbook] == [title]
    assert [cell.value for cell in sheet[1]] == headers == list(page)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert assert_cells_as_the_page_shows(page, sheet) >= 2


@pytest.mark.parametrize(
    "download",
    [
        pytest.param(download, id=download.id)
        for download in XLSX_DOWNLOADS
        if download.url in DASHBOARD_TABLES
    ],
)
def test_a_dashboard_table_opens_in_excel_named_for_its_table_with_its_pages_headers(
    workforce, cast, as_user, download
):
    client = as_user(cast.programme_lead)
    table = download.page(client)

    workbook = download.workbook(client)

    sheet = workbook.active
    assert len(workbook.sheetnames) == 1
    caption = " ".join(re.sub(r"[\\/?*\[\]:]", " ", table.caption).split())
    assert len(sheet.title) <= 31 and caption.startswith(sheet.title), (sheet.title, caption)
    assert len(sheet.title.split()) >= 2
    assert [cell.value for cell in sheet[1]] == list(page_cells(table))
    assert all(cell.value for cell in sheet[1])


def test_the_dashboards_shares_and_months_open_in_excel_as_percentages_and_months(
    workforce, cast, as_user
):
    client = as_user(cast.programme_lead)
    checked = 0
    for download in XLSX_DOWNLOADS:
        if download.url in DASHBOARD_TABLES:
            checked += assert_cells_as_the_page_shows(
                page_cells(download.page(client)), download.workbook(client).active
            )
    assert checked


def test_the_roster_download_gives_each_persons_team_line_manager_and_day_trained(
    workforce, cast, as_user
):
    sheet = Download("roster", None, {}).workbook(as_user(cast.programme_lead)).active

    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    by_email = {row[header.index("Email")]: dict(zip(header, row, strict=True)) for row in rows}
    manager = by_email[workforce.email]
    trained = [row for row in by_email.values() if row["Line manager"] == manager["Name"]]
    assert {row["Team"] for row in trained} == {"Gloucester Pod 7", "Gloucester North"}
    assert sorted((row["Training"], row["Trained on"]) for row in trained) == [
        ("Not trained", None),
        ("Part-trained", None),
        *[("Trained", datetime.datetime(2016, 3, 8))] * 5,
    ]
    assert manager["Trained on"] == datetime.datetime(2015, 11, 10)


def test_a_csv_download_starts_with_the_mark_that_makes_excel_read_it_as_utf8(cast, as_user):
    make_team("Ysgol Siân")
    client = as_user(cast.programme_lead)

    response = client.get(reverse("rollout"), {"table": "teams", "_export": "csv"})

    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "Ysgol Siân" in response.content.decode("utf-8-sig")
