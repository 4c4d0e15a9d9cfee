from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest
from django.shortcuts import render

logger = logging.getLogger("operations.security")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts come from the roster or an administrator, never from self sign-up."""
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the organisation's identity provider, for people on the roster only.

    The provider's email is matched to a current person's roster account (case-insensitively);
    nobody else gets in, and no account is ever created here.
    """

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.is_existing:
            if not sociallogin.user.is_active:
                raise ImmediateHttpResponse(self._refuse(request))
            return
        from training.models import Person, PersonStatus

        emails = {
            address.email.strip().lower()
            for address in sociallogin.email_addresses
            if address.email
        }
        if sociallogin.user.email:
            emails.add(sociallogin.user.email.strip().lower())
        person = (
            Person.objects.filter(email__in=emails, user__is_active=True)
            .exclude(status=PersonStatus.LEFT)
            .select_related("user")
            .first()
        )
        if person is None:
            logger.warning("identity-provider sign-in refused: not on the roster")
            raise ImmediateHttpResponse(self._refuse(request))
        sociallogin.connect(request, person.user)

    def _refuse(self, request: HttpRequest):
        return render(request, "account/not_on_roster.html", status=403)
