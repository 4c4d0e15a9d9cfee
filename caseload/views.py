from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import permission_required
from accounts.http import AuthenticatedHttpRequest
from accounts.roles import Permission
from caseload import selectors, services
from caseload.forms import MyCasesForm, SessionCasesForm
from caseload.models import MonthlyCaseload
from supervision.models import SupervisionSession
from supervision.selectors import get_session_for_user, record_refusal
from training.models import Person
from training.selectors import request_person


@require_http_methods(["GET", "POST"])
@permission_required(Permission.RECORD_OWN_CASES)
def my_cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A practitioner's own caseload and cases worked with the model, month by month."""
    person = request_person(request)
    form = MyCasesForm(request.POST or None, initial={"month": f"{timezone.localdate():%Y-%m}"})
    saved = ""
    if request.method == "POST" and form.is_valid():
        try:
            row = services.monthly_caseload_record(
                person=person,
                month=form.cleaned_data["month"],
                caseload=form.cleaned_data["caseload"],
                cases_with_model=form.cleaned_data["cases_with_model"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            saved = f"Figures for {row.month:%B %Y} saved."
            if not request.htmx:
                messages.success(request, saved)
                return redirect("my_cases")
            form = MyCasesForm(initial={"month": f"{row.month:%Y-%m}"})
    template = "caseload/my_cases.html"
    if request.htmx:
        template += "#figures"
    context = {"form": form, "figures": list(selectors.figures_of(person)), "saved": saved}
    return render(request, template, context)


def _session_forms(
    session: SupervisionSession, bound: SessionCasesForm | None = None
) -> list[tuple[Person, MonthlyCaseload | None, SessionCasesForm]]:
    """Each practitioner of the 2:1, their figures for its month and a form to confirm them
    (the bound one where it was refused)."""
    practitioners = list(session.practitioners.all())
    rows = []
    for person, figures in selectors.session_figures(session):
        if bound is not None and bound.data.get("practitioner") == str(person.pk):
            form = bound
        else:
            initial = {"practitioner": person.pk}
            if figures is not None:
                initial |= {
                    "caseload": figures.caseload,
                    "cases_with_model": figures.cases_with_model,
                }
            form = SessionCasesForm(
                initial=initial, practitioners=practitioners, auto_id=f"id_{person.pk}_%s"
            )
        rows.append((person, figures, form))
    return rows


@require_http_methods(["GET", "POST"])
@permission_required(Permission.SUPERVISE)
def session_cases(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The supervisor of a 2:1 confirms or changes its practitioners' figures for its month."""
    session = get_session_for_user(request.user, pk, as_supervisor=True)
    bound, saved = None, ""
    if request.method == "POST":
        form = SessionCasesForm(
            request.POST,
            practitioners=list(session.practitioners.all()),
            auto_id=f"id_{request.POST.get('practitioner', 'refused')}_%s",
        )
        if form.is_valid():
            try:
                services.monthly_caseload_confirm(
                    session=session,
                    practitioner=form.cleaned_data["practitioner"],
                    caseload=form.cleaned_data["caseload"],
                    cases_with_model=form.cleaned_data["cases_with_model"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                saved = f"Figures for {form.cleaned_data['practitioner']} confirmed."
                if not request.htmx:
                    messages.success(request, saved)
                    return redirect("session_cases", pk=session.pk)
        if form.errors:
            bound = form
    template = "caseload/session_cases.html"
    if request.htmx:
        template += "#figures"
    return render(
        request,
        template,
        {
            "session": session,
            "month": selectors.session_month(session),
            "refusal": record_refusal(session),
            "rows": _session_forms(session, bound),
            "refused": bound if bound is not None and "practitioner" in bound.errors else None,
            "saved": saved,
        },
    )
