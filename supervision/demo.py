"""The demo organisation's 2:1s: a year of sessions for each manager's trained practitioners.

Derived from names and dates only, so it is the same on every machine; it is made once (a
second load adds nothing).
"""

from __future__ import annotations

import datetime
import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from supervision.models import SessionStatus, SupervisionSession
from training.models import Person, PersonStatus, RoleGroup
from training.selectors import TRAINED, people_with_training

EVERY = datetime.timedelta(weeks=5)
SESSIONS = 11  # about a year at one every five weeks, the last one still to come


def _number(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "big")


@transaction.atomic
def load_demo() -> list[str]:
    if SupervisionSession.objects.exists():
        return ["2:1s already loaded."]
    today = timezone.localdate()
    practitioners = (
        people_with_training(today)
        .filter(
            TRAINED,
            status=PersonStatus.ACTIVE,
            role_group__in=[RoleGroup.PRACTITIONER, RoleGroup.PARTNER],
            line_manager__role_group=RoleGroup.MANAGER,
        )
        .select_related("line_manager")
        .order_by("line_manager__email", "email")
    )
    teams: dict[Person, list[Person]] = {}
    for person in practitioners:
        teams.setdefault(person.line_manager, []).append(person)

    zone = ZoneInfo(settings.TIME_ZONE)
    created = 0
    for manager, people in teams.items():
        pairs = [people[i : i + 2] for i in range(0, len(people), 2)]
        for pair_number, pair in enumerate(pairs):
            offset = datetime.timedelta(days=_number(manager.email, pair_number) % 35)
            first = today - EVERY * (SESSIONS - 1) + offset
            for index in range(SESSIONS):
                day = first + EVERY * index
                while day.weekday() >= 5:
                    day += datetime.timedelta(days=1)
                starts = datetime.datetime.combine(
                    day, datetime.time(14 if pair_number % 2 else 10), zone
                )
                roll = _number(manager.email, pair_number, index) % 100
                if starts > timezone.now():
                    status = SessionStatus.PLANNED
                elif roll < 8:
                    status = SessionStatus.CANCELLED
                elif roll < 14 and index >= SESSIONS - 3:
                    continue  # never held or recorded: some supervisees fall overdue
                else:
                    status = SessionStatus.HELD
                session = SupervisionSession.objects.create(
                    supervisor=manager,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=1, minutes=30),
                    place=f"{manager.team.name} office",
                    status=status,
                    single_practitioner_reason="Only practitioner in the pair"
                    if len(pair) == 1
                    else "",
                )
                session.practitioners.set(pair)
                created += 1
    return [f"{created} 2:1 sessions."]
