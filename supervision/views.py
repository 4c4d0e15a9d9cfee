from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import permission_required
from accounts.roles import Permission, can
from competencies.selectors import SELF_HIGHER_FLAG, reviews_visible_to
from supervision import selectors, services
from supervision.forms import SessionForm
from supervision.models import SessionStatus
from training.models import Person
from training.selectors import is_trained


def _person(request: HttpRequest) -> Person:
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404("Your account is not linked to the roster.")
    return person


def _is_trained(person: Person) -> bool:
    return is_trained(person, timezone.localdate())


@require_http_methods(["GET"])
def supervision_home(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    supervising = can(request.user, Permission.SUPERVISE)
    now = timezone.now()
    days = selectors.overdue_days()
    sessions = list(selectors.sessions_for_person(person).order_by("starts_at"))
    return render(
        request,
        "supervision/home.html",
        {
            "supervising": supervising,
            "supervisees": list(selectors.supervisees(person, days=days)) if supervising else [],
            "trained": _is_trained(person) if supervising else True,
            "upcoming": [
                s for s in sessions if s.starts_at > now and s.status == SessionStatus.PLANNED
            ],
            "past": [
                s for s in sessions if s.starts_at <= now or s.status != SessionStatus.PLANNED
            ][::-1][:20],
            "overdue_days": days,
            "self_higher_flag": SELF_HIGHER_FLAG,
            "person": person,
        },
    )


def _save_session(request: HttpRequest, form: SessionForm, session=None):
    starts_at, ends_at = form.times()
    values = {
        "practitioners": list(form.cleaned_data["practitioners"]),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": form.cleaned_data["place"],
        "reason": form.cleaned_data["reason"],
    }
    if session is None:
        return services.session_schedule(supervisor=_person(request), **values)
    return services.session_change(session=session, **values)


@require_http_methods(["GET", "POST"])
@permission_required(Permission.SUPERVISE)
def session_create(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    form = SessionForm(request.POST or None, supervisees=selectors.supervisees(person))
    if request.method == "POST" and form.is_valid():
        try:
            session = _save_session(request, form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "2:1 scheduled; invitations sent.")
            return redirect("session_detail", pk=session.pk)
    return render(
        request,
        "supervision/session_form.html",
        {"form": form, "session": None, "trained": _is_trained(person)},
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.SUPERVISE)
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk, as_supervisor=True)
    person = _person(request)
    initial = {
        "practitioners": list(session.practitioners.all()),
        "date": timezone.localtime(session.starts_at).date(),
        "start_time": timezone.localtime(session.starts_at).time(),
        "end_time": timezone.localtime(session.ends_at).time(),
        "place": session.place,
        "reason": session.single_practitioner_reason,
    }
    form = SessionForm(
        request.POST or None, initial=initial, supervisees=selectors.supervisees(person)
    )
    if request.method == "POST" and form.is_valid():
        try:
            _save_session(request, form, session)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "2:1 changed; everyone has been sent the new details.")
            return redirect("session_detail", pk=session.pk)
    return render(
        request,
        "supervision/session_form.html",
        {"form": form, "session": session, "trained": True},
    )


@require_http_methods(["GET", "POST"])
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk)
    is_supervisor = session.supervisor_id == _person(request).pk
    if request.method == "POST":
        if not is_supervisor:
            raise Http404("No such 2:1.")
        status = request.POST.get("status")
        if status in (SessionStatus.HELD, SessionStatus.CANCELLED):
            try:
                services.session_set_status(session=session, status=SessionStatus(status))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"2:1 recorded as {SessionStatus(status).label.lower()}.")
        return redirect("session_detail", pk=session.pk)
    return render(
        request,
        "supervision/session_detail.html",
        {
            "session": session,
            "is_supervisor": is_supervisor,
            "has_started": session.starts_at <= timezone.now(),
            # Each practitioner sees only their own reviews: the other's case is not theirs.
            "reviews": reviews_visible_to(_person(request))
            .filter(session=session)
            .select_related("practitioner"),
        },
    )
