from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from home.selectors import home_for


@require_http_methods(["GET"])
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone's landing page: what waits for them, from each of the roles they hold."""
    return render(request, "home/home.html", {"home": home_for(request.user)})
