"""The demo organisation's 2:1s: each manager meets their trained practitioners two at a time
every five weeks, from soon after both the manager and the practitioner were trained (2016 for
most) until today, with the next one booked. Each 2:1 held has its record: cases
discussed, what it worked on, a note and the actions agreed, most of them closed at the pair's
next 2:1 and the latest ones still open.

Derived from names and dates only, so it is the same on every machine; it is made once (a
second load adds nothing).
"""

from __future__ import annotations

import datetime
import hashlib
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from competencies.frameworks import current_version
from competencies.models import CaseType, Competency, RiskLevel, Stage
from supervision.models import (
    AgreedAction,
    CaseDiscussed,
    SessionFocus,
    SessionNote,
    SessionStatus,
    SupervisionSession,
)
from training.models import Person, PersonStatus, RoleGroup
from training.selectors import TRAINED, people_with_training, training_records

if TYPE_CHECKING:
    from training.selectors import PersonWithTraining

EVERY = datetime.timedelta(weeks=5)
# The first 2:1 falls within this many days after both the manager and the practitioner are
# trained, so that the practitioner has started to try the model.
SETTLING_IN = 21
# Of the last few 2:1s due, some were never held or recorded: some supervisees fall overdue.
RECENT = 3


def _number(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "big")


@transaction.atomic
def load_demo() -> list[str]:
    if SupervisionSession.objects.exists():
        return ["2:1s already loaded.", *load_records()]
    today = timezone.localdate()
    records = training_records(today)
    practitioners = (
        people_with_training(today)
        .filter(
            TRAINED,
            status=PersonStatus.ACTIVE,
            role_group__in=[RoleGroup.PRACTITIONER, RoleGroup.PARTNER],
            line_manager__role_group=RoleGroup.MANAGER,
        )
        .select_related("line_manager__team")
        .order_by("line_manager__email", "trained_on", "email")
    )
    teams: dict[Person, list[PersonWithTraining]] = {}
    for person in practitioners:
        manager = person.line_manager
        manager_trained = records.get(manager.pk) if manager else None
        if manager and manager_trained and manager_trained.trained_on:
            teams.setdefault(manager, []).append(person)

    zone = ZoneInfo(settings.TIME_ZONE)
    sessions: list[SupervisionSession] = []
    pairs_of: list[list[PersonWithTraining]] = []
    for manager, people in teams.items():
        # Paired in the order they were trained; until the second of a pair is trained, the
        # first meets the manager alone.
        pairs = [people[i : i + 2] for i in range(0, len(people), 2)]
        for pair_number, pair in enumerate(pairs):
            manager_on, first_on = records[manager.pk].trained_on, pair[0].trained_on
            if manager_on is None or first_on is None:  # both were trained, as chosen above
                continue
            began = max(manager_on, first_on)
            day = began + datetime.timedelta(
                days=1 + _number(manager.email, pair_number) % SETTLING_IN
            )
            days = []
            while day <= today + EVERY:
                while day.weekday() >= 5:
                    day += datetime.timedelta(days=1)
                days.append(day)
                day += EVERY
            past = [d for d in days if d <= today]
            for index, day in enumerate(days):
                starts = datetime.datetime.combine(
                    day, datetime.time(14 if pair_number % 2 else 10), zone
                )
                roll = _number(manager.email, pair_number, index) % 100
                if starts > timezone.now():
                    status = SessionStatus.PLANNED
                elif roll < 8:
                    status = SessionStatus.CANCELLED
                elif roll < 14 and index >= len(past) - RECENT:
                    continue
                else:
                    status = SessionStatus.HELD
                present = [
                    person for person in pair if person.trained_on and person.trained_on < day
                ]
                sessions.append(
                    SupervisionSession(
                        supervisor=manager,
                        starts_at=starts,
                        ends_at=starts + datetime.timedelta(hours=1, minutes=30),
                        place=f"{manager.team.name} office",
                        status=status,
                        single_practitioner_reason=""
                        if len(present) == 2
                        else "Only practitioner in the pair"
                        if len(pair) == 1
                        else "The other practitioner of the pair is not trained yet",
                    )
                )
                pairs_of.append(present)
    bulk_create_with_history(sessions, SupervisionSession, batch_size=500)
    through = SupervisionSession.practitioners.through
    through.objects.bulk_create(
        [
            through(supervisionsession_id=session.pk, person_id=person.pk)
            for session, pair in zip(sessions, pairs_of, strict=True)
            for person in pair
        ],
        batch_size=2000,
    )
    return [f"{len(sessions)} 2:1 sessions.", *load_records()]


# The records of the 2:1s held -----------------------------------------------------------------

CASE_TYPES = list(CaseType)
RISKS = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.MEDIUM, RiskLevel.HIGH]
# Risk and analysis are the stages most often rushed, so 2:1s come back to them most.
FOCUS_STAGES = [*Stage, Stage.RISK, Stage.RISK, Stage.ANALYSIS, Stage.ANALYSIS]
NOTES = [
    "Talked through how much risk is acceptable on a high-risk case.",
    "Planning had started before the analysis was written down; went back a step.",
    "Engagement is going well with a family that had refused help before.",
    "Revisited the resilience assessment after new information came in.",
    "Fell back on old habits under pressure on a statutory case; named it and planned differently.",
    "Used the restorative questions in a difficult meeting, with a good outcome.",
]
PRACTITIONER_ACTIONS = [
    "Try the resilience map with one family before the next 2:1.",
    "Bring a case where the risk felt unclear to the next learning circle.",
    "Write the analysis down before the next plan review.",
    "Agree expectations in writing at the first visit of a new case.",
    "Ask one young person what a secure base looks like to them.",
    "Book a formulation meeting for a case that is stuck.",
]
SUPERVISOR_ACTIONS = [
    "Find places for both at the next formulation meeting.",
    "Share the risk-weighing guide with both practitioners.",
    "Ask the practice leader for a circle session on analysis.",
]
CLOSING_NOTES = [
    "Done; talked through at this 2:1.",
    "Done with two families; going well.",
    "Done, but worth another try on a statutory case.",
    "No longer needed: the case has closed.",
]


def load_records() -> list[str]:
    """The record of each 2:1 held. Actions are closed at the pair's next 2:1, one in five
    carried on; the latest ones stay open for the 2:1s still to come."""
    if CaseDiscussed.objects.exists() or AgreedAction.objects.exists():
        return ["2:1 records already loaded."]
    version = current_version()
    competencies = list(
        Competency.objects.filter(area__version=version).select_related("area").order_by("pk")
        if version
        else []
    )
    sessions = (
        SupervisionSession.objects.filter(status=SessionStatus.HELD)
        .select_related("supervisor")
        .prefetch_related("practitioners")
        .order_by("starts_at", "pk")
    )
    pairs: dict[tuple[int, ...], list[SupervisionSession]] = {}
    for session in sessions:
        pair = tuple(sorted(person.pk for person in session.practitioners.all()))
        pairs.setdefault((session.supervisor_id, *pair), []).append(session)

    cases: list[CaseDiscussed] = []
    focus: list[SessionFocus] = []
    notes: list[SessionNote] = []
    actions: list[AgreedAction] = []
    for held in pairs.values():
        for index, session in enumerate(held):
            later = held[index + 1 :]
            people = list(session.practitioners.all())
            day = timezone.localtime(session.starts_at).date()
            used: set[int] = set()
            for person in people:
                key = (person.email, session.pk)
                # Two practitioners' cases are two cases: a session lists a reference once.
                number = _number("case", *key) % 90000
                while number in used:
                    number = (number + 1) % 90000
                used.add(number)
                cases.append(
                    CaseDiscussed(
                        session=session,
                        practitioner=person,
                        case_reference=f"CR-{number + 10000}",
                        case_type=CASE_TYPES[_number("type", *key) % len(CASE_TYPES)],
                        risk_level=RISKS[_number("risk", *key) % len(RISKS)],
                    )
                )
                actions.append(
                    _action(
                        session,
                        later,
                        owner=person,
                        practitioner=person,
                        text=PRACTITIONER_ACTIONS[_number("do", *key) % len(PRACTITIONER_ACTIONS)],
                        day=day,
                    )
                )
            stage = FOCUS_STAGES[_number("stage", session.pk) % len(FOCUS_STAGES)]
            in_stage = [c for c in competencies if c.area.stage == stage]
            focus.append(
                SessionFocus(
                    session=session,
                    practitioner=None,
                    stage=stage,
                    competency=in_stage[_number("competency", session.pk) % len(in_stage)]
                    if in_stage and _number("whole", session.pk) % 3
                    else None,
                )
            )
            notes.append(
                SessionNote(session=session, text=NOTES[_number("note", session.pk) % len(NOTES)])
            )
            if len(people) == 2 and _number("supervisor", session.pk) % 3 == 0:
                actions.append(
                    _action(
                        session,
                        later,
                        owner=session.supervisor,
                        practitioner=None,
                        text=SUPERVISOR_ACTIONS[_number("s", session.pk) % len(SUPERVISOR_ACTIONS)],
                        day=day,
                    )
                )
    CaseDiscussed.objects.bulk_create(cases, batch_size=2000)
    SessionFocus.objects.bulk_create(focus, batch_size=2000)
    SessionNote.objects.bulk_create(notes, batch_size=2000)
    AgreedAction.objects.bulk_create(actions, batch_size=2000)
    still_open = sum(1 for action in actions if action.closed_at is None)
    return [
        f"{len(cases)} cases discussed and {len(actions)} agreed actions "
        f"({still_open} still open) in the records of {len(notes)} 2:1s."
    ]


def _action(
    session: SupervisionSession,
    later: list[SupervisionSession],
    *,
    owner: Person,
    practitioner: Person | None,
    text: str,
    day: datetime.date,
) -> AgreedAction:
    action = AgreedAction(
        session=session,
        owner=owner,
        practitioner=practitioner,
        description=text,
        due_on=day + datetime.timedelta(weeks=4),
    )
    # Closed at the next 2:1 of the pair, or the one after for one action in five.
    roll = _number("close", session.pk, owner.pk) % 5
    closing = later[1] if roll == 0 and len(later) > 1 else (later[0] if later else None)
    if closing is not None:
        action.closed_in = closing
        action.closed_at = closing.ends_at
        action.closing_note = CLOSING_NOTES[roll % len(CLOSING_NOTES)]
    return action
