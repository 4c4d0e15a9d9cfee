from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.roles import Role, roles_of

# Pages someone who must set up two-factor sign-in can still reach.
OPEN_PREFIXES = ("/accounts/", "/static/", "/health/", "/accessibility/")


class RequireMFAMiddleware:
    """Send people holding a role that requires two-factor sign-in to set it up first.

    The roles come from `MFA_REQUIRED_FOR_ROLES` (administrators and programme leads by
    default in production). People without those roles are never asked, and cost no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        required = {Role(value) for value in settings.MFA_REQUIRED_FOR_ROLES}
        user = request.user
        if (
            required
            and user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and roles_of(user) & required
            and not is_mfa_enabled(user, ["totp"])
        ):
            messages.info(
                request,
                "Your role needs two-factor sign-in. Set up an authenticator app to continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
