from collections.abc import Callable
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse

from accounts.roles import Role, roles_of

# Pages someone who must set up two-factor sign-in can still reach.
OPEN_PREFIXES = ("/accounts/", "/static/", "/health/", "/accessibility/")
# Pages a session that has not passed the second factor can reach, when its account has one:
# entering a code, and signing out. Nothing else, not even the account's own two-factor pages,
# which would show its recovery codes or remove its authenticator after a password alone.
CODE_PREFIXES = ("/static/", "/health/", "/accessibility/")
CODE_URL_NAMES = ("mfa_reauthenticate", "account_logout")


def passed_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in included a code from an authenticator app (or a recovery
    code), as allauth records it; a session made by a password alone has no such record."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


class RequireMFAMiddleware:
    """Hold people whose role requires two-factor sign-in until this session has passed it.

    The roles come from `MFA_REQUIRED_FOR_ROLES` (administrators and programme leads by
    default in production). Someone without an authenticator app is sent to set one up; someone
    with one whose session was opened by a password alone (a session from before the app was
    added, say) is asked for a code. It is the session that must have passed the second factor,
    not only the account that must have one. People without those roles are never asked, and
    cost no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        required = {Role(value) for value in settings.MFA_REQUIRED_FOR_ROLES}
        user = request.user
        if (
            required
            and user.is_authenticated
            and roles_of(user) & required
            and not passed_second_factor(request)
        ):
            if not is_mfa_enabled(user, ["totp"]):
                if not request.path.startswith(OPEN_PREFIXES):
                    messages.info(
                        request,
                        "Your role needs two-factor sign-in. "
                        "Set up an authenticator app to continue.",
                    )
                    return redirect("mfa_activate_totp")
            elif not self._may_enter_code(request):
                messages.info(request, "Enter a code from your authenticator app to continue.")
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _may_enter_code(request: HttpRequest) -> bool:
        if request.path.startswith(CODE_PREFIXES):
            return True
        return request.path in {reverse(name) for name in CODE_URL_NAMES}
