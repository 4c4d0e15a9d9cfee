from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET"])
def email_from_roster(request: HttpRequest) -> HttpResponse:
    """Sign-in emails are the roster's; people cannot add or change them themselves."""
    return render(request, "account/email_from_roster.html")
