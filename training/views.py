from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from accounts.decorators import permission_required
from accounts.http import AuthenticatedHttpRequest
from accounts.roles import Permission, can
from common.exports import export_response
from training import selectors, services
from training.filters import RosterFilter
from training.forms import (
    CohortForm,
    CSVUploadForm,
    NominateForm,
    PlaceMoveForm,
    PlaceWithdrawForm,
    RegisterForm,
    RegisterMarkForm,
    RegisterPersonForm,
    TeamFilterForm,
)
from training.imports import IMPORTERS, ImportResult, import_run_start
from training.models import Cohort, CoursePlace, ImportRun, PlaceStatus
from training.services import (
    cohort_register_add,
    cohort_register_save,
    cohort_save,
    places_nominate,
)
from training.tables import AuditTrailColumn, RosterTable

MOST_PER_PAGE = 500


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_ROSTER)
def roster(request: AuthenticatedHttpRequest) -> HttpResponse:
    people = selectors.roster_people(as_of=timezone.localdate())
    roster_filter = RosterFilter(request.GET or None, queryset=people)
    extra = []
    if can(request.user, Permission.READ_AUDIT):
        extra.append(("audit", AuditTrailColumn()))
    table = RosterTable(roster_filter.qs, extra_columns=extra)
    response = export_response(request, table, f"roster-{timezone.localdate()}")
    if response:
        return response
    size = request.GET.get(table.prefixed_per_page_field)
    if size is not None and not (size.isdecimal() and 1 <= int(size) <= MOST_PER_PAGE):
        # django-tables2 would take a page size of -1 from the address and fail on it.
        query = request.GET.copy()
        del query[table.prefixed_per_page_field]
        # django-stubs types request.GET as immutable; Django lets a view replace it.
        request.GET = query  # type: ignore[assignment]
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    template = "training/roster.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"filter": roster_filter, "table": table})


IMPORT_TITLES: dict[str, str] = {
    ImportRun.Kind.ROSTER: "Import the roster",
    ImportRun.Kind.TRAINING: "Import training attendance",
}


@require_http_methods(["GET", "POST"])
@permission_required(Permission.IMPORT_ROSTER)
def csv_import(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
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
def import_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
@permission_required(Permission.RUN_COURSES)
def cohort_create(request: HttpRequest) -> HttpResponse:
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cohort = cohort_save(cohort=form.save(commit=False))
        messages.success(request, f"{cohort.name} created: people can now be nominated for it.")
        return redirect("cohort_detail", pk=cohort.pk)
    return render(request, "training/cohort_form.html", {"form": form, "cohort": None})


@require_http_methods(["GET", "POST"])
@permission_required(Permission.RUN_COURSES)
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=pk)
    form = CohortForm(request.POST or None, instance=cohort)
    if request.method == "POST" and form.is_valid():
        cohort_save(cohort=form.save(commit=False))
        messages.success(request, f"{cohort.name} saved.")
        return redirect("cohort_detail", pk=cohort.pk)
    return render(request, "training/cohort_form.html", {"form": form, "cohort": cohort})


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_COHORTS)
def cohort_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("phase"), pk=pk)
    return render(request, "training/cohort_detail.html", _course_context(request, cohort))


@require_http_methods(["POST"])
@permission_required(Permission.RECORD_TRAINING)
def cohort_register_person_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Put someone on the register by their work email, for both days."""
    cohort = get_object_or_404(Cohort.objects.select_related("phase"), pk=pk)
    form = RegisterPersonForm(request.POST)
    if not form.is_valid():
        return render(
            request, "training/cohort_detail.html", _course_context(request, cohort, form)
        )
    person = form.cleaned_data["email"]
    cohort_register_add(cohort=cohort, person=person)
    messages.success(request, f"{person} added to the register.")
    return redirect("cohort_detail", pk=cohort.pk)


@require_http_methods(["POST"])
@permission_required(Permission.RECORD_TRAINING)
def cohort_register_save_all(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole register in one form, for use without JavaScript."""
    cohort = get_object_or_404(Cohort, pk=pk)
    form = RegisterForm(request.POST, registered=selectors.cohort_registered_ids(cohort))
    form.is_valid()  # nothing in it is refused: boxes of people not on the register are ignored
    changed = cohort_register_save(cohort=cohort, marks=form.marks())
    messages.success(request, f"Attendance saved ({changed} changed).")
    return redirect("cohort_detail", pk=cohort.pk)


@require_http_methods(["POST"])
@permission_required(Permission.RECORD_TRAINING)
def cohort_register_mark(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One day of one person, saved as it is ticked; htmx gets that person's row back."""
    cohort = get_object_or_404(Cohort.objects.select_related("phase"), pk=pk)
    form = RegisterMarkForm(request.POST, registered=selectors.cohort_registered_ids(cohort))
    if not form.is_valid():
        refusal = " ".join(str(message) for message in form.errors["toggle"])
        if request.htmx:
            return HttpResponse(refusal, status=400)
        messages.error(request, refusal)
        return redirect("cohort_detail", pk=cohort.pk)
    marks = form.marks()
    cohort_register_save(cohort=cohort, marks=marks)
    if not request.htmx:
        messages.success(request, "Attendance saved.")
        return redirect("cohort_detail", pk=cohort.pk)
    ((person_id, _),) = marks
    row = selectors.cohort_register(cohort, person_id=person_id)[0]
    return render(
        request,
        "training/cohort_detail.html#register-row",
        {"cohort": cohort, "row": row, "may_record": True},
    )


def _course_context(
    request: HttpRequest, cohort: Cohort, add_form: RegisterPersonForm | None = None
) -> dict[str, object]:
    """What a course's page shows: its places, its mix and its register."""
    return {
        "cohort": cohort,
        "places": selectors.course_places(cohort),
        "mix": selectors.course_mix(cohort),
        "register": selectors.cohort_register(cohort),
        "may_record": can(request.user, Permission.RECORD_TRAINING),
        "may_run": can(request.user, Permission.RUN_COURSES),
        "may_decide": can(request.user, Permission.CONFIRM_PLACES),
        "started": cohort.has_started(timezone.localdate()),
        "add_form": add_form or RegisterPersonForm(),
    }


# Nominations and places ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required(Permission.NOMINATE)
def to_be_trained(request: AuthenticatedHttpRequest) -> HttpResponse:
    """People still to be trained, and nominating them for a course: a supervisor's own staff,
    or everyone for those who confirm places (by team, from the roll-out page)."""
    everyone = selectors.may_decide_places(request.user)
    me = selectors.person_of(request.user)
    if everyone:
        people = selectors.people_to_be_trained()
    elif me is not None:
        people = selectors.people_to_be_trained(line_manager=me)
    else:
        people = selectors.people_to_be_trained().none()
    team_form = TeamFilterForm(request.GET or None)
    if team_form.is_valid() and team_form.cleaned_data["team"]:
        people = people.filter(team=team_form.cleaned_data["team"])
    form = NominateForm(
        request.POST or None,
        nominees=selectors.people_to_nominate(people),
        courses=selectors.courses_to_come(),
    )
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["people"])
        cohort = form.cleaned_data["cohort"]
        try:
            places_nominate(cohort=cohort, people=chosen, by=me)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            names = ", ".join(person.full_name for person in chosen)
            messages.success(
                request, f"Nominated for {cohort.name}: {names}. Places wait for confirmation."
            )
            return redirect(request.get_full_path())
    template = "training/to_be_trained.html"
    if request.htmx and request.method == "GET":
        template += "#people"
    return render(
        request,
        template,
        {
            "people": list(people),
            "form": form,
            "team_form": team_form,
            "everyone": everyone,
            "courses": form.courses,
        },
    )


def _back(request: AuthenticatedHttpRequest, place: CoursePlace, done: str) -> HttpResponse:
    """After acting on a place: the course page's places again (htmx, for those who see the
    course), else back where the form was, or home."""
    cohort = place.cohort
    if request.htmx and can(request.user, Permission.VIEW_COHORTS):
        context = _course_context(request, cohort) | {"done": done}
        return render(request, "training/cohort_detail.html#course", context)
    messages.success(request, done)
    return redirect(_next_or_home(request))


def _refused(
    request: AuthenticatedHttpRequest, place: CoursePlace, error: ValidationError
) -> HttpResponse:
    problem = " ".join(error.messages)
    if request.htmx and can(request.user, Permission.VIEW_COHORTS):
        context = _course_context(request, place.cohort) | {"problem": problem}
        return render(request, "training/cohort_detail.html#course", context, status=409)
    messages.error(request, problem)
    return redirect(_next_or_home(request))


def _next_or_home(request: HttpRequest) -> str:
    """The page the form came from (a path on this site), or home."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@require_http_methods(["POST"])
@permission_required(Permission.CONFIRM_PLACES)
def place_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    place = selectors.get_place_for_user(request.user, pk)
    try:
        place = services.place_confirm(place=place)
    except ValidationError as error:
        return _refused(request, place, error)
    name, course = place.person.full_name, place.cohort.name
    if place.status == PlaceStatus.WAITING:
        done = f"{course} is full: {name} is on its waiting list."
    else:
        done = f"{name}'s place on {course} is confirmed; their invitations are on the way."
    return _back(request, place, done)


@require_http_methods(["POST"])
def place_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    place = selectors.get_place_for_user(request.user, pk)
    try:
        services.place_accept(place=place)
    except ValidationError as error:
        return _refused(request, place, error)
    return _back(
        request,
        place,
        f"The place on {place.cohort.name} is taken: invitations to both days are on the way.",
    )


@require_http_methods(["POST"])
def place_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    place = selectors.get_place_for_user(request.user, pk)
    form = PlaceWithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.place_withdraw(place=place, reason=reason)
    except ValidationError as error:
        return _refused(request, place, error)
    return _back(request, place, f"{place.person.full_name} is no longer on {place.cohort.name}.")


@require_http_methods(["GET", "POST"])
def place_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask to move a confirmed place to another course; the programme lead decides."""
    place = selectors.get_place_for_user(request.user, pk)
    courses = selectors.courses_to_come().exclude(pk=place.cohort_id)
    form = PlaceMoveForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        try:
            services.place_move_request(
                place=place, to=form.cleaned_data["cohort"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Asked to move to {form.cleaned_data['cohort'].name}. The programme lead "
                "decides; until then the place stays as it is.",
            )
            return redirect(_next_or_home(request))
    came_from = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        came_from, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        came_from = reverse("home")
    return render(
        request, "training/place_move.html", {"place": place, "form": form, "next": came_from}
    )


@require_http_methods(["POST"])
@permission_required(Permission.CONFIRM_PLACES)
def place_move_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    place = selectors.get_place_for_user(request.user, pk)
    try:
        moved = services.place_move_approve(place=place)
    except ValidationError as error:
        return _refused(request, place, error)
    return _back(request, place, f"{place.person.full_name} has moved to {moved.cohort.name}.")


@require_http_methods(["POST"])
@permission_required(Permission.CONFIRM_PLACES)
def place_move_refuse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    place = selectors.get_place_for_user(request.user, pk)
    services.place_move_refuse(place=place)
    return _back(request, place, f"{place.person.full_name} stays on {place.cohort.name}.")
