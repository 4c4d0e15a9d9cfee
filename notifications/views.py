from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from notifications import selectors, services
from notifications.forms import EmailPreferencesForm
from training.selectors import request_person

TEMPLATE = "notifications/email_preferences.html"


@require_http_methods(["GET", "POST"])
def email_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person turns the emails that are not essential on or off."""
    person = request_person(request)
    preferences = selectors.preferences_of(person, request.user)
    # Every box unticked posts nothing: a POST is read even when it is empty.
    data = request.POST if request.method == "POST" else None
    form = EmailPreferencesForm(data, preferences=preferences)
    saved = False
    if request.method == "POST" and form.is_valid():
        services.email_preferences_save(person=person, turned_on=form.turned_on())
        if not request.htmx:
            messages.success(request, "Email preferences saved.")
            return redirect("email_preferences")
        saved = True
        preferences = selectors.preferences_of(person, request.user)
        form = EmailPreferencesForm(preferences=preferences)
    context = {
        "form": form,
        "essential": [preference for preference in preferences if preference.essential],
        "person": person,
        "saved": saved,
    }
    return render(request, f"{TEMPLATE}#preferences" if request.htmx else TEMPLATE, context)
