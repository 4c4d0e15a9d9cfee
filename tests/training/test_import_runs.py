"""Imports on the site run as background tasks; a page follows each one to its result."""

from __future__ import annotations

import io
import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.factories import make_person
from training import imports
from training.csv_files import ImportFile
from training.imports import import_run_execute, import_run_start
from training.models import ImportRun, Person

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ROSTER = "email,full_name,team,role_group\n"


def upload(client, text: str, name: str = "roster_import", follow: bool = False, **extra):
    return client.post(
        reverse(name),
        {"file": SimpleUploadedFile("people.csv", text.encode()), **extra},
        follow=follow,
    )


def roster_of(size: int) -> str:
    return ROSTER + "".join(f"p{number}@x.example,P {number},T,partner\n" for number in range(size))


def make_run(cast, **fields) -> ImportRun:
    values = {
        "kind": ImportRun.Kind.ROSTER,
        "file_name": "people.csv",
        "requested_by": cast.administrator.user,
    } | fields
    return ImportRun.objects.create(**values)


def test_an_upload_is_imported_in_the_background_and_its_page_shows_the_summary(cast, as_user):
    client = as_user(cast.administrator)

    response = upload(client, ROSTER + "n@x.example,N,T,partner\n")

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("import_run", args=[run.pk])
    assert (run.status, run.kind, run.file_name, run.dry_run) == (
        "done",
        "roster",
        "people.csv",
        False,
    )
    assert run.requested_by == cast.administrator.user
    assert bytes(run.data) == b"", "the file is not kept once imported"
    page = client.get(response.url).content.decode()
    assert "1 people created, 0 updated, 0 unchanged." in page
    assert "hx-trigger" not in page
    assert Person.objects.get(email="n@x.example").history.get().history_user == (
        cast.administrator.user
    )


def test_a_file_with_bad_lines_imports_nothing_and_its_page_lists_every_line(cast, as_user):
    client = as_user(cast.administrator)

    response = upload(client, ROSTER + "n@x.example,N,T,wizard\nbad,M,T,partner\n", follow=True)

    html = response.content.decode()
    assert "Nothing was imported: 2 problems in the file" in html
    assert "Line 2: role_group &#x27;wizard&#x27; is not one of" in html
    assert "Line 3: &#x27;bad&#x27; is not a valid email address" in html
    assert Person.objects.count() == 6


def test_a_training_upload_runs_the_training_import(cast, as_user):
    response = upload(
        as_user(cast.administrator),
        "email,phase,cohort,day,date,attended\n"
        f"{cast.practitioner.email},Pilot,C1,1,2016-01-05,yes\n",
        name="training_import",
        dry_run="on",
        follow=True,
    )

    html = response.content.decode()
    assert "Dry run, nothing saved: would have 1 attendance records created" in html
    assert "New cohorts: C1 (Pilot)." in html
    assert ImportRun.objects.get().kind == ImportRun.Kind.TRAINING
    assert not cast.practitioner.attendances.exists()


def test_an_import_page_refuses_a_post_and_an_unknown_import(cast, as_user):
    client = as_user(cast.administrator)
    run = make_run(cast)

    assert client.post(reverse("import_run", args=[run.pk])).status_code == 405
    assert client.get(reverse("import_run", args=[run.pk + 1])).status_code == 404


def test_a_queued_import_says_it_is_waiting_and_polls(cast, as_user):
    run = make_run(cast)

    response = as_user(cast.administrator).get(reverse("import_run", args=[run.pk]), **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="import-status"')
    assert "<html" not in html
    assert "Waiting for the background worker" in html
    assert 'hx-trigger="every 1s"' in html
    assert f'href="{reverse("import_run", args=[run.pk])}"' in html, "a link without JavaScript"


def test_a_running_import_shows_how_many_rows_it_has_checked(cast, as_user):
    run = make_run(cast, status="running", stage="checking", rows_done=4000, rows_total=10000)

    html = as_user(cast.administrator).get(reverse("import_run", args=[run.pk])).content.decode()

    assert "Checking the rows: 4000 of 10000 done." in html
    assert '<progress class="w-100" max="10000" value="4000"' in html
    assert "Check again" in html


def test_an_import_that_failed_says_nothing_was_imported(cast, as_user, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setitem(imports.IMPORTERS, ImportRun.Kind.ROSTER, (broken, "people"))
    client = as_user(cast.administrator)

    response = upload(client, ROSTER + "n@x.example,N,T,partner\n", follow=True)

    run = ImportRun.objects.get()
    assert (run.status, bytes(run.data)) == ("failed", b"")
    assert "The import stopped because of an error in the product" in response.content.decode()
    assert not Person.objects.filter(email="n@x.example").exists()


def test_an_import_runs_once_even_if_its_task_runs_twice(cast):
    run = make_run(cast, data=roster_of(1).encode())

    assert import_run_execute(run_id=run.pk).created == 1
    assert import_run_execute(run_id=run.pk) is None
    assert Person.objects.filter(email="p0@x.example").count() == 1


def test_an_import_writes_its_progress_as_it_goes(cast, monkeypatch):
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 100)
    monkeypatch.setattr(imports, "PROGRESS_INTERVAL", 0)
    run = make_run(cast, data=roster_of(250).encode())
    seen = []
    record = imports._RunProgress.__call__

    def watch(self, stage, done, total):
        record(self, stage, done, total)
        seen.append(ImportRun.objects.values_list("stage", "rows_done", "rows_total").get())

    monkeypatch.setattr(imports._RunProgress, "__call__", watch)

    import_run_execute(run_id=run.pk)

    assert seen == [
        ("checking", 100, 250),
        ("checking", 200, 250),
        ("checking", 250, 250),
        ("saving", 0, 250),
        ("saving", 250, 250),
    ]


def test_the_upload_page_lists_recent_imports_in_a_fixed_number_of_queries(
    cast, as_user, django_assert_num_queries
):
    for number in range(8):
        make_run(cast, file_name=f"file{number}.csv")
    client = as_user(cast.administrator)

    # session, user, roles, recent imports with who uploaded them
    with django_assert_num_queries(4):
        response = client.get(reverse("roster_import"))

    html = response.content.decode()
    assert "file7.csv" in html and "file3.csv" in html and "file2.csv" not in html


def test_an_import_page_takes_a_fixed_number_of_queries(cast, as_user, django_assert_num_queries):
    run = make_run(cast, status="done", result={"errors": [[n, "bad"] for n in range(2, 500)]})
    client = as_user(cast.administrator)

    with django_assert_num_queries(5):  # session, user, roles, the import, who uploaded it
        response = client.get(reverse("import_run", args=[run.pk]))

    assert "Nothing was imported: 498 problems in the file" in response.content.decode()


# Through the database queue and its worker, as in production ----------------------------------

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker() -> None:
    """The worker, once through the queue; it sets its own signal handlers, put back after."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO()
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_runs_a_queued_import_in_the_name_of_its_administrator():
    administrator = make_person(with_account=True).user

    run = import_run_start(
        kind=ImportRun.Kind.ROSTER,
        file=ImportFile(name="people.csv", data=roster_of(3).encode()),
        dry_run=False,
        by=administrator,
    )

    run.refresh_from_db()
    assert run.status == ImportRun.Status.QUEUED
    assert not Person.objects.filter(email__endswith="@x.example").exists()
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [run.pk], "kwargs": {}}

    run_worker()

    run.refresh_from_db()
    task.refresh_from_db()
    assert (run.status, task.status) == ("done", "SUCCESSFUL")
    assert ImportRun.objects.get().result["created"] == 3
    people = Person.objects.filter(email__endswith="@x.example")
    assert {person.history.get().history_user for person in people} == {administrator}
