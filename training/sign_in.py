"""Who may sign in through the organisation's identity provider: a current person on the roster.

The sign-in flow is the accounts app's; the roster, and so the answer, is this app's.
"""

from __future__ import annotations

from accounts.adapter import SocialAccountAdapter
from accounts.models import User
from training.models import Person, PersonStatus


class RosterSocialAccountAdapter(SocialAccountAdapter):
    def roster_account(self, emails: set[str]) -> User | None:
        person = (
            Person.objects.filter(email__in=emails, user__is_active=True)
            .exclude(status=PersonStatus.LEFT)
            .select_related("user")
            .first()
        )
        return person.user if person else None
