from __future__ import annotations

from collections.abc import Callable, Mapping

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import permission_required
from accounts.http import AuthenticatedHttpRequest
from accounts.roles import Permission, can
from competencies import services as review_services
from competencies.frameworks import current_version
from competencies.models import Competency
from competencies.selectors import SELF_HIGHER_FLAG, reviews_visible_to
from supervision import selectors, services
from supervision.forms import (
    ActionCloseForm,
    AgreedActionForm,
    CaseDiscussedForm,
    HeldSessionForm,
    ReviewStartForm,
    SessionFocusForm,
    SessionForm,
    SessionNoteForm,
    SessionStatusForm,
)
from supervision.models import AgreedAction, SessionStatus, SupervisionSession
from training.models import Person
from training.selectors import is_trained, request_person


def _is_trained(person: Person) -> bool:
    return is_trained(person, timezone.localdate())


@require_http_methods(["GET"])
def supervision_home(request: HttpRequest) -> HttpResponse:
    person = request_person(request)
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
        return services.session_schedule(supervisor=request_person(request), **values)
    return services.session_change(session=session, **values)


@require_http_methods(["GET", "POST"])
@permission_required(Permission.SUPERVISE)
def session_create(request: HttpRequest) -> HttpResponse:
    person = request_person(request)
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
def session_took_place(request: HttpRequest) -> HttpResponse:
    """Record a 2:1 after it happened, in one step, then go on to its record."""
    person = request_person(request)
    form = HeldSessionForm(request.POST or None, supervisees=selectors.supervisees(person))
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            session = services.session_record_held(
                supervisor=person,
                practitioners=list(form.cleaned_data["practitioners"]),
                starts_at=starts_at,
                ends_at=ends_at,
                place=form.cleaned_data["place"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "2:1 recorded as held. Add what was discussed and agreed.")
            return redirect("session_record", pk=session.pk)
    return render(
        request,
        "supervision/session_form.html",
        {"form": form, "session": None, "held": True, "trained": _is_trained(person)},
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.SUPERVISE)
def session_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk, as_supervisor=True)
    person = request_person(request)
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


@require_http_methods(["GET"])
def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk)
    is_supervisor = session.supervisor_id == request_person(request).pk
    return render(
        request,
        "supervision/session_detail.html",
        {
            "session": session,
            "is_supervisor": is_supervisor,
            "has_started": session.starts_at <= timezone.now(),
            # Each practitioner sees only their own reviews: the other's case is not theirs.
            "reviews": reviews_visible_to(request_person(request))
            .filter(session=session)
            .select_related("practitioner"),
        },
    )


@require_http_methods(["POST"])
def session_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Its supervisor marks a planned 2:1 held or cancelled, from the 2:1's page."""
    session = selectors.get_session_for_user(request.user, pk)
    if session.supervisor_id != request_person(request).pk:
        raise PermissionDenied("Only the 2:1's supervisor marks it held or cancelled.")
    form = SessionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether the 2:1 was held or is cancelled.")
        return redirect("session_detail", pk=session.pk)
    status = SessionStatus(form.cleaned_data["status"])
    try:
        services.session_set_status(session=session, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"2:1 recorded as {status.label.lower()}.")
    return redirect("session_detail", pk=session.pk)


# The record of a 2:1 ------------------------------------------------------------------------------
#
# One page; each kind of item is added by its own POST view, which answers htmx with the page's
# section for that kind, and a plain request with a redirect or the page with the form's errors.

RECORD_TEMPLATE = "supervision/session_record.html"


def _current_competencies() -> list[Competency]:
    version = current_version()
    if version is None:
        return []
    return list(
        Competency.objects.filter(area__version=version)
        .select_related("area")
        .order_by("area__order", "order", "pk")
    )


def _attach_close_forms(actions: list[AgreedAction], bound: ActionCloseForm | None) -> None:
    """Give each open action its own closing form (the bound one where it was refused)."""
    for action in actions:
        if bound is not None and bound.data.get("action") == str(action.pk):
            action.close_form = bound
        else:
            action.close_form = ActionCloseForm(
                actions=actions, initial={"action": action.pk}, auto_id=f"id_close_{action.pk}_%s"
            )


def _record_context(
    session: SupervisionSession, person: Person, bound: Mapping[str, forms.BaseForm] | None = None
) -> dict[str, object]:
    bound = bound or {}
    record = selectors.session_record(session, person)
    refusal = selectors.record_refusal(session)
    is_supervisor = session.supervisor_id == person.pk
    context: dict[str, object] = {
        "session": session,
        "record": record,
        "is_supervisor": is_supervisor,
        "writable": is_supervisor and refusal is None,
        "refusal": refusal,
        "today": timezone.localdate(),
    }
    if context["writable"]:
        refused = bound.get("close_form")
        closing = refused if isinstance(refused, ActionCloseForm) else None
        open_actions = [action for action in [*record.carried, *record.actions] if action.is_open]
        _attach_close_forms(open_actions, closing)
        context |= {
            "case_form": bound.get("case_form") or CaseDiscussedForm(session=session),
            "focus_form": bound.get("focus_form")
            or SessionFocusForm(session=session, competencies=_current_competencies()),
            "note_form": bound.get("note_form") or SessionNoteForm(session=session),
            "action_form": bound.get("action_form") or AgreedActionForm(session=session),
            # A refused action ID matches no action's form: said at the top of the section.
            "close_error": closing if closing is not None and "action" in closing.errors else None,
        }
    return context


@require_http_methods(["GET"])
def session_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The record of a 2:1: what its supervisor wrote, as much of it as the reader may see."""
    session = selectors.get_session_for_user(request.user, pk)
    return render(request, RECORD_TEMPLATE, _record_context(session, request_person(request)))


def _record_write(
    request: AuthenticatedHttpRequest,
    session: SupervisionSession,
    *,
    section: str,
    form_name: str,
    form: forms.BaseForm,
    write: Callable[[], object],
    saved: str,
) -> HttpResponse:
    """Write with a valid form; answer htmx with the section, others with the page.

    A service's refusal becomes the form's error; the form comes back with what was typed.
    """
    done = False
    if form.is_valid():
        try:
            write()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = True
    person = request_person(request)
    bound = {} if done else {form_name: form}
    if request.htmx:
        context = _record_context(session, person, bound)
        return render(
            request, f"{RECORD_TEMPLATE}#{section}", {**context, "saved": saved if done else ""}
        )
    if done:
        messages.success(request, saved)
        return redirect(f"{reverse('session_record', args=[session.pk])}#{section}")
    return render(request, RECORD_TEMPLATE, _record_context(session, person, bound))


@require_http_methods(["POST"])
@permission_required(Permission.SUPERVISE)
def session_case_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk, as_supervisor=True)
    form = CaseDiscussedForm(request.POST, session=session)
    return _record_write(
        request,
        session,
        section="cases",
        form_name="case_form",
        form=form,
        write=lambda: services.case_discussed_add(
            session=session,
            practitioner=form.cleaned_data["whose"],
            case_reference=form.cleaned_data["case_reference"],
            case_type=form.cleaned_data["case_type"],
            risk_level=form.cleaned_data["risk_level"],
        ),
        saved="Case added to the record.",
    )


@require_http_methods(["POST"])
@permission_required(Permission.SUPERVISE)
def session_focus_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk, as_supervisor=True)
    form = SessionFocusForm(request.POST, session=session, competencies=_current_competencies())

    def write() -> object:
        stage, competency = form.cleaned_data["worked_on"]
        return services.session_focus_add(
            session=session,
            practitioner=form.cleaned_data["whose"],
            stage=stage,
            competency=competency,
        )

    return _record_write(
        request,
        session,
        section="focus",
        form_name="focus_form",
        form=form,
        write=write,
        saved="Added to what the 2:1 worked on.",
    )


@require_http_methods(["POST"])
@permission_required(Permission.SUPERVISE)
def session_note_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk, as_supervisor=True)
    form = SessionNoteForm(request.POST, session=session)
    return _record_write(
        request,
        session,
        section="notes",
        form_name="note_form",
        form=form,
        write=lambda: services.session_note_add(
            session=session, practitioner=form.cleaned_data["whose"], text=form.cleaned_data["text"]
        ),
        saved="Note added to the record.",
    )


@require_http_methods(["POST"])
@permission_required(Permission.SUPERVISE)
def session_action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk, as_supervisor=True)
    form = AgreedActionForm(request.POST, session=session)
    return _record_write(
        request,
        session,
        section="actions",
        form_name="action_form",
        form=form,
        write=lambda: services.action_agree(
            session=session,
            owner=form.cleaned_data["owner"],
            practitioner=form.cleaned_data["whose"],
            description=form.cleaned_data["description"],
            due_on=form.cleaned_data["due_on"],
        ),
        saved="Action agreed.",
    )


@require_http_methods(["POST"])
@permission_required(Permission.SUPERVISE)
def session_action_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk, as_supervisor=True)
    record = selectors.session_record(session, request_person(request))
    open_actions = [action for action in [*record.carried, *record.actions] if action.is_open]
    known = {str(action.pk) for action in open_actions}
    key = request.POST.get("action", "") if request.POST.get("action", "") in known else "refused"
    form = ActionCloseForm(request.POST, actions=open_actions, auto_id=f"id_close_{key}_%s")
    return _record_write(
        request,
        session,
        section="actions",
        form_name="close_form",
        form=form,
        write=lambda: services.action_close(
            action=form.cleaned_data["action"], session=session, note=form.cleaned_data["note"]
        ),
        saved="Action closed.",
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.REVIEW_OWN_PRACTICE)
def review_start(request: HttpRequest) -> HttpResponse:
    """Start a review of one's practice: here, beside the 2:1s, because it names the 2:1 where it
    will be discussed; the review itself is the competencies app's."""
    person = request_person(request)
    form = ReviewStartForm(
        request.POST or None,
        sessions=selectors.sessions_for_person(person).filter(practitioners=person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            review = review_services.review_start(practitioner=person, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("review_detail", pk=review.pk)
    return render(request, "supervision/review_start.html", {"form": form})
