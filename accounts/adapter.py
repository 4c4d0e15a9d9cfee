from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest
from django.shortcuts import render

from accounts.models import User

logger = logging.getLogger("operations.security")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts come from the roster or an administrator, never from self sign-up."""
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the organisation's identity provider, for people on the roster only.

    The provider's emails are matched to an account by `roster_account`, which the roster's
    own app answers (training.sign_in); nobody else gets in, and no account is ever created here.
    """

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def roster_account(self, emails: set[str]) -> User | None:
        """The active account of a current roster person with one of `emails` (lower case).

        Accounts know nothing of the roster, so on its own this lets nobody in."""
        return None

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.is_existing:
            if not sociallogin.user.is_active:
                raise ImmediateHttpResponse(self._refuse(request))
            return
        emails = {
            address.email.strip().lower()
            for address in sociallogin.email_addresses
            if address.email
        }
        if sociallogin.user.email:
            emails.add(sociallogin.user.email.strip().lower())
        user = self.roster_account(emails)
        if user is None:
            logger.warning("identity-provider sign-in refused: not on the roster")
            raise ImmediateHttpResponse(self._refuse(request))
        sociallogin.connect(request, user)

    def _refuse(self, request: HttpRequest):
        return render(request, "account/not_on_roster.html", status=403)
