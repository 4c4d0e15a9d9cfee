from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from calendars import selectors, services
from calendars.ics import build_calendar
from circles.selectors import get_circle_for_user, person_meetings
from training.selectors import request_person

FEED_DAYS_BACK = 92  # feeds carry the last three months as well as everything ahead


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET"])
def circle_calendar(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The whole series of one circle as a file to import."""
    circle = get_circle_for_user(request.user, pk)
    return _calendar_response(
        build_calendar(selectors.circle_entries(circle), name=circle.name),
        f"circle-{circle.pk}.ics",
    )


@require_http_methods(["GET", "POST"])
def my_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = request_person(request)
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
            "meetings": person_meetings(person, since=timezone.localdate())[:6],
        },
    )


@login_not_required
@require_http_methods(["GET", "HEAD"])
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's private subscription feed; the long random token is the only credential.

    It answers a conditional request with 304 when nothing has changed (ETag and
    Last-Modified), so calendar apps that poll often cost little.
    """
    feed = selectors.feed_by_token(token)
    if feed is None or not selectors.feed_is_live(feed):
        raise Http404
    since = timezone.localdate() - datetime.timedelta(days=FEED_DAYS_BACK)
    content = build_calendar(
        selectors.feed_entries(feed.person, since=since),
        name="Learning circles and 2:1s",
        refresh=datetime.timedelta(minutes=settings.CALENDAR_REFRESH_MINUTES),
    )
    etag = quote_etag(hashlib.sha256(content).hexdigest()[:32])
    changed_at = services.feed_content_seen(feed=feed, etag=etag)
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(changed_at.timestamp())
    )
    if not_modified is not None:
        return not_modified
    response = _calendar_response(content, "practice-calendar.ics")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed_at.timestamp())
    response["Cache-Control"] = "private, max-age=900"
    return response
