from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import permission_required
from accounts.http import AuthenticatedHttpRequest
from accounts.roles import Permission, can
from circles import selectors, services
from circles.forms import (
    AddMemberForm,
    AddMembersForm,
    AgendaForm,
    AttendanceForm,
    AttendanceMarkForm,
    CancelMeetingForm,
    CircleForm,
    MeetingRecordForm,
    MoveMeetingForm,
    RemoveMemberForm,
    meeting_defaults,
)
from circles.models import AttendanceStatus, CircleMeeting, LearningCircle, MeetingFocus
from training.models import Person
from training.selectors import person_of

NOT_STARTED = "Attendance can be recorded once the meeting has started."

CIRCLES_PER_PAGE = 50


@require_http_methods(["GET"])
def circle_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The circles the person may see, a page at a time: a practice leader has a few, a
    programme lead in a region hundreds."""
    page = Paginator(selectors.circle_list(request.user), CIRCLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "circles/circle_list.html",
        {
            "page": page,
            "circles": page.object_list,
            "may_create": can(request.user, Permission.LEAD_CIRCLES),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.LEAD_CIRCLES)
def circle_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = person_of(request.user)
    initial = {"facilitators": [person.pk] if person else [], "starts_on": timezone.localdate()}
    form = CircleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            circle = services.circle_save(
                circle=form.save(commit=False),
                facilitators=list(form.cleaned_data["facilitators"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{circle.name} created: it meets {circle.rule_text}.")
            return redirect("circle_detail", pk=circle.pk)
    return render(request, "circles/circle_form.html", {"form": form, "circle": None})


@require_http_methods(["GET", "POST"])
def circle_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    circle = selectors.get_circle_for_user(request.user, pk, to_run=True)
    form = CircleForm(request.POST or None, instance=circle)
    plan = None
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        plan = selectors.schedule_plan(
            changed,
            today=timezone.localdate(),
            rule_changed=any(name in form.changed_data for name in services.RULE_FIELDS),
        )
        # A change that moves or cancels meetings is shown to the leader before it is made.
        if (plan.moves or plan.cancels or plan.kept) and "confirm" not in request.POST:
            return render(
                request,
                "circles/circle_form.html",
                {"form": form, "circle": circle, "plan": plan, "confirming": True},
            )
        try:
            services.circle_save(
                circle=changed, facilitators=list(form.cleaned_data["facilitators"])
            )
        except ValidationError as error:
            form.add_error(None, error)
            plan = None
        else:
            told = " Everyone invited is sent the changes." if plan.moves or plan.cancels else ""
            kept = (
                f" Meetings moved on their own stay where they were put: {len(plan.kept)}."
                if plan.kept
                else ""
            )
            messages.success(request, f"Circle saved; future meetings follow its rule.{told}{kept}")
            return redirect("circle_detail", pk=circle.pk)
    return render(request, "circles/circle_form.html", {"form": form, "circle": circle})


@require_http_methods(["GET"])
def circle_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    circle = selectors.get_circle_for_user(request.user, pk)
    return _circle_page(request, circle, may_run=selectors.may_run(request.user, circle))


def _circle_page(
    request: AuthenticatedHttpRequest,
    circle: LearningCircle,
    *,
    may_run: bool,
    add_form: AddMemberForm | None = None,
) -> HttpResponse:
    """The circle's page, with the add-a-member form given (a refused one shows its errors)."""
    meetings = selectors.circle_meetings(circle)
    now = timezone.now()
    health = selectors.circle_health(circle, meetings)
    # Each member with their attendance record (None before their first register).
    members = [
        (person, health.members.get(person.pk)) for person in selectors.circle_members(circle)
    ]
    return render(
        request,
        "circles/circle_detail.html",
        {
            "circle": circle,
            "may_run": may_run,
            "members": members,
            "health": health,
            "past": [m for m in meetings if m.starts_at <= now][::-1][:12],
            "upcoming": [m for m in meetings if m.starts_at > now],
            "add_form": add_form or AddMemberForm(),
        },
    )


@require_http_methods(["POST"])
def circle_member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add one member by their work email; they are sent an invitation."""
    circle = selectors.get_circle_for_user(request.user, pk, to_run=True)
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        return _circle_page(request, circle, may_run=True, add_form=form)
    person = form.cleaned_data["email"]
    services.circle_member_add(circle=circle, person=person)
    messages.success(request, f"{person} added; they have been sent an invitation.")
    return redirect("circle_detail", pk=circle.pk)


@require_http_methods(["POST"])
def circle_member_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    circle = selectors.get_circle_for_user(request.user, pk, to_run=True)
    form = RemoveMemberForm(request.POST, circle=circle)
    if not form.is_valid():
        raise Http404("No such member.")
    person = form.cleaned_data["person"]
    services.circle_member_remove(circle=circle, person=person)
    messages.success(request, f"{person} is no longer a member.")
    return redirect("circle_detail", pk=circle.pk)


@require_http_methods(["GET", "POST"])
def circle_members_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add several members at once: found by name, or from trained people in no circle."""
    circle = selectors.get_circle_for_user(request.user, pk, to_run=True)
    form = AddMembersForm(request.POST if request.method == "POST" else None, circle=circle)
    if request.method == "POST" and form.is_valid():
        people = list(form.cleaned_data["people"])
        for person in people:
            services.circle_member_add(circle=circle, person=person)
        messages.success(
            request,
            f"Added {len(people)}: "
            + ", ".join(p.full_name for p in people)
            + ". Each is sent an invitation to the next meeting.",
        )
        return redirect("circle_detail", pk=circle.pk)
    search = request.GET.get("q", "")[:100]
    context = {
        "circle": circle,
        "form": form,
        "search": search,
        "found": selectors.people_to_add(circle, search),
        "unplaced": selectors.unplaced_trained_people(),
    }
    template = "circles/circle_members_add.html"
    if request.htmx and request.method == "GET":
        template += "#found"
    return render(request, template, context)


@require_http_methods(["GET"])
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The attendance screen: each member's status saves at once with htmx, or all at once."""
    meeting = selectors.get_meeting_for_user(request.user, pk)
    return _meeting_page(request, meeting, may_run=selectors.may_run(request.user, meeting.circle))


def _member_ids(meeting: CircleMeeting) -> set[int]:
    return set(meeting.circle.memberships.values_list("person_id", flat=True))


@require_http_methods(["POST"])
def meeting_attendance_mark(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One member's status, saved as the leader chooses it; htmx gets that row's status back."""
    meeting = selectors.get_meeting_for_user(request.user, pk, to_run=True)
    form = AttendanceMarkForm(request.POST, member_ids=_member_ids(meeting))
    if not form.is_valid():
        refusal = " ".join(str(message) for errors in form.errors.values() for message in errors)
        return _refused_mark(request, meeting, refusal)
    if not meeting.has_started:
        return _refused_mark(request, meeting, NOT_STARTED)
    marks = form.marks()
    services.meeting_attendance_save(meeting=meeting, marks=marks)
    ((person_id, status),) = marks.items()
    if not request.htmx:
        messages.success(request, f"Attendance saved: {status.label}.")
        return redirect("meeting_detail", pk=meeting.pk)
    return render(
        request,
        "circles/meeting_detail.html#member-status",
        {"row": {"person": {"pk": person_id}, "status_label": status.label}, "saved": True},
    )


def _refused_mark(
    request: AuthenticatedHttpRequest, meeting: CircleMeeting, refusal: str
) -> HttpResponse:
    if request.htmx:
        return HttpResponse(refusal, status=400)
    messages.error(request, refusal)
    return redirect("meeting_detail", pk=meeting.pk)


@require_http_methods(["POST"])
def meeting_record_save(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The whole register and the meeting's record in one form, for use without JavaScript."""
    meeting = selectors.get_meeting_for_user(request.user, pk, to_run=True)
    focus = selectors.meeting_focus(meeting)
    record_form = MeetingRecordForm(
        request.POST,
        instance=meeting,
        competencies=selectors.competencies_to_record(focus),
        focus=selectors.focus_values(focus),
    )
    attendance_form = AttendanceForm(request.POST, member_ids=_member_ids(meeting))
    if not meeting.has_started:
        record_form.add_error(None, NOT_STARTED)
    if not attendance_form.is_valid():
        record_form.add_error(None, "Choose one of the statuses offered for each member.")
    if not record_form.is_valid():
        return _meeting_page(request, meeting, may_run=True, focus=focus, record_form=record_form)
    services.meeting_attendance_save(meeting=meeting, marks=attendance_form.marks())
    services.meeting_record(
        meeting=meeting,
        worked_on=record_form.cleaned_data["worked_on"],
        cases_brought=record_form.cleaned_data["cases_brought"],
        notes=record_form.cleaned_data["notes"],
    )
    messages.success(request, "Meeting record saved.")
    return redirect("meeting_detail", pk=meeting.pk)


def _meeting_page(
    request: AuthenticatedHttpRequest,
    meeting: CircleMeeting,
    *,
    may_run: bool,
    focus: list[MeetingFocus] | None = None,
    record_form: MeetingRecordForm | None = None,
    agenda_form: AgendaForm | None = None,
) -> HttpResponse:
    """The meeting's page, with the forms given (a refused one shows its errors)."""
    if focus is None:
        focus = selectors.meeting_focus(meeting)
    if may_run and record_form is None:
        record_form = MeetingRecordForm(
            instance=meeting,
            competencies=selectors.competencies_to_record(focus),
            focus=selectors.focus_values(focus),
        )
    if may_run and agenda_form is None:
        agenda_form = AgendaForm(instance=meeting)
    register = selectors.meeting_register(meeting)
    person = person_of(request.user)
    mine = next((row for row in register if person and row["person"].pk == person.pk), None)
    return render(
        request,
        "circles/meeting_detail.html",
        {
            "meeting": meeting,
            "may_run": may_run,
            "register": register,
            "member": mine is not None,
            "apologised": bool(mine and mine["apologised"]),
            "statuses": AttendanceStatus.choices,
            "record_form": record_form,
            "agenda_form": agenda_form,
            "worked_on": selectors.worked_on_by_stage(focus),
        },
    )


@require_http_methods(["POST"])
def meeting_agenda(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Set a meeting's agenda; htmx gets the agenda section back, a plain form the page."""
    meeting = selectors.get_meeting_for_user(request.user, pk, to_run=True)
    form = AgendaForm(request.POST, instance=meeting)
    if form.is_valid():
        meeting = services.meeting_agenda_save(meeting=meeting, agenda=form.cleaned_data["agenda"])
        if not request.htmx:
            messages.success(request, "Agenda saved; it goes out with the meeting's reminder.")
            return redirect("meeting_detail", pk=meeting.pk)
        form, saved = AgendaForm(instance=meeting), True
    else:
        saved = False
    if request.htmx:
        return render(
            request,
            "circles/meeting_detail.html#agenda",
            {"meeting": meeting, "may_run": True, "agenda_form": form, "agenda_saved": saved},
        )
    return _meeting_page(request, meeting, may_run=True, agenda_form=form)


def _meeting_of_member(request: AuthenticatedHttpRequest, pk: int) -> tuple[CircleMeeting, Person]:
    """The meeting and the signed-in member of its circle: 404 for someone who does not see the
    meeting, 403 for someone who sees it but is not a member."""
    meeting = selectors.get_meeting_for_user(request.user, pk)
    person = person_of(request.user)
    if person is None or not meeting.circle.memberships.filter(person=person).exists():
        raise PermissionDenied("Only the circle's members send apologies.")
    return meeting, person


def _apologies_answer(
    request: AuthenticatedHttpRequest,
    meeting: CircleMeeting,
    *,
    apologised: bool,
    done: str,
    error: str,
) -> HttpResponse:
    """htmx gets the apologies section back (a refusal too, so that htmx swaps its message in);
    a plain form the page, with a message."""
    if request.htmx:
        return render(
            request,
            "circles/meeting_detail.html#apologies",
            {
                "meeting": meeting,
                "member": True,
                "apologised": apologised,
                "apologies_message": error or done,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("meeting_detail", pk=meeting.pk)


@require_http_methods(["POST"])
def meeting_apologies_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A member sends apologies before the meeting; the register opens with them marked."""
    meeting, person = _meeting_of_member(request, pk)
    try:
        services.meeting_apologies_send(meeting=meeting, person=person)
    except ValidationError as error:
        apologised = meeting.apologies.filter(person=person).exists()
        return _apologies_answer(
            request, meeting, apologised=apologised, done="", error=" ".join(error.messages)
        )
    return _apologies_answer(
        request, meeting, apologised=True, done="Apologies sent to the practice leader.", error=""
    )


@require_http_methods(["POST"])
def meeting_apologies_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A member who can come after all withdraws their apologies."""
    meeting, person = _meeting_of_member(request, pk)
    try:
        services.meeting_apologies_withdraw(meeting=meeting, person=person)
    except ValidationError as error:
        apologised = meeting.apologies.filter(person=person).exists()
        return _apologies_answer(
            request, meeting, apologised=apologised, done="", error=" ".join(error.messages)
        )
    return _apologies_answer(
        request, meeting, apologised=False, done="Apologies withdrawn.", error=""
    )


@require_http_methods(["GET", "POST"])
def meeting_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Move one meeting of the series."""
    meeting = selectors.get_meeting_for_user(request.user, pk, to_run=True)
    form = MoveMeetingForm(request.POST or None, initial=meeting_defaults(meeting))
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "on_bank_holiday_anyway"}
        try:
            services.meeting_move(meeting=meeting, **values)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Meeting moved; everyone invited is sent the new time.")
            if clashes := selectors.member_clashes(meeting, meeting.starts_at, meeting.ends_at):
                messages.warning(
                    request,
                    "At that time these members are in another circle's meeting: "
                    + ", ".join(clashes)
                    + ".",
                )
            return redirect("circle_detail", pk=meeting.circle_id)
    return render(request, "circles/meeting_change.html", {"meeting": meeting, "form": form})


@require_http_methods(["GET", "POST"])
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Cancel one meeting, after confirming, with a reason that goes into the email."""
    meeting = selectors.get_meeting_for_user(request.user, pk, to_run=True)
    form = CancelMeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and not meeting.is_cancelled:
        services.meeting_cancel(meeting=meeting, reason=form.cleaned_data["reason"])
        messages.success(request, "Meeting cancelled; everyone invited is told why.")
        return redirect("circle_detail", pk=meeting.circle_id)
    return render(request, "circles/meeting_cancel.html", {"meeting": meeting, "form": form})


@require_http_methods(["POST"])
def meeting_reinstate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Undo a cancellation."""
    meeting = selectors.get_meeting_for_user(request.user, pk, to_run=True)
    try:
        services.meeting_reinstate(meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Meeting reinstated; everyone invited is told it is on.")
    return redirect("circle_detail", pk=meeting.circle_id)


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_UNPLACED)
def unplaced(request: HttpRequest) -> HttpResponse:
    return render(request, "circles/unplaced.html", {"people": selectors.unplaced_trained_people()})
