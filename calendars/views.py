from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from calendars import selectors, services
from calendars.ics import build_calendar
from circles.selectors import get_circle_for_user, person_of
from training.models import PersonStatus

FEED_DAYS_BACK = 92  # feeds carry the last three months as well as everything ahead


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET"])
def circle_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole series of one circle as a file to import."""
    circle = get_circle_for_user(request.user, pk)
    return _calendar_response(
        build_calendar(selectors.circle_entries(circle), name=circle.name),
        f"circle-{circle.pk}.ics",
    )


@require_http_methods(["GET", "POST"])
def my_calendar(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)
    if person is None:
        raise Http404("Your account is not linked to the roster.")
    if request.method == "POST":
        services.feed_token_regenerate(person=person)
        messages.success(request, "New address made; the old one no longer works.")
        return redirect("my_calendar")
    feed = services.feed_for(person)
    feed_url = request.build_absolute_uri(f"/calendar/{feed.token}.ics")
    return render(
        request,
        "calendars/my_calendar.html",
        {
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
            "meetings": selectors.person_meetings(person, since=timezone.localdate())[:6],
        },
    )


@login_not_required
@require_http_methods(["GET"])
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's private subscription feed; the long random token is the only credential."""
    feed = selectors.feed_by_token(token)
    if feed is None or feed.person.status == PersonStatus.LEFT:
        raise Http404
    since = timezone.localdate() - datetime.timedelta(days=FEED_DAYS_BACK)
    response = _calendar_response(
        build_calendar(
            selectors.feed_entries(feed.person, since=since), name="Learning circles and 2:1s"
        ),
        "practice-calendar.ics",
    )
    response["Cache-Control"] = "private, max-age=900"
    return response
