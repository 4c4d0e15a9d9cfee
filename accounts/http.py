"""The request our views receive, as the middleware in settings leaves it."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations only: a request to a view that LoginRequiredMiddleware let through.

    Its user is signed in (never AnonymousUser), and HtmxMiddleware has set `htmx`, as
    django-htmx documents for typed views.
    """

    user: User
    htmx: HtmxDetails
