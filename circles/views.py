from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import permission_required
from accounts.roles import Permission, can
from circles import selectors, services
from circles.forms import (
    AddMemberForm,
    CircleForm,
    MeetingRecordForm,
    MoveMeetingForm,
    meeting_defaults,
    parse_attendance,
)
from circles.models import AttendanceStatus


@require_http_methods(["GET"])
def circle_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "circles/circle_list.html",
        {
            "circles": selectors.circle_list(request.user),
            "may_create": can(request.user, Permission.LEAD_CIRCLES),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.LEAD_CIRCLES)
def circle_create(request: HttpRequest) -> HttpResponse:
    person = selectors.person_of(request.user)
    initial = {"facilitators": [person.pk] if person else [], "starts_on": timezone.localdate()}
    form = CircleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        circle = services.circle_save(
            circle=form.save(commit=False), facilitators=list(form.cleaned_data["facilitators"])
        )
        messages.success(request, f"{circle.name} created: it meets {circle.rule_text}.")
        return redirect("circle_detail", pk=circle.pk)
    return render(request, "circles/circle_form.html", {"form": form, "circle": None})


@require_http_methods(["GET", "POST"])
def circle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    circle = selectors.get_circle_for_user(request.user, pk, to_run=True)
    form = CircleForm(request.POST or None, instance=circle)
    if request.method == "POST" and form.is_valid():
        services.circle_save(
            circle=form.save(commit=False), facilitators=list(form.cleaned_data["facilitators"])
        )
        messages.success(request, "Circle saved; future meetings follow its rule.")
        return redirect("circle_detail", pk=circle.pk)
    return render(request, "circles/circle_form.html", {"form": form, "circle": circle})


@require_http_methods(["GET", "POST"])
def circle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    circle = selectors.get_circle_for_user(request.user, pk)
    may_run = selectors.may_run(request.user, circle)
    add_form = AddMemberForm()
    if request.method == "POST":
        if not may_run:
            raise Http404("No such circle.")
        if request.POST.get("action") == "remove":
            person_id = request.POST.get("person", "")
            if not person_id.isdecimal():
                raise Http404("No such member.")
            person = get_object_or_404(circle.members, pk=int(person_id))
            services.circle_member_remove(circle=circle, person=person)
            messages.success(request, f"{person} is no longer a member.")
            return redirect("circle_detail", pk=circle.pk)
        add_form = AddMemberForm(request.POST)
        if add_form.is_valid():
            person = add_form.cleaned_data["email"]
            services.circle_member_add(circle=circle, person=person)
            messages.success(request, f"{person} added; they have been sent an invitation.")
            return redirect("circle_detail", pk=circle.pk)
    meetings = selectors.circle_meetings(circle)
    now = timezone.now()
    return render(
        request,
        "circles/circle_detail.html",
        {
            "circle": circle,
            "may_run": may_run,
            "members": selectors.circle_members(circle),
            "health": selectors.circle_health(circle, meetings),
            "past": [m for m in meetings if m.starts_at <= now][::-1][:12],
            "upcoming": [m for m in meetings if m.starts_at > now],
            "add_form": add_form,
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance screen: each member's status saves at once with htmx, or all at once."""
    meeting = selectors.get_meeting_for_user(request.user, pk)
    may_run = selectors.may_run(request.user, meeting.circle)
    record_form = MeetingRecordForm(instance=meeting)
    if request.method == "POST":
        if not may_run:
            raise Http404("No such meeting.")
        member_ids = set(meeting.circle.memberships.values_list("person_id", flat=True))
        if request.htmx and request.POST.get("action") == "mark":
            person = request.POST.get("person", "")
            marks = parse_attendance(
                {f"status-{person}": request.POST.get(f"status-{person}", "")}, member_ids
            )
            if not marks:
                return HttpResponse("Choose a status for a member of this circle.", status=400)
            services.meeting_attendance_save(meeting=meeting, marks=marks)
            ((person_id, status),) = marks.items()
            return render(
                request,
                "circles/meeting_detail.html#member-status",
                {"row": {"person": {"pk": person_id}, "status_label": status.label}, "saved": True},
            )
        marks = parse_attendance(request.POST, member_ids)
        record_form = MeetingRecordForm(request.POST, instance=meeting)
        if record_form.is_valid():
            services.meeting_attendance_save(meeting=meeting, marks=marks)
            services.meeting_record(
                meeting=meeting,
                topics=record_form.cleaned_data["topics"],
                cases_brought=record_form.cleaned_data["cases_brought"],
                notes=record_form.cleaned_data["notes"],
            )
            messages.success(request, "Meeting record saved.")
            return redirect("meeting_detail", pk=meeting.pk)
    return render(
        request,
        "circles/meeting_detail.html",
        {
            "meeting": meeting,
            "may_run": may_run,
            "register": selectors.meeting_register(meeting),
            "statuses": AttendanceStatus.choices,
            "record_form": record_form,
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Move or cancel one meeting of the series."""
    meeting = selectors.get_meeting_for_user(request.user, pk, to_run=True)
    form = MoveMeetingForm(
        request.POST if request.POST.get("action") != "cancel" else None,
        initial=meeting_defaults(meeting),
    )
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            services.meeting_cancel(meeting=meeting)
            messages.success(request, "Meeting cancelled; members have been told.")
            return redirect("circle_detail", pk=meeting.circle_id)
        if form.is_valid():
            services.meeting_move(meeting=meeting, **form.cleaned_data)
            messages.success(request, "Meeting moved; members have been sent the new time.")
            return redirect("circle_detail", pk=meeting.circle_id)
    return render(request, "circles/meeting_change.html", {"meeting": meeting, "form": form})


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_UNPLACED)
def unplaced(request: HttpRequest) -> HttpResponse:
    return render(request, "circles/unplaced.html", {"people": selectors.unplaced_trained_people()})
