"""Every download that writes CSV or Excel goes through the one writer, and none carries a
formula.

The test finds the downloads itself: it reads the project's source, follows every function that
reaches the writer (`common.spreadsheets`) back to the views and commands that call it, and
compares them with `DOWNLOADS`. A new download fails here until it is added, with the values it
must show; each is then fed records whose names look like formulas, and every cell of every
file it writes is checked: prefixed with an apostrophe in CSV, a plain text cell in Excel.
"""

from __future__ import annotations

import ast
import csv
import datetime
import inspect
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from common.spreadsheets import FORMULA_STARTS, PLAIN_NUMBER
from competencies.frameworks import current_version
from competencies.models import Competency, Framework
from tests.dashboards.history import AS_OF, months_before, signed_off_review
from tests.factories import attend, make_cohort, make_person, make_phase, make_team

ROOT = Path(settings.BASE_DIR)
WRITER_MODULE = "common/spreadsheets.py"
WRITER_API = {"CSVWriter", "csv_text", "xlsx_bytes"}
"""What `common.spreadsheets` offers for writing; `common/` itself is where it is used."""

PRIMITIVES = re.compile(
    r"\bcsv\.(writer|DictWriter)\b|\btablib\b|\bTableExport\b"
    r"|\bopenpyxl\.(Workbook|writer)\b|\bimport\b[^\n]*\bWorkbook\b"
)
"""Ways to write CSV or Excel without the one writer (reading a workbook with
`openpyxl.load_workbook`, as the imports do, writes nothing)."""

NOT_DOWNLOADS = {
    "demo/organisation.py": "writes the demo's roster and training files for the imports to read "
    "back; neutralising them would change what the import stores",
    "training/management/commands/bench_imports.py": "generates files for the imports to read "
    "in a benchmark; nobody downloads them",
}

NOT_A_DOWNLOAD = {
    ("command", "bench_imports"): "times the imports on generated files and prints figures; "
    "it shares names with functions that reach the writer, which the name-following counts",
    ("command", "seed_scale"): "writes a generated organisation into the database and prints "
    "its sign-ins; it shares names with functions that reach the writer",
    ("url", "fidelity_follow_up"): "the dashboard's Follow-up section has no tables to download; "
    "it is drawn by the same view function as the sections that have",
}


def project_modules() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        # Not the tests, and not any virtual environment or other hidden folder (.venv,
        # .venv-3.13 for the second Python), which hold other people's code.
        if (
            parts[0] in {"tests", "node_modules"}
            or parts[0].startswith(".")
            or "migrations" in parts
        ):
            continue
        yield path


def test_nothing_writes_csv_or_excel_except_the_one_writer():
    others = {
        str(path.relative_to(ROOT))
        for path in project_modules()
        if PRIMITIVES.search(path.read_text())
    }

    assert others - {WRITER_MODULE} == set(NOT_DOWNLOADS)


# Finding the downloads ---------------------------------------------------------------------------


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def references(path: Path) -> dict[tuple[str, str], set[str]]:
    """(module, qualified name) of every function, method and module-level name of a module,
    with the names its body refers to."""
    found: dict[tuple[str, str], set[str]] = {}
    module = module_name(path)

    def names(node: ast.AST) -> set[str]:
        """Names used as values (a function passed on) and names called (`self.write()`);
        not attributes read as data, such as `row.fidelity`."""
        called = {
            child.func.attr
            for child in ast.walk(node)
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute)
        }
        used: set[str] = set()
        local: set[str] = set()
        for child in ast.walk(node):
            if isinstance(child, ast.Name):
                (local if isinstance(child.ctx, ast.Store) else used).add(child.id)
            elif isinstance(child, ast.arg):
                local.add(child.arg)
        # A variable of the function's own (`roster = roster_csv(...)`) is not the function
        # of the same name elsewhere.
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return called | (used - local)
        return called | used

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                qualname = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found[module, qualname] = names(child)
                visit(child, f"{qualname}.")
            elif isinstance(child, ast.Assign | ast.AnnAssign) and not prefix:
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        found[module, target.id] = names(child.value) if child.value else set()

    visit(ast.parse(path.read_text()), "")
    return found


def reaching_the_writer() -> set[tuple[str, str]]:
    """Every function or module-level name that reaches the writer, following names (a name
    shared by two functions counts for both, so nothing is missed)."""
    graph: dict[tuple[str, str], set[str]] = {}
    for path in project_modules():
        if not str(path.relative_to(ROOT)).startswith("common/"):
            graph |= references(path)
    wanted = set(WRITER_API)
    reached: set[tuple[str, str]] = set()
    for path in (ROOT / "common").glob("*.py"):
        if path.name != "spreadsheets.py":
            for (_, qualname), used in references(path).items():
                if used & wanted:
                    wanted.add(qualname.rsplit(".", 1)[-1])
    while True:
        more = {node for node, used in graph.items() if node not in reached and used & wanted}
        if not more:
            return reached
        reached |= more
        wanted |= {qualname.rsplit(".", 1)[-1] for _, qualname in more}


def url_views(patterns: list) -> Iterator[tuple[str, Callable]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from url_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name, inspect.unwrap(pattern.callback)


def downloads_found() -> set[tuple[str, str]]:
    reached = reaching_the_writer()
    found = {
        ("url", name)
        for name, view in url_views(get_resolver().url_patterns)
        if (view.__module__, view.__qualname__) in reached
    }
    for module, qualname in reached:
        app, *rest = module.split(".")
        if rest[:2] == ["management", "commands"] and qualname.startswith("Command."):
            found.add(("command", rest[2]))
    return found - set(NOT_A_DOWNLOAD)


# The records that look like formulas -------------------------------------------------------------

TEAM = '=HYPERLINK("http://x")'
PERSON = "+1+1"
JOB_TITLE = "-2+3"
PHASE = "@SUM(1,2)"
COMPETENCY = "@SUM(1)"
FRAMEWORK = "=cmd|' /C calc'!A0"


@pytest.fixture
def formulas(cast) -> None:
    """Five practitioners in a team named like a formula, trained in a phase named like one
    (enough to be shown in the evaluation dataset), one of them named like a formula, with a
    review signed off against a framework and a competency named like formulas."""
    team = make_team(TEAM, service_area="Integrated districts")
    cohort = make_cohort(
        phase=make_phase(PHASE),
        day1=datetime.date(2026, 1, 12),
        day2=datetime.date(2026, 1, 19),
    )
    people = [make_person(team=team) for _ in range(5)]
    for person in people:
        attend(person, cohort)
    people[0].full_name, people[0].job_title = PERSON, JOB_TITLE
    people[0].save()
    version = current_version()
    assert version is not None
    Framework.objects.filter(pk=version.framework_id).update(name=FRAMEWORK)
    first = Competency.objects.filter(area__version=version).first()
    assert first is not None
    Competency.objects.filter(pk=first.pk).update(title=COMPETENCY)
    signed_off_review(people[0], on=months_before(1), good=19, basic=0)


@dataclass(frozen=True)
class File:
    name: str
    content: bytes


def table_exports(client: Client, url: str, tables: list[str], **query: str) -> list[File]:
    return [
        File(
            f"{url} {table}.{fmt}",
            client.get(url, {**query, "table": table, "_export": fmt}).content,
        )
        for table in tables
        for fmt in ("csv", "xlsx")
    ]


def zip_files(content: bytes) -> list[File]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [File(name, archive.read(name)) for name in archive.namelist()]


ROLLOUT_TABLES = ["phases", "teams", "role_groups"]
# The dashboard's tables, by the section whose page has them.
DASHBOARD_TABLES = {
    "fidelity": ["timeline", "teams", "service_areas", "role_groups", "phases"],
    "fidelity_practice": ["stages", "competencies", "gap", "case_contexts", "cohorts"],
}


def rollout(client: Client, tmp_path: Path) -> list[File]:
    return table_exports(client, reverse("rollout"), ROLLOUT_TABLES)


def roster(client: Client, tmp_path: Path) -> list[File]:
    url = reverse("roster")
    return [
        File(f"roster.{fmt}", client.get(url, {"_export": fmt}).content) for fmt in ("csv", "xlsx")
    ]


def dashboard(name: str, tables: list[str]) -> Callable[[Client, Path], list[File]]:
    def download(client: Client, tmp_path: Path) -> list[File]:
        return table_exports(client, reverse(name), tables, as_of=AS_OF.isoformat())

    return download


def framework(client: Client, tmp_path: Path) -> list[File]:
    version = current_version()
    assert version is not None
    url = reverse("framework_version", args=[version.pk])
    return [File("framework.csv", client.get(url, {"format": "csv"}).content)]


def evaluation_download(client: Client, tmp_path: Path) -> list[File]:
    return zip_files(client.get(reverse("evaluation_export")).content)


def report_command(name: str) -> Callable[[Client, Path], list[File]]:
    def run(client: Client, tmp_path: Path) -> list[File]:
        out = io.StringIO()
        call_command(name, "--format", "csv", "--as-of", AS_OF.isoformat(), stdout=out)
        return [File(f"{name}.csv", out.getvalue().encode())]

    return run


def evaluation_command(client: Client, tmp_path: Path) -> list[File]:
    call_command("evaluation_export", tmp_path / "dataset.zip", stdout=io.StringIO())
    return zip_files((tmp_path / "dataset.zip").read_bytes())


DOWNLOADS: dict[tuple[str, str], tuple[Callable[[Client, Path], list[File]], set[str]]] = {
    ("url", "rollout"): (rollout, {TEAM, PHASE}),
    ("url", "roster"): (roster, {TEAM, PERSON, JOB_TITLE}),
    ("url", "fidelity"): (dashboard("fidelity", DASHBOARD_TABLES["fidelity"]), {TEAM, PHASE}),
    ("url", "fidelity_practice"): (
        dashboard("fidelity_practice", DASHBOARD_TABLES["fidelity_practice"]),
        {PHASE, COMPETENCY},
    ),
    ("url", "framework_version"): (framework, {COMPETENCY}),
    ("url", "evaluation_export"): (evaluation_download, {TEAM, PHASE, FRAMEWORK}),
    ("command", "rollout_report"): (report_command("rollout_report"), {TEAM, PHASE}),
    ("command", "fidelity_report"): (report_command("fidelity_report"), {TEAM}),
    ("command", "evaluation_export"): (evaluation_command, {TEAM, PHASE, FRAMEWORK}),
}
"""Every view (by URL name) and command that writes CSV or Excel, how to download all it
writes, and the formula-looking values its files must show."""


def test_every_download_that_writes_csv_or_excel_is_known():
    assert downloads_found() == set(DOWNLOADS)


# Checking the cells ------------------------------------------------------------------------------


def runs_as_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text)


def showing(text: str, expected: set[str]) -> set[str]:
    """The expected values a cell's text shows (the evaluation dataset writes the framework
    with its version number after it)."""
    return {value for value in expected if text.startswith(value)}


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode())) for cell in row]


def xlsx_cells(content: bytes) -> list[openpyxl.cell.Cell]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [
        cell
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell, openpyxl.cell.Cell)  # merged cells hold no value of their own
    ]


@pytest.mark.parametrize("download", list(DOWNLOADS), ids="-".join)
def test_no_download_writes_a_formula(formulas, cast, as_user, tmp_path, download):
    fetch, expected = DOWNLOADS[download]

    files = fetch(as_user(cast.programme_lead), tmp_path)

    shown: dict[str, set[str]] = {}
    for file in files:
        kind = file.name.rsplit(".", 1)[-1]
        shown.setdefault(kind, set())
        if kind == "xlsx":
            for cell in xlsx_cells(file.content):
                assert cell.data_type != "f", (file.name, cell.coordinate, cell.value)
                if found := showing(str(cell.value), expected):
                    assert cell.data_type == "s" and cell.quotePrefix, (file.name, cell.value)
                    shown[kind].update(found)
        else:
            cells = csv_cells(file.content)
            assert not [cell for cell in cells if runs_as_formula(cell)], file.name
            for cell in cells:
                if cell.startswith("'"):
                    shown[kind].update(showing(cell[1:], expected))
    # Each format shows every formula-looking value, so none was checked by being left out.
    assert shown and all(values == expected for values in shown.values()), shown
