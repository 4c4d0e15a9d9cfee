from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig, TemplateColumn

from accounts.decorators import permission_required
from accounts.roles import Permission, can
from caseload.selectors import months_counted, rollout_with_cases
from common.exports import export_response
from training import charts, selectors
from training.filters import RosterFilter
from training.forms import AsOfForm, CohortForm, CSVUploadForm, RegisterPersonForm
from training.imports import IMPORTERS, ImportResult, import_run_start
from training.models import Cohort, CourseDay, ImportRun
from training.services import cohort_register_add, cohort_register_save, cohort_save
from training.tables import PhaseTable, RoleGroupTable, RosterTable, TeamTable


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_ROLLOUT)
def rollout(request: HttpRequest) -> HttpResponse:
    form = AsOfForm(request.GET or None)
    summary = rollout_with_cases(selectors.rollout_summary(as_of=form.as_of_date()))
    tables = {
        "phases": PhaseTable(summary.phases),
        "teams": TeamTable(summary.teams, prefix="teams-"),
        "role_groups": RoleGroupTable(summary.role_groups),
    }
    # A region has hundreds of teams: a page of them at a time (the download has them all).
    RequestConfig(request, paginate={"per_page": 25}).configure(tables["teams"])
    wanted = request.GET.get("table", "teams")
    if wanted in tables:
        response = export_response(request, tables[wanted], f"rollout-{wanted}-{summary.as_of}")
        if response:
            return response
    context = {
        "form": form,
        "summary": summary,
        "tables": tables,
        "chart": charts.cumulative_chart(summary),
        "behind": summary.teams_furthest_behind(),
        "cases_from": months_counted(summary.as_of)[0],
        "query": request.GET.urlencode(),
    }
    template = "training/rollout.html"
    if request.htmx:
        template += "#figures"
    return render(request, template, context)


MOST_PER_PAGE = 500


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_ROSTER)
def roster(request: HttpRequest) -> HttpResponse:
    people = selectors.roster_people(as_of=timezone.localdate())
    roster_filter = RosterFilter(request.GET or None, queryset=people)
    extra = []
    if can(request.user, Permission.READ_AUDIT):
        trail = (
            "<a href=\"{% url 'person_audit' record.pk %}\">Audit trail"
            '<span class="visually-hidden"> of {{ record.full_name }}</span></a>'
        )
        extra.append(
            (
                "audit",
                TemplateColumn(
                    trail, verbose_name="Audit trail", orderable=False, exclude_from_export=True
                ),
            )
        )
    table = RosterTable(roster_filter.qs, extra_columns=extra)
    response = export_response(request, table, f"roster-{timezone.localdate()}")
    if response:
        return response
    size = request.GET.get(table.prefixed_per_page_field)
    if size is not None and not (size.isdecimal() and 1 <= int(size) <= MOST_PER_PAGE):
        # django-tables2 would take a page size of -1 from the address and fail on it.
        request.GET = request.GET.copy()
        del request.GET[table.prefixed_per_page_field]
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    template = "training/roster.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"filter": roster_filter, "table": table})


IMPORT_TITLES = {
    ImportRun.Kind.ROSTER: "Import the roster",
    ImportRun.Kind.TRAINING: "Import training attendance",
}


@require_http_methods(["GET", "POST"])
@permission_required(Permission.IMPORT_ROSTER)
def csv_import(request: HttpRequest, kind: str) -> HttpResponse:
    form = CSVUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = import_run_start(
            kind=kind,
            file=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
            by=request.user,
        )
        return redirect("import_run", pk=run.pk)
    return render(
        request,
        "training/import.html",
        {
            "form": form,
            "result": None,
            "title": IMPORT_TITLES[kind],
            "kind": kind,
            "recent": selectors.import_runs_recent(kind=kind),
        },
    )


@require_http_methods(["GET"])
@permission_required(Permission.IMPORT_ROSTER)
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's progress while it runs in the background, then its summary or bad lines.

    htmx polls the status partial; without JavaScript the page has a link to load it again.
    """
    run = get_object_or_404(ImportRun.objects.defer("data"), pk=pk)
    result = ImportResult.from_json(run.result) if run.status == ImportRun.Status.DONE else None
    _, noun = IMPORTERS[run.kind]
    template = "training/import_run.html"
    if request.htmx:
        template += "#status"
    return render(
        request,
        template,
        {
            "run": run,
            "result": result,
            "summary": result.summary(noun) if result else [],
            "title": IMPORT_TITLES[run.kind],
            "upload_url": "roster_import"
            if run.kind == ImportRun.Kind.ROSTER
            else "training_import",
        },
    )


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_COHORTS)
def cohort_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "training/cohort_list.html", {"cohorts": selectors.cohorts_with_counts()}
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.RECORD_TRAINING)
def cohort_create(request: HttpRequest) -> HttpResponse:
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cohort = cohort_save(cohort=form.save(commit=False))
        messages.success(request, f"{cohort.name} created: add people to its register below.")
        return redirect("cohort_detail", pk=cohort.pk)
    return render(request, "training/cohort_form.html", {"form": form, "cohort": None})


@require_http_methods(["GET", "POST"])
@permission_required(Permission.RECORD_TRAINING)
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=pk)
    form = CohortForm(request.POST or None, instance=cohort)
    if request.method == "POST" and form.is_valid():
        cohort_save(cohort=form.save(commit=False))
        messages.success(request, f"{cohort.name} saved.")
        return redirect("cohort_detail", pk=cohort.pk)
    return render(request, "training/cohort_form.html", {"form": form, "cohort": cohort})


def _parse_marks(values: list[str], registered: set[int]) -> dict[tuple[int, CourseDay], bool]:
    """Checkbox values "person_id:day" as {(person_id, day): True}, for people on the register."""
    marks = {}
    for value in values:
        person_id, _, day = value.partition(":")
        if person_id.isdecimal() and day in ("1", "2") and int(person_id) in registered:
            marks[(int(person_id), CourseDay(int(day)))] = True
    return marks


@require_http_methods(["GET", "POST"])
@permission_required(Permission.VIEW_COHORTS)
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("phase"), pk=pk)
    may_record = can(request.user, Permission.RECORD_TRAINING)
    add_form = RegisterPersonForm()
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        if request.POST.get("action") == "add":
            add_form = RegisterPersonForm(request.POST)
            if add_form.is_valid():
                person = add_form.cleaned_data["email"]
                cohort_register_add(cohort=cohort, person=person)
                messages.success(request, f"{person} added to the register.")
                return redirect("cohort_detail", pk=cohort.pk)
        else:
            registered = selectors.cohort_registered_ids(cohort)
            checked = _parse_marks(request.POST.getlist("attended"), registered)
            toggled = _parse_marks([request.POST.get("toggle", "")], registered)
            if request.htmx and toggled:
                (person_id, day), _ = toggled.popitem()
                cohort_register_save(
                    cohort=cohort, marks={(person_id, day): (person_id, day) in checked}
                )
                row = selectors.cohort_register(cohort, person_id=person_id)[0]
                return render(
                    request,
                    "training/cohort_detail.html#register-row",
                    {"cohort": cohort, "row": row, "may_record": True},
                )
            marks = {
                (person_id, day): (person_id, day) in checked
                for person_id in registered
                for day in CourseDay
            }
            changed = cohort_register_save(cohort=cohort, marks=marks)
            messages.success(request, f"Attendance saved ({changed} changed).")
            return redirect("cohort_detail", pk=cohort.pk)
    return render(
        request,
        "training/cohort_detail.html",
        {
            "cohort": cohort,
            "register": selectors.cohort_register(cohort),
            "may_record": may_record,
            "add_form": add_form,
        },
    )
