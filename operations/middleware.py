"""Request and response rules: sessions that end, pages that are not cached, headers.

The request size limit and the rules for signed-in people are listed in config/settings.py right
after Django's AuthenticationMiddleware; the Permissions-Policy header is added first of all, to
every response.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render, resolve_url
from django.utils.cache import add_never_cache_headers
from django.utils.encoding import escape_uri_path
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User
from accounts.roles import remember_roles
from training.models import PersonStatus

security_log = logging.getLogger("operations.security")

# When the session's expiry was last moved forward, and when its person signed in (seconds since
# the epoch).
SESSION_REFRESHED_AT = "operations_refreshed_at"
SESSION_SIGNED_IN_AT = "operations_signed_in_at"

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than it may be (413), before anything reads it.

    A signed-in person sends at most the largest upload with its form (REQUEST_MAX_BYTES);
    anyone else has nothing to upload and sends at most a sign-in form's worth
    (ANONYMOUS_REQUEST_MAX_BYTES). The size is the one the request declares: Django reads no more
    than that, and a body without one as nothing.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        # The larger limit first, so that an oversized body costs no query to refuse.
        if size > settings.REQUEST_MAX_BYTES or (
            size > settings.ANONYMOUS_REQUEST_MAX_BYTES and not request.user.is_authenticated
        ):
            security_log.warning(
                "refused request too large size=%s path=%s", size, escape_uri_path(request.path)
            )
            return render(
                request,
                "413.html",
                {"upload_limit_kb": settings.ROSTER_UPLOAD_MAX_BYTES // 1024},
                status=413,
            )
        return self.get_response(request)


class SessionEndMiddleware:
    """End the session of an account that has been disabled or whose person has left, and any
    session SESSION_MAX_SECONDS after its sign-in, however busy.

    Django already treats a disabled account as signed out, but leaves its session behind; this
    deletes it. A person marked "left" on the roster is signed out on their next request even if
    their account has not been disabled yet.

    The roster status is read in the same query as the account's roles, which every page needs
    for its navigation and permission checks, and the roles are cached on the user for them: so
    this adds no query to a signed-in page.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated:
            rows = list(
                User.objects.filter(pk=user.pk).values_list("person__status", "groups__name")
            )
            if not user.is_active or any(status == PersonStatus.LEFT for status, _ in rows):
                self._end(request, user.pk, "left" if user.is_active else "inactive")
            elif self._too_old(request):
                self._end(request, user.pk, "signed-in-too-long")
            else:
                remember_roles(user, {name for _, name in rows if name})
        elif SESSION_KEY in request.session:
            # The session names an account that is disabled, deleted or no longer valid.
            self._end(request, request.session[SESSION_KEY], "inactive-or-deleted")
        return self.get_response(request)

    @staticmethod
    def _too_old(request: HttpRequest) -> bool:
        now = int(time.time())
        # A session from before sign-in times were kept counts from the first request that sees it.
        signed_in_at = request.session.setdefault(SESSION_SIGNED_IN_AT, now)
        return now - signed_in_at >= settings.SESSION_MAX_SECONDS

    @staticmethod
    def _end(request: HttpRequest, account_id: object, reason: str) -> None:
        security_log.info("session ended account=%s reason=%s", account_id, reason)
        logout(request)


class SessionRefreshMiddleware:
    """Keep a signed-in session alive while it is used, so that it ends after inactivity.

    A session expires SESSION_COOKIE_AGE seconds after it was last saved. Saving it on every
    request (SESSION_SAVE_EVERY_REQUEST) would make every page view a database write; instead the
    expiry moves forward when SESSION_REFRESH_SECONDS have passed since it last did. A session
    therefore ends between SESSION_COOKIE_AGE minus SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE
    after the last request.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            refreshed_at = session.get(SESSION_REFRESHED_AT, 0)
            if now - refreshed_at >= settings.SESSION_REFRESH_SECONDS:
                # A changed session is saved, with a new expiry, by SessionMiddleware.
                session[SESSION_REFRESHED_AT] = now
        return response


class HtmxSignInMiddleware:
    """Send an htmx request that needs a sign-in to the sign-in page as a whole page.

    htmx follows a redirect itself and would swap the sign-in form into the fragment it asked for
    (after a session has ended, say); an HX-Redirect makes the browser load the sign-in page
    instead, and come back afterwards to the page the person was on (HX-Current-URL).
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
        ):
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            same_site = current.netloc == request.get_host() and current.path
            back_to = urlunsplit(("", "", current.path, current.query, "")) if same_site else None
            target = redirect_to_login(back_to or request.get_full_path())["Location"]
            return HttpResponseClientRedirect(target)
        return response


class PrivateResponseMiddleware:
    """Tell browsers and proxies never to store what a signed-in person was shown.

    Static files never reach this (WhiteNoise serves them first), so they stay cacheable.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class RefusalLogMiddleware:
    """Log every refusal (403), with the account ID and never a name or email address."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code == 403:
            user = request.user
            security_log.warning(
                "refused account=%s method=%s path=%s",
                user.pk if user.is_authenticated else "anonymous",
                request.method,
                # Percent-encoded, so that an address cannot forge a line of the log.
                escape_uri_path(request.path),
            )
        return response


class PermissionsPolicyMiddleware:
    """Refuse the browser features the site never uses (camera, microphone, location...), so
    that no script, ours or injected, and nothing embedded can ask for them.

    Listed before WhiteNoise, so static files carry the header too.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
