"""The security log: sign-ins, failed sign-ins and sign-outs, by account ID only. A sign-in also
starts its session's inactivity clock (operations.middleware.SessionRefreshMiddleware).

Names and email addresses never reach the log; an account ID can be looked up in the admin site by
someone allowed to. A failed sign-in is logged without the email address that was typed, which may
belong to no account or be someone's mistyped password.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User
from operations.middleware import SESSION_REFRESHED_AT, SESSION_SIGNED_IN_AT, security_log


@receiver(user_logged_in, dispatch_uid="operations_sign_in")
def sign_in_recorded(sender: type, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    security_log.info("sign-in account=%s", user.pk)
    if request is not None and hasattr(request, "session"):
        # A new session's expiry is fresh; SessionRefreshMiddleware counts from here, and
        # SessionEndMiddleware ends it SESSION_MAX_SECONDS after this however busy it is.
        now = int(time.time())
        request.session[SESSION_REFRESHED_AT] = now
        request.session[SESSION_SIGNED_IN_AT] = now


@receiver(user_login_failed, dispatch_uid="operations_sign_in_failed")
def sign_in_failure_recorded(sender: str, credentials: dict[str, Any], **kwargs: Any) -> None:
    security_log.warning("sign-in failed")


@receiver(user_logged_out, dispatch_uid="operations_sign_out")
def sign_out_recorded(
    sender: type | None, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    security_log.info("sign-out account=%s", user.pk if user is not None else "unknown")
